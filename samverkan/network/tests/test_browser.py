"""A survey in a real browser (Debian's headless Chromium): the coordinator
writes and sends it, a contact person answers through the personal link
without an account, keeping a draft first, and the coordinator reads the
compiled report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_membership, make_user
from samverkan.accounts.models import Organisation, Role
from samverkan.cases.tests.test_browser import log_in_with_session
from samverkan.network import services
from samverkan.network.models import Network
from samverkan.network.tests.conftest import LINK

pytestmark = pytest.mark.browser


@pytest.fixture
def secretariat(live_db):
    organisation = Organisation.objects.create(
        name="UBC Secretariat", kind=Organisation.Kind.NETWORK_SECRETARIAT, country="FI"
    )
    noora = make_membership(
        make_user("noora@test.example", "Noora Virtanen"), organisation, Role.NETWORK_COORDINATOR
    )
    network = services.network_create(
        actor=noora, name="Union of the Baltic Cities", kind=Network.Kind.CITY_UNION
    )
    for name, country, email in [
        ("Växjö", "SE", "anna@vaxjo.example"),
        ("Gdynia", "PL", "piotr@gdynia.example"),
    ]:
        place = services.place_create(actor=noora, network=network, name=name, country=country)
        services.contact_create(actor=noora, place=place, full_name=name, email=email)
    return noora


def test_a_contact_person_answers_through_the_link_and_the_coordinator_reads_the_report(
    new_tab, secretariat, live_server, run_tasks
):
    coordinator = new_tab()
    log_in_with_session(coordinator, secretariat, live_server)
    coordinator.goto("/")
    coordinator.get_by_role("link", name="Network", exact=True).click()
    coordinator.get_by_role("link", name="Union of the Baltic Cities").click()
    coordinator.fill("#id_title", "Follow-up of the statement against trafficking")
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    coordinator.fill("#id_deadline", deadline)
    coordinator.get_by_role("button", name="Create").last.click()
    expect(coordinator.locator(".messages")).to_contain_text("The survey was created.")

    coordinator.select_option("#id_kind", "long_text")
    coordinator.fill("#id_text", "What action has been taken by your city since 2006?")
    coordinator.check("#id_required")
    coordinator.get_by_role("button", name="Add").click()
    expect(coordinator.locator(".messages")).to_contain_text("The question was added.")
    coordinator.get_by_label("Växjö, Sweden").check()
    coordinator.get_by_label("Gdynia, Poland").check()
    coordinator.get_by_role("button", name="Send", exact=True).click()
    expect(coordinator.locator(".messages")).to_contain_text("The survey is being sent.")
    run_tasks()

    to_vaxjo = next(message for message in mail.outbox if message.to == ["anna@vaxjo.example"])
    token = LINK.search(to_vaxjo.body)["token"]

    # The e-mail's address is the configured public site; the path is what counts.
    contact = new_tab()
    contact.goto(f"/respond/{token}/")
    contact.wait_for_url("**/respond/")
    expect(contact.locator("main")).to_contain_text("You answer for Växjö, Sweden.")
    contact.get_by_label("What action has been taken by your city since 2006?").fill(
        "- A survey of trafficking in the county\n- Training for all municipal staff"
    )
    contact.get_by_role("button", name="Save draft").click()
    expect(contact.locator(".messages")).to_contain_text("Your draft was saved.")
    contact.reload()
    expect(
        contact.get_by_label("What action has been taken by your city since 2006?")
    ).to_have_value("- A survey of trafficking in the county\n- Training for all municipal staff")
    contact.get_by_label("Your name").fill("Anna Lind")
    contact.get_by_role("button", name="Submit").click()
    expect(contact.get_by_test_id("submitted")).to_contain_text("The answer for Växjö, Sweden")

    coordinator.reload()
    expect(coordinator.get_by_test_id("response-rate")).to_contain_text(
        "1 of 2 places answered (50 %)."
    )
    coordinator.get_by_role("link", name="Compiled report").click()
    section = coordinator.locator("section.report-place")
    expect(section).to_have_count(1)
    expect(section.locator("h2")).to_have_text("Växjö, Sweden")
    expect(section.locator("li")).to_have_text(
        ["A survey of trafficking in the county", "Training for all municipal staff"]
    )
    expect(coordinator.locator("main")).to_contain_text("Not answered: Gdynia, Poland")
