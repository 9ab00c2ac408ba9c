"""Access logs that never show a credential passed in a query string.

Browsers' EventSource cannot send headers, so `feed/stream/` takes `?ticket=` (and, for
old apps, the deprecated `?access_token=`). gunicorn's access log (WSGI) and uvicorn's
(the ASGI worker, which writes through gunicorn's access handlers) would print the whole
request line; `RedactingLogger` (gunicorn.conf.py `logger_class`) puts a filter on those
handlers that replaces the values with `[redacted]`.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

SECRET_PARAMETERS = ("access_token", "ticket")
_SECRET = re.compile(
    # After "?" or "&" (a path with its query), or where a bare query string starts.
    r"(?i)((?:^|[?&\s\"])(?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&\s\"#]*",
)


def redact(text: str) -> str:
    return _SECRET.sub(r"\1[redacted]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class RedactingLogger(Logger):
    """gunicorn's logger, with the redacting filter on every access-log handler."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.access_log.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
