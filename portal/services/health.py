"""Whether the portal can reach what it depends on."""

import redis
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db


def database_is_reachable() -> bool:
    """Tell whether a trivial query succeeds."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


def shared_store_status() -> str | None:
    """Say "ok" or "unreachable" for the Redis that REDIS_URL names; None when there is none (all in-process).

    The portal goes on without it (each process counts limits in its own memory and draws pages afresh), so an
    unreachable Redis makes the portal degraded, not down.
    """
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except (RedisError, OSError):
        return "unreachable"
    finally:
        client.close()
    return "ok"
