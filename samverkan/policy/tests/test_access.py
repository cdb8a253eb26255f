"""The policy's own rules: deny by default, fail closed, scopes limited to one's organisation."""

import logging

from samverkan.accounts.models import Role
from samverkan.policy import access


def test_an_unknown_action_is_refused_to_every_role(world):
    for membership in (world.alice, world.olle, world.per, world.agnes):
        assert not access.can(membership, "case.delete_everything")


def test_nobody_is_allowed_anything_without_a_membership(world):
    assert not access.can(None, "dashboard.view")
    assert access.organisations_visible_to(None).count() == 0
    assert access.audit_entries_visible_to(None).count() == 0


def test_an_inactive_membership_is_allowed_nothing(world):
    world.olle.is_active = False
    assert not access.can(world.olle, "organisation.members.invite", world.ngo)


def test_an_error_while_deciding_is_a_refusal(world, monkeypatch, caplog):
    def broken(*args):
        raise RuntimeError("configuration missing")

    monkeypatch.setattr(access, "_object_in_scope", broken)
    with caplog.at_level(logging.ERROR, logger="samverkan.policy.access"):
        assert not access.can(world.olle, "organisation.members.invite", world.ngo)
    assert "policy decision failed; denying" in caplog.text


def test_an_admin_acts_on_their_own_organisation_only(world):
    assert access.can(world.olle, "organisation.members.change", world.cecilia)
    assert not access.can(world.olle, "organisation.members.change", world.alice)
    assert not access.can(world.nora, "organisation.members.change", world.cecilia)


def test_the_platform_admin_manages_organisations_but_not_their_people(world):
    assert access.can(world.per, "organisation.create")
    assert access.can(world.per, "organisation.members.invite", world.ngo_fi)
    assert not access.can(world.per, "organisation.members.change", world.cecilia)
    assert not access.can(world.per, "audit.view")
    assert set(access.organisations_visible_to(world.per)) == {
        world.police,
        world.ngo,
        world.coordination,
        world.ngo_fi,
    }


def test_an_admin_sees_only_their_own_organisation(world):
    assert list(access.organisations_visible_to(world.olle)) == [world.ngo]
    assert set(access.memberships_visible_to(world.olle)) == {
        world.cecilia,
        world.olle,
        world.agnes,
    }


def test_invitable_roles(world):
    assert access.can_invite_role(world.olle, Role.FRONTLINE)
    assert not access.can_invite_role(world.olle, Role.PLATFORM_ADMIN)
    assert not access.can_invite_role(world.alice, Role.FRONTLINE)


def test_an_auditor_sees_their_organisations_entries_and_its_peoples_logins(world, client):
    from samverkan.audit.services import audit_record

    own = audit_record(action="test.ngo", actor=world.cecilia)
    foreign = audit_record(action="test.police", actor=world.alice)
    login_of_colleague = audit_record(action="auth.login", user=world.cecilia.user)
    login_of_stranger = audit_record(action="auth.login", user=world.alice.user)
    visible = set(access.audit_entries_visible_to(world.agnes))
    assert {own, login_of_colleague} <= visible
    assert foreign not in visible
    assert login_of_stranger not in visible
