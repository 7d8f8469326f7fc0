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


# -- may this path be an output ----------------------------------------------------------------------
def _problem(path: Path, inputs=(), others=(), **kw) -> str | None:
    return outputs.problem(Named("--out", path), [Named("--estate", p) for p in inputs],
                           [Named("--other", p) for p in others], **kw)


def test_a_new_path_and_an_existing_regular_file_may_be_outputs(tmp_path):
    (tmp_path / "old.json").write_text("{}")
    assert _problem(tmp_path / "new" / "deeper" / "out.json") is None
    assert _problem(tmp_path / "old.json") is None


def test_a_folder_a_fifo_and_a_link_to_a_fifo_are_refused(tmp_path):
    fifo = _fifo(tmp_path / "fifo")
    (tmp_path / "link").symlink_to(fifo)
    assert "is a directory" in _problem(tmp_path)
    assert "is a FIFO" in _problem(fifo)
    assert "is a FIFO" in _problem(tmp_path / "link")


def test_a_path_under_a_file_or_in_a_read_only_folder_is_refused(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    assert "file is not a folder" in _problem(tmp_path / "file" / "out.json")
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    # The tests run as root, which chmod cannot lock out: the folder's answer is what is faked.
    monkeypatch.setattr(os, "access", lambda p, m: False if Path(p) == locked else real_access(p, m))
    assert "the folder" in _problem(locked / "out.json") and "not writable" in _problem(locked / "out.json")
    assert "not writable" in _problem(locked / "sub" / "out.json")


def test_the_same_file_as_an_input_is_refused_however_it_is_spelt(tmp_path):
    estate = tmp_path / "in" / "estate.json"
    write_estate(estate, small_doc())
    (tmp_path / "link.json").symlink_to(estate)
    os.link(estate, tmp_path / "hard.json")
    for spelt in (estate, tmp_path / "in" / ".." / "in" / "estate.json", tmp_path / "link.json", tmp_path / "hard.json"):
        why = _problem(spelt, inputs=[estate])
        assert why and "same file as --estate" in why and "overwrite that input" in why, spelt
    assert _problem(tmp_path / "other.json", inputs=[estate]) is None


def test_the_same_file_as_another_output_is_refused(tmp_path):
    assert "same file as --other" in _problem(tmp_path / "r" / "x.xml", others=[tmp_path / "r" / ".." / "r" / "x.xml"])


# -- the plugin: checked before anything runs --------------------------------------------------------
def test_save_estate_naming_the_estate_file_stops_the_run_and_leaves_the_evidence(tmp_path):
    estate = write_estate(tmp_path / "evidence.json", healthy())
    before = estate.read_bytes()
    run = run_pytest(tmp_path / "out", "--estate", str(estate), "--save-estate", str(tmp_path / "." / "evidence.json"))
    assert run.ret == 4, run.output
    assert estate.read_bytes() == before
    assert "Traceback" not in run.output and "INTERNALERROR" not in run.output
    errors = [line for line in run.proc.stderr.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and "--save-estate" in errors[0] and "same file as --estate" in errors[0], run.proc.stderr
    assert not run.junit.exists() and not run.html.exists() and not run.findings_path.exists()


@pytest.mark.parametrize("option", ["--html", "--junitxml", "--findings-json", "--save-estate"])
def test_an_output_that_is_a_folder_stops_the_run_before_anything_is_read(tmp_path, option):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    run = run_pytest(tmp_path / "out", option, str(folder), estate_doc=healthy())
    assert run.ret == 4, run.output
    assert "Traceback" not in run.output and "INTERNALERROR" not in run.output
    errors = [line for line in run.proc.stderr.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and option in errors[0] and str(folder) in errors[0], run.proc.stderr
    if option != "--junitxml":                      # pytest refuses a folder for its own option itself
        assert f"ERROR: Cannot write {option} to {folder}: it is a directory" in errors[0]
        assert "Nothing was read or checked" in errors[0]
    assert list(folder.iterdir()) == []


def test_two_outputs_on_one_file_are_refused(tmp_path):
    run = run_pytest(tmp_path / "out", "--save-estate", str(tmp_path / "out" / "junit.xml"), estate_doc=healthy())
    assert run.ret == 4 and "same file as --junitxml" in run.proc.stderr, run.output


# -- one output that still fails at the end does not take the others with it -------------------------
BLOCKER = """
    from pathlib import Path

    pytest_plugins = ["fixtures.compliance"]


    def pytest_configure(config):
        # after amaaudit checked the paths (first), before it saves the estate (last)
        Path(config.getoption("save_estate")).mkdir(parents=True)


    def pytest_sessionstart(session):
        Path(session.config.getoption("findings_json")).mkdir(parents=True)
"""


def test_an_output_that_fails_after_the_check_fails_the_run_and_the_others_are_written(pytester):
    install_suite(pytester)
    estate = write_estate(pytester.path / "estate.json", healthy())
    args = ["--estate", str(estate), "--html=out/report.html", "--junitxml=out/junit.xml",
            "--findings-json=out/findings.json", "--save-estate=out/estate.json", "-p", "no:randomly"]
    clean = pytester.runpytest_subprocess(*args)
    assert clean.ret == 0, clean.outlines[-20:]
    for name in ("findings.json", "estate.json", "junit.xml", "report.html"):
        (pytester.path / "out" / name).unlink()

    pytester.makeconftest(textwrap.dedent(BLOCKER))
    run = pytester.runpytest_subprocess(*args)
    output = "\n".join(run.outlines + run.errlines)
    assert run.ret == 1, output                       # every check passed: the lost outputs fail the run
    assert "Traceback" not in output and "INTERNALERROR" not in output
    out = pytester.path / "out"
    failed = [line for line in run.outlines if "was NOT written" in line]
    assert len(failed) == 2, output
    assert failed[0].startswith(f"amaaudit: --save-estate {out / 'estate.json'} was NOT written (")
    assert failed[1].startswith(f"amaaudit: --findings-json {out / 'findings.json'} was NOT written (")
    assert all("Is a directory" in line or "not a regular file" in line for line in failed)
    assert (out / "findings.json").is_dir() and (out / "estate.json").is_dir()
    cases = list(ET.parse(out / "junit.xml").iter("testcase"))
    assert len(cases) == 9
    assert page_data(out / "report.html", "aa-data")


# -- no credentials from an endpoint URL -------------------------------------------------------------
class NoSignIn:
    def __init__(self):
        self.asked = 0

    def get_token(self, *scopes, **kwargs):
        self.asked += 1
        raise AssertionError("an endpoint that was refused must not get as far as signing in")


@pytest.mark.parametrize("option, field, url, words", [
    ("--arm-endpoint", "arm_endpoint", f"https://auditor:{SECRET}@127.0.0.1:1", "carries credentials"),
    ("--logs-endpoint", "logs_endpoint", f"https://{SECRET}@127.0.0.1:1/v1", "carries credentials"),
    ("--arm-endpoint", "arm_endpoint", f"https://127.0.0.1:1/?sig={SECRET}", "query"),
    ("--logs-endpoint", "logs_endpoint", f"https://127.0.0.1:1/#{SECRET}", "fragment"),
    ("--arm-endpoint", "arm_endpoint", f"http://u:{SECRET}@127.0.0.1:1", "carries credentials"),
])
def test_an_endpoint_with_credentials_a_query_or_a_fragment_is_refused_before_sign_in(option, field, url, words):
    credential = NoSignIn()
    settings = LiveSettings(subscriptions=["11111111-2222-4333-8444-555555555555"], **{field: url})
    with pytest.raises(DiscoveryError) as info:
        discover(settings, credential=credential)
    message = str(info.value)
    assert option in message and words in message and "127.0.0.1" in message
    assert SECRET not in message and "\n" not in message
    assert credential.asked == 0


def test_endpoint_credentials_reach_no_output_and_no_terminal(tmp_path):
    out = tmp_path / "out"
    run = run_pytest(out, "--subscription", "11111111-2222-4333-8444-555555555555",
                     "--arm-endpoint", f"https://auditor:{SECRET}@127.0.0.1:1",
                     "--save-estate", str(out / "estate.json"))
    assert run.ret == 4, run.output
    assert "ERROR: --arm-endpoint carries credentials" in run.proc.stderr
    assert SECRET not in run.output and "Traceback" not in run.output
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not [p for p in written if SECRET in p.read_text(errors="replace")]
    assert not (out / "estate.json").exists() and not run.findings_path.exists()
