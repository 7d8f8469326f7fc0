"""A machine AMA runs on, whatever its kind: the questions every check asks, and the registry of kinds.

Each kind (an Azure VM, an Arc-enabled server, a scale-set instance) is one class that answers the
same questions from its own documents, registered with :func:`machine_kind` (Cloud Custodian keeps one
registered class per resource kind for the same reason: the engine never branches on kinds). The
checks in tests_infra never ask *what* a machine is; a fourth kind (Arc on Azure Local, AVS) is one
more class here and nothing else.

What is the same for every kind lives on :class:`Machine` itself: data collection (DCR associations
and what they lead to), the identity document's shape, the extensions' AMA questions. A kind
overrides what it keeps elsewhere (a uniform scale set keeps its associations and identity on the
scale set, not on the instance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar

from .. import arm
from ..text import Text
from .estate import Estate, Unknown, operation_for

AMA_PUBLISHER = "microsoft.azure.monitor"
AMA_TYPES = {"Linux": "AzureMonitorLinuxAgent", "Windows": "AzureMonitorWindowsAgent"}
DCRA_TYPE = "Microsoft.Insights/dataCollectionRuleAssociations"

KINDS: list[type["Machine"]] = []


def registered_kinds() -> list[type["Machine"]]:
    """Every machine kind (importing their modules registers them)."""
    from . import arc, compute, scaleset  # noqa: F401
    return KINDS


def inventory_operations() -> list[tuple[str, str | None]]:
    """(read operation, type of the resource it lists under, or None for a subscription or resource
    group) of every registered kind: a failure of one of these leaves machines out altogether."""
    return [op for cls in registered_kinds() for op in cls.inventory]


def machine_types() -> frozenset[str]:
    """The resource types (lower case) whose documents are machines."""
    return frozenset(cls.resource_type.lower() for cls in registered_kinds())


def machine_kind(cls: type["Machine"]) -> type["Machine"]:
    """Register a machine kind: its documents become rows of every check."""
    KINDS.append(cls)
    return cls


def props(doc: dict[str, Any] | None) -> dict[str, Any]:
    value = doc.get("properties") if isinstance(doc, dict) else None
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    """A JSON array as a list; anything else (a snapshot's wrong-typed field) as empty."""
    return value if isinstance(value, list) else []


def lower_keys(value: Any) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else {}


def os_family(value: Any) -> str | None:
    """"Linux" / "Windows" from an ARM osType-like field (any case), else None."""
    text = str(value or "").strip().lower()
    if text.startswith("linux"):
        return "Linux"
    if text.startswith("windows"):
        return "Windows"
    return None


@dataclass(frozen=True)
class Liveness:
    """Is the machine there to send anything: a VM running, an Arc server connected."""
    up: bool
    state: str                      # as the resource says it: "running", "deallocated", "Connected", "Expired"...
    display: str                    # for people: "VM running", "Disconnected"
    since: datetime | None = None   # when it entered that state, where the resource records it


@dataclass(frozen=True)
class AgentService:
    """What installs and runs extensions on the machine (the Azure guest agent; Arc's extension service)."""
    name: Text
    ready: bool
    display: str
    version: str = ""
    message: str = ""


@dataclass(frozen=True)
class UserAssignedIdentity:
    resource_id: str
    principal_id: str
    client_id: str


@dataclass(frozen=True)
class Proxy:
    """An agent-level proxy that ARM shows (Arc: ``agentConfiguration``)."""
    url: str
    bypass: tuple[str, ...]


class Machine:
    kind: ClassVar[str]                 # "vm" | "arc" | "vmss": results carry it
    noun: ClassVar[Text]                # how findings name one: "VM", "Arc-enabled server"...
    resource_type: ClassVar[str]        # the documents that are machines of this kind
    # The reads that list them: (operation, the type of resource they are listed under, None for a
    # subscription or resource group).
    inventory: ClassVar[tuple[tuple[str, str | None], ...]] = ()
    supports_user_assigned: ClassVar[bool] = True

    def __init__(self, estate: Estate, doc: dict[str, Any]):
        self.estate, self.doc = estate, doc
        self.id: str = doc["id"]
        parsed = arm.parse(self.id)
        self.name: str = doc.get("name") or parsed.name
        self.resource_group: str = parsed.resource_group
        self.subscription: str = parsed.subscription
        self.location: str = str(doc.get("location") or "")
        self.tags: dict[str, Any] = doc.get("tags") if isinstance(doc.get("tags"), dict) else {}
        self.props = props(doc)

    @classmethod
    def members(cls, estate: Estate) -> list[dict[str, Any]]:
        """The documents of the estate that are machines of this kind."""
        return estate.of_type(cls.resource_type)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.resource_group}/{self.name}>"

    @property
    def label(self) -> Text:
        """How a finding names it: "VM vm01", "Arc-enabled server db01"."""
        return Text(f"{self.noun.en} {self.name}", f"{self.noun.ja} {self.name}")

    # -- what it runs (each kind answers) ------------------------------------------------
    os_type: str | None = None
    image: dict[str, str] = {}
    guest_os: tuple[str, str] | None = None
    size: str = ""

    # -- is it up ------------------------------------------------------------------------
    @property
    def liveness(self) -> Liveness:
        """Raises :class:`Unknown` when the snapshot cannot tell."""
        raise NotImplementedError

    @cached_property
    def known_liveness(self) -> Liveness | None:
        """:attr:`liveness`, or None when it is unknown: asked before each of a machine's steps, and a raised
        :class:`Unknown` (its texts, the errors it looks up) is not cached the way an answer is."""
        try:
            return self.liveness
        except Unknown:
            return None

    @property
    def agent_service(self) -> AgentService | None:
        """None where the kind's documents do not report it."""
        return None

    @property
    def agent_version(self) -> str | None:
        """The version of a machine-level agent that must be recent to be supported (Arc's Connected
        Machine agent); None where the kind has none to judge."""
        return None

    # -- extensions ----------------------------------------------------------------------
    @property
    def extensions(self) -> list:
        raise NotImplementedError

    @property
    def ama_extensions(self) -> list:
        return [e for e in self.extensions if e.is_ama]

    @property
    def legacy_agents(self) -> list:
        return [e for e in self.extensions if e.legacy_name]

    @property
    def expected_ama_type(self) -> str | None:
        return AMA_TYPES.get(self.os_type or "")

    @property
    def extensions_blocked(self) -> Text | None:
        """Why extensions cannot be installed at all, where the machine's documents say (Arc's local
        agent configuration); None otherwise."""
        return None

    # -- identity --------------------------------------------------------------------------
    @property
    def identity_doc(self) -> dict[str, Any]:
        ident = self.doc.get("identity")
        return ident if isinstance(ident, dict) else {}

    @cached_property
    def identity_type(self) -> str:
        return str(self.identity_doc.get("type") or "None")

    @property
    def system_assigned(self) -> bool:
        return "systemassigned" in self.identity_type.lower().replace(" ", "")

    @property
    def system_principal_id(self) -> str:
        return str(self.identity_doc.get("principalId") or "")

    @cached_property
    def user_assigned(self) -> list[UserAssignedIdentity]:
        uais = self.identity_doc.get("userAssignedIdentities")
        out = []
        for rid, value in uais.items() if isinstance(uais, dict) else ():
            value = value if isinstance(value, dict) else {}
            out.append(UserAssignedIdentity(rid, str(value.get("principalId") or ""), str(value.get("clientId") or "")))
        return out

    # -- network ---------------------------------------------------------------------------
    @property
    def network(self):
        raise NotImplementedError

    @property
    def proxy(self) -> Proxy | None:
        return None

    def own_endpoints(self) -> list:
        """Endpoints the machine's own agent needs besides AMA's (Arc's Connected Machine agent)."""
        return []

    @property
    def host_private_link(self):
        """The machine kind's own private link (Arc: its Arc Private Link Scope), beside AMPLS; None
        when the kind has none or the machine does not use it."""
        return None

    # -- data collection -------------------------------------------------------------------
    @property
    def association_owner(self) -> str:
        """The resource whose DCR associations apply to this machine."""
        return self.id

    @property
    def association_owner_label(self) -> Text:
        return self.label

    @cached_property
    def associations(self) -> list:
        """Associations in the snapshot. Present documents stay authoritative even when listing them
        failed; :attr:`collection_gap` says whether more may exist."""
        from .monitor import Association
        return [self.estate.view(Association, d) for d in self.estate.children(self.association_owner, DCRA_TYPE)]

    @cached_property
    def collection_gap(self) -> Unknown | None:
        """Why the machine's data-collection picture may be incomplete (a failed read of its
        associations, or of a DCR or DCE they name); None when everything it needs was read."""
        failed = self.estate.errors.covering(f"{self.association_owner}/{DCRA_TYPE}", operation_for(DCRA_TYPE))
        if failed is not None:
            owner = self.association_owner_label
            return Unknown(Text(f"the DCR associations of {owner.en}", f"{owner.ja} のデータ収集ルールの関連付け"), failed)
        for association in self.associations:
            try:
                association.endpoint
                if association.rule_id and association.rule is not None:
                    association.rule.endpoint
            except Unknown as exc:
                return exc
        return None

    @staticmethod
    def _readable(association) -> bool:
        try:
            association.rule
            return True
        except Unknown:
            return False

    @property
    def rule_associations(self) -> list:
        return [a for a in self.associations if a.rule_id]

    @property
    def endpoint_associations(self) -> list:
        return [a for a in self.associations if a.endpoint_id and not a.rule_id]

    @cached_property
    def rules(self) -> list:
        """The associated DCRs that exist and could be read."""
        return [a.rule for a in self.rule_associations if self._readable(a) and a.rule is not None]

    @cached_property
    def deleted_rule_associations(self) -> list:
        """Associations whose DCR does not exist (deleted, or never created)."""
        return [a for a in self.rule_associations if self._readable(a) and a.rule is None]

    def log_workspaces(self) -> list:
        """Existing workspaces that the machine's DCRs (those fitting its OS) route logs to."""
        found: dict[str, object] = {}
        for rule in self.rules:
            if not rule.fits_os(self.os_type):
                continue
            for route in rule.log_routes:
                workspace = rule.workspace(route)
                if workspace is not None:
                    found.setdefault(arm.key(workspace.id), workspace)
        return list(found.values())

    def data_collection_endpoints(self) -> list:
        """DCEs the agent uses: those of its DCRs and of a configurationAccessEndpoint association."""
        found: dict[str, object] = {}
        reads = [lambda a=a: a.endpoint for a in self.associations] + [lambda r=r: r.endpoint for r in self.rules]
        for read in reads:
            try:
                dce = read()
            except Unknown:        # reported through collection_gap
                continue
            if dce is not None:
                found.setdefault(arm.key(dce.id), dce)
        return list(found.values())

    # -- heartbeat -------------------------------------------------------------------------
    @property
    def heartbeat_resource_id(self) -> str:
        """The ``_ResourceId`` its Heartbeat rows carry."""
        return self.id

    @property
    def heartbeat_computer(self) -> str | None:
        """The ``Computer`` that tells its rows apart from others with the same ``_ResourceId``
        (uniform scale-set instances share their scale set's); None when the id is enough."""
        return None

    @property
    def captured_at(self) -> datetime:
        """The instant the verdicts about this machine are judged at: the capture time of the snapshot that
        holds it (several ``--estate`` files may have been combined)."""
        return self.estate.captured_at_of(self.id)

    # -- for people -----------------------------------------------------------------------
    def facts(self) -> dict[str, Any]:
        """The handful of fields most verdicts rest on (kept small for the report)."""
        return {"id": self.id, "kind": self.kind, "location": self.location, "osType": self.os_type}
