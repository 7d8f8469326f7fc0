"""Keep secrets out of the report's environment table and header.

pytest-metadata fills the environment table from the process (CI variables, ``--metadata``),
and a report is an artifact people attach to tickets. A value is hidden when its key names
a secret (AZURE_CLIENT_SECRET, ..._TOKEN, ..._KEY, PASSWORD, SAS, connection strings, ...)
or when the value itself looks like one (a SAS signature, a connection string's key, a JWT,
a bearer token, a private key), wherever it appears.
"""

from __future__ import annotations

import re
from typing import Any

HIDDEN = "••••••••"

# Matched against the key lower-cased with everything but letters and digits removed
# (AZURE_CLIENT_SECRET -> azureclientsecret, Storage-Connection-String -> storageconnectionstring).
_SECRET_KEY = re.compile(
    r"(secret|password|passwd|pwd|token|apikey|accesskey|accountkey|sharedkey|privatekey|credential|"
    r"connectionstring|connstr|sas|signature|cookie|authorization|cert|key$)")
_SECRET_VALUE = re.compile(
    r"(?i)([?&;]sig=[^&\s]+|AccountKey=|SharedAccessKey=|SharedAccessSignature|Password=|ClientSecret=|"
    r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.|bearer\s+[A-Za-z0-9\-._~+/]{8,}|-----BEGIN [A-Z ]*PRIVATE KEY)")


def secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(re.sub(r"[^a-z0-9]", "", str(key).lower())))


def value(key: str, item: Any) -> Any:
    """``item`` with secrets hidden; nested mappings and lists are walked."""
    if secret_key(key) and item not in (None, "", True, False):
        return HIDDEN
    if isinstance(item, dict):
        return mapping(item)
    if isinstance(item, (list, tuple)):
        return [value(key, v) for v in item]
    if isinstance(item, str) and _SECRET_VALUE.search(item):
        return HIDDEN
    return item


def mapping(items: dict[str, Any]) -> dict[str, Any]:
    return {k: value(k, v) for k, v in items.items()}
