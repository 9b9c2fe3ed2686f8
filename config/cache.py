"""A Redis cache whose outages are not the pages' problem: a failed call logs and acts as a miss."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ResilientRedisCache(RedisCache):
    """The cache only ever saves work (API throttling counters): when Redis is away, a read is a
    miss and a write is dropped, so the site keeps answering instead of failing every request."""

    def _degraded(self, operation: str, exc: Exception, default=None):
        logger.warning("Cache %s skipped, Redis unavailable: %s", operation, exc)
        return default

    def add(self, key, value, *args, **kwargs):
        try:
            return super().add(key, value, *args, **kwargs)
        except RedisError as exc:
            return self._degraded("add", exc, False)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            return self._degraded("get", exc, default)

    def set(self, key, value, *args, **kwargs):
        try:
            super().set(key, value, *args, **kwargs)
        except RedisError as exc:
            self._degraded("set", exc)

    def touch(self, key, *args, **kwargs):
        try:
            return super().touch(key, *args, **kwargs)
        except RedisError as exc:
            return self._degraded("touch", exc, False)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as exc:
            return self._degraded("delete", exc, False)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as exc:
            return self._degraded("get_many", exc, {})

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as exc:
            return self._degraded("has_key", exc, False)

    def set_many(self, data, *args, **kwargs):
        try:
            return super().set_many(data, *args, **kwargs)
        except RedisError as exc:
            return self._degraded("set_many", exc, list(data))

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except RedisError as exc:
            self._degraded("delete_many", exc)
