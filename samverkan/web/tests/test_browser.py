"""A person in a real browser (Debian's headless Chromium driven by Playwright).

The live server runs in another thread, so these tests use ``transactional_db``:
what the test writes is committed and visible to it.
"""

from __future__ import annotations

import importlib
import os
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from playwright.sync_api import Browser, Page, expect, sync_playwright

from conftest import PASSWORD, login_as, make_membership, make_user
from samverkan.accounts.demo import current_totp_code
from samverkan.accounts.models import Organisation, Role

pytestmark = pytest.mark.browser

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
def tab(chromium: Browser, live_server, live_db) -> Page:
    assert os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] == "true"
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def frida(live_db):
    """Like the demo's frontline worker: one membership, a TOTP authenticator."""
    police = Organisation.objects.create(
        name="Stockholm Police Region", kind=Organisation.Kind.POLICE, country="SE"
    )
    user = make_user("frida@test.example", "Frida Lind")
    make_membership(user, police, Role.FRONTLINE)
    return user


def fresh_totp_code(user) -> str:
    """The current code, waiting out the last seconds of a 30-second window so that
    the code is still current when the server checks it."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.5)
    return current_totp_code(user)


def test_log_in_with_password_and_authenticator_code(tab: Page, frida):
    tab.goto("/accounts/login/")
    tab.fill("input[name=login]", "frida@test.example")
    tab.fill("input[name=password]", PASSWORD)
    tab.locator("main form button[type=submit]").click()

    tab.wait_for_url("**/accounts/2fa/authenticate/")
    tab.fill("input[name=code]", fresh_totp_code(frida))
    tab.locator("main form button[type=submit]").click()

    tab.wait_for_url(lambda url: url.endswith("/"))
    expect(tab.locator("h1")).to_have_text("Welcome, Frida Lind")
    expect(tab.locator("main")).to_contain_text(
        "You are acting for Stockholm Police Region as Frontline professional."
    )


def test_wrong_authenticator_code_keeps_the_person_out(tab: Page, frida, live_server):
    tab.goto("/accounts/login/")
    tab.fill("input[name=login]", "frida@test.example")
    tab.fill("input[name=password]", PASSWORD)
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url("**/accounts/2fa/authenticate/")
    code = fresh_totp_code(frida)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    tab.fill("input[name=code]", wrong)
    tab.locator("main form button[type=submit]").click()

    expect(tab.locator("main")).to_contain_text("Incorrect code.")
    # The dashboard sends them back to the code prompt, where the login is still pending.
    tab.goto("/")
    assert tab.url == f"{live_server.url}/accounts/2fa/authenticate/"
    expect(tab.locator("input[name=code]")).to_be_visible()
    expect(tab.locator("h1")).not_to_contain_text("Welcome")


def test_language_switcher_turns_the_page_swedish(tab: Page):
    tab.goto("/accounts/login/")
    expect(tab.locator("html")).to_have_attribute("lang", "en")

    tab.select_option("#language-select", "sv")
    tab.locator("form.language button[type=submit]").click()

    tab.wait_for_url("**/accounts/login/")
    expect(tab.locator("html")).to_have_attribute("lang", "sv")
    tab.reload()
    expect(tab.locator("html")).to_have_attribute("lang", "sv")
    expect(tab.locator("#language-select")).to_have_value("sv")


def test_api_documentation_renders_under_the_content_security_policy(tab: Page, frida, live_server):
    client = Client()
    login_as(client, frida.memberships.get())
    tab.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    console: list[str] = []
    tab.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))

    tab.goto("/api/docs/")

    expect(tab.locator(".swagger-ui .info .title")).to_contain_text("Samverkan API")
    expect(tab.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    assert [url for url in requests if not url.startswith(live_server.url)] == []
    # Nothing the page needs is blocked; drf-spectacular's template still carries a
    # small inline <style> (page background), which the policy rightly refuses.
    blocked = [line for line in console if line.startswith("error:")]
    assert [line for line in blocked if "Applying inline style" not in line] == []
