"""The referral mechanism's first steps in a real browser (Debian's headless
Chromium driven by Playwright): an NGO opens a case with the person's consent,
notifies the coordination agency, the coordinator confirms identification and
the reflection period's deadline appears for the NGO.

The live server runs in another thread, so these tests use ``transactional_db``:
what the test writes is committed and visible to it.
"""

from __future__ import annotations

import importlib
import os
import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright

from conftest import PASSWORD, login_as, make_membership, make_user
from samverkan.accounts.demo import current_totp_code
from samverkan.accounts.models import Organisation, Role
from samverkan.cases.models import CountryConfiguration

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
    the live server (see samverkan/web/tests/test_browser.py for why the async
    guard is lifted: the pages are served by the live server's own thread)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


APPEND_ONLY_SQLITE = importlib.import_module("samverkan.audit.migrations.0002_append_only").SQLITE


@pytest.fixture
def live_db(transactional_db):
    """Committed data the live server sees; on SQLite the append-only audit log is
    emptied first, as in samverkan/web/tests/test_browser.py."""
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
            cursor.execute("DELETE FROM audit_auditentry")
            for statement in APPEND_ONLY_SQLITE:
                cursor.execute(statement)


@pytest.fixture
def browser_context(chromium: Browser, live_server, live_db):
    assert os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] == "true"
    contexts = []

    def new_tab() -> Page:
        context = chromium.new_context(base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield new_tab
    for context in contexts:
        context.close()


def fresh_totp_code(user) -> str:
    """The current code, waiting out the last seconds of a 30-second window."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.5)
    return current_totp_code(user)


def log_in_with_authenticator(tab: Page, user) -> None:
    tab.goto("/accounts/login/")
    tab.fill("input[name=login]", user.email)
    tab.fill("input[name=password]", PASSWORD)
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url("**/accounts/2fa/authenticate/")
    tab.fill("input[name=code]", fresh_totp_code(user))
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url(lambda url: url.endswith("/"))


def log_in_with_session(tab: Page, membership, live_server) -> None:
    """A second person, logged in by the test client's session cookie."""
    client = Client()
    login_as(client, membership)
    tab.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.fixture
def people(live_db):
    ngo = Organisation.objects.create(
        name="Safe Harbour Malmö", kind=Organisation.Kind.NGO, country="SE"
    )
    agency = Organisation.objects.create(
        name="National Coordination Agency",
        kind=Organisation.Kind.COORDINATION_AGENCY,
        country="SE",
    )
    # The deadline comes from Sweden's configuration (flushed between browser tests).
    CountryConfiguration.objects.update_or_create(
        country="SE",
        defaults={"reflection_period_days": 30, "competent_authority_kind": agency.kind},
    )
    cecilia = make_user("cecilia@test.example", "Cecilia Berg")
    karl = make_user("karl@test.example", "Karl Holm")
    return {
        "cecilia": make_membership(cecilia, ngo, Role.CASE_MANAGER),
        "karl": make_membership(karl, agency, Role.COORDINATOR),
    }


def test_identification_starts_the_reflection_period_for_the_lead_organisation(
    browser_context, people, live_server
):
    due = (timezone.localdate() + timedelta(days=30)).isoformat()

    # The NGO's case manager opens the case with the person's consent.
    ngo = browser_context()
    log_in_with_authenticator(ngo, people["cecilia"].user)
    ngo.get_by_role("link", name="Cases", exact=True).first.click()
    ngo.get_by_role("link", name="Open a case").click()
    ngo.fill("#id_given_names", "Ioana")
    ngo.fill("#id_family_name", "Browsertest")
    ngo.fill("#id_date_of_birth", "1991-04-12")
    ngo.select_option("#id_sex", "female")
    ngo.check("input[name=exploitation_forms][value=labour]")
    ngo.check("input[name=coordination_consent][value=identity]")
    ngo.check("input[name=coordination_consent][value=exploitation]")
    ngo.fill("#id_exploitation_details", "Berry picking, wages withheld")
    ngo.get_by_role("button", name="Open the case").click()

    ngo.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    case_url = ngo.url
    expect(ngo.locator(".messages")).to_contain_text("opened.")
    expect(ngo.locator('[data-category="identity"]')).to_contain_text("Ioana")
    number = ngo.locator("h1").inner_text().removeprefix("Case ").strip()

    # ... and notifies the coordination agency.
    ngo.select_option("#id_milestone-kind", label="Coordination agency notified")
    ngo.select_option("#id_milestone-competent_authority", label="National Coordination Agency")
    ngo.get_by_role("button", name="Record").click()
    expect(ngo.locator(".messages")).to_contain_text("Milestone recorded.")
    expect(ngo.get_by_test_id("timeline")).to_contain_text("Coordination agency notified")

    # The coordinator sees what the person agreed to and confirms identification.
    agency = browser_context()
    log_in_with_session(agency, people["karl"], live_server)
    agency.goto(case_url)
    expect(agency.locator('[data-category="identity"]')).to_contain_text("Ioana")
    expect(agency.locator('[data-category="health"]')).to_contain_text(
        "Withheld: you do not have access to Health."
    )
    agency.select_option("#id_milestone-kind", label="Identification confirmed")
    agency.get_by_role("button", name="Record").click()
    expect(agency.locator(".messages")).to_contain_text("Milestone recorded.")
    expect(agency.get_by_test_id("case-metadata")).to_contain_text(
        "Identified by the competent authority"
    )
    deadlines = agency.get_by_test_id("case-deadlines")
    expect(deadlines).to_contain_text("Reflection and recovery period ends")
    expect(deadlines).to_contain_text(due)

    # The reflection period is the lead organisation's deadline.
    ngo.get_by_role("link", name="Deadlines").click()
    upcoming = ngo.get_by_test_id("upcoming-deadlines")
    row = upcoming.locator("tr", has_text=number)
    expect(row).to_contain_text("Reflection and recovery period ends")
    expect(row).to_contain_text(due)
    row.get_by_role("link", name=number).click()
    ngo.wait_for_url(case_url)
    expect(ngo.get_by_test_id("case-deadlines")).to_contain_text(due)
