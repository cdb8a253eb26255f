"""Reads of screening: a case's screenings, within the case's access policy."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from samverkan.accounts.models import Membership
from samverkan.audit.services import audit_record
from samverkan.cases import selectors as case_selectors
from samverkan.cases.models import Case, Category
from samverkan.policy import access as policy
from samverkan.policy import cases as case_policy
from samverkan.screening import registry, rule
from samverkan.screening.catalogue import Catalogue
from samverkan.screening.models import Screening


@dataclass(frozen=True)
class ScreeningView:
    screening: Screening
    # None when the catalogue version it used is no longer installed: the
    # screening is still listed, without a result, rather than breaking the case.
    catalogue: Catalogue | None
    result: rule.Result | None
    note: str


def _view(screening: Screening) -> ScreeningView:
    sealed = screening.unseal("answers") or {}
    catalogue = registry.get(screening.catalogue, screening.catalogue_version)
    indicator_set = catalogue.sets.get(screening.indicator_set) if catalogue else None
    if indicator_set is None:
        return ScreeningView(screening, None, None, sealed.get("note", ""))
    result = rule.evaluate(
        catalogue, indicator_set, sealed.get("answers", {}), audience=screening.audience
    )
    return ScreeningView(screening, catalogue, result, sealed.get("note", ""))


def screenings_shown(case: Case, access: case_policy.CaseAccess) -> list[ScreeningView] | None:
    """The screenings of a case being read, or None when its exploitation details are
    withheld. The caller's read of the case is audited with the categories shown."""
    if not access.shows(Category.EXPLOITATION):
        return None
    rows = case.screenings.select_related("organisation", "recorded_by__user")
    return [_view(screening) for screening in rows]


def case_screenings(
    actor: Membership, case_uuid, *, purpose: str = ""
) -> tuple[Case, list[ScreeningView] | None]:
    """A case's screenings for the API, audited as a read of its exploitation details."""
    with transaction.atomic():
        case, access = case_selectors.visible_case(actor, case_uuid)
        if case is not None:
            purpose = case_selectors.require_purpose(actor, purpose)
            views = screenings_shown(case, access)
            audit_record(
                action="case.screenings_viewed",
                actor=actor,
                target=case,
                categories=[Category.EXPLOITATION] if views is not None else [],
                reason=purpose,
                flags=["break_glass"] if access.break_glass else [],
            )
            return case, views
    raise policy.PolicyDenied
