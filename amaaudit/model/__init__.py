"""The estate model: plain Python questions over a snapshot (no I/O, no pytest, no verdicts)."""

from .estate import Estate, Incomplete, Malformed, Unknown
from .compute import VirtualMachine, Extension
from .monitor import Association, DataCollectionRule, DataCollectionEndpoint, Workspace

__all__ = ["Estate", "Unknown", "Malformed", "Incomplete", "VirtualMachine", "Extension", "Association",
           "DataCollectionRule", "DataCollectionEndpoint", "Workspace"]
