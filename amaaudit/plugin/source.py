"""Where the estate comes from (bundled demo, saved snapshots, or live discovery), loaded once.

Several ``--estate`` files are combined into one snapshot (``amaaudit.compose``) before the
model is built; xdist workers then replay that combined snapshot from a temporary file, as they
replay a live capture, so every process judges the same estate.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..compose import compose, unique_paths
from ..model import Estate
from ..snapshot import Snapshot, SnapshotError, from_document, load, write
from . import preflight
from .options import live_subscriptions

DEMO = Path("fixtures") / "estates" / "demo.json"


@dataclass
class LoadedEstate:
    estate: Estate
    kind: str          # "demo" | "file" | "live"
    label: str         # the file(s), or the subscriptions
    load_seconds: float
    worker_file: str | None = None
    planned: "preflight.Planned | None" = None   # --what-if: the deployment applied to the snapshot

    @property
    def snapshot(self) -> Snapshot:
        return self.estate.snapshot


_KEY = pytest.StashKey[LoadedEstate]()


def loaded(config) -> LoadedEstate | None:
    return config.stash.get(_KEY, None)


def ensure_loaded(config) -> LoadedEstate:
    found = config.stash.get(_KEY, None)
    if found is None:
        found = config.stash[_KEY] = _load(config)
    return found


def _load(config) -> LoadedEstate:
    started = time.perf_counter()
    worker = getattr(config, "workerinput", None)
    if worker and worker.get("amaaudit_estate"):
        # xdist worker: the controller already discovered or chose the estate; replay it.
        kind, label, path = worker["amaaudit_kind"], worker["amaaudit_label"], worker["amaaudit_estate"]
        snap = _load_file(path, label)
        return LoadedEstate(Estate(snap), kind, label, time.perf_counter() - started)

    estate_opt = unique_paths(config.getoption("estate") or [])
    subs = live_subscriptions(config)
    if estate_opt and config.getoption("subscription"):
        raise pytest.UsageError(
            "--estate and --subscription both name the estate to check: --estate replays a saved snapshot, "
            "--subscription discovers live from Azure. Give only one of them.")
    if subs:
        snap = _discover(config, subs)
        kind, label = "live", ", ".join(subs)
    elif estate_opt:
        snap = _load_files(estate_opt)
        kind, label = "file", " + ".join(estate_opt)
    else:
        demo = config.rootpath / DEMO
        if not demo.is_file():
            raise pytest.UsageError(
                f"No estate to check: no --estate FILE, no --subscription, and the bundled demo estate {demo} "
                "is not there. Run pytest from the amaaudit checkout, or name a snapshot with --estate.")
        snap = _load_file(str(demo), str(DEMO))
        kind, label = "demo", str(DEMO)
    if config.getoption("save_estate") and kind != "live":
        _save(config, snap)       # the estate as it is: the evidence, whatever a --what-if would change
    planned = preflight.plan(config, snap)
    if planned is not None:
        snap, label = planned.snapshot, planned.snapshot.label
    return LoadedEstate(Estate(snap), kind, label, time.perf_counter() - started, planned=planned)


def _load_file(path: str, label: str) -> Snapshot:
    try:
        return load(path, label)
    except SnapshotError as exc:
        raise pytest.UsageError(str(exc)) from None


def _load_files(paths: list[str]) -> Snapshot:
    snapshots = [_load_file(p, p) for p in paths]
    try:
        return compose(snapshots)
    except SnapshotError as exc:
        raise pytest.UsageError(str(exc)) from None


def _discover(config, subs: list[str]) -> Snapshot:
    from ..discovery import DiscoveryError, LiveSettings, discover

    settings = LiveSettings(
        subscriptions=subs, resource_groups=list(config.getoption("resource_group") or []),
        cloud=config.getoption("cloud") or "AzureCloud", arm_endpoint=config.getoption("arm_endpoint"),
        logs_endpoint=config.getoption("logs_endpoint"), backend=config.getoption("discovery"))
    reporter = config.pluginmanager.get_plugin("terminalreporter")

    def progress(message: str) -> None:
        if reporter is not None:
            reporter.write_line(f"amaaudit discovery: {message}")
        else:
            print(f"amaaudit discovery: {message}", file=sys.stderr, flush=True)

    try:
        document = discover(settings, progress=progress)
    except DiscoveryError as exc:
        raise pytest.UsageError(str(exc)) from None
    try:
        snap = from_document(document, "live: " + ", ".join(subs))
    except SnapshotError as exc:        # what Azure returned breaks the contract: say so, no traceback
        raise pytest.UsageError(str(exc)) from None
    _save(config, snap)
    return snap


def _save(config, snap: Snapshot) -> None:
    """The evidence; checked as an output path before anything ran. If it still cannot be written,
    the run goes on (its reports are worth having) and fails at the end."""
    target = config.getoption("save_estate")
    if target:
        path = Path(config.invocation_params.dir) / Path(target).expanduser()
        try:
            write(snap.document, path)
        except OSError as exc:
            from .paths import write_failed
            write_failed(config, "--save-estate", path, exc)


def source_lines(loaded_estate: LoadedEstate, shown: int = 5) -> list[str]:
    """The terminal header's account of a combined estate: every snapshot, and what differed."""
    from ..compose import replacements, sources_of
    from ..report.header import principal
    from ..text import clip, printable

    parts = sources_of(loaded_estate.snapshot)
    if len(parts) <= 1:
        return []
    lines = [f"  {len(parts)} snapshots combined; each machine is judged at the capture time of the snapshot "
             "that holds it:"]
    for p in parts:
        who = principal(p["source"])
        n = p.get("machines")
        held = f", {n} machine{'' if n == 1 else 's'}" if isinstance(n, int) else ""
        lines.append(f"    {printable(clip(p['label'], 300))}  captured {printable(p['captured_at'])}{held}"
                     + (f", by {printable(clip(who, 200))}" if who else ""))
    count, replaced = replacements(loaded_estate.snapshot)
    if count:
        ids = ", ".join(printable(clip(str(r.get("id")), 300)) for r in replaced[:shown])
        more = f" and {count - min(shown, len(replaced)):,} more (findings.json header lists up to 100)" \
            if count > shown else ""
        lines.append(f"  {count:,} resource(s) differed between the snapshots; the one captured last was kept: "
                     f"{ids}{more}")
    return lines


def worker_copy(config, loaded_estate: LoadedEstate) -> str:
    """A file the xdist workers can load: the snapshot as the controller judges it. The file given, when it is
    that; otherwise (a live capture, several ``--estate`` files combined, a what-if's planned estate) one copy
    of the document for all workers, removed at cleanup (:func:`preflight.copy_of`)."""
    files = unique_paths(config.getoption("estate") or [])
    if loaded_estate.planned is None and loaded_estate.kind != "live" and len(files) <= 1:
        return str(Path(files[0] if files else config.rootpath / DEMO).resolve())
    if loaded_estate.worker_file is None:
        folder = Path(tempfile.mkdtemp(prefix="amaaudit-estate-"))
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        loaded_estate.worker_file = str(preflight.copy_of(loaded_estate.snapshot.document or {}, folder / "estate.json"))
    return loaded_estate.worker_file
