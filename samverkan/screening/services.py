"""Writes of screening: recording a screening on a case."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samverkan.accounts.models import Membership
from samverkan.audit.services import audit_record
from samverkan.cases.models import AgeGroup, Case, Category
from samverkan.policy import cases as case_policy
from samverkan.screening import registry, rule
from samverkan.screening.models import Screening

NOTE_MAX = 2000


def audience_of(case: Case) -> str | None:
    """The person's audience as the case knows it; None when the age group is unknown."""
    if case.person.is_child:
        return "child"
    return None if case.person.age_group == AgeGroup.UNKNOWN else "adult"


def answer_error_message(error: rule.AnswerError) -> str:
    messages = {
        "unknown_indicator": _("These are not indicators of the chosen set: %(ids)s."),
        "invalid_answer": _("Answer yes, no or unknown for: %(ids)s."),
        "audience_contradicts_set": _("This set of indicators is not for the person's age."),
        "audience_required": _("Say whether the person is an adult or a child."),
    }
    return messages[error.code] % {"ids": ", ".join(error.ids)}


@transaction.atomic
def record_screening(
    *,
    actor: Membership,
    case: Case,
    catalogue_id: str,
    version: str,
    set_id: str,
    language: str,
    answers: dict[str, str],
    note: str = "",
    audience: str | None = None,
) -> tuple[Screening, rule.Result]:
    """Record a screening on ``case``: the answers sealed with the catalogue version.

    ``audience`` ("adult" or "child", as the professional estimated it) counts only
    where the case does not know the person's age group.
    """
    # Locked like a closing, so that a screening never lands on a case closed meanwhile.
    case = Case.objects.select_related("person").select_for_update(of=("self",)).get(pk=case.pk)
    access = case_policy.case_access(actor, case)
    case_policy.require_on_case(actor, "case.screening.record", case, access)
    if case.is_closed:
        raise ValidationError(_("The case is closed: it takes no new screening."))
    catalogue = registry.get(catalogue_id, version)
    if catalogue is None:
        raise ValidationError(_("Choose a catalogue of indicators from the list."))
    indicator_set = catalogue.sets.get(set_id)
    if indicator_set is None:
        raise ValidationError(_("Choose a set of indicators from the list."))
    if language not in catalogue.texts:
        raise ValidationError(_("The catalogue has no texts in this language."))
    if len(note) > NOTE_MAX:
        raise ValidationError(_("Write at most %(max)d characters.") % {"max": NOTE_MAX})
    audience = audience_of(case) or audience
    if audience is None:
        audience = indicator_set.audience if indicator_set.audience != "any" else "adult"
    if indicator_set.audience not in (audience, "any"):
        if audience == "child":
            raise ValidationError(_("The person is a child: use a set of indicators for children."))
        raise ValidationError(_("The person is an adult: use a set of indicators for adults."))
    try:
        result = rule.evaluate(catalogue, indicator_set, answers, audience=audience)
    except rule.AnswerError as error:
        raise ValidationError(answer_error_message(error)) from error
    screening = Screening(
        case=case,
        catalogue=catalogue.id,
        catalogue_version=catalogue.version,
        indicator_set=indicator_set.id,
        audience=audience,
        language=language,
        recorded_by=actor,
        organisation_id=actor.organisation_id,
    )
    given = {i: a.value for i, a in result.answers.items() if i in answers}
    screening.seal("answers", {"answers": given, "note": note.strip()})
    screening.save()
    audit_record(
        action="case.screening_recorded",
        actor=actor,
        target=case,
        categories=[Category.EXPLOITATION],
    )
    return screening, result
