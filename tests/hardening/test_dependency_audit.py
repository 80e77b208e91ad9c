"""`make audit` (.ci/audit.py) tells a clean audit from one that could not check anything.

pip-audit says "No known vulnerabilities found" even when the advisory source answered
for no package at all. The script is run here against a stand-in for pip-audit that
writes the report each case would produce.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = "Dependency not found on PyPI and could not be audited: flask (3.1.3)"


@pytest.fixture
def audit(tmp_path):
    """Run .ci/audit.py with a stand-in pip-audit writing ``report`` (None: it crashes)."""
    fake = tmp_path / "pip-audit"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import os, sys\n"
        "report = os.environ.get('FAKE_REPORT')\n"
        "if report is None:\n"
        "    sys.exit('requests.exceptions.ConnectionError: Failed to resolve api.osv.dev')\n"
        "out = sys.argv[sys.argv.index('--output') + 1]\n"
        "open(out, 'w').write(report)\n"
        "print('No known vulnerabilities found')\n"
    )
    fake.chmod(0o755)

    def run(report: dict | None, **env) -> subprocess.CompletedProcess:
        environ = {**os.environ, "PIP_AUDIT": str(fake), **env}
        environ.pop("FAKE_REPORT", None)
        if report is not None:
            environ["FAKE_REPORT"] = json.dumps(report)
        return subprocess.run(
            [sys.executable, str(ROOT / ".ci" / "audit.py"), str(ROOT / "requirements.lock")],
            capture_output=True,
            text=True,
            env=environ,
            check=False,
        )

    return run


def test_an_unreachable_source_warns_and_does_not_fail(audit):
    done = audit({"dependencies": [{"name": "flask", "skip_reason": SKIPPED}]})
    assert done.returncode == 0
    assert "WARNING: no advisory source could be reached" in done.stdout
    assert "no known vulnerabilities" not in done.stdout.lower()


def test_a_crashed_audit_warns_and_does_not_fail(audit):
    done = audit(None)
    assert done.returncode == 0
    assert "NOT checked" in done.stdout and "api.osv.dev" in done.stdout


def test_an_unreachable_source_fails_when_one_is_required(audit):
    assert audit(None, AUDIT_REQUIRE_SOURCE="1").returncode == 1
    assert (
        audit(
            {"dependencies": [{"name": "flask", "skip_reason": SKIPPED}]}, AUDIT_REQUIRE_SOURCE="1"
        ).returncode
        == 1
    )


def test_a_known_vulnerability_fails(audit):
    vuln = {"id": "PYSEC-2099-1", "fix_versions": ["3.1.4"], "aliases": ["CVE-2099-0001"], "description": ""}
    done = audit(
        {
            "dependencies": [
                {"name": "flask", "version": "3.1.3", "vulns": [vuln]},
                {"name": "jinja2", "version": "3.1.6", "vulns": []},
            ]
        }
    )
    assert done.returncode == 1
    assert "VULNERABLE: flask 3.1.3: PYSEC-2099-1 (CVE-2099-0001); fixed in 3.1.4" in done.stdout


def test_a_clean_audit_says_so(audit):
    done = audit({"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}]})
    assert done.returncode == 0
    assert "All 1 locked packages checked against pypi: no known vulnerabilities." in done.stdout
    partly = audit(
        {
            "dependencies": [
                {"name": "flask", "version": "3.1.3", "vulns": []},
                {"name": "jinja2", "skip_reason": SKIPPED},
            ]
        }
    )
    assert partly.returncode == 0
    assert "WARNING: 1 of 2 locked packages could not be checked: jinja2" in partly.stdout
