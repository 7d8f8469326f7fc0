"""ARM resource ids.

ARM compares ids, types and names case-insensitively, and snapshots written by other
tools mix ``resourceGroups``/``resourcegroups`` and ``Microsoft.Insights``/``microsoft.insights``.
Every comparison in the suite goes through :func:`key`, so case is handled once, here.
"""

from __future__ import annotations

from dataclasses import dataclass


def key(resource_id: str | None) -> str:
    """The comparison key of an ARM id: lower case, no trailing slash ("" for a non-string)."""
    return resource_id.strip().rstrip("/").lower() if isinstance(resource_id, str) else ""


@dataclass(frozen=True)
class ResourceId:
    raw: str
    subscription: str
    resource_group: str
    provider: str
    types: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.names[-1] if self.names else ""

    @property
    def type(self) -> str:
        """Full type, e.g. ``Microsoft.Compute/virtualMachines/extensions``."""
        return "/".join((self.provider, *self.types)) if self.provider else ""


def parse(resource_id: str) -> ResourceId:
    """Split an id into its parts; tolerant of odd case and of extension resources.

    For an extension resource (``<vm id>/providers/Microsoft.Insights/...``) the provider
    and types are those of the *last* provider segment, which is what the document's
    ``type`` says too.
    """
    parts = [p for p in resource_id.split("/") if p] if isinstance(resource_id, str) else []
    sub = rg = provider = ""
    types: list[str] = []
    names: list[str] = []
    i = 0
    while i < len(parts):
        word = parts[i].lower()
        if word == "subscriptions" and i + 1 < len(parts) and not sub:
            sub = parts[i + 1]
            i += 2
        elif word == "resourcegroups" and i + 1 < len(parts) and not rg:
            rg = parts[i + 1]
            i += 2
        elif word == "providers" and i + 1 < len(parts):
            provider = parts[i + 1]
            types, names = [], []
            i += 2
            while i + 1 < len(parts) and parts[i].lower() != "providers":
                types.append(parts[i])
                names.append(parts[i + 1])
                i += 2
        else:
            i += 1
    return ResourceId(resource_id, sub, rg, provider, tuple(types), tuple(names))


def parent(resource_id: str) -> str:
    """The id of the parent resource (``.../zones/z/virtualNetworkLinks/l`` -> ``.../zones/z``).

    For an extension resource the parent is the resource it extends.
    """
    parts = (resource_id if isinstance(resource_id, str) else "").rstrip("/").split("/")
    if len(parts) >= 4 and parts[-4].lower() == "providers":
        return "/".join(parts[:-4])
    return "/".join(parts[:-2])


def portal_url(resource_id: str) -> str:
    return f"https://portal.azure.com/#@/resource{resource_id}"
