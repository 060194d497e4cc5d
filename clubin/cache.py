"""The cache: Redis when configured, and local memory while Redis does not answer.

The cache holds allauth's rate limits (login, signup, password reset) and ClubIN's own (guest
registration). Django's RedisCache raises on a refused, stopped or frozen Redis, which turned
every one of those pages into a 500. Django has no fallback of its own and the maintained
alternatives (django-redis's IGNORE_EXCEPTIONS) fail open: a failed read counts as "no hits",
so during an outage the limits stop limiting. Here a failed call instead goes to a per-process
local-memory cache, so limits keep counting (per process: stricter, never absent) and pages
keep answering.

Short socket timeouts (settings.CACHES OPTIONS) bound what one call can wait; after a failure,
Redis is skipped for RETRY_SECONDS so a frozen server costs one timeout per process, not one
per cache call (allauth makes several per request).
"""

import logging
import threading
import time
from typing import Any

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# Errors that mean "Redis is not answering", as opposed to a bug in the caller.
UNREACHABLE = (redis.RedisError, OSError)

# Shared by every instance in the process (Django makes one per thread): one outage, one clock.
_down_until: dict[str, float] = {}
_lock = threading.Lock()


class FallbackRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._server = server
        local = {key: value for key, value in params.items() if key != "OPTIONS"}
        # LocMemCache keeps its data per name at module level: every thread sees the same counts.
        self._fallback = LocMemCache(f"clubin-fallback-{server}", local)

    def is_down(self) -> bool:
        return time.monotonic() < _down_until.get(self._server, 0.0)

    def _trip(self, error: Exception) -> None:
        with _lock:
            already_down = self.is_down()
            _down_until[self._server] = time.monotonic() + RETRY_SECONDS
        if not already_down:
            logger.warning(
                "Cache unreachable (%s: %s): using local memory for %ss",
                type(error).__name__,
                error,
                RETRY_SECONDS,
            )

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.is_down():
            try:
                return getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as error:
                self._trip(error)
        return getattr(self._fallback, name)(*args, **kwargs)

    def state(self) -> str:
        """For /healthz: "ok", or "down" while pages count limits in local memory."""
        if self.is_down():
            return "down"
        try:
            self._cache.get_client().ping()  # type: ignore[attr-defined]  # RedisCache's client
        except UNREACHABLE as error:
            self._trip(error)
            return "down"
        return "ok"

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> Any:
        self._fallback.clear()
        return self._call("clear")
