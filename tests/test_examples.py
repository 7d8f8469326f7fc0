"""The CI examples a user copies (examples/) are valid: the GitHub Actions workflow passes actionlint,
the Azure Pipelines file the Azure Pipelines schema that check-jsonschema vendors (both offline), and
both do what the README says: OIDC sign-in, a nightly audit keeping findings.json as the next baseline,
a pull-request gate running what-if then ``pytest --what-if ... --fail-on new``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
GITHUB = REPO / "examples" / "github-actions" / "amaaudit.yml"
AZURE = REPO / "examples" / "azure-pipelines" / "amaaudit.yml"


def actionlint() -> str:
    here = Path(sys.executable).parent / "actionlint"
    found = str(here) if here.exists() else shutil.which("actionlint")
    assert found, "actionlint is not installed (pip install -r requirements-dev.txt)"
    return found


def run_actionlint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", "-shellcheck=", "-pyflakes=", str(path)],
                          capture_output=True, text=True, timeout=120)


def run_pipelines_schema(path: Path) -> subprocess.CompletedProcess:
    # The vendored schema's patterns are Python regexes (the default engine rejects one of them).
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--regex-variant", "python",
                           "--builtin-schema", "vendor.azure-pipelines", "--data-transform", "azure-pipelines",
                           str(path)], capture_output=True, text=True, timeout=120)


def test_github_workflow_passes_actionlint():
    done = run_actionlint(GITHUB)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(GITHUB.read_text(encoding="utf-8").replace("runs-on: ubuntu-latest", "runs-on: [", 1),
                      encoding="utf-8")
    assert run_actionlint(broken).returncode != 0
    unknown = tmp_path / "unknown.yml"
    unknown.write_text(GITHUB.read_text(encoding="utf-8").replace("${{ vars.AZURE_CLIENT_ID }}",
                                                                   "${{ secret.AZURE_CLIENT_ID }}", 1),
                       encoding="utf-8")
    done = run_actionlint(unknown)
    assert done.returncode != 0 and "secret" in done.stdout


def test_azure_pipeline_matches_the_azure_pipelines_schema():
    done = run_pipelines_schema(AZURE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_rejects_a_broken_pipeline(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(AZURE.read_text(encoding="utf-8").replace("  - stage: gate", "  - stag: gate", 1),
                      encoding="utf-8")
    assert run_pipelines_schema(broken).returncode != 0


@pytest.mark.parametrize("path", [GITHUB, AZURE], ids=["github", "azure"])
def test_examples_do_what_the_readme_says(path):
    text = path.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    assert doc
    assert "--what-if whatif.json --fail-on new" in text
    assert "what-if" in text and "--no-pretty-print --output json > whatif.json" in text
    assert "--baseline" in text and "--fail-on new" in text
    for output in ("report.html", "junit.xml", "findings.json") if path == GITHUB else ("reports", "findings.json"):
        assert output in text
    assert "client-secret" not in text and "AZURE_CLIENT_SECRET" not in text     # no stored secret
    if path == GITHUB:
        assert doc["permissions"]["id-token"] == "write"                      # OIDC
        assert "schedule" in doc[True] and "pull_request" in doc[True]        # YAML reads "on" as True
    else:
        assert doc["schedules"] and doc["pr"]
        assert "azureServiceConnection" in doc["variables"]
