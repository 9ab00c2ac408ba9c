"""A stalled bucket fails a request in seconds, not after boto3's 60 s per attempt."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import django
django.setup()
from django.core.files.storage import storages
config = storages["photos"].connection.meta.client.meta.config
print(config.connect_timeout, config.read_timeout, config.retries["total_max_attempts"],
      config.s3["addressing_style"], config.signature_version)
"""


def test_the_s3_photo_storage_has_short_timeouts_and_keeps_its_addressing_style():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fitbud.settings.local",
        "PHOTO_STORAGE": "s3",
        "PHOTO_S3_BUCKET": "photos",
        "PHOTO_S3_ADDRESSING_STYLE": "path",
        "PHOTO_S3_READ_TIMEOUT": "7",
    }
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3.0", "7.0", "3", "path", "s3v4"]
