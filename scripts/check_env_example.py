"""Fail when a settings module reads an environment variable that .env.example does not document."""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
READ = re.compile(r'env(?:\.[a-z_]+)?\(\s*"([A-Z][A-Z0-9_]*)"')
DOCUMENTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)

used: dict[str, str] = {}
for path in sorted((ROOT / "fitbud" / "settings").glob("*.py")):
    for name in READ.findall(path.read_text()):
        used.setdefault(name, path.name)
for path in [ROOT / "gunicorn.conf.py"]:
    for name in re.findall(r'_int\("([A-Z_]+)"|environ\.get\("([A-Z_]+)"', path.read_text()):
        used.setdefault(next(n for n in name if n), path.name)

documented = set(DOCUMENTED.findall((ROOT / ".env.example").read_text()))
missing = sorted(set(used) - documented)
if missing:
    for name in missing:
        print(f".env.example does not document {name} (read in {used[name]})")
    sys.exit(1)
print(f".env.example documents all {len(used)} variables the settings and gunicorn read.")
