"""Who may see and do what in Samverkan: the one place every page, endpoint,
export and search asks.

The model, in the field's words:

- Deny by default. An action not named in ``ROLE_ACTIONS`` is refused to
  everyone; an error while deciding is a refusal too.
- The actor is a membership: a person acting for one organisation in one role.
  A person with several memberships acts for one at a time.
- Roles grant actions on the platform and on the actor's own organisation
  only. A role alone never grants access to a case or to the people in it: a
  platform admin manages the platform, not the people in it.
- Everyone who logs in uses a second factor. Every role sees personal data of
  someone (victims, colleagues, network contacts, the audit trail), so the
  rule is the same for all and written once here.
"""

from __future__ import annotations

import logging

from django.db.models import QuerySet
from django.http import Http404

from samverkan.accounts.models import ApiToken, Invitation, Membership, Organisation, Role

logger = logging.getLogger(__name__)

CASE_WORKERS = frozenset({Role.FRONTLINE, Role.CASE_MANAGER, Role.COORDINATOR})
CASE_ROLES = CASE_WORKERS | {Role.SERVICE_PROVIDER}

# action -> the roles that may perform it, within the limits of `_object_in_scope`.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "dashboard.view": frozenset(Role.values),
    "api_token.manage": frozenset(Role.values),
    "organisation.list": frozenset({Role.PLATFORM_ADMIN, Role.ORGANISATION_ADMIN}),
    "organisation.create": frozenset({Role.PLATFORM_ADMIN}),
    "organisation.members.view": frozenset({Role.ORGANISATION_ADMIN, Role.PLATFORM_ADMIN}),
    "organisation.members.invite": frozenset({Role.ORGANISATION_ADMIN, Role.PLATFORM_ADMIN}),
    "organisation.members.change": frozenset({Role.ORGANISATION_ADMIN}),
    "audit.view": frozenset({Role.AUDITOR}),
    "notification.view": frozenset(Role.values),
    # Case pages open to case workers; which cases, and what of them, is
    # decided per case by samverkan.policy.cases.
    "case.list": CASE_ROLES,
    "case.open": CASE_WORKERS,
    "case.break_glass": frozenset({Role.COORDINATOR}),
    "deadline.view": CASE_ROLES,
    "anonymous_notification.record": CASE_WORKERS,
    "anonymous_notification.list": CASE_WORKERS,
    "country_configuration.manage": frozenset({Role.PLATFORM_ADMIN}),
    # The indicator catalogues, printable checklists and stand-alone
    # screenings hold no personal data and store nothing.
    "screening.use": CASE_ROLES,
    # Referrals and the service directory (samverkan.policy.referrals decides
    # which referrals; the directory holds nothing about a person).
    "referral.inbox": CASE_ROLES,
    "directory.view": frozenset(Role.values),
    "directory.manage": frozenset(
        {Role.SERVICE_PROVIDER, Role.CASE_MANAGER, Role.ORGANISATION_ADMIN}
    ),
    # Organisation admins convene teams, so they see them too (no case data in a team).
    "team.list": CASE_ROLES | {Role.ORGANISATION_ADMIN},
    "team.create": frozenset({Role.COORDINATOR, Role.ORGANISATION_ADMIN}),
    # Only on a team its organisation convenes (policy.referrals.can_manage_team).
    "team.manage": frozenset({Role.COORDINATOR, Role.ORGANISATION_ADMIN}),
    "consultation.ask": CASE_ROLES,
    "mapping.view": frozenset(Role.values),
    "mapping.record": frozenset(
        {Role.COORDINATOR, Role.CASE_MANAGER, Role.NETWORK_COORDINATOR, Role.ORGANISATION_ADMIN}
    ),
    # The cooperation network, run by its organisation's network coordinators
    # (samverkan.policy.network scopes the rows).
    "network.view": frozenset({Role.NETWORK_COORDINATOR}),
    "network.manage": frozenset({Role.NETWORK_COORDINATOR}),
    "survey.manage": frozenset({Role.NETWORK_COORDINATOR}),
    "survey.report": frozenset({Role.NETWORK_COORDINATOR}),
    "action_plan.manage": frozenset({Role.NETWORK_COORDINATOR}),
    "library.view": frozenset({Role.NETWORK_COORDINATOR}),
    "library.manage": frozenset({Role.NETWORK_COORDINATOR}),
    "activity.manage": frozenset({Role.NETWORK_COORDINATOR}),
    "good_practice.review": frozenset({Role.NETWORK_COORDINATOR}),
    # The rapporteur's statistics: figures only (samverkan.policy.statistics).
    "statistics.view": frozenset({Role.RAPPORTEUR}),
    "statistics.build": frozenset({Role.RAPPORTEUR}),
    "statistics.export": frozenset({Role.RAPPORTEUR}),
    "statistics.source.upload": frozenset({Role.RAPPORTEUR}),
}

