"""Values from the estate written into commands, quoted by the real rules of the shell that runs them.

A VM, resource group or extension name is whatever its owner typed, and a snapshot may be hostile:
a finding's command must hand each value to the command as one literal argument, whatever it holds.
Three targets: PowerShell (the Az module lines), bash (the ``az`` and ``openssl`` lines) and KQL
(the Heartbeat query). :func:`az` and :func:`pwsh` build a whole command line, so that no value can
reach one without passing through its quoting function.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

# -- PowerShell ------------------------------------------------------------------------------------
# PowerShell's tokenizer (CharTraits.IsSingleQuote) ends a single-quoted string at the ASCII quote
# AND at the typographic ones U+2018, U+2019, U+201A, U+201B; inside, any of the five is written by
# doubling it (about_Quoting_Rules: "To include a single quotation mark in a single-quoted string,
# use a second consecutive single quote"; "PowerShell treats smart quotation marks ... as normal
# quotation marks for strings"). Nothing else is special there: no $, no backtick, no escape.
PS_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
_PS_QUOTE = re.compile(f"[{PS_SINGLE_QUOTES}]")
# Argument mode turns barewords into other values: 1kb is 1024, 1e5 and 0x10 are numbers, 1.10 is
# the number 1.1, @x splats, a,b is an array, $x and backtick expand, a leading - (or en/em dash)
# names a parameter, ( { ; | & < > start other syntax. Only this shape is certainly a plain string.
_PS_BARE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")


def ps(value: Any) -> str:
    """``value`` as one PowerShell argument: bare when it is certainly a plain string, else single-quoted."""
    text = "" if value is None else str(value)
    if _PS_BARE.fullmatch(text):
        return text
    return "'" + _PS_QUOTE.sub(lambda m: m.group() * 2, text) + "'"


# -- bash -------------------------------------------------------------------------------------------
# POSIX single quotes keep every character literal; a quote inside is closed, escaped, reopened
# (shlex.quote). Bare words are limited to characters no bash expansion touches (no glob, brace,
# tilde, $, quote, space or operator) and that cannot start an option: ids (/subscriptions/...),
# names, GUIDs and versions stay readable.
_SH_BARE = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./:@+=,-]*")


def sh(value: Any) -> str:
    """``value`` as one bash word."""
    text = "" if value is None else str(value)
    return text if _SH_BARE.fullmatch(text) else shlex.quote(text)


# -- KQL ----------------------------------------------------------------------------------------------
# Kusto string literals ("The string data type", learn.microsoft.com/kusto/query/scalar-data-types/
# string): in a double-quoted literal the backslash escapes the enclosing quote, tab (\t), newline
# (\n) and itself (\\); a newline or return character must not appear raw. Those are the only
# escapes documented, so any other control character (no ARM id has one, but a snapshot may) is
# spelled with the documented make_string() (a string from Unicode code points) and joined with
# strcat(): the query still matches exactly that value, never a shorter one.
_KQL_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}
_KQL_UNWRITABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _kql_literal(text: str) -> str:
    return '"' + "".join(_KQL_ESCAPES.get(c, c) for c in text) + '"'


def kql(value: Any) -> str:
    """``value`` as a KQL string expression: a double-quoted literal (strcat of literals and
    make_string() when it holds a control character the literal rules cannot spell)."""
    text = "" if value is None else str(value)
    if not _KQL_UNWRITABLE.search(text):
        return _kql_literal(text)
    parts, start = [], 0
    for match in _KQL_UNWRITABLE.finditer(text):
        if match.start() > start:
            parts.append(_kql_literal(text[start:match.start()]))
        parts.append(f"make_string({ord(match.group())})")
        start = match.end()
    if start < len(text):
        parts.append(_kql_literal(text[start:]))
    return f"strcat({', '.join(parts)})"


# -- whole command lines ----------------------------------------------------------------------------
class Raw(str):
    """A piece of a command written by the suite itself, not by the estate (``$true``, a
    subexpression built from quoted parts, a ``<placeholder>`` for the user to fill in)."""


def az(*words: str, **options: Any) -> str:
    """``az WORDS --option value ...`` for bash. Options in the order given (``resource_group`` is
    ``--resource-group``); True is a flag without a value, None leaves the option out. A value that
    starts with ``-`` is attached with ``=``, so that az's argument parser cannot read it as an option."""
    out = ["az", *words]
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.rstrip("_").replace("_", "-")
        if value is True:
            out.append(flag)
        elif isinstance(value, Raw):
            out += [flag, value]
        else:
            text = str(value)
            out += [f"{flag}={sh(text)}"] if text.startswith("-") else [flag, sh(text)]
    return " ".join(out)


def pwsh(cmdlet: str, **parameters: Any) -> str:
    """``Cmdlet -Parameter value ...`` for PowerShell. True is a switch, None leaves the parameter
    out; every other value is one argument (:func:`ps`), unless it is :class:`Raw`."""
    out = [cmdlet]
    for name, value in parameters.items():
        if value is None or value is False:
            continue
        if value is True:
            out.append(f"-{name}")
        else:
            out += [f"-{name}", value if isinstance(value, Raw) else ps(value)]
    return " ".join(out)
