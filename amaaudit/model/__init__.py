"""The estate model: plain Python questions over a snapshot (no I/O, no pytest, no verdicts)."""

from .estate import Estate, Malformed, Unknown
from .compute import VirtualMachine, Extension
from .monitor import Association, DataCollectionRule, DataCollectionEndpoint, Workspace

__all__ = ["Estate", "Unknown", "Malformed", "VirtualMachine", "Extension", "Association",
           "DataCollectionRule", "DataCollectionEndpoint", "Workspace"]
