"""Decide the fuzzing step from schemathesis' JUnit reports.

    python scripts/fuzz_gate.py artifacts/fuzz .ci/fuzz-known.txt

Every failure is printed. A failure passes only when its operation and check code are listed
in the known-defects file (each line: METHOD PATH CODE, or ``GET * CODE`` / ``Stateful *
CODE``, then ``# owner: why``): those are defects already reported to their owners, kept
visible on every run until fixed. Anything else (any server error above all) fails the step.
"""

import fnmatch
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def known_rules(path: Path) -> list[tuple[str, str]]:
    rules = []
    for line in path.read_text().splitlines() if path.exists() else []:
        line = line.split("#", 1)[0].strip()
        if line:
            target, code = line.rsplit(" ", 1)
            rules.append((target.strip(), code.strip()))
    return rules


def main() -> int:
    reports, known_file = Path(sys.argv[1]), Path(sys.argv[2])
    rules = known_rules(known_file)
    new, known = [], []
    for role in ("trainer", "client"):
        found = list((reports / role).glob("junit-*.xml"))
        cases = [c for r in found for c in ET.parse(r).getroot().iter("testcase")]
        if not cases:
            # schemathesis never got to test anything (schema not loaded, crash): a failure.
            new.append((role, "(no operation tested: see the log above)", "NO_TESTS"))
    for report in sorted(reports.glob("*/junit-*.xml")):
        role = report.parent.name
        for case in ET.parse(report).getroot().iter("testcase"):
            name = case.attrib.get("name", "")
            for failure in (c for c in case if c.tag in ("failure", "error")):
                codes = re.findall(r"ST\d{3}", failure.attrib.get("message") or "") or [
                    failure.tag.upper()
                ]
                for code in codes:
                    hit = any(
                        code == rule_code and fnmatch.fnmatchcase(name, target)
                        for target, rule_code in rules
                    )
                    (known if hit else new).append((role, name, code))
    for role, name, code in sorted(set(known)):
        print(f"  KNOWN  {role:<8} {code}  {name}")
    for role, name, code in sorted(set(new)):
        print(f"  NEW    {role:<8} {code}  {name}")
    print(
        f"fuzz gate: {len(set(known))} known defect(s) (listed in {known_file}), "
        f"{len(set(new))} new failure(s)"
    )
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
