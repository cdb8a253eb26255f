"""Who may see what of a cooperation network.

- A network, and everything in it (places, contact persons, surveys, answers,
  action plans), is seen and managed by the network coordinators of the
  organisation that runs it; nobody else learns it exists.
- A participant of an activity has no account either: their report link
  reaches their own report, for 30 days after it is sent.
- A contact person has no account. A personal link reaches exactly one
  place's response to one survey, until the link expires or is revoked; it
  never reaches another place's response, the list of places or the report.
"""

from __future__ import annotations

import hmac

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from samverkan.accounts.models import Membership, hash_secret
from samverkan.network.models import (
    ActionPlan,
    Activity,
    Network,
    Participant,
    Place,
    Survey,
    SurveyLink,
)
from samverkan.policy import access


def networks_visible_to(actor: Membership | None) -> QuerySet[Network]:
    if not access.can(actor, "network.view"):
        return Network.objects.none()
    return Network.objects.filter(organisation_id=actor.organisation_id)


def places_visible_to(actor: Membership | None) -> QuerySet[Place]:
    return Place.objects.filter(network__in=networks_visible_to(actor))


def surveys_visible_to(actor: Membership | None) -> QuerySet[Survey]:
    if not access.can(actor, "survey.manage"):
        return Survey.objects.none()
    return Survey.objects.filter(network__in=networks_visible_to(actor))


def action_plans_visible_to(actor: Membership | None) -> QuerySet[ActionPlan]:
    if not access.can(actor, "action_plan.manage"):
        return ActionPlan.objects.none()
    return ActionPlan.objects.filter(place__network__in=networks_visible_to(actor))


def activities_visible_to(actor: Membership | None) -> QuerySet[Activity]:
    if not access.can(actor, "activity.manage"):
        return Activity.objects.none()
    return Activity.objects.filter(network__in=networks_visible_to(actor))


class LinkInvalid(Http404):
    """The link is unknown, expired, revoked or its survey is closed."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _links():
    return SurveyLink.objects.select_related(
        "response__survey__network", "response__place", "contact"
    )


def _by_token(queryset: QuerySet, field: str, token: str):
    """The row whose ``field`` is the token's digest, or ``LinkInvalid``.

    The lookup is by a digest of 256 random bits; the comparison of what came
    back is constant-time as well, so nothing is learnt from timing.
    """
    digest = hash_secret(token)
    found = queryset.filter(**{field: digest}).first()
    if found is None or not hmac.compare_digest(getattr(found, field), digest):
        raise LinkInvalid("unknown")
    return found


def access_survey_link(token: str) -> SurveyLink:
    """The link a token opens, or ``LinkInvalid`` saying why (never whose)."""
    return _usable(_by_token(_links(), "token_hash", token))


def access_participant_report(token: str) -> Participant:
    """The participant a report link belongs to, while it is open."""
    return _usable_report(_by_token(_participants(), "report_token_hash", token))


def access_session_participant(participant_uuid: str | None) -> Participant:
    found = _participants().filter(uuid=participant_uuid).first() if participant_uuid else None
    if found is None:
        raise LinkInvalid("unknown")
    return _usable_report(found)


def _participants():
    return Participant.objects.select_related("activity__network").filter(
        report_token_hash__isnull=False
    )


def _usable_report(participant: Participant) -> Participant:
    if participant.report_expires_at is None or timezone.now() >= participant.report_expires_at:
        raise LinkInvalid("report_expired")
    return participant


def access_session_link(link_uuid: str | None) -> SurveyLink:
    """The link opened earlier in this session, checked again on every request."""
    link = _links().filter(uuid=link_uuid).first() if link_uuid else None
    if link is None:
        raise LinkInvalid("unknown")
    return _usable(link)


def _usable(link: SurveyLink) -> SurveyLink:
    if link.revoked_at is not None:
        raise LinkInvalid("revoked")
    if not link.is_valid():
        raise LinkInvalid("expired")
    if link.response.survey.status == Survey.Status.CLOSED:
        raise LinkInvalid("closed")
    return link
