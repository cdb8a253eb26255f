"""Invitations: sent by an organisation admin, single use, expiring, for that organisation."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from samverkan.accounts import services
from samverkan.accounts.models import Invitation, Membership, Role, User
from samverkan.audit.models import AuditEntry
from samverkan.policy.access import PolicyDenied


def invite(client, world, login, run_tasks, django_capture_on_commit_callbacks, **fields):
    login(client, world.olle)
    data = {"email": "new.colleague@test.example", "role": Role.CASE_MANAGER, **fields}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/organisations/{world.ngo.uuid}/members/", data)
    run_tasks()
    return response


@pytest.fixture
def invited(client, world, login, run_tasks, django_capture_on_commit_callbacks):
    response = invite(client, world, login, run_tasks, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    client.logout()
    (message,) = mail.outbox
    link = re.search(r"http://\S+/invitations/(\S+)/", message.body)
    return link.group(1)


def test_the_invitation_email_carries_a_working_link(invited, client, world):
    (message,) = mail.outbox
    assert message.to == ["new.colleague@test.example"]
    assert "NGO SE" in message.subject
    response = client.get(f"/invitations/{invited}/")
    assert response.status_code == 200
    assert "Join NGO SE" in response.text


def test_accepting_creates_the_account_and_the_membership(invited, client, world):
    response = client.post(
        f"/invitations/{invited}/",
        {"full_name": "New Colleague", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.colleague@test.example")
    assert user.check_password("correct horse battery staple")
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (world.ngo, Role.CASE_MANAGER)
    assert AuditEntry.objects.filter(action="invitation.accepted").count() == 1


def test_an_invitation_works_once(invited, client):
    fields = {"full_name": "New Colleague", "password": "correct horse battery staple"}
    assert client.post(f"/invitations/{invited}/", fields).status_code == 302
    again = client.post(f"/invitations/{invited}/", fields | {"full_name": "Someone Else"})
    assert again.status_code == 404
    assert "cannot be used" in again.text
    assert User.objects.filter(email="new.colleague@test.example").count() == 1


def test_an_expired_invitation_is_refused(invited, client):
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = client.post(
            f"/invitations/{invited}/",
            {"full_name": "Late", "password": "correct horse battery staple"},
        )
    assert response.status_code == 404
    assert not User.objects.filter(email="new.colleague@test.example").exists()


def test_a_revoked_invitation_is_refused(invited, client, world, login):
    invitation = Invitation.objects.get()
    login(client, world.olle)
    client.post(f"/organisations/{world.ngo.uuid}/invitations/{invitation.uuid}/revoke/")
    client.logout()
    assert client.get(f"/invitations/{invited}/").status_code == 404


def test_an_unknown_token_is_refused(client, db):
    assert client.get("/invitations/not-a-real-token/").status_code == 404


def test_a_weak_password_is_refused_with_a_message(invited, client):
    response = client.post(f"/invitations/{invited}/", {"full_name": "X", "password": "short"})
    assert response.status_code == 400
    assert "too short" in response.text
    assert not User.objects.filter(email="new.colleague@test.example").exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_logged_in_person_cannot_take_an_invitation_meant_for_someone_else(
    invited, client, world, login
):
    login(client, world.alice)
    response = client.post(f"/invitations/{invited}/")
    assert response.status_code == 400
    assert not Membership.objects.filter(user=world.alice.user, organisation=world.ngo).exists()


def test_an_admin_cannot_invite_into_another_organisation(client, world, login):
    login(client, world.olle)
    response = client.post(
        f"/organisations/{world.ngo_fi.uuid}/members/",
        {"email": "x@test.example", "role": Role.CASE_MANAGER},
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()
    with pytest.raises(PolicyDenied):
        services.invitation_send(
            actor=world.olle, organisation=world.ngo_fi, email="x@test.example", role="frontline"
        )


def test_an_admin_cannot_hand_out_platform_admin(client, world, login):
    login(client, world.olle)
    response = client.post(
        f"/organisations/{world.ngo.uuid}/members/",
        {"email": "x@test.example", "role": Role.PLATFORM_ADMIN},
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_a_frontline_worker_cannot_invite(client, world, login):
    login(client, world.alice)
    response = client.post(
        f"/organisations/{world.police.uuid}/members/",
        {"email": "x@test.example", "role": Role.FRONTLINE},
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_bad_input_gets_field_errors(client, world, login):
    login(client, world.olle)
    response = client.post(
        f"/organisations/{world.ngo.uuid}/members/", {"email": "not an address", "role": "king"}
    )
    assert response.status_code == 400
    assert "Enter a valid email address." in response.text
    assert "Select a valid choice." in response.text
    assert not Invitation.objects.exists()


def test_the_token_is_stored_only_as_its_hash(invited):
    invitation = Invitation.objects.get()
    assert invited not in invitation.token_hash
    assert len(invitation.token_hash) == 64


def test_invitations_are_audited(invited):
    entry = AuditEntry.objects.get(action="invitation.sent")
    assert entry.reason == "role=case_manager"
    assert "new.colleague" not in entry.reason


def test_platform_admin_invites_the_first_admin_of_an_organisation(world):
    invitation, _token = services.invitation_send(
        actor=world.per,
        organisation=world.ngo_fi,
        email="first@test.example",
        role="organisation_admin",
    )
    assert invitation.organisation == world.ngo_fi
    with pytest.raises(ValidationError):
        services.invitation_send(
            actor=world.per, organisation=world.ngo_fi, email="x@test.example", role="frontline"
        )


def test_the_invitation_is_written_in_the_inviting_admins_language(
    client, world, login, run_tasks, django_capture_on_commit_callbacks
):
    login(client, world.olle)
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/organisations/{world.ngo.uuid}/members/",
            {"email": "ny.kollega@test.example", "role": Role.CASE_MANAGER},
        )
    run_tasks()
    (message,) = mail.outbox
    assert message.subject == "Inbjudan till Samverkan från NGO SE"
