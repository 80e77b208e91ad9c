#!/usr/bin/env python3
"""Check the locked dependency versions against known vulnerabilities (pip-audit).

    .venv/bin/python .ci/audit.py [requirements.lock]

pip-audit prints "No known vulnerabilities found" even when it could check nothing: a
package the advisory source does not answer for is merely skipped, and without access
to PyPI's JSON API (or OSV) every package is. So this script reads pip-audit's JSON
report and says which case it is:

- a known vulnerability in a locked version: listed, exit status 1 (CI fails);
- no advisory source reachable, or some packages not checked: a WARNING naming them,
  exit status 0, so that CI does not fail for the network alone
  (AUDIT_REQUIRE_SOURCE=1 makes this fail too, where the source must be reachable);
- every package checked and none vulnerable: says so, exit status 0.

AUDIT_SERVICE chooses the source (pypi, the default, or osv); PIP_AUDIT the command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_pip_audit(lock: Path, service: str) -> tuple[dict | None, str]:
    """pip-audit's JSON report (None if it wrote none) and what it printed."""
    command = os.environ.get("PIP_AUDIT") or str(Path(sys.executable).parent / "pip-audit")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        done = subprocess.run(  # noqa: S603 (our own command line)
            [
                command,
                "--requirement",
                str(lock),
                "--no-deps",  # the lock pins every package: nothing to resolve
                "--disable-pip",
                "--vulnerability-service",
                service,
                "--progress-spinner",
                "off",
                "--format",
                "json",
                "--output",
                str(report),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        output = (done.stdout + done.stderr).strip()
        try:
            return json.loads(report.read_text(encoding="utf-8")), output
        except (OSError, ValueError):
            return None, output


def last_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def main(argv: list[str]) -> int:
    lock = Path(argv[1]) if len(argv) > 1 else ROOT / "requirements.lock"
    service = os.environ.get("AUDIT_SERVICE", "pypi")
    strict = os.environ.get("AUDIT_REQUIRE_SOURCE") == "1"
    report, output = run_pip_audit(lock, service)
    if report is None:
        print(f"WARNING: the dependency audit did not run against {service}: {last_line(output)}")
        print("WARNING: the dependencies were NOT checked for known vulnerabilities.")
        return 1 if strict else 0

    dependencies = report.get("dependencies", [])
    checked = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in checked if d.get("vulns")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            print(
                f"VULNERABLE: {dep['name']} {dep['version']}: {vuln['id']}"
                + (f" ({aliases})" if aliases else "")
                + f"; fixed in {fixes}"
            )
    if not checked and dependencies:
        print(
            f"WARNING: no advisory source could be reached ({service}): none of the "
            f"{len(dependencies)} locked packages was checked for known vulnerabilities."
        )
        print(f"WARNING: for example {skipped[0]['name']}: {skipped[0]['skip_reason']}")
        return 1 if strict else 0
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        print(f"WARNING: {len(skipped)} of {len(dependencies)} locked packages could not be checked: {names}")
    if vulnerable:
        print(f"{len(vulnerable)} locked package(s) with known vulnerabilities: upgrade them in the lock.")
        return 1
    if skipped:
        print(f"No known vulnerabilities in the {len(checked)} packages that could be checked ({service}).")
        return 1 if strict else 0
    print(f"All {len(checked)} locked packages checked against {service}: no known vulnerabilities.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
