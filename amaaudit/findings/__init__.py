"""The catalog of findings: one builder per kind of problem, message and fix in one place.

Builders take model objects and return a :class:`Finding` whose message names the
resource, whose evidence is the few ARM fields the verdict rests on, and whose remediation
is the troubleshooting guide's own fix, with commands filled in for this resource.
"""

from .core import CRITICAL, FAILING, HIGH, WARNING, Finding
from . import agent, ampls, dcr, dns, heartbeat, identity, network, os, power

__all__ = ["Finding", "CRITICAL", "HIGH", "WARNING", "FAILING",
           "os", "power", "agent", "network", "ampls", "dns", "identity", "dcr", "heartbeat"]
