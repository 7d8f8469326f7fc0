"""Names come from untrusted snapshots: none of them may choose where an output is written."""

from __future__ import annotations

from scenarios import Scenario, run_suite


def test_hostile_names_write_nothing_outside_the_output_folder(pytester):
    s = Scenario()
    for i, name in enumerate(("../../escaped", "/tmp/abs-escaped", "..\\..\\win-escaped", "a/../../up-escaped")):
        vm = s.machine(f"vm{i}", rg="..", ama=False, beat=None)
        # The document's name is what outputs show; its id cannot carry a "/" in a name (the loader
        # refuses an id whose type path then contradicts its type).
        vm["name"] = name
    before = {p for p in pytester.path.rglob("*")}
    run = run_suite(pytester, s.build())
    assert run.ret == 1 and "Traceback" not in run.output
    created = {p for p in pytester.path.rglob("*")} - before
    suite = {"estate.json", "conftest.py", "pytest.ini", "tests_infra", "fixtures", "reports"}  # laid by run_suite
    outside = [p for p in created if p.relative_to(pytester.path).parts[0] not in suite]
    assert outside == [], outside
    for name in ("escaped", "abs-escaped", "win-escaped", "up-escaped"):
        assert not [p for p in pytester.path.parent.rglob(f"*{name}*") if "reports" not in p.parts]
