"""The browser tests' harness: Debian's headless Chromium driven by Playwright
against Django's live server. Test modules import the fixtures they use.

The live server runs in another thread, so these tests use ``transactional_db``:
what the test writes is committed and visible to it.
"""

from __future__ import annotations

import importlib
import os
import time

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, sync_playwright

from samverkan.accounts.demo import current_totp_code

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def chromium(live_server) -> Browser:
    """One headless Chromium for the module, started after the test database and
    the live server (so their set-up runs before Playwright's event loop exists).

    Playwright's sync API keeps an event loop in this thread; Django refuses
    database work next to a running loop unless told it is safe, which it is
    here: the test thread only prepares data and reads TOTP codes, while the
    pages are served by the live server's own thread.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


APPEND_ONLY_SQLITE = importlib.import_module("samverkan.audit.migrations.0002_append_only").SQLITE


@pytest.fixture
def live_db(transactional_db):
    """Committed data the live server sees. On SQLite the flush after the test would
    DELETE the append-only audit log; empty it first, as a DBA could (PostgreSQL
    lets the superuser running the tests TRUNCATE it)."""
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
            cursor.execute("DELETE FROM audit_auditentry")
            for statement in APPEND_ONLY_SQLITE:
                cursor.execute(statement)


@pytest.fixture
def new_tab(chromium: Browser, live_server, live_db):
    """Opens tabs, each in a context of its own (its own cookies: its own person)."""
    assert os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] == "true"
    contexts = []

    def open_tab() -> Page:
        context = chromium.new_context(base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def fresh_totp_code(user) -> str:
    """The current code, waiting out the last seconds of a 30-second window so that
    the code is still current when the server checks it."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.5)
    return current_totp_code(user)
