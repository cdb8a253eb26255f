"""What the rapporteur's statistics count, and who sees them.

Part of the one policy (``samverkan.policy``).

- The rapporteur sees figures only: tables that passed disclosure control,
  never a record, an encoding, a pair of records or an identity. Pages and
  endpoints open to the rapporteur role (``ROLE_ACTIONS``), for the
  rapporteur's own country.
- A build counts every case of the country that is not "not identified",
  every anonymous notification and every uploaded source. It reads no more
  of a case than its statistics need (metadata and the citizenship in the
  identity), and only inside the build.
- A case kept from law enforcement is counted, but never de-duplicated
  against anything law enforcement could hold: it is linked only with other
  cases kept from law enforcement. So every published figure is the sum of
  what the other records give on their own and what the kept cases add on
  their own, and no figure moves because a kept case matched a police
  record (which "first registering agency" or the records-to-persons ratio
  would otherwise betray). The price: a person in a kept case and in a
  police case is counted twice.
"""

from __future__ import annotations

from django.db.models import QuerySet

from samverkan.accounts.models import Membership
from samverkan.cases.models import AnonymousNotification, Case
from samverkan.cases.workflow import IdentificationStatus
from samverkan.policy.access import can


def cases_counted(country: str) -> QuerySet[Case]:
    """The cases a build for ``country`` counts as presumed or identified victims."""
    return Case.objects.filter(country=country).exclude(
        identification_status=IdentificationStatus.NOT_IDENTIFIED
    )


def anonymous_notifications_counted(country: str) -> QuerySet[AnonymousNotification]:
    return AnonymousNotification.objects.filter(notifying_organisation__country=country)


def is_kept_from_law_enforcement(case: Case) -> bool:
    """Such a case is linked only with others like it (see the module docstring)."""
    return case.confidential_from_law_enforcement


def statistics_runs_visible_to(actor: Membership | None):
    from samverkan.statistics.models import StatisticsRun

    if not can(actor, "statistics.view"):
        return StatisticsRun.objects.none()
    return StatisticsRun.objects.filter(country=actor.organisation.country)


def external_sources_visible_to(actor: Membership | None):
    from samverkan.statistics.models import ExternalSource

    if not can(actor, "statistics.source.upload"):
        return ExternalSource.objects.none()
    return ExternalSource.objects.filter(country=actor.organisation.country)
