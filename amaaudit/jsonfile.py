"""Reading a JSON file a user gave (a baseline, a what-if): every way it can be unusable becomes one
clause for the caller's one-paragraph refusal. The snapshot loader has its own, tuned for size."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable


class _NotJson(ValueError):
    pass


def _no_constant(token: str):
    # Python's json takes NaN and Infinity; strict JSON, and every other reader of our outputs, do not.
    raise _NotJson(token)


def _decode(raw: bytes) -> str:
    # Windows PowerShell 5.1 redirects (>) in UTF-16 with a byte-order mark.
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def read(path: str | Path, refuse: Callable[[str], Exception], *, invalid_hint: str = "it may be truncated.") -> Any:
    """The parsed document; else ``refuse(clause)`` is raised, naming what is wrong with the file."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise refuse("the file does not exist.") from None
    except OSError as exc:
        raise refuse(f"the file cannot be read ({exc.strerror or exc}).") from None
    try:
        return json.loads(_decode(raw), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise refuse("it is not UTF-8 (or UTF-16) text.") from None
    except _NotJson as exc:
        raise refuse(f"it holds {exc}, which is not JSON.") from None
    except json.JSONDecodeError as exc:
        raise refuse(f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); {invalid_hint}") from None
    except RecursionError:
        raise refuse("it nests JSON too deeply.") from None
    except ValueError:      # an integer longer than Python's int-string limit
        raise refuse("it holds an integer too long to read.") from None
