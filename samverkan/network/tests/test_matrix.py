"""Every network page for every role, in the network's own organisation and
another: the network coordinator of the organisation that runs the network
reaches each one, everyone else gets the same 404 as for a missing page."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from conftest import make_membership, make_user
from samverkan.accounts.models import Role
from samverkan.network import activities, library, plans
from samverkan.network.models import GoodPractice, Response, ResponseFile
from samverkan.network.tests.conftest import make_survey
from samverkan.network.tests.routes import NETWORK_ROUTES
from samverkan.policy.access import ROLE_ACTIONS

POST_ONLY = {
    "network-members-import",
    "contact-remove",
    "survey-question-remove",
    "survey-xlsform-import",
    "practice-review",
}


@pytest.fixture
def urls(union, send, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    survey = make_survey(union)
    send(survey, [union.vaxjo])
    upload = ResponseFile.objects.create(
        response=Response.objects.get(place=union.vaxjo),
        question_name="q1",
        file=ContentFile(b"%PDF-1.4", name="plan.pdf"),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=8,
    )
    framework = plans.framework_load(
        actor=union.noora, network=union.network, definition=plans.CBSS_MUNICIPAL_GUIDELINES
    )
    plan = plans.action_plan_create(
        actor=union.noora, place=union.vaxjo, title="Plan", period_start=2024, period_end=2026
    )
    document = library.document_add(
        actor=union.noora,
        network=union.network,
        upload=ContentFile(b"A statement against trafficking.", name="statement.txt"),
        title="Statement",
        kind="statement",
        language="en",
    )
    activity = activities.activity_create(
        actor=union.noora,
        network=union.network,
        kind="seminar",
        title="Seminar",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 1, 2),
    )
    measure = plans.measure_create(actor=union.noora, plan=plan, title="Training")
    practice = GoodPractice.objects.create(network=union.network, title="Outreach", what="Walks")
    args = {
        "network-list": [],
        "network-detail": [union.network.uuid],
        "network-members-import": [union.network.uuid],
        "network-members-export": [union.network.uuid],
        "place-detail": [union.vaxjo.uuid],
        "contact-remove": [union.vaxjo.contacts.get().uuid],
        "survey-detail": [survey.uuid],
        "survey-question-remove": [survey.uuid, "q1"],
        "survey-preview": [survey.uuid],
        "survey-xlsform-export": [survey.uuid],
        "survey-xlsform-import": [survey.uuid],
        "survey-report": [survey.uuid],
        "survey-report-docx": [survey.uuid],
        "survey-report-pptx": [survey.uuid],
        "survey-response-file": [upload.uuid],
        "action-plan-detail": [plan.uuid],
        "framework-comparison": [framework.uuid],
        "framework-comparison-xlsx": [framework.uuid],
        "library": [],
        "library-document": [document.uuid],
        "activity-detail": [activity.uuid],
        "practice-list": [],
        "practice-review": [practice.uuid],
        "measure-assessment": [measure.uuid],
    }
    assert set(args) == set(NETWORK_ROUTES)
    return {name: reverse(name, args=values) for name, values in args.items()}


@pytest.mark.parametrize("role", Role.values)
def test_each_role_of_the_networks_organisation_reaches_exactly_what_the_policy_opens(
    client, union, urls, login, role
):
    membership = make_membership(make_user(f"{role}@net.example", role), union.secretariat, role)
    login(client, membership)
    outcomes = {}
    for name, url in urls.items():
        allowed = role in ROLE_ACTIONS[NETWORK_ROUTES[name]]
        expected = (405 if name in POST_ONLY else 200) if allowed else 404
        outcomes[name] = (client.get(url).status_code, expected)
    assert {name: got for name, (got, _) in outcomes.items()} == {
        name: expected for name, (_, expected) in outcomes.items()
    }


def test_a_network_coordinator_of_another_organisation_reaches_none_of_it(
    client, union, urls, login
):
    login(client, union.other)
    codes = {name: client.get(url).status_code for name, url in urls.items()}
    # A GET on a POST-only page says only that the method is wrong, for anyone.
    lists = {"network-list": 200, "library": 200, "practice-list": 200}  # empty for them
    assert codes == dict.fromkeys(urls, 404) | lists | dict.fromkeys(POST_ONLY, 405)
    posts = {name: client.post(urls[name]).status_code for name in POST_ONLY}
    assert posts == dict.fromkeys(POST_ONLY, 404)
    assert union.vaxjo.contacts.get().is_active


def test_someone_without_an_account_is_sent_to_the_login(client, union, urls):
    for url in urls.values():
        response = client.get(url)
        assert (response.status_code, response["Location"][:16]) == (302, "/accounts/login/")
