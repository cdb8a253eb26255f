"""Teams and anonymous consultations: who reads the thread, and the identifier warning."""

import pytest

from conftest import login_as
from samverkan.accounts.models import Organisation, Role
from samverkan.audit.models import AuditEntry
from samverkan.cases.tests import factories as case_factories
from samverkan.policy.access import PolicyDenied
from samverkan.referrals import selectors, team_services
from samverkan.referrals.identifiers import likely_identifiers
from samverkan.referrals.models import Consultation, ConsultationMessage

pytestmark = pytest.mark.django_db
Kind = Organisation.Kind


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("A woman in her thirties, recruited online for cleaning work.", []),
        ("Born 1991-04-12 in Constanța.", ["date"]),
        ("Born 12.04.1991.", ["date"]),
        ("Her number is 19910412-1234.", ["identity_number"]),
        ("Call her on +46 70 123 45 67.", ["phone"]),
        ("Write to ioana.p@example.com please.", ["email"]),
        ("Mail a@b.se or ring 070-1234567.", ["email", "phone"]),
        ("Three of the 12 workers, 2 rooms.", []),
    ],
)
def test_likely_identifiers(text, kinds):
    assert likely_identifiers(text) == kinds


@pytest.fixture
def team_world():
    municipality = case_factories.organisation(Kind.SOCIAL_SERVICES)
    police = case_factories.organisation(Kind.POLICE)
    convener = case_factories.member(municipality, Role.COORDINATOR)
    officer = case_factories.member(police, Role.FRONTLINE)
    team = team_services.team_create(
        actor=convener,
        name="TOT Kristiansand",
        kind="operational",
        area="Kristiansand",
        organisations=[police],
        members=[convener, officer],
    )
    asker = case_factories.member(case_factories.organisation(Kind.NGO), Role.CASE_MANAGER)
    return team, convener, officer, asker


def test_a_question_with_a_phone_number_is_held_back_until_confirmed(team_world):
    team, _convener, _officer, asker = team_world
    body = "What can we offer? Her phone is 070-123 45 67."
    with pytest.raises(team_services.IdentifiersFound) as refused:
        team_services.consultation_ask(actor=asker, team=team, subject="Cleaning work", body=body)
    assert refused.value.kinds == ["phone"]
    assert not Consultation.objects.exists()

    consultation = team_services.consultation_ask(
        actor=asker, team=team, subject="Cleaning work", body=body, confirmed=True
    )
    assert ConsultationMessage.objects.get(consultation=consultation).flagged == ["phone"]
    entry = AuditEntry.objects.get(action="consultation.asked")
    assert entry.flags == ["identifiers:phone"]


def test_only_the_asker_and_the_teams_members_read_and_answer(team_world):
    team, convener, officer, asker = team_world
    consultation = team_services.consultation_ask(
        actor=asker, team=team, subject="Forced begging", body="How do we assess the risk?"
    )
    team_services.consultation_reply(
        actor=officer, consultation=consultation, body="Contact us for a joint assessment."
    )
    for reader in (asker, convener, officer):
        _consultation, thread = selectors.consultation_detail(reader, consultation.uuid)
        assert [body for _message, body in thread] == [
            "How do we assess the risk?",
            "Contact us for a joint assessment.",
        ]
    colleague = case_factories.member(asker.organisation, Role.CASE_MANAGER)
    outsider = case_factories.member(team.organisations.first(), Role.CASE_MANAGER)
    for stranger in (colleague, outsider):
        with pytest.raises(PolicyDenied):
            selectors.consultation_detail(stranger, consultation.uuid)
        with pytest.raises(PolicyDenied):
            team_services.consultation_reply(actor=stranger, consultation=consultation, body="x")
    assert ConsultationMessage.objects.count() == 2


def test_a_team_of_another_country_cannot_be_asked(team_world):
    team, *_rest = team_world
    finn = case_factories.member(case_factories.organisation(Kind.NGO, "FI"))
    with pytest.raises(PolicyDenied):
        team_services.consultation_ask(actor=finn, team=team, subject="Help", body="A question.")


def test_the_form_names_what_looked_like_an_identifier(client, team_world):
    team, _convener, _officer, asker = team_world
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(asker.user, generate_totp_secret())
    login_as(client, asker)
    url = f"/teams/{team.uuid}/consultations/new/"
    data = {"subject": "Labour case", "body": "Born 1991-04-12, mail x@y.se"}
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "an e-mail address" in body and "a date (perhaps a date of birth)" in body
    assert not Consultation.objects.exists()
    response = client.post(url, {**data, "confirmed": "on"})
    assert response.status_code == 302
    api = client.post(
        "/api/v1/consultations/",
        {"team": str(team.uuid), "subject": "Again", "body": "Ring +46 70 123 45 67"},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json()["error"]["fields"]["body"] == ["a phone number"]
    assert Consultation.objects.count() == 1
