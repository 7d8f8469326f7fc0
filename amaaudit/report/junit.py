"""JUnit properties per test case: what a pipeline needs to group and route a result.

pytest's junitxml writes the properties of the *teardown* report, which copies
``item.user_properties`` when it is made; properties added to the setup or call report alone
never reach junit.xml. So the final values go on the item (and on the report, for anyone
reading it directly), replacing earlier ones of the same name, e.g. "fail" once waived.
"""

from __future__ import annotations

from typing import Any

from .results import primary

NAMES = ("vm", "kind", "resource_id", "subscription", "resource_group", "step", "outcome", "severity", "code",
         "waiver")


_ALWAYS = NAMES[:7]


def properties(record: dict[str, Any]) -> list[tuple[str, str]]:
    get = record.get
    props = [(name, str(get(name))) for name in _ALWAYS]
    if get("severity"):
        props.append(("severity", str(record["severity"])))
    finding = primary(record)
    if finding:
        props.append(("code", finding["code"]))
    waiver = get("waiver")
    if waiver:
        props.append(("waiver", f"{waiver['id']} ({waiver.get('status')}, expires {waiver.get('expires')})"))
    return props


def tag(item, rep, record: dict[str, Any]) -> None:
    props = properties(record)
    kept = [p for p in item.user_properties if p[0] not in NAMES]
    item.user_properties[:] = kept + props
    rep.user_properties = [p for p in rep.user_properties if p[0] not in NAMES] + props
