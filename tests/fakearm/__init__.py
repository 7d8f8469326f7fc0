"""Test doubles for live discovery: a fake ARM/ARG/Log Analytics HTTPS server, an estate
builder, and a stub ``az`` for AzureCliCredential (``bin/az``)."""

from pathlib import Path

from .estates import build_estate
from .server import Fault, FakeArm

AZ_STUB = Path(__file__).parent / "bin" / "az"

__all__ = ["FakeArm", "Fault", "build_estate", "AZ_STUB"]
