"""Django's Redis cache, keeping one client per connection pool.

Django's backend builds a new `redis.Redis` for every cache call, and redis-py fills a
table of ~200 response callbacks in each constructor: measured at a third of a millisecond
per call, several times per signature. A client over a pool is thread-safe, so one per
pool is enough (README, "What we tried")."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient
        self._scripts = {}

    def script(self, lua: str):
        """A Lua script on the cache's Redis (EVALSHA, loaded on first use). Keys must go
        through make_key."""
        script = self._scripts.get(lua)
        if script is None:
            script = self._scripts[lua] = self._cache.get_client(write=True).register_script(lua)
        return script
