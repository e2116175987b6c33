"""A Redis cache that degrades to "no cache" when Redis is unreachable, instead of failing the request."""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("llmref.cache")

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


# While Redis is down, skip it for this long before trying again, so an unreachable host (connect timeout)
# does not slow every request down by the timeout.
RETRY_AFTER_SECONDS = 5.0


class _OutageLog:
    """Log the first failure of an outage and the recovery, not every request in between; a short circuit breaker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0

    def skipping(self) -> bool:
        return self.down and time.monotonic() < self.retry_at

    def failed(self, operation: str, error: Exception) -> None:
        with self._lock:
            self.retry_at = time.monotonic() + RETRY_AFTER_SECONDS
            if self.down:
                return
            self.down = True
        logger.error("Cache unavailable (%s: %s); serving without it until it answers again.", operation, error)

    def succeeded(self) -> None:
        if not self.down:
            return
        with self._lock:
            if not self.down:
                return
            self.down = False
        logger.warning("Cache available again.")


outage = _OutageLog()


def _guarded(name: str, fallback):
    method = getattr(RedisCacheClient, name)

    def call(self, *args, **kwargs):
        if outage.skipping():
            return fallback(*args) if callable(fallback) else fallback
        try:
            result = method(self, *args, **kwargs)
        except OUTAGE_ERRORS as error:
            outage.failed(name, error)
            return fallback(*args) if callable(fallback) else fallback
        outage.succeeded()
        return result

    call.__name__ = name
    return call


def _default(key, default):
    return default


def _missing(key, delta):
    raise ValueError(f"Key '{key}' not found (cache unavailable).")


class ResilientRedisCacheClient(RedisCacheClient):
    """Every operation behaves as on an empty cache while Redis is down: a miss, a no-op write."""

    add = _guarded("add", False)
    get = _guarded("get", _default)
    set = _guarded("set", None)
    touch = _guarded("touch", False)
    delete = _guarded("delete", False)
    get_many = _guarded("get_many", lambda keys: {})
    has_key = _guarded("has_key", False)
    incr = _guarded("incr", _missing)
    set_many = _guarded("set_many", None)
    delete_many = _guarded("delete_many", None)
    clear = _guarded("clear", False)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
