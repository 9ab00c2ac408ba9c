"""The one background engine: Celery, with Redis as the broker.

Settings come from Django settings with the CELERY_ prefix (fitbud/settings/base.py). With
CELERY_BROKER_URL unset (make run, the tests) every task runs eagerly, in the process that
enqueues it, right after the transaction commits; with it set, every task goes to the
broker and a `celery -A fitbud worker` runs it. Tasks live in each app's tasks.py.
"""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.signals import task_failure, task_retry

# Like wsgi.py/asgi.py: a worker or beat is a deployment process. (This module is imported
# with the `fitbud` package, so manage.py's and pytest's choice, made earlier, wins.)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitbud.settings.production")

app = Celery("fitbud")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("fitbud.tasks")


@task_failure.connect
def _log_failure(sender=None, task_id=None, exception=None, **kwargs) -> None:
    # Arguments are not logged: an invite email's carry its token.
    logger.error(
        "Task %s failed for good (task id %s): %s: %s",
        getattr(sender, "name", sender),
        task_id,
        type(exception).__name__,
        exception,
    )


@task_retry.connect
def _log_retry(sender=None, request=None, reason=None, **kwargs) -> None:
    logger.warning(
        "Task %s will be retried (task id %s, retry %s): %s",
        getattr(sender, "name", sender),
        getattr(request, "id", None),
        getattr(request, "retries", None),
        reason,
    )
