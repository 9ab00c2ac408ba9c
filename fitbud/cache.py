"""Django's Redis cache backend, keeping one redis.Redis client per connection pool.

Django's RedisCacheClient builds a new redis.Redis for every cache operation; redis-py's
constructor copies its ~170 response callbacks each time, which profiled at about a tenth of
a millisecond per operation — as much as the round trip to Redis on loopback, and paid twice
on every cached read (generation, then response). A redis.Redis is thread-safe (the pool
hands each command its own connection), so one per pool is all a process needs.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


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
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
