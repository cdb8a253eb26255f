"""A social worker refers a person to a shelter that accepts, then sees the
shelter as a participant with only the agreed categories; and a case shared
with a team reaches only the members the consent allows (real Chromium)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import make_membership, make_user
from samverkan.accounts.models import Organisation, Role
from samverkan.cases.models import Category, Purpose
from samverkan.cases.tests import factories as case_factories
from samverkan.cases.tests.test_browser import log_in_with_session
from samverkan.referrals import team_services
from samverkan.referrals.tests.factories import shelter_service

pytestmark = pytest.mark.browser


def test_a_shelter_accepts_a_referral_and_takes_part_for_the_agreed_categories_only(
    new_tab, live_db, live_server
):
    social = Organisation.objects.create(
        name="Malmö Social Services", kind=Organisation.Kind.SOCIAL_SERVICES, country="SE"
    )
    shelter = Organisation.objects.create(
        name="Shelter Skåne", kind=Organisation.Kind.SHELTER, country="SE"
    )
    worker = make_membership(make_user("sara@test.example", "Sara Lind"), social, Role.CASE_MANAGER)
    provider = make_membership(
        make_user("maja@test.example", "Maja Ek"), shelter, Role.SERVICE_PROVIDER
    )
    case = case_factories.open_case(worker)
    case_factories.consent(
        worker,
        case,
        categories=[Category.METADATA, Category.CONTACT, Category.HEALTH, Category.SOCIAL],
        kinds=[Organisation.Kind.SHELTER],
        purposes=[Purpose.ASSISTANCE],
    )
    shelter_service(provider, name="Skåne women's shelter", capacity=2)

    # The social worker refers: identity is greyed out, the consent does not cover it.
    sender = new_tab()
    log_in_with_session(sender, worker, live_server)
    sender.goto(f"/cases/{case.uuid}/")
    sender.get_by_role("link", name="Refer to assistance").click()
    form = sender.get_by_test_id("referral-form").first
    expect(form.locator("input[name=categories][value=identity]")).to_be_disabled()
    form.locator("select[name=service]").select_option(label="Skåne women's shelter")
    form.locator("select[name=purpose]").select_option("assistance")
    form.locator("input[name=categories][value=contact]").check()
    form.locator("input[name=categories][value=social]").check()
    form.locator("input[name=needs][value=shelter]").check()
    form.locator("select[name=urgency]").select_option("urgent")
    form.locator("textarea[name=message]").fill("Arrives by train tonight")
    form.get_by_role("button", name="Send the referral").click()
    expect(sender.get_by_test_id("referral-status")).to_contain_text("Sent, awaiting an answer")

    # The shelter sees the masked preview in its inbox, and accepts.
    receiver = new_tab()
    log_in_with_session(receiver, provider, live_server)
    receiver.goto("/")
    receiver.get_by_role("link", name="Referrals", exact=True).click()
    receiver.get_by_test_id("referrals-received").get_by_role("link").first.click()
    preview = receiver.get_by_test_id("referral-preview")
    expect(preview).to_contain_text("Malmö Social Services")
    expect(receiver.locator("main")).not_to_contain_text(case.number)
    expect(receiver.locator("main")).not_to_contain_text("Arrives by train tonight")
    receiver.get_by_role("button", name="Accept").click()
    expect(receiver.get_by_test_id("referral-status")).to_contain_text("Accepted")
    expect(receiver.get_by_test_id("referral-message")).to_contain_text("Arrives by train")

    # The social worker sees the shelter taking part, for the agreed categories only.
    sender.goto(f"/cases/{case.uuid}/")
    row = sender.get_by_test_id("access-panel").locator("tr", has_text="Shelter Skåne")
    expect(row).to_contain_text("Contact")
    expect(row).to_contain_text("Social needs")
    expect(row).not_to_contain_text("Health")
    expect(row).not_to_contain_text("Identity")


def test_a_case_shared_with_a_team_reaches_the_members_the_consent_allows_and_not_the_police(
    new_tab, live_db, live_server
):
    Kind = Organisation.Kind
    ngo = Organisation.objects.create(name="Safe Path NGO", kind=Kind.NGO, country="SE")
    municipality = Organisation.objects.create(
        name="Malmö Social Services", kind=Kind.SOCIAL_SERVICES, country="SE"
    )
    shelter = Organisation.objects.create(name="Shelter Skåne", kind=Kind.SHELTER, country="SE")
    police = Organisation.objects.create(name="Police Region South", kind=Kind.POLICE, country="SE")
    worker = make_membership(make_user("nora@test.example", "Nora Berg"), ngo, Role.CASE_MANAGER)
    convener = make_membership(
        make_user("kim@test.example", "Kim Holm"), municipality, Role.COORDINATOR
    )
    provider = make_membership(
        make_user("maja@test.example", "Maja Ek"), shelter, Role.SERVICE_PROVIDER
    )
    officer = make_membership(make_user("olle@test.example", "Olle Dahl"), police, Role.FRONTLINE)
    team_services.team_create(
        actor=convener,
        name="Malmö operational team",
        kind="operational",
        area="Malmö",
        organisations=[ngo, shelter, police],
    )
    case = case_factories.open_case(worker)
    case_factories.consent(
        worker,
        case,
        categories=[Category.METADATA, Category.CONTACT, Category.SOCIAL],
        kinds=[Kind.SHELTER, Kind.SOCIAL_SERVICES],
        purposes=[Purpose.ASSISTANCE],
    )

    # Before sending, the form says who the consent leaves out, and why.
    sender = new_tab()
    log_in_with_session(sender, worker, live_server)
    sender.goto(f"/cases/{case.uuid}/")
    sender.get_by_role("link", name="Share with a team").click()
    plan = sender.get_by_test_id("team-plan").first
    expect(plan.locator("li", has_text="Police Region South")).to_contain_text("left out")
    expect(plan.locator("li", has_text="Shelter Skåne")).to_contain_text("receives a referral")
    form = sender.get_by_test_id("team-share-form").first
    form.locator("select[name=team]").select_option(label="Malmö operational team")
    form.locator("select[name=purpose]").select_option("assistance")
    form.locator("input[name=categories][value=contact]").check()
    form.locator("input[name=needs][value=shelter]").check()
    form.locator("select[name=urgency]").select_option("urgent")
    form.get_by_role("button", name="Share with the team").click()
    share = sender.get_by_test_id("team-share").first
    expect(share).to_contain_text("Shelter Skåne")
    expect(share).to_contain_text("Malmö Social Services")
    expect(share.locator("li", has_text="Police Region South")).to_contain_text(
        "does not cover this organisation"
    )

    # The shelter accepts its own referral of the share.
    receiver = new_tab()
    log_in_with_session(receiver, provider, live_server)
    receiver.goto("/referrals/")
    receiver.get_by_test_id("referrals-received").get_by_role("link").first.click()
    expect(receiver.locator("main")).not_to_contain_text(case.number)
    receiver.get_by_role("button", name="Accept").click()
    expect(receiver.get_by_test_id("referral-status")).to_contain_text("Accepted")

    # The police learn nothing: no referral in their inbox, no case.
    police_tab = new_tab()
    log_in_with_session(police_tab, officer, live_server)
    police_tab.goto("/referrals/")
    expect(police_tab.locator("main")).not_to_contain_text("Safe Path NGO")
    assert police_tab.goto(f"/cases/{case.uuid}/").status == 404

    sender.goto(f"/cases/{case.uuid}/")
    row = sender.get_by_test_id("access-panel").locator("tr", has_text="Shelter Skåne")
    expect(row).to_contain_text("Contact")
    expect(row).not_to_contain_text("Social needs")
