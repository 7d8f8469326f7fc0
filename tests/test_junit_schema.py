"""reports/junit.xml validates against docs/junit.xsd, and its counts and properties say what happened."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema

from scenarios import Scenario, run_suite

SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "junit.xsd"
PROPERTIES = {"vm", "resource_id", "subscription", "resource_group", "step", "outcome"}


def test_junit_validates_against_its_schema(pytester):
    s = Scenario()
    s.machine("ok")
    s.machine("no-agent", ama=False, beat=None)
    vm = s.machine("unreadable", rules=[], beat=None)
    s.error(vm["id"], "Microsoft.Insights/dataCollectionRuleAssociations/read", 403, "AuthorizationFailed", "no")
    s.machine("stopped", power="deallocated", beat=None)
    run_suite(pytester, s.build())
    junit = pytester.path / "reports" / "junit.xml"
    xmlschema.XMLSchema(str(SCHEMA)).validate(str(junit))

    cases = list(ET.parse(junit).getroot().iter("testcase"))
    assert cases and all(PROPERTIES <= {p.get("name") for p in c.iter("property")} for c in cases)
    kinds = {c.get("name"): next((e.tag for e in c if e.tag in ("failure", "error", "skipped")), "pass")
             for c in cases}
    assert kinds["test_agent_provisioned[no-agent]"] == "failure"
    assert kinds["test_dcr_sends_to_workspace[unreadable]"] == "error"
    assert kinds["test_agent_provisioned[stopped]"] == "skipped"
    assert kinds["test_agent_provisioned[ok]"] == "pass"


def test_the_schema_rejects_what_it_should():
    bad = ('<testsuites><testsuite name="x" tests="1" failures="0" errors="0" skipped="0" time="0">'
           '<testcase classname="c" name="n" time="0"><properties><property name="vm"/></properties>'
           '</testcase></testsuite></testsuites>')
    assert not xmlschema.XMLSchema(str(SCHEMA)).is_valid(bad)   # a property without a value