# Which roles each inviting role may hand out.
INVITABLE_ROLES: dict[str, frozenset[str]] = {
    Role.ORGANISATION_ADMIN: frozenset(Role.values) - {Role.PLATFORM_ADMIN},
    Role.PLATFORM_ADMIN: frozenset({Role.ORGANISATION_ADMIN, Role.PLATFORM_ADMIN}),
}


class PolicyDenied(Http404):
    """Refused. A 404, so that "not yours" looks exactly like "not there"."""


def mfa_required(user) -> bool:
    """Every person who logs in must have a second factor (see the module docstring)."""
    return user.is_authenticated


def _organisation_of(obj) -> int | None:
    if isinstance(obj, Organisation):
        return obj.pk
    if isinstance(obj, Membership | Invitation):
        return obj.organisation_id
    # The network's rows belong to the organisation that runs the network.
    return getattr(obj, "network_organisation_id", None)


def _object_in_scope(actor: Membership, action: str, obj) -> bool:
    if obj is None:
        return True
    if isinstance(obj, ApiToken):
        # A token is its owner's alone, whichever of their memberships made it.
        return obj.membership.user_id == actor.user_id
    if actor.role == Role.PLATFORM_ADMIN and action in {
        "organisation.members.view",
        "organisation.members.invite",
    }:
        # The platform admin sets up organisations and invites their first admins.
        return isinstance(obj, Organisation | Invitation)
    return _organisation_of(obj) == actor.organisation_id


def _decide(actor: Membership | None, action: str, obj) -> bool:
    if actor is None or not actor.is_active:
        return False
    if actor.role not in ROLE_ACTIONS.get(action, frozenset()):
        return False
    return _object_in_scope(actor, action, obj)


def can(actor: Membership | None, action: str, obj=None) -> bool:
    """May this membership perform this action (on this object)? Fails closed."""
    try:
        return _decide(actor, action, obj)
    except Exception:
        logger.exception("policy decision failed; denying", extra={"action": action})
        return False


def require(actor: Membership | None, action: str, obj=None) -> None:
    """Raise the same 404 for "missing", "not yours" and "not allowed"."""
    if not can(actor, action, obj):
        raise PolicyDenied


def can_invite_role(actor: Membership, role: str) -> bool:
    return role in INVITABLE_ROLES.get(actor.role, frozenset())


def can_assign_role(actor: Membership, role: str) -> bool:
    """Role changes follow the same limits as invitations."""
    return can_invite_role(actor, role)


def organisations_visible_to(actor: Membership | None) -> QuerySet[Organisation]:
    if can(actor, "organisation.list") and actor.role == Role.PLATFORM_ADMIN:
        return Organisation.objects.all()
    if can(actor, "organisation.list"):
        return Organisation.objects.filter(pk=actor.organisation_id)
    return Organisation.objects.none()


def memberships_visible_to(actor: Membership | None) -> QuerySet[Membership]:
    if not can(actor, "organisation.members.view", actor.organisation if actor else None):
        return Membership.objects.none()
    return Membership.objects.filter(organisation_id=actor.organisation_id)


def audit_entries_visible_to(actor: Membership | None):
    """An auditor reads what was done for their organisation, and the logins of its people."""
    from django.db.models import Q

    from samverkan.audit.models import AuditEntry

    if not can(actor, "audit.view"):
        return AuditEntry.objects.none()
    member_ids = Membership.objects.filter(organisation_id=actor.organisation_id).values("user_id")
    return AuditEntry.objects.filter(
        Q(organisation_id=actor.organisation_id)
        | Q(organisation_id__isnull=True, actor_user_id__in=member_ids)
    )


def api_tokens_visible_to(actor: Membership | None) -> QuerySet[ApiToken]:
    if not can(actor, "api_token.manage"):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(membership__user_id=actor.user_id)
