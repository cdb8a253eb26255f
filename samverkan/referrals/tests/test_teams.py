"""Sharing a case with a team, and keeping a team's members: services, API and pages."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import login_as as _login_as
from samverkan.accounts.models import Organisation, Role
from samverkan.audit.models import AuditEntry
from samverkan.cases import services as case_services
from samverkan.cases.models import Category, Purpose
from samverkan.cases.tests import factories as case_factories
from samverkan.policy import cases as case_policy
from samverkan.policy import referrals as referral_policy
from samverkan.policy.access import PolicyDenied
from samverkan.referrals import services, team_services
from samverkan.referrals.models import Referral, TeamShare

pytestmark = pytest.mark.django_db
Kind = Organisation.Kind
AGREED = [Category.CONTACT, Category.SOCIAL]


class World:
    """An NGO leads a case; a municipality convenes a team with the NGO, a shelter
    and the police. The person consents to sharing with shelters and social
    services for assistance, not with the police."""

    def __init__(self):
        self.ngo = case_factories.organisation(Kind.NGO, name="Team NGO")
        self.municipality = case_factories.organisation(Kind.SOCIAL_SERVICES, name="Team Kommun")
        self.shelter = case_factories.organisation(Kind.SHELTER, name="Team Shelter")
        self.police = case_factories.organisation(Kind.POLICE, name="Team Police")
        self.lead = case_factories.member(self.ngo)
        self.convener = case_factories.member(self.municipality, Role.COORDINATOR)
        self.social_worker = case_factories.member(self.municipality, Role.CASE_MANAGER)
        self.shelter_worker = case_factories.member(self.shelter, Role.SERVICE_PROVIDER)
        self.officer = case_factories.member(self.police, Role.FRONTLINE)
        self.team = team_services.team_create(
            actor=self.convener,
            name="Samverkansteam Malmö",
            kind="operational",
            area="Malmö",
            organisations=[self.ngo, self.shelter, self.police],
            members=[self.convener],
        )
        self.case = case_factories.open_case(self.lead)
        self.basis = case_factories.consent(
            self.lead,
            self.case,
            categories=[Category.METADATA, Category.CONTACT, Category.HEALTH, Category.SOCIAL],
            kinds=[Kind.SHELTER, Kind.SOCIAL_SERVICES],
            purposes=[Purpose.ASSISTANCE],
        )

    def share(self, **overrides) -> TeamShare:
        values = {
            "actor": self.lead,
            "case": self.case,
            "team": self.team,
            "basis": self.basis,
            "purpose": Purpose.ASSISTANCE,
            "categories": AGREED,
            "needs": ["shelter"],
            "urgency": "urgent",
            "message": "She needs a place tonight.",
        }
        values.update(overrides)
        return services.team_share_send(**values)


@pytest.fixture
def world():
    return World()


def receivers(share: TeamShare) -> dict[str, str]:
    return {referral.receiver.name: referral.status for referral in share.referrals.all()}


def test_a_share_refers_each_member_the_consent_allows_and_leaves_the_police_out(world):
    share = world.share()

    assert receivers(share) == {"Team Kommun": "sent", "Team Shelter": "sent"}
    assert sorted(entry["reason"] for entry in share.left_out) == ["lead", "not_covered"]
    assert {entry["organisation"] for entry in share.left_out} == {
        str(world.ngo.uuid),
        str(world.police.uuid),
    }
    # The police learn nothing: no referral, no case.
    assert not referral_policy.referrals_visible_to(world.officer).exists()
    assert not case_policy.cases_visible_to(world.officer).exists()
    entry = AuditEntry.objects.get(action="team_share.sent")
    assert entry.object_id == str(share.uuid)
    assert f"left_out:{world.police.uuid}:not_covered" in entry.flags
    assert AuditEntry.objects.filter(action="referral.sent").count() == 2


def test_a_member_accepts_for_itself_and_sees_only_the_agreed_categories(world):
    share = world.share()
    referral = share.referrals.get(receiver=world.shelter)
    # Before accepting, the shelter sees the masked preview only.
    assert not case_policy.case_access(world.shelter_worker, world.case).visible

    services.referral_accept(actor=world.shelter_worker, referral=referral)

    access = case_policy.case_access(world.shelter_worker, world.case)
    assert access.categories == {Category.METADATA, *AGREED}
    assert receivers(share) == {"Team Kommun": "sent", "Team Shelter": "accepted"}
    # The municipality's answer is its own to give.
    assert not case_policy.case_access(world.social_worker, world.case).visible


def test_withdrawn_consent_ends_the_team_share_access_and_its_open_referrals(world):
    share = world.share()
    accepted = share.referrals.get(receiver=world.shelter)
    services.referral_accept(actor=world.shelter_worker, referral=accepted)

    case_services.withdraw_consent(actor=world.lead, case=world.case, consent=world.basis)

    assert not case_policy.case_access(world.shelter_worker, world.case).visible
    assert not case_policy.cases_visible_to(world.shelter_worker).exists()
    assert receivers(share) == {"Team Kommun": "ended", "Team Shelter": "accepted"}


def test_a_case_kept_from_law_enforcement_never_reaches_the_police_member(world):
    basis = case_factories.consent(
        world.lead,
        world.case,
        categories=[Category.METADATA, Category.CONTACT],
        kinds=[Kind.POLICE, Kind.SHELTER],
        purposes=[Purpose.ASSISTANCE],
    )
    case_services.set_confidential_from_law_enforcement(
        actor=world.lead, case=world.case, confidential=True
    )
    share = world.share(basis=basis, categories=[Category.CONTACT])

    assert receivers(share) == {"Team Shelter": "sent"}
    reasons = {entry["organisation"]: entry["reason"] for entry in share.left_out}
    assert reasons[str(world.police.uuid)] == "kept_from_law_enforcement"


def test_a_share_refuses_what_the_basis_does_not_cover_and_writes_nothing(world):
    with pytest.raises(ValidationError, match="does not cover all these categories"):
        world.share(categories=[Category.IMMIGRATION])
    other_country = team_services.team_create(
        actor=case_factories.member(
            case_factories.organisation(Kind.SOCIAL_SERVICES, country="FI"), Role.COORDINATOR
        ),
        name="Helsinki team",
        kind="operational",
        area="Helsinki",
        organisations=[],
    )
    with pytest.raises(ValidationError, match="team of the case's country"):
        world.share(team=other_country)
    lonely = team_services.team_create(
        actor=case_factories.member(world.police, Role.COORDINATOR),
        name="Police only",
        kind="other",
        area="Malmö",
        organisations=[],
    )
    with pytest.raises(ValidationError, match="No member organisation of this team"):
        world.share(team=lonely)
    assert not TeamShare.objects.exists()
    assert not Referral.objects.exists()
    assert not AuditEntry.objects.filter(action__in=["team_share.sent", "referral.sent"]).exists()


def test_only_the_lead_shares_with_a_team(world):
    with pytest.raises(PolicyDenied):
        world.share(actor=world.social_worker)
    assert not TeamShare.objects.exists()


def test_a_second_share_leaves_out_members_with_an_open_referral(world):
    world.share()
    with pytest.raises(ValidationError, match="No member organisation"):
        world.share()
    assert TeamShare.objects.count() == 1


def test_withdrawing_the_share_withdraws_its_open_referrals_only(world):
    share = world.share()
    services.referral_accept(
        actor=world.shelter_worker, referral=share.referrals.get(receiver=world.shelter)
    )

    services.team_share_withdraw(actor=world.lead, share=share)

    assert receivers(share) == {"Team Kommun": "withdrawn", "Team Shelter": "accepted"}
    assert AuditEntry.objects.filter(action="team_share.withdrawn").count() == 1
    with pytest.raises(ValidationError, match="already been withdrawn"):
        services.team_share_withdraw(actor=world.lead, share=share)
    with pytest.raises(PolicyDenied):
        services.team_share_withdraw(actor=world.social_worker, share=share)


def test_a_member_that_leaves_the_team_keeps_what_it_accepted(world):
    share = world.share()
    services.referral_accept(
        actor=world.shelter_worker, referral=share.referrals.get(receiver=world.shelter)
    )

    team_services.team_organisation_remove(
        actor=world.convener, team=world.team, organisation=world.shelter
    )

    # It took part under the person's consent, which still holds: the sender revokes
    # that share if it should end.
    assert receivers(share) == {"Team Kommun": "sent", "Team Shelter": "accepted"}
    assert case_policy.case_access(world.shelter_worker, world.case).visible


def test_a_member_that_leaves_the_team_can_no_longer_accept_its_share(world):
    share = world.share()
    referral = share.referrals.get(receiver=world.shelter)

    team_services.team_organisation_remove(
        actor=world.convener, team=world.team, organisation=world.shelter
    )

    assert receivers(share) == {"Team Kommun": "sent", "Team Shelter": "ended"}
    with pytest.raises(ValidationError, match="has ended"):
        services.referral_accept(actor=world.shelter_worker, referral=referral)
    assert not case_policy.case_access(world.shelter_worker, world.case).visible
    ended = AuditEntry.objects.get(action="referral.ended")
    assert ended.object_id == str(referral.uuid)
    assert ended.flags == [f"team:{world.team.uuid}"]


# --- Team membership ---------------------------------------------------------------


def test_new_members_read_the_teams_consultations_and_removed_ones_no_longer_do(world):
    asker = case_factories.member(case_factories.organisation(Kind.HEALTH), Role.FRONTLINE)
    consultation = team_services.consultation_ask(
        actor=asker, team=world.team, subject="Forced labour", body="How do we assess this?"
    )

    def readers():
        return {
            member
            for member in (world.officer, world.shelter_worker)
            if referral_policy.consultations_visible_to(member).filter(pk=consultation.pk).exists()
        }

    assert readers() == set()

    team_services.team_member_add(actor=world.convener, team=world.team, member=world.officer)
    team_services.team_member_add(
        actor=world.convener, team=world.team, member=world.shelter_worker
    )
    assert readers() == {world.officer, world.shelter_worker}

    team_services.team_organisation_remove(
        actor=world.convener, team=world.team, organisation=world.police
    )
    team_services.team_member_remove(
        actor=world.convener, team=world.team, member=world.shelter_worker
    )
    assert readers() == set()
    assert set(world.team.organisations.all()) == {world.municipality, world.ngo, world.shelter}
    assert list(world.team.members.all()) == [world.convener]
    actions = list(
        AuditEntry.objects.filter(action__startswith="team.")
        .exclude(action="team.created")
        .order_by("sequence")
        .values_list("action", "flags")
    )
    assert actions == [
        ("team.member_added", [f"member:{world.officer.uuid}"]),
        ("team.member_added", [f"member:{world.shelter_worker.uuid}"]),
        (
            "team.organisation_removed",
            # The audit log keeps its flags sorted.
            sorted([f"organisation:{world.police.uuid}", f"member:{world.officer.uuid}"]),
        ),
        ("team.member_removed", [f"member:{world.shelter_worker.uuid}"]),
    ]


def test_membership_changes_refuse_bad_input_and_write_nothing(world):
    health = case_factories.organisation(Kind.HEALTH)
    finnish = case_factories.organisation(Kind.HEALTH, country="FI")
    outsider = case_factories.member(health)
    before = AuditEntry.objects.count()
    refusals = [
        (team_services.team_organisation_remove, {"organisation": world.municipality}, "convener"),
        (team_services.team_organisation_add, {"organisation": world.shelter}, "already"),
        (team_services.team_organisation_add, {"organisation": finnish}, "one country"),
        (team_services.team_organisation_remove, {"organisation": health}, "not a member"),
        (team_services.team_member_add, {"member": world.convener}, "already"),
        (team_services.team_member_add, {"member": outsider}, "member organisation"),
        (team_services.team_member_remove, {"member": world.officer}, "not a member"),
    ]
    for change, target, message in refusals:
        with pytest.raises(ValidationError, match=message):
            change(actor=world.convener, team=world.team, **target)
    # Only the convener's coordinators and organisation admins keep the members.
    for actor in (world.social_worker, case_factories.member(world.ngo, Role.COORDINATOR)):
        with pytest.raises(PolicyDenied):
            team_services.team_organisation_add(actor=actor, team=world.team, organisation=health)
    admin = case_factories.member(world.municipality, Role.ORGANISATION_ADMIN)
    team_services.team_organisation_add(actor=admin, team=world.team, organisation=health)
    assert AuditEntry.objects.count() == before + 1
    assert health in world.team.organisations.all()
    assert finnish not in world.team.organisations.all()


# --- API -----------------------------------------------------------------------------


def login_as(client, membership):
    """Log in with a second factor set up, as every page and endpoint requires."""
    if not membership.user.authenticator_set.exists():
        TOTP.activate(membership.user, generate_totp_secret())
    return _login_as(client, membership)


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_api_shares_a_case_with_a_team_and_says_who_was_left_out(client, world):
    login_as(client, world.lead)
    data = {
        "case": str(world.case.uuid),
        "team": str(world.team.uuid),
        "basis": str(world.basis.uuid),
        "purpose": Purpose.ASSISTANCE,
        "categories": AGREED,
        "needs": ["shelter"],
        "urgency": "urgent",
    }
    response = post(client, reverse("api-team-shares"), data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert sorted(r["receiver"]["name"] for r in body["referrals"]) == [
        "Team Kommun",
        "Team Shelter",
    ]
    assert sorted(entry["organisation"] for entry in body["left_out"]) == [
        "Team NGO",
        "Team Police",
    ]

    for bad, field in (({"team": str(world.case.uuid)}, "team"), ({"needs": []}, "needs")):
        response = post(client, reverse("api-team-shares"), {**data, **bad})
        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]
    assert TeamShare.objects.count() == 1

    share_url = reverse("api-team-share-detail", args=[body["uuid"]])
    assert client.get(share_url).json()["uuid"] == body["uuid"]
    response = post(client, reverse("api-team-share-withdraw", args=[body["uuid"]]), {})
    assert response.status_code == 200
    assert {r["status"] for r in response.json()["referrals"]} == {"withdrawn"}
    again = post(client, reverse("api-team-share-withdraw", args=[body["uuid"]]), {})
    assert again.status_code == 400

    # A member sees its own referral of the share only, and no left-out list.
    login_as(client, world.shelter_worker)
    mine = client.get(share_url).json()
    assert [r["receiver"]["name"] for r in mine["referrals"]] == ["Team Shelter"]
    assert mine["left_out"] == []
    login_as(client, world.officer)
    assert client.get(share_url).status_code == 404


def test_api_keeps_the_teams_members(client, world):
    add = reverse("api-team-members", args=[world.team.uuid])
    remove = reverse("api-team-members-remove", args=[world.team.uuid])
    login_as(client, world.convener)
    response = post(client, add, {"member": str(world.officer.uuid)})
    assert response.status_code == 200
    assert [m["uuid"] for m in response.json()["members"]] == [
        str(world.convener.uuid),
        str(world.officer.uuid),
    ]
    response = post(client, remove, {"organisation": str(world.police.uuid)})
    assert response.status_code == 200
    assert {m["uuid"] for m in response.json()["members"]} == {str(world.convener.uuid)}
    assert str(world.police.uuid) not in {o["uuid"] for o in response.json()["organisations"]}

    before = AuditEntry.objects.filter(action__startswith="team.").count()
    bad = [
        (remove, {"organisation": str(world.municipality.uuid)}),
        (add, {"organisation": str(world.shelter.uuid)}),
        (add, {"organisation": str(world.case.uuid)}),
        (add, {}),
        (add, {"organisation": str(world.shelter.uuid), "member": str(world.officer.uuid)}),
    ]
    for url, data in bad:
        response = post(client, url, data)
        assert response.status_code == 400, (url, data)
        assert response.json()["error"]["message"]
    assert AuditEntry.objects.filter(action__startswith="team.").count() == before

    login_as(client, world.lead)
    assert post(client, add, {"member": str(world.lead.uuid)}).status_code == 403
    lead_admin = case_factories.member(world.ngo, Role.ORGANISATION_ADMIN)
    login_as(client, lead_admin)
    assert post(client, add, {"member": str(world.lead.uuid)}).status_code == 404
    # An organisation admin sees the team, and may keep it only if it convenes it.
    assert (
        client.get(reverse("api-team-detail", args=[world.team.uuid])).json()["may_manage"] is False
    )


# --- Pages ---------------------------------------------------------------------------


def test_the_share_page_shows_who_is_left_out_and_why(client, world):
    login_as(client, world.lead)
    url = reverse("team-share-new", args=[world.case.uuid])
    page = client.get(url).content.decode()
    assert "Team Police: left out — The consent or legal basis does not cover" in page
    assert "Team Shelter: receives a referral" in page

    data = {
        "basis": str(world.basis.uuid),
        "team": str(world.team.uuid),
        "purpose": Purpose.ASSISTANCE,
        "categories": AGREED,
        "needs": ["shelter"],
        "urgency": "urgent",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    case_page = client.get(response["Location"]).content.decode()
    assert "Samverkansteam Malmö" in case_page
    assert "Team Police: The consent or legal basis does not cover" in case_page

    response = client.post(url, {**data, "team": str(world.case.uuid)})
    assert response.status_code == 400
    assert "Choose a team of the case" in response.content.decode()
    assert TeamShare.objects.count() == 1

    withdraw = reverse("team-share-withdraw", args=[TeamShare.objects.get().uuid])
    assert client.post(withdraw).status_code == 302
    response = client.post(withdraw)
    assert response.status_code == 400
    assert "already been withdrawn" in response.content.decode()
    assert set(Referral.objects.values_list("status", flat=True)) == {"withdrawn"}


def test_the_team_page_adds_and_removes_members(client, world):
    login_as(client, world.convener)
    page = client.get(reverse("team-detail", args=[world.team.uuid])).content.decode()
    assert world.officer.user.full_name in page  # offered to add
    url = reverse("team-member-add", args=[world.team.uuid])
    assert client.post(url, {"member": str(world.officer.uuid)}).status_code == 302
    assert world.officer in world.team.members.all()

    url = reverse("team-member-remove", args=[world.team.uuid])
    response = client.post(url, {"organisation": str(world.municipality.uuid)})
    assert response.status_code == 400
    assert "The convener cannot leave its own team." in response.content.decode()
    assert world.municipality in world.team.organisations.all()

    login_as(client, world.social_worker)
    assert client.post(url, {"member": str(world.officer.uuid)}).status_code == 404
    page = client.get(reverse("team-detail", args=[world.team.uuid])).content.decode()
    assert "Remove" not in page
    assert world.officer in world.team.members.all()
