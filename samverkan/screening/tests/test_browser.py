"""A stand-alone screening in Swedish, in a real browser (headless Chromium): a
social worker screens an adult, reads the explained result, and counts the
person with an anonymous notification that carries the dimensions met."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import make_membership, make_user
from samverkan.accounts.models import Organisation, Role
from samverkan.cases.models import AnonymousNotification
from samverkan.cases.tests.test_browser import log_in_with_session

pytestmark = pytest.mark.browser

TRAFFICKED = ["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04", "AL-CD-01", "AL-CD-02"]


def test_a_quick_screening_in_swedish_feeds_an_anonymous_notification(new_tab, live_server):
    social_services = Organisation.objects.create(
        name="Socialtjänsten Malmö", kind=Organisation.Kind.SOCIAL_SERVICES, country="SE"
    )
    sara = make_membership(
        make_user("sara@test.example", "Sara Lind"), social_services, Role.FRONTLINE
    )
    tab = new_tab()
    log_in_with_session(tab, sara, live_server)
    tab.goto("/")
    tab.select_option("#language-select", "sv")
    tab.locator("form.language button[type=submit]").click()
    expect(tab.locator("html")).to_have_attribute("lang", "sv")

    tab.get_by_role("link", name="Screening", exact=True).click()
    expect(tab.get_by_test_id("screening-disclaimer")).to_contain_text("ersätter aldrig")
    tab.fill("#id_age", "29")
    tab.select_option("#id_language", "sv")
    tab.get_by_role("button", name="Fortsätt").click()

    expect(tab.locator("h2").first).to_have_text(
        "Vuxna: människohandel för arbetskraftsexploatering"
    )
    expect(tab.get_by_test_id("unverified")).to_contain_text("Inte kontrollerad")
    for indicator in TRAFFICKED:
        tab.locator(f'[data-indicator="{indicator}"] input[value=yes]').check()
    tab.locator('[data-indicator="AL-AR-01"] input[value=no]').check()
    tab.get_by_role("button", name="Visa resultatet").click()

    summary = tab.get_by_test_id("screening-summary")
    expect(tab.get_by_test_id("assessment")).to_contain_text(
        "uppfyller varje del som ILO:s och EU-kommissionens regel kräver"
    )
    expect(summary).to_contain_text("6 ja, 1 nej, 60 okända")
    expect(summary).to_contain_text(
        "Vilseledd om arbetets art, platsen eller arbetsgivaren (stark)"
    )
    expect(tab.locator('input[name=indicators][value="coercion_at_destination"]')).to_be_checked()
    expect(tab.locator('input[name=indicators][value="coercive_recruitment"]')).not_to_be_checked()

    tab.fill("#id_municipality", "Malmö")
    tab.select_option("#id_sex", "female")
    tab.get_by_role("button", name="Registrera").click()
    expect(tab.locator(".messages")).to_contain_text("Den anonyma anmälan har registrerats.")

    notification = AnonymousNotification.objects.get()
    assert notification.indicators == [
        "coercion_at_destination",
        "deceptive_recruitment",
        "exploitative_conditions",
    ]
    assert notification.exploitation_forms == ["labour"]
    assert notification.age_group == "adult"
