"""The run's output files: refused before anything runs when they cannot or must not be written,
written whole (through symlinks, keeping modes, never over a FIFO or a folder), one failure never
taking the other outputs with it; and no credentials from an endpoint URL in any of them."""

from __future__ import annotations

import json
import os
import socket
import stat
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from amaaudit import outputs, snapshot
from amaaudit.discovery import DiscoveryError, LiveSettings, discover
from amaaudit.outputs import Named
from amaaudit.report import findings_json
from report_fixtures import page_data, run_pytest
from scenarios import Scenario, install_suite, write_estate

SECRET = "pa55-MARKER-c0ffee"


def healthy() -> dict:
    s = Scenario()
    s.machine("vm01")
    return s.build()


def small_doc() -> dict:
    return {"format": "ama-estate/1", "captured_at": "2026-11-25T09:00:00Z", "resources": []}


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# -- writing: whole, through symlinks, keeping modes, never over what is not a regular file -----------
def test_a_new_snapshot_is_private_and_a_new_findings_file_is_readable(tmp_path):
    snapshot.write(small_doc(), tmp_path / "a" / "estate.json")
    findings_json.write(tmp_path / "b" / "findings.json", {"format": "f", "header": {}, "results": []})
    assert mode(tmp_path / "a" / "estate.json") == 0o600
    assert mode(tmp_path / "b" / "findings.json") == 0o644
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["estate.json"]       # no temporary left


def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "estate.json"
    target.write_text("old")
    target.chmod(0o640)
    snapshot.write(small_doc(), target)
    assert json.loads(target.read_text())["format"] == "ama-estate/1"
    assert mode(target) == 0o640


def test_a_symlink_is_written_through_and_kept(tmp_path):
    real = tmp_path / "store" / "findings.json"
    real.parent.mkdir()
    real.write_text("old")
    real.chmod(0o600)
    link = tmp_path / "findings.json"
    link.symlink_to(real)
    findings_json.write(link, {"format": "f", "header": {}, "results": []})
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["format"] == "f" and mode(real) == 0o600


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _socket(path: Path) -> Path:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
    return path


@pytest.mark.parametrize("make, kind", [
    (_fifo, "a FIFO"), (_socket, "a socket"), (lambda p: (p.mkdir(), p)[1], "a directory")])
@pytest.mark.parametrize("through_link", [False, True])
def test_what_is_not_a_regular_file_is_refused_and_left_as_it_is(tmp_path, make, kind, through_link):
    thing = make(tmp_path / "thing")
    before = os.lstat(thing)
    named = tmp_path / "out.json" if through_link else thing
    if through_link:
        named.symlink_to(thing)
    with pytest.raises(outputs.NotARegularFile, match=kind):
        snapshot.write(small_doc(), named)
    after = os.lstat(thing)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"thing", named.name})   # no temporary left


def test_a_write_that_fails_midway_leaves_the_old_file(tmp_path):
    target = tmp_path / "findings.json"
    target.write_text("old")

    def half(fh):
        fh.write("new and incomplete")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        outputs.write_atomically(target, half, new_mode=0o644)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["findings.json"]
