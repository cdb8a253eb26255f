"""Organisation admins manage their own organisation's memberships; changes are audited."""

import pytest

from samverkan.accounts.models import Role
from samverkan.audit.models import AuditEntry


def test_an_admin_changes_a_colleagues_role(client, world, login):
    login(client, world.olle)
    response = client.post(
        f"/members/{world.cecilia.uuid}/", {"role": Role.COORDINATOR, "is_active": "on"}
    )
    assert response.status_code == 302
    world.cecilia.refresh_from_db()
    assert world.cecilia.role == Role.COORDINATOR
    entry = AuditEntry.objects.get(action="membership.changed")
    assert entry.reason == "role=case_manager->coordinator"
    assert entry.actor_membership_id == world.olle.pk


def test_a_deactivated_member_loses_access_on_the_next_request(client, world, login):
    login(client, world.cecilia)
    assert client.get("/").status_code == 200
    world.olle.refresh_from_db()
    from samverkan.accounts import services

    services.membership_change(
        actor=world.olle, membership=world.cecilia, role=world.cecilia.role, is_active=False
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/organisation/choose/"


def test_an_admin_cannot_touch_another_organisations_members(client, world, login):
    login(client, world.olle)
    response = client.post(f"/members/{world.alice.uuid}/", {"role": Role.COORDINATOR})
    assert response.status_code == 404
    world.alice.refresh_from_db()
    assert world.alice.role == Role.FRONTLINE


def test_an_admin_cannot_deactivate_themself(client, world, login):
    login(client, world.olle)
    response = client.post(f"/members/{world.olle.uuid}/", {"role": world.olle.role})
    assert response.status_code == 400
    world.olle.refresh_from_db()
    assert world.olle.is_active


def test_an_admin_cannot_make_a_platform_admin(client, world, login):
    login(client, world.olle)
    response = client.post(
        f"/members/{world.cecilia.uuid}/", {"role": Role.PLATFORM_ADMIN, "is_active": "on"}
    )
    assert response.status_code == 400
    world.cecilia.refresh_from_db()
    assert world.cecilia.role == Role.CASE_MANAGER


def test_a_person_with_two_memberships_chooses_whom_to_act_for(client, world):
    from conftest import make_membership

    second = make_membership(world.cecilia.user, world.ngo_fi, Role.CASE_MANAGER)
    client.force_login(world.cecilia.user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/organisation/choose/"
    response = client.post("/organisation/choose/", {"membership": str(second.uuid)})
    assert response.status_code == 302
    page = client.get("/")
    assert "You are acting for NGO FI" in page.text


def test_choosing_someone_elses_membership_is_refused(client, world):
    client.force_login(world.cecilia.user)
    response = client.post("/organisation/choose/", {"membership": str(world.alice.uuid)})
    assert response.status_code == 404


@pytest.mark.parametrize("role_name", ["alice", "cecilia", "karl", "agnes"])
def test_people_who_are_not_admins_see_no_member_pages(client, world, login, role_name):
    login(client, getattr(world, role_name))
    assert client.get(f"/organisations/{world.ngo.uuid}/members/").status_code == 404
    assert client.get("/organisations/").status_code == 404


@pytest.mark.parametrize("value", ["", "not-a-uuid"])
def test_a_malformed_choice_is_answered_with_a_message(client, world, value):
    client.force_login(world.cecilia.user)
    response = client.post("/organisation/choose/", {"membership": value})
    assert response.status_code == 400
    assert (
        "Choose whom you act for." if not value else "Choose one of your organisations."
    ) in response.text


def test_the_platform_admin_sees_no_members_of_another_organisation(client, world, login):
    login(client, world.per)
    page = client.get(f"/organisations/{world.ngo_fi.uuid}/members/")
    assert page.status_code == 200
    assert "Karl" not in page.text
    assert "Nora" not in page.text
