"""``--what-if FILE``: check the estate as a planned deployment would leave it, labelled against the
same checks on the estate as it is.

The snapshot (live discovery, ``--estate`` or the demo) is loaded once; the deployment is applied to
its document before the model is built (:mod:`amaaudit.whatif`). The labels need the same checks on
the estate as it is: that run is the SAME pytest invocation in a subprocess (``sys.executable -m
pytest`` with the user's arguments), with the what-if, baseline, estate and output options replaced
(``--estate`` a temporary copy of the unchanged snapshot, findings.json to a temporary folder, no
HTML or JUnit report) and ``--amaaudit-preflight-child`` so that it does not recurse. A subprocess,
because then the same options, selection (-k/-m), custom checks, waivers and pytest-xdist apply to
both runs and no global state is shared; live discovery is not repeated: the child replays the
snapshot the parent discovered. Its findings.json is the baseline of the labels.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from .. import whatif
from ..snapshot import Snapshot, SnapshotError, from_document
from ..text import clip, printable

# Options the child must not inherit: what it checks and where its outputs go are set anew.
REPLACED_VALUE = ("--what-if", "--baseline", "--fail-on", "--estate", "--subscription", "--resource-group",
                  "--cloud", "--arm-endpoint", "--logs-endpoint", "--discovery", "--save-estate", "--html",
                  "--junitxml", "--junit-xml", "--findings-json", "--basetemp")
REPLACED_FLAG = ("--amaaudit-preflight-child",)
CHILD_OK = (0, 1, 5)       # passed, found something, selected nothing: each writes findings.json


@dataclass
class Planned:
    """A planned deployment applied to the loaded snapshot."""
    file: str                       # as given on the command line
    plan: whatif.Plan
    effects: list[whatif.Effect]
    original: Snapshot              # the estate as it is (what the child checks)
    snapshot: Snapshot              # as the deployment would leave it (what this run checks)


def given_path(config, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(config.invocation_params.dir) / path


_PLAN = pytest.StashKey[whatif.Plan]()


def read(config) -> whatif.Plan | None:
    """The deployment of ``--what-if``, read once (before discovery: a bad file stops the run at once);
    None without --what-if, in the child and on xdist workers (they get the estate as planned)."""
    value = config.getoption("what_if")
    if not value or config.getoption("amaaudit_preflight_child") or hasattr(config, "workerinput"):
        return None
    if _PLAN not in config.stash:
        try:
            config.stash[_PLAN] = whatif.load(given_path(config, value), value)
        except whatif.WhatIfError as exc:
            raise pytest.UsageError(str(exc)) from None
    return config.stash[_PLAN]


def plan(config, snap: Snapshot) -> Planned | None:
    """The deployment of ``--what-if`` applied to ``snap``; None without --what-if (or in the child)."""
    deployment = read(config)
    if deployment is None:
        return None
    value = config.getoption("what_if")
    document, effects = whatif.apply(snap.document or {}, deployment)
    try:
        applied = from_document(document, f"{snap.label}, as {value} would leave it")
    except SnapshotError as exc:
        raise pytest.UsageError(f"The estate as {printable(value)} would leave it is not a usable snapshot, so "
                                f"nothing was checked: {exc}") from None
    return Planned(value, deployment, effects, snap, applied)


def child_args(args: list[str], estate: Path, findings: Path) -> list[str]:
    """The user's pytest arguments with the what-if, baseline, estate and output options replaced.

    pytest's parser takes no abbreviated long options, so an option is one of these names exactly,
    given as ``--opt value`` or ``--opt=value``."""
    out: list[str] = []
    items = iter(args)
    for arg in items:
        if arg == "--":                       # everything after it is a path
            out.append(arg)
            out.extend(items)
            break
        name, eq, _ = arg.partition("=")
        if name in REPLACED_VALUE:
            if not eq:
                next(items, None)
            continue
        if arg in REPLACED_FLAG:
            continue
        out.append(arg)
    return [f"--estate={estate}", f"--findings-json={findings}", "--html=", "--junitxml=",
            "--amaaudit-preflight-child", *out]


def copy_of(document: dict, path: Path) -> Path:
    """The document as loaded, keys in their order: the child and the xdist workers judge exactly what this
    process would (evidence included). Not :func:`amaaudit.snapshot.write`, which redacts, sorts and syncs: a
    private temporary copy of what was already read (redacted at capture, and what-if's ``after`` when applied),
    several times faster at 10,000 VMs."""
    with open(path, "w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, separators=(",", ":"))
    return path


def baseline_run(config, planned: Planned) -> Path:
    """Run the same checks on the estate as it is, in a subprocess; its findings.json."""
    folder = Path(tempfile.mkdtemp(prefix="amaaudit-whatif-"))
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    estate, findings, output = folder / "estate-as-it-is.json", folder / "findings.json", folder / "output.txt"
    copy_of(planned.original.document or {}, estate)
    command = [sys.executable, "-m", "pytest", *child_args(list(config.invocation_params.args), estate, findings)]
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    say = reporter.write_line if reporter is not None else (lambda line: print(line, file=sys.stderr))
    say(f"amaaudit what-if: checking the estate as it is first (the same checks, in a subprocess), then as "
        f"{printable(planned.file)} would leave it")
    with open(output, "wb") as sink:
        done = subprocess.run(command, cwd=str(config.invocation_params.dir), stdin=subprocess.DEVNULL,
                              stdout=sink, stderr=subprocess.STDOUT)
    if done.returncode not in CHILD_OK or not findings.is_file():
        tail = output.read_bytes().decode("utf-8", "replace").splitlines()[-15:]
        shown = " | ".join(clip(printable(line), 300) for line in tail if line.strip())
        raise pytest.UsageError(
            f"--what-if first checks the estate as it is, with the same pytest arguments in a subprocess, to label "
            f"the results against it; that run ended with exit status {done.returncode} and wrote no findings, so "
            f"nothing was compared. Its last lines: {shown or '(none)'}. Run the same command without --what-if to "
            "see the problem in full.")
    return findings
