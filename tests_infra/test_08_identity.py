"""マネージド ID の設定の確認 -- AMA has a managed identity it can use."""

import re

import pytest

from amaaudit import findings as finding
from amaaudit import arm
from amaaudit.verdict import evidence, require

pytestmark = pytest.mark.identity

GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
IDENTIFIERS = {"mi_res_id", "object_id", "client_id"}


def test_managed_identity(vm):
    """The identity named in the AMA settings is attached; else system-assigned, or exactly one user-assigned
    (a kind that supports only its system-assigned identity, such as Arc, needs that one, with a principal)."""
    named = [(e, e.managed_identity_setting) for e in vm.ama_extensions if e.managed_identity_setting]
    if named:
        ext, setting = named[0]
        require(vm.supports_user_assigned, finding.identity.user_assigned_unsupported, vm, ext, setting)
        name = str(setting.get("identifier-name") or "")
        value = str(setting.get("identifier-value") or "")
        require(name in IDENTIFIERS, finding.identity.named_invalid, vm, ext, setting,
                f"identifier-name {name!r} is not one of mi_res_id, object_id, client_id")
        require(value and (name == "mi_res_id" or GUID.match(value)), finding.identity.named_invalid, vm, ext,
                setting, f"identifier-value {value!r} is not a {'resource id' if name == 'mi_res_id' else 'GUID'}")
        attached = {"mi_res_id": {arm.key(u.resource_id) for u in vm.user_assigned},
                    "object_id": {u.principal_id.lower() for u in vm.user_assigned},
                    "client_id": {u.client_id.lower() for u in vm.user_assigned}}[name]
        require(arm.key(value) in attached, finding.identity.named_not_attached, vm, ext, setting)
        evidence(extension=ext.id, setting={"identifier-name": name, "identifier-value": value},
                 userAssigned=[u.resource_id for u in vm.user_assigned])
        return
    if not vm.supports_user_assigned:
        require(vm.system_assigned and vm.system_principal_id, finding.identity.system_required, vm)
        evidence(identityType=vm.identity_type, principalId=vm.system_principal_id)
        return
    require(vm.system_assigned or vm.user_assigned, finding.identity.none, vm)
    require(vm.system_assigned or len(vm.user_assigned) == 1, finding.identity.ambiguous, vm)
    evidence(identityType=vm.identity_type, userAssigned=[u.resource_id for u in vm.user_assigned])
