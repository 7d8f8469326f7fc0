from ..text import Text
from .commands import commands
from .core import CRITICAL, Finding


def _evidence(vm, named=None):
    return {"identity.type": vm.identity_type,
            "userAssignedIdentities": [u.resource_id for u in vm.user_assigned],
            **({"settings.authentication.managedIdentity": named} if named else {})}


def _assign_system(vm):
    return commands(vm).assign_system_identity()


def none(vm) -> Finding:
    return Finding(
        "IDENTITY_MISSING", "identity", CRITICAL, vm.id,
        Text(f"{vm.label.en} has no managed identity; AMA authenticates with one (system- or user-assigned) "
             "and without it cannot download its DCRs or send data.",
             f"{vm.label.ja} にマネージド ID が割り当てられていません。AMA はシステム割り当てまたはユーザー割り当て"
             "マネージド ID で認証するため、ID がないとデータ収集ルールの取得もデータ送信もできません。"),
        Text(f"Assign a system-assigned identity to {vm.label.en}: {commands(vm).identity_portal.en} > System assigned > Status: On > Save "
             "(or a command below).",
             f"{vm.label.ja} にシステム割り当てマネージド ID を割り当ててください: {commands(vm).identity_portal.ja} > [システム割り当て済み] > 状態を "
             "\"オン\" にして保存 (または以下のコマンド)。"),
        _assign_system(vm), _evidence(vm))


def ambiguous(vm) -> Finding:
    return Finding(
        "IDENTITY_AMBIGUOUS", "identity", CRITICAL, vm.id,
        Text(f"{vm.label.en} has {len(vm.user_assigned)} user-assigned identities, no system-assigned one, and the "
             "AMA extension does not name which to use (settings.authentication.managedIdentity); the agent "
             "cannot pick one and gets no token.",
             f"{vm.label.ja} にはユーザー割り当てマネージド ID が {len(vm.user_assigned)} 個あり、システム割り当て ID は"
             "なく、AMA 拡張機能の設定 (settings.authentication.managedIdentity) で使用する ID が指定されていません。"
             "エージェントはトークンを取得できません。"),
        Text(f"Either enable the system-assigned identity of {vm.label.en} (a command below), or name the identity in "
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
        Text(f"The AMA extension {ext.name} on {vm.label.en} is set to use the identity {name}={value}, "
             "but no user-assigned identity with that value is attached to the VM.",
             f"{vm.label.ja} の AMA 拡張機能 {ext.name} は ID {name}={value} を使用するよう設定されていますが、"
             "その値を持つユーザー割り当てマネージド ID が VM に割り当てられていません。"),
        Text(f"Attach that user-assigned managed identity to {vm.label.en} ({commands(vm).identity_portal.en} > User assigned > Add), or "
             f"correct the settings of the extension {ext.name}.",
             f"そのユーザー割り当てマネージド ID を {vm.label.ja} に割り当てる ({commands(vm).identity_portal.ja} > [ユーザー割り当て済み] > [追加]) か、"
             f"拡張機能 {ext.name} の設定を修正してください。"),
        (commands(vm).attach_identity(str(value)) if name == "mi_res_id" else ()),
        _evidence(vm, named))


def named_invalid(vm, ext, named, why: str) -> Finding:
    return Finding(
        "IDENTITY_SETTING_INVALID", "identity", CRITICAL, ext.id,
        Text(f"The AMA extension {ext.name} on {vm.label.en} has an invalid managed identity setting ({why}); "
             "the agent fails with 'Failed to determine managed identity settings' (exit code 53).",
             f"{vm.label.ja} の AMA 拡張機能 {ext.name} のマネージド ID 設定が不正です ({why})。エージェントは "
             "\"Failed to determine managed identity settings\" (終了コード 53) で失敗します。"),
        Text(f'In the settings of the extension {ext.name}, set "identifier-name" to mi_res_id, object_id or client_id '
             'and "identifier-value" to the identity\'s resource id (mi_res_id) or GUID.',
             f'拡張機能 {ext.name} の設定で、"identifier-name" には mi_res_id / object_id / client_id のいずれかを、'
             '"identifier-value" には ID のリソース ID (mi_res_id) または GUID を指定してください。'),
        (), _evidence(vm, named))


def user_assigned_unsupported(vm, ext, named) -> Finding:
    """AMA told to use a user-assigned identity on a machine whose kind supports only its system-assigned one."""
    name, value = named.get("identifier-name"), named.get("identifier-value")
    return Finding(
        "IDENTITY_USER_ASSIGNED_UNSUPPORTED", "identity", CRITICAL, ext.id,
        Text(f"The AMA extension {ext.name} on {vm.label.en} is set to use the user-assigned identity "
             f"{name}={value}, but a {vm.noun.en} authenticates only with its system-assigned identity: the agent "
             "cannot get a token with this setting.",
             f"{vm.label.ja} の AMA 拡張機能 {ext.name} はユーザー割り当て ID {name}={value} を使用するよう設定されていますが、"
             f"{vm.noun.ja} はシステム割り当て ID でのみ認証できます。この設定ではエージェントはトークンを取得できません。"),
        Text(f"Remove settings.authentication.managedIdentity from the extension {ext.name} (reinstall it without "
             "that setting: the commands below remove and install it).",
             f"拡張機能 {ext.name} の settings.authentication.managedIdentity を削除してください (設定なしで再インストール: "
             "以下のコマンドで削除と再インストールを行います)。"),
        (commands(vm).remove(ext), *commands(vm).install(ext.type, ext.type_handler_version)),
        _evidence(vm, named))


def system_required(vm) -> Finding:
    """The kind authenticates only with a system-assigned identity, and it has none (or no principal)."""
    return Finding(
        "IDENTITY_SYSTEM_MISSING", "identity", CRITICAL, vm.id,
        Text(f"{vm.label.en} has no system-assigned identity with a principal (identity.type: {vm.identity_type}, "
             f"principalId: {vm.system_principal_id or 'none'}); a {vm.noun.en} authenticates AMA only with it.",
             f"{vm.label.ja} にはプリンシパルを持つシステム割り当て ID がありません (identity.type: {vm.identity_type}、"
             f"principalId: {vm.system_principal_id or 'なし'})。{vm.noun.ja} の AMA はこの ID でのみ認証します。"),
        Text("The identity is created when the server connects: reconnect it (the commands below, on the server).",
             "ID はサーバーの接続時に作成されます。再接続してください (サーバー上で以下のコマンドを実行)。"),
        _assign_system(vm), _evidence(vm))
