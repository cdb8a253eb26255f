"""Writes about organisations and people. Each checks the policy, changes the
rows and records the audit entry in one transaction."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samverkan import crypto
from samverkan.accounts import tasks
from samverkan.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    User,
    hash_secret,
)
from samverkan.audit.services import audit_record
from samverkan.policy import access


class InvitationInvalid(Exception):
    """The link is unknown, used, revoked or expired; which one is not told."""


@transaction.atomic
def organisation_create(
    *, actor: Membership, name: str, kind: str, country: str, municipality: str = ""
) -> Organisation:
    access.require(actor, "organisation.create")
    organisation = Organisation(name=name, kind=kind, country=country, municipality=municipality)
    organisation.full_clean()
    organisation.save()
    audit_record(action="organisation.created", actor=actor, target=organisation)
    return organisation


@transaction.atomic
def invitation_send(
    *, actor: Membership, organisation: Organisation, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite a person by e-mail to join ``organisation`` in ``role``.

    Returns the invitation and its secret token; only the token's hash is
    stored, and the e-mail carrying the link is sent after the commit.
    """
    access.require(actor, "organisation.members.invite", organisation)
    if not access.can_invite_role(actor, role):
        raise ValidationError({"role": _("You cannot invite people in this role.")})
    email = email.strip().lower()
    if Membership.objects.filter(
        organisation=organisation, user__email=email, role=role, is_active=True
    ).exists():
        raise ValidationError({"email": _("This person already has this role here.")})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=hash_secret(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_LIFETIME_DAYS),
    )
    audit_record(action="invitation.sent", actor=actor, target=invitation, reason=f"role={role}")
    transaction.on_commit(
        lambda: tasks.send_invitation_email.enqueue(
            invitation_id=invitation.pk,
            sealed_token=crypto.encrypt(token, context=tasks.invitation_context(invitation.pk)),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
    )
    return invitation, token


def invitation_find(*, token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=hash_secret(token))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        raise InvitationInvalid
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
) -> Membership:
    """Use an invitation once: join as the logged-in ``user``, or create the account.

    A logged-in person may only accept an invitation sent to their own address,
    so that a forwarded link cannot add a role to someone else's account.
    """
    invitation = invitation_find(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise InvitationInvalid
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(
                _("An account with this address exists: log in first, then open the link again.")
            )
        user = User(email=invitation.email, full_name=full_name.strip())
        validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
    elif user.email.lower() != invitation.email:
        raise ValidationError(_("This invitation was sent to another address."))
    membership, _created = Membership.objects.update_or_create(
        user=user,
        organisation=invitation.organisation,
        role=invitation.role,
        defaults={"is_active": True},
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        action="invitation.accepted",
        user=user,
        target=invitation,
        reason=f"role={invitation.role}",
    )
    audit_record(action="membership.created", actor=membership, target=membership)
    return membership


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    access.require(actor, "organisation.members.invite", invitation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(action="invitation.revoked", actor=actor, target=invitation)
    return invitation


@transaction.atomic
def membership_change(
    *, actor: Membership, membership: Membership, role: str, is_active: bool
) -> Membership:
    """Change a colleague's role or deactivate them; effective on their next request."""
    access.require(actor, "organisation.members.change", membership)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role != membership.role and not access.can_assign_role(actor, role):
        raise ValidationError({"role": _("You cannot give this role.")})
    if membership.pk == actor.pk and not is_active:
        raise ValidationError({"is_active": _("You cannot deactivate your own membership.")})
    if (
        role != membership.role
        and Membership.objects.filter(
            user_id=membership.user_id, organisation_id=membership.organisation_id, role=role
        )
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError({"role": _("This person already has this role here.")})
    changes = []
    if role != membership.role:
        changes.append(f"role={membership.role}->{role}")
    if is_active != membership.is_active:
        changes.append(f"active={membership.is_active}->{is_active}")
    if not changes:
        return membership
    membership.role = role
    membership.is_active = is_active
    membership.save(update_fields=["role", "is_active"])
    audit_record(
        action="membership.changed", actor=actor, target=membership, reason="; ".join(changes)
    )
    return membership


def membership_choose(*, request, membership_uuid: str) -> Membership:
    """Act for another of one's own organisations from now on."""
    from samverkan.accounts.middleware import MEMBERSHIP

    membership = (
        Membership.objects.active()
        .filter(user=request.user, uuid=membership_uuid)
        .select_related("organisation")
        .first()
    )
    if membership is None:
        raise access.PolicyDenied
    request.session[MEMBERSHIP] = str(membership.uuid)
    request.membership = membership
    audit_record(action="membership.chosen", actor=membership, target=membership)
    return membership


@transaction.atomic
def api_token_create(*, actor: Membership, name: str) -> tuple[ApiToken, str]:
    """A new token acting as ``actor``; the secret is shown once and stored hashed."""
    access.require(actor, "api_token.manage")
    secret = secrets.token_urlsafe(32)
    token = ApiToken(membership=actor, name=name.strip(), key_hash=hash_secret(secret))
    token.full_clean()
    token.save()
    audit_record(action="api_token.created", actor=actor, target=token)
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Membership, token: ApiToken) -> ApiToken:
    access.require(actor, "api_token.manage", token)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action="api_token.revoked", actor=actor, target=token)
    return token
