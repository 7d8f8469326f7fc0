from ..text import Text
from .core import CRITICAL, Finding, ps, sh

PORTAL = Text("Azure portal > the VM > Security > Identity",
              "Azure portal > 対象のマシン > [セキュリティ] > [ID]")


def _evidence(vm, named=None):
    return {"identity.type": vm.identity_type,
            "userAssignedIdentities": [u.resource_id for u in vm.user_assigned],
            **({"settings.authentication.managedIdentity": named} if named else {})}


def _assign_system(vm):
    return (f"az vm identity assign --resource-group {sh(vm.resource_group)} --name {sh(vm.name)} "
            f"--subscription {vm.subscription}",
            f"Update-AzVM -ResourceGroupName {ps(vm.resource_group)} "
            f"-VM (Get-AzVM -ResourceGroupName {ps(vm.resource_group)} -Name {ps(vm.name)}) -IdentityType SystemAssigned")


def none(vm) -> Finding:
    return Finding(
        "IDENTITY_MISSING", "identity", CRITICAL, vm.id,
        Text(f"VM {vm.name} has no managed identity; AMA authenticates with one (system- or user-assigned) "
             "and without it cannot download its DCRs or send data.",
             f"VM {vm.name} にマネージド ID が割り当てられていません。AMA はシステム割り当てまたはユーザー割り当て"
             "マネージド ID で認証するため、ID がないとデータ収集ルールの取得もデータ送信もできません。"),
        Text(f"Assign a system-assigned identity: {PORTAL.en} > System assigned > Status: On > Save.",
             f"システム割り当てマネージド ID を割り当ててください: {PORTAL.ja} > [システム割り当て済み] > 状態を \"オン\" にして保存。"),
        _assign_system(vm), _evidence(vm))


def ambiguous(vm) -> Finding:
    return Finding(
        "IDENTITY_AMBIGUOUS", "identity", CRITICAL, vm.id,
        Text(f"VM {vm.name} has {len(vm.user_assigned)} user-assigned identities, no system-assigned one, and the "
             "AMA extension does not name which to use (settings.authentication.managedIdentity); the agent "
             "cannot pick one and gets no token.",
             f"VM {vm.name} にはユーザー割り当てマネージド ID が {len(vm.user_assigned)} 個あり、システム割り当て ID は"
             "なく、AMA 拡張機能の設定 (settings.authentication.managedIdentity) で使用する ID が指定されていません。"
             "エージェントはトークンを取得できません。"),
        Text("Either enable the system-assigned identity, or name the identity in the extension settings "
             '({"authentication":{"managedIdentity":{"identifier-name":"mi_res_id","identifier-value":"<identity id>"}}}).',
             "システム割り当て ID を有効にするか、拡張機能の設定で使用する ID を指定してください "
             '({"authentication":{"managedIdentity":{"identifier-name":"mi_res_id","identifier-value":"<ID のリソース ID>"}}})。'),
        _assign_system(vm), _evidence(vm))


def named_not_attached(vm, ext, named) -> Finding:
    name = named.get("identifier-name")
    value = named.get("identifier-value")
    return Finding(
        "IDENTITY_NAMED_NOT_ATTACHED", "identity", CRITICAL, vm.id,
        Text(f"The AMA extension {ext.name} on VM {vm.name} is set to use the identity {name}={value}, "
             "but no user-assigned identity with that value is attached to the VM.",
             f"VM {vm.name} の AMA 拡張機能 {ext.name} は ID {name}={value} を使用するよう設定されていますが、"
             "その値を持つユーザー割り当てマネージド ID が VM に割り当てられていません。"),
        Text(f"Attach that identity to the VM ({PORTAL.en} > User assigned > Add), or correct the extension settings.",
             f"その ID を VM に割り当てる ({PORTAL.ja} > [ユーザー割り当て済み] > [追加]) か、拡張機能の設定を修正してください。"),
        ((f"az vm identity assign --resource-group {sh(vm.resource_group)} --name {sh(vm.name)} "
          f"--subscription {vm.subscription} --identities {sh(str(value))}",) if name == "mi_res_id" else ()),
        _evidence(vm, named))


def named_invalid(vm, ext, named, why: str) -> Finding:
    return Finding(
        "IDENTITY_SETTING_INVALID", "identity", CRITICAL, ext.id,
        Text(f"The AMA extension {ext.name} on VM {vm.name} has an invalid managed identity setting ({why}); "
             "the agent fails with 'Failed to determine managed identity settings' (exit code 53).",
             f"VM {vm.name} の AMA 拡張機能 {ext.name} のマネージド ID 設定が不正です ({why})。エージェントは "
             "\"Failed to determine managed identity settings\" (終了コード 53) で失敗します。"),
        Text('Set "identifier-name" to mi_res_id, object_id or client_id and "identifier-value" to the identity\'s '
             "resource id (mi_res_id) or GUID.",
             '"identifier-name" には mi_res_id / object_id / client_id のいずれかを、"identifier-value" には '
             "ID のリソース ID (mi_res_id) または GUID を指定してください。"),
        (), _evidence(vm, named))
