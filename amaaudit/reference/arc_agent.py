"""When was an Azure Connected Machine agent version released? (Only the last year's are supported.)

The release notes give a month per version; a version between two listed ones was released between
them. So the answer is a window, and a verdict drawn from it is certain or not made at all.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from importlib import resources

NOTES = "https://learn.microsoft.com/azure/azure-arc/servers/agent-release-notes"


@lru_cache(maxsize=None)
def _releases() -> list[tuple[tuple[int, int], date]]:
    data = json.loads(resources.files(__package__).joinpath("arc-agent-releases.json").read_text(encoding="utf-8"))
    out = []
    for version, month in data["releases"].items():
        major, minor = (int(p) for p in version.split("."))
        year, mon = (int(p) for p in month.split("-"))
        out.append(((major, minor), date(year, mon, 1)))
    return sorted(out)


def major_minor(version: str) -> tuple[int, int] | None:
    match = re.match(r"^\s*(\d+)\.(\d+)", version or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def release_window(version: str) -> tuple[date | None, date | None] | None:
    """(released no earlier than, released no later than) for ``version``; None if it is not a version.

    A bound is None where the notes cannot give one (older than the oldest listed: no earlier bound;
    newer than the newest listed: no later bound). The later bound is the end of the month."""
    wanted = major_minor(version)
    if wanted is None:
        return None
    releases = _releases()
    earlier = [d for v, d in releases if v <= wanted]
    later = [d for v, d in releases if v >= wanted]
    start = earlier[-1] if earlier else None
    end = later[0] if later else None
    if end is not None:
        end = date(end.year + (end.month == 12), end.month % 12 + 1, 1)   # the first day after that month
    return start, end
