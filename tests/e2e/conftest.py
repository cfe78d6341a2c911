"""Fixtures of the browser tests: a Chromium and the small federation behind a live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.test_browser import ARGS, CHROMIUM

# Playwright's sync API runs an event loop in this thread; the live server's database work
# happens in its own thread, and the test's own queries run before the browser starts.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def federation(
    record_guards_lifted: Any,
    transactional_db: Any,
    live_server: Any,
    request: pytest.FixtureRequest,
) -> Iterator[Any]:
    """The shared small federation, in a database the live server sees. A flushed
    database has lost what the migrations seeded, so that comes back first.

    pytest-django's live-server helper sets up ``transactional_db`` before any fixture
    the test names, so its flush would run after the guards are back; the record's rows
    are therefore emptied here, while the guards are still lifted."""
    from collegium.federation.models import Category, Charter
    from collegium.record.models import Checkpoint, Entry, Node

    seed = __import__(
        "collegium.federation.migrations.0002_default_categories_and_charter",
        fromlist=["CATEGORIES", "DEFAULT_CHARTER"],
    )
    for code, name, position in seed.CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    if not Charter.objects.filter(body__isnull=True).exists():
        Charter.objects.create(body=None, **seed.DEFAULT_CHARTER)
    yield request.getfixturevalue("small_federation")
    for model in (Checkpoint, Node, Entry):
        model.objects.all().delete()
