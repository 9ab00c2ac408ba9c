"""Development: DEBUG on, console email, local memory cache unless CACHE_URL says otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
WHITENOISE_AUTOREFRESH = True  # serve from finders; no collectstatic needed in development
