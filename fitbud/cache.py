"""Django's Redis cache backend, made cheap to call and safe to lose.

One redis.Redis per connection pool: Django's RedisCacheClient builds a new redis.Redis for
every cache operation; redis-py's constructor copies its ~170 response callbacks each time,
which profiled at about a tenth of a millisecond per operation. A redis.Redis is
thread-safe (the pool hands each command its own connection), so one per pool is enough.

A circuit breaker per process and server: nothing the project keeps in the cache is the
truth (the response cache checks every entry against the database, see
fitbud/api/response_cache.py), so a Redis that is down, hung or partitioned must only cost
time, and little of it. The first call that fails or times out (short socket timeouts,
CACHE_SOCKET_TIMEOUT) opens the breaker: for CACHE_BREAKER_SECONDS every call answers like
an empty cache at once (gets miss, sets do nothing) without touching the network; then one
call is let through as a probe, and its success closes the breaker again.

Rate limits must not lapse meanwhile: DRF throttles count in `throttle_cache`, which is the
default cache while it answers and a per-process memory cache while it does not (the limits
then hold per process instead of across processes, until Redis is back).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a broken, hung or unreachable Redis raises (socket errors are OSErrors).
FAULTS = (RedisError, OSError)

clock = time.monotonic  # tests move it instead of waiting


class CacheUnavailable(Exception):
    """The call was skipped (breaker open) or failed: treat the cache as empty."""


class CircuitBreaker:
    """Closed: calls go through. Open: calls are refused until `open_seconds` have passed
    since the last failure; then one call (the probe) goes through and decides."""

    def __init__(self, name: str):
        self.name = name
        self._lock = threading.Lock()
        self._open_until = 0.0  # 0: closed
        self._probing = False
        self.attempts = 0  # calls that reached Redis (tests count them)

    @property
    def is_open(self) -> bool:
        return self._open_until != 0.0

    def allow(self) -> bool:
        if not self._open_until:  # closed: the common case, no lock
            self.attempts += 1
            return True
        with self._lock:
            if not self._open_until:
                self.attempts += 1
                return True
            if self._probing or clock() < self._open_until:
                return False
            self._probing = True
            self.attempts += 1
            return True

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0
            self._probing = False
            self.attempts = 0

    def succeeded(self) -> None:
        if not self._open_until:
            return
        with self._lock:
            if self._open_until:
                logger.warning("cache %s answers again: circuit breaker closed", self.name)
            self._open_until = 0.0
            self._probing = False

    def failed(self, error: BaseException) -> None:
        with self._lock:
            was_closed = not self._open_until
            seconds = getattr(settings, "CACHE_BREAKER_SECONDS", 5)
            self._open_until = clock() + seconds
            self._probing = False
        if was_closed:
            logger.warning("cache %s failed (%r): skipping it for %ss", self.name, error, seconds)


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(server: str) -> CircuitBreaker:
    """The process's breaker for this server (Django makes one backend per thread)."""
    with _breakers_lock:
        if server not in _breakers:
            _breakers[server] = CircuitBreaker(server)
        return _breakers[server]


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Every operation goes through the breaker; a fault reads as an empty cache."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self.breaker = breaker_for(server if isinstance(server, str) else ",".join(server))

    def guarded(self, method: str, *args, **kwargs):
        """Call DjangoRedisCache.<method>; raise CacheUnavailable instead of waiting for,
        or failing on, a Redis that is not answering."""
        breaker = self.breaker
        if not breaker.allow():
            raise CacheUnavailable(self.breaker.name)
        try:
            result = getattr(DjangoRedisCache, method)(self, *args, **kwargs)
        except FAULTS as error:
            breaker.failed(error)
            raise CacheUnavailable(self.breaker.name) from error
        except BaseException:  # Redis answered (incr of a missing key, ...)
            breaker.succeeded()
            raise
        breaker.succeeded()
        return result

    def _or(self, fallback, method: str, *args, **kwargs):
        try:
            return self.guarded(method, *args, **kwargs)
        except CacheUnavailable:
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, "add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._or(default, "get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(None, "set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, "touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._or(False, "delete", key, version)

    def get_many(self, keys, version=None):
        return self._or({}, "get_many", keys, version)

    def has_key(self, key, version=None):
        return self._or(False, "has_key", key, version)

    def incr(self, key, delta=1, version=None):
        try:
            return self.guarded("incr", key, delta, version)
        except CacheUnavailable:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)") from None

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(list(data), "set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._or(None, "delete_many", keys, version)

    def clear(self):
        return self._or(None, "clear")


class ThrottleCache:
    """What DRF's throttles count in (SimpleRateThrottle.cache, set in fitbud.api.apps):
    the default cache, or per-process memory while the default cache is unavailable, so
    that an outage makes the limits per process instead of lifting them."""

    def __init__(self):
        self.local = LocMemCache("fitbud-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})

    def _call(self, method: str, *args):
        shared = caches[DEFAULT_CACHE_ALIAS]
        if not isinstance(shared, RedisCache):
            return getattr(shared, method)(*args)
        try:
            return shared.guarded(method, *args)
        except CacheUnavailable:
            return getattr(self.local, method)(*args)

    def get(self, key, default=None):
        return self._call("get", key, default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT):
        return self._call("set", key, value, timeout)

    def delete(self, key):
        return self._call("delete", key)


throttle_cache = ThrottleCache()


def reset_local_state() -> None:
    """Forget the per-process state (tests): breakers and fallback throttle counters."""
    with _breakers_lock:
        for breaker in _breakers.values():
            breaker.reset()
    throttle_cache.local.clear()
