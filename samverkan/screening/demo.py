"""A demo screening, so that the case page shows an explained result."""

from __future__ import annotations

from samverkan.accounts.models import Membership
from samverkan.cases.models import Case, ExploitationForm
from samverkan.screening import registry, services

DELPHI = ("ilo-ec-delphi", "2009.1")


def screen_demo_case(actor: Membership, case: Case) -> None:
    """Yes to the first two indicators of every dimension, no to the next two, the rest
    unknown."""
    catalogue = registry.get(*DELPHI)
    forms = {row.form for row in case.exploitation_forms.all()}
    indicator_set = catalogue.choose_set(
        form="sexual" if ExploitationForm.SEXUAL in forms else "labour",
        age_estimate=services.audience_of(case),
    )
    answers = {}
    for dimension in catalogue.dimensions:
        rows = [i for i in indicator_set.indicators if i.dimension == dimension]
        answers.update({i.id: "yes" for i in rows[:2]})
        answers.update({i.id: "no" for i in rows[2:4]})
    services.record_screening(
        actor=actor,
        case=case,
        catalogue_id=catalogue.id,
        version=catalogue.version,
        set_id=indicator_set.id,
        language="sv",
        answers=answers,
        note="Screened at the first meeting, with an interpreter.",
    )
