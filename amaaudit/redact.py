"""The one place where secrets are taken out of what the suite captures and writes.

Used by discovery (capture time) and by every snapshot write. A snapshot is evidence that gets attached to tickets, uploaded as a CI artifact and kept
for a year, so nothing in it may let its reader act as the estate. Azure returns very few
secrets on GET (``protectedSettings`` is write-only), but extension ``settings`` are free-form
and people do paste SAS URLs, connection strings and keys into them. The rules, applied to
every captured document and again when a snapshot is written:

* ``protectedSettings`` keys are dropped wherever they appear.
* ``protectedSettingsFromKeyVault`` values are replaced by ``REDACTED``.
* A string value whose key names a secret (password, secret, token, key, connection string,
  SAS, ...) is replaced by ``REDACTED``. Non-string values under such keys are kept (so
  ``disablePasswordAuthentication: true`` stays), their nested strings still scanned.
* In every other string: a SAS signature (``sig=...``), the secret parts of a connection
  string (``AccountKey=``, ``SharedAccessKey=``, ``Password=``...), JWTs, ``Bearer`` tokens and
  PEM private keys are replaced in place, leaving the rest of the string readable.

Ids and names are never touched: the patterns cannot match a resource id.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "REDACTED"

_DROP_KEYS = {"protectedsettings"}
_WHOLE_KEYS = {"protectedsettingsfromkeyvault"}
_SECRET_KEY = re.compile(
    r"(password|passwd|secret|sharedkey|accountkey|accesskey|primarykey|secondarykey|"
    r"connectionstring|sastoken|sasurl|sasuri|sasurl|apikey|privatekey|accesstoken|refreshtoken|"
    r"bearertoken|idtoken|workspacekey|storagekey|^token$|^key$|^sas$|^sig$|^authorization$|^pwd$)"
)
_VALUE_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
     "REDACTED-PRIVATE-KEY"),
    (re.compile(r"(?i)([?&;]sig=)[^&\s\"'#;]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd|ClientSecret|"
                r"AccessKey)=([^;\"'\s]+)"), r"\1=" + REDACTED),
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), "REDACTED-JWT"),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]{8,}=*"), "Bearer " + REDACTED),
]


def _norm_key(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def redact_string(value: str) -> str:
    for pattern, replacement in _VALUE_RULES:
        value = pattern.sub(replacement, value)
    return value


def redact(obj: Any) -> Any:
    """Return a copy of ``obj`` (JSON-like) with secrets removed; see the module docstring."""
    if isinstance(obj, dict):
        out: dict[Any, Any] = {}
        for key, value in obj.items():
            nk = _norm_key(str(key))
            if nk in _DROP_KEYS:
                continue
            if nk in _WHOLE_KEYS:
                out[key] = REDACTED
            elif isinstance(value, str) and _SECRET_KEY.search(nk):
                out[key] = REDACTED if value else value
            else:
                out[key] = redact(value)
        return out
    if isinstance(obj, list):
        return [redact(v) for v in obj]
    if isinstance(obj, str):
        return redact_string(obj)
    return obj
