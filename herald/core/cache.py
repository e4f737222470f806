"""Django's Redis cache backend, with one client object per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object on
every cache call (its constructor fills a table of ~170 response callbacks). An
article request makes about a dozen cache calls, so that construction was a
visible share of a warm request's CPU time in the profile (docs/performance.md).
A ``redis.Redis`` object is safe to share between threads (it checks out a
connection from its pool per command) and its pool reconnects after a fork.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class HeraldRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` reusing its clients, whose
    ``clear`` removes only this cache's keys (its ``KEY_PREFIX``).

    Django's ``clear`` flushes the whole Redis database, which may hold another
    install's keys, a Celery broker's queues or another test run's entries.
    """

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def disconnect(self) -> None:
        """Close this process's connections to Redis (e.g. before forking).

        Not ``close()``: Django calls that after every request, and the pools
        are meant to outlive requests.
        """
        for pool in self._cache._pools.values():
            pool.disconnect()

    def clear(self) -> bool:
        client = self._cache.get_client(None, write=True)
        # Django's keys are "<KEY_PREFIX>:<version>:<key>"; glob characters in
        # the prefix are escaped so they match only themselves.
        prefix = "".join("\\" + c if c in "*?[]\\" else c for c in self.key_prefix)
        pattern = f"{prefix}:*"
        batch: list[Any] = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)
        return True
