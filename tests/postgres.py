"""Where the tests find PostgreSQL, and the rule for when it is missing: skip on a developer's
machine, fail under CI=true (CI must really run these tests)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_URL)


def database_url_for(name: str) -> str:
    parts = urlsplit(admin_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


async def require_postgres() -> None:
    try:
        connection = await asyncpg.connect(admin_url(), timeout=5)
        await connection.close()
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if os.environ.get("CI", "").strip().lower() in {"true", "1"}:
            pytest.fail(f"CI=true but PostgreSQL is unreachable: {reason}", pytrace=False)
        pytest.skip(f"PostgreSQL unreachable (set TEST_POSTGRES_URL): {reason}")
