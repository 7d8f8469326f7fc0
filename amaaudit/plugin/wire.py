"""pytest-xdist: each report crosses from a worker to the controller as one marshal blob.

xdist sends every report of every test (setup, call, teardown) through execnet, whose serializer
walks the report's nested dicts and lists one object at a time in Python, on the worker and again
on the controller. For checks as cheap as amaaudit's that is a good part of what a controller
does, and the controller is what an ``-n`` run waits for (about 15% of its CPU at 10,000 VMs).
marshal encodes the same builtin types (dict, list, tuple, str, int, float, bool, None, bytes,
set) in C, exactly: the report the controller rebuilds is the one execnet would have given it.

marshal's format belongs to one Python version, so the controller names its own in each worker's
input and a worker packs only when it runs the same one (a remote ``--tx`` worker on another
Python sends its reports the usual way). A report holding a type marshal does not know is sent
the usual way too.
"""

from __future__ import annotations

import marshal
import sys
from typing import Any

import pytest

KEY = "amaaudit_wire"
TAG = "$amaaudit-marshal"


def version() -> str:
    return f"marshal {marshal.version}, {sys.implementation.name} {sys.version_info[0]}.{sys.version_info[1]}"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    node.workerinput[KEY] = version()


@pytest.hookimpl(wrapper=True)
def pytest_report_to_serializable(config, report):
    data = yield
    if data is None or getattr(config, "workerinput", {}).get(KEY) != version():
        return data
    try:
        return {"$report_type": data["$report_type"], TAG: marshal.dumps(data)}
    except (ValueError, KeyError):
        return data


@pytest.hookimpl(wrapper=True)
def pytest_report_from_serializable(config, data: dict[str, Any]):
    blob = data.pop(TAG, None)
    if blob is not None:
        data.update(marshal.loads(blob))
    return (yield)
