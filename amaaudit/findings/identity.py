from ..text import Text
from .core import CRITICAL, Finding, Raw, az, pwsh

PORTAL = Text("Azure portal > the VM > Security > Identity",
              "Azure portal > 対象のマシン > [セキュリティ] > [ID]")


def _evidence(vm, named=None):
    return {"identity.type": vm.identity_type,
            "userAssignedIdentities": [u.resource_id for u in vm.user_assigned],
            **({"settings.authentication.managedIdentity": named} if named else {})}


def _assign_system(vm):
    current = pwsh("Get-AzVM", ResourceGroupName=vm.resource_group, Name=vm.name)
    return (az("vm", "identity", "assign", resource_group=vm.resource_group, name=vm.name,
               subscription=vm.subscription),
            pwsh("Update-AzVM", ResourceGroupName=vm.resource_group, VM=Raw(f"({current})"),
                 IdentityType="SystemAssigned"))


def none(vm) -> Finding:
    return Finding(
        "IDENTITY_MISSING", "identity", CRITICAL, vm.id,
        Text(f"VM {vm.name} has no managed identity; AMA authenticates with one (system- or user-assigned) "
             "and without it cannot download its DCRs or send data.",
             f"VM {vm.name} にマネージド ID が割り当てられていません。AMA はシステム割り当てまたはユーザー割り当て"
             "マネージド ID で認証するため、ID がないとデータ収集ルールの取得もデータ送信もできません。"),
        Text(f"Assign a system-assigned identity to VM {vm.name}: {PORTAL.en} > System assigned > Status: On > Save "
             "(or a command below).",
             f"VM {vm.name} にシステム割り当てマネージド ID を割り当ててください: {PORTAL.ja} > [システム割り当て済み] > 状態を "
             "\"オン\" にして保存 (または以下のコマンド)。"),
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
        Text(f"Either enable the system-assigned identity of VM {vm.name} (a command below), or name the identity in "
             "the AMA extension's settings "
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
        Text(f"Attach that user-assigned managed identity to VM {vm.name} ({PORTAL.en} > User assigned > Add), or "
             f"correct the settings of the extension {ext.name}.",
             f"そのユーザー割り当てマネージド ID を VM {vm.name} に割り当てる ({PORTAL.ja} > [ユーザー割り当て済み] > [追加]) か、"
             f"拡張機能 {ext.name} の設定を修正してください。"),
        ((az("vm", "identity", "assign", resource_group=vm.resource_group, name=vm.name,
             subscription=vm.subscription, identities=str(value)),) if name == "mi_res_id" else ()),
        _evidence(vm, named))


def named_invalid(vm, ext, named, why: str) -> Finding:
    return Finding(
        "IDENTITY_SETTING_INVALID", "identity", CRITICAL, ext.id,
        Text(f"The AMA extension {ext.name} on VM {vm.name} has an invalid managed identity setting ({why}); "
             "the agent fails with 'Failed to determine managed identity settings' (exit code 53).",
             f"VM {vm.name} の AMA 拡張機能 {ext.name} のマネージド ID 設定が不正です ({why})。エージェントは "
             "\"Failed to determine managed identity settings\" (終了コード 53) で失敗します。"),
        Text(f'In the settings of the extension {ext.name}, set "identifier-name" to mi_res_id, object_id or client_id '
             'and "identifier-value" to the identity\'s resource id (mi_res_id) or GUID.',
             f'拡張機能 {ext.name} の設定で、"identifier-name" には mi_res_id / object_id / client_id のいずれかを、'
             '"identifier-value" には ID のリソース ID (mi_res_id) または GUID を指定してください。'),
        (), _evidence(vm, named))
