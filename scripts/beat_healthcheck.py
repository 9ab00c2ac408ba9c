"""Container HEALTHCHECK of `celery -A fitbud beat`: healthy while beat keeps writing its
schedule file (it records each run there; the spine sweep runs every minute, and beat
syncs the file at least every 3 minutes). Standard library only.

Usage: python scripts/beat_healthcheck.py [SCHEDULE_FILE] [MAX_AGE_SECONDS]
"""

import glob
import os
import sys
import time

path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/celerybeat-schedule"
max_age = float(sys.argv[2]) if len(sys.argv) > 2 else 600.0
# The dbm module behind the shelve may add a suffix (.db, .dat, ...).
files = glob.glob(glob.escape(path) + "*")
if not files:
    print(f"beat healthcheck: no schedule file at {path}", file=sys.stderr)
    sys.exit(1)
age = time.time() - max(os.path.getmtime(name) for name in files)
if age > max_age:
    print(f"beat healthcheck: schedule file not written for {age:.0f} s", file=sys.stderr)
    sys.exit(1)
sys.exit(0)
