"""The platform admin registers organisations; nobody else can."""

from conftest import PASSWORD
from samverkan.accounts.models import Organisation
from samverkan.audit.models import AuditEntry

NEW = {"name": "Tartu Victim Support", "kind": "ngo", "country": "EE", "municipality": "Tartu"}


def test_the_platform_admin_registers_an_organisation(client, world, login):
    login(client, world.per)
    response = client.post("/organisations/", NEW)
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Tartu Victim Support")
    assert (organisation.kind, organisation.country) == ("ngo", "EE")
    assert AuditEntry.objects.get(action="organisation.created").object_id == str(organisation.uuid)


def test_a_duplicate_or_unknown_country_is_refused_with_a_message(client, world, login):
    login(client, world.per)
    response = client.post("/organisations/", NEW | {"name": "NGO SE"})
    assert response.status_code == 400
    assert "Organisation with this Name already exists." in response.text
    response = client.post("/organisations/", NEW | {"country": "XX"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.text
    assert not Organisation.objects.filter(name="Tartu Victim Support").exists()


def test_an_organisation_admin_sees_no_form_and_cannot_create(client, world, login):
    login(client, world.olle)
    page = client.get("/organisations/")
    assert page.status_code == 200
    assert "New organisation" not in page.text
    assert client.post("/organisations/", NEW).status_code == 404
    assert not Organisation.objects.filter(name="Tartu Victim Support").exists()


def test_the_login_address_cannot_be_changed_by_its_owner(client, world, login):
    login(client, world.alice)
    page = client.get("/accounts/email/")
    assert page.status_code == 200
    assert "ask your organisation" in page.text
    response = client.post(
        "/accounts/email/", {"email": "elsewhere@test.example", "action_add": ""}
    )
    assert response.status_code == 405
    world.alice.user.refresh_from_db()
    assert world.alice.user.email == "alice@test.example"


def test_the_last_security_key_cannot_be_removed(client, world, login):
    from allauth.mfa.models import Authenticator

    user = world.alice.user
    Authenticator.objects.filter(user=user).delete()
    key = Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "key", "credential": {}}
    )
    login(client, world.alice)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.post(f"/accounts/2fa/webauthn/keys/{key.pk}/remove/", follow=True)
    assert response.redirect_chain == [("/accounts/2fa/webauthn/", 302)]
    assert Authenticator.objects.filter(pk=key.pk).exists()
    assert "You cannot deactivate two-factor authentication." in response.text
