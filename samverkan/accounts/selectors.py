"""Reads about organisations and people, always through the policy's scopes."""

from django.db.models import QuerySet

from samverkan.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from samverkan.policy import access


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.active().filter(user=user).select_related("organisation", "user")


def organisation_list(*, actor: Membership | None) -> QuerySet[Organisation]:
    return access.organisations_visible_to(actor)


def organisation_get(*, actor: Membership | None, organisation_uuid) -> Organisation:
    organisation = organisation_list(actor=actor).filter(uuid=organisation_uuid).first()
    if organisation is None:
        raise access.PolicyDenied
    return organisation


def member_list(
    *, actor: Membership | None, organisation: Organisation | None = None
) -> QuerySet[Membership]:
    members = access.memberships_visible_to(actor).select_related("user", "organisation")
    return members.filter(organisation=organisation) if organisation else members


def member_get(*, actor: Membership | None, membership_uuid) -> Membership:
    membership = member_list(actor=actor).filter(uuid=membership_uuid).first()
    if membership is None:
        raise access.PolicyDenied
    return membership


def invitation_list(
    *, actor: Membership | None, organisation: Organisation
) -> QuerySet[Invitation]:
    if not access.can(actor, "organisation.members.invite", organisation):
        return Invitation.objects.none()
    return Invitation.objects.filter(organisation=organisation).select_related("invited_by__user")


def api_token_list(*, actor: Membership) -> QuerySet[ApiToken]:
    return access.api_tokens_visible_to(actor).select_related("membership__organisation")
