"""The referral mechanism's first steps in a real browser (Debian's headless
Chromium driven by Playwright): an NGO opens a case with the person's consent,
notifies the coordination agency, the coordinator confirms identification and
the reflection period's deadline appears for the NGO.

The live server runs in another thread, so these tests use ``transactional_db``:
what the test writes is committed and visible to it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import PASSWORD, login_as, make_membership, make_user
from samverkan.accounts.models import Organisation, Role
from samverkan.cases.models import CountryConfiguration
from samverkan.web.tests.browser import fresh_totp_code

pytestmark = pytest.mark.browser


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
    new_tab, people, live_server
):
    due = (timezone.localdate() + timedelta(days=30)).isoformat()

    # The NGO's case manager opens the case with the person's consent.
    ngo = new_tab()
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
    agency = new_tab()
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
