"""Good practices shared by members, reviewed before the network sees them, and
human rights impact assessments of action-plan measures."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samverkan.accounts.models import Membership
from samverkan.audit.services import audit_record
from samverkan.network.models import GoodPractice, ImpactAssessment, Measure, SurveyLink
from samverkan.policy import access
from samverkan.policy.network import networks_visible_to

PRACTICE_FIELDS = ["title", "what", "where", "who", "results", "contact", "themes"]


@transaction.atomic
def practice_submit(*, link: SurveyLink, **fields: str) -> GoodPractice:
    """A contact person shares a practice of their place, through their personal link."""
    practice = GoodPractice(
        network=link.response.survey.network,
        place=link.response.place,
        **{name: (fields.get(name) or "").strip() for name in PRACTICE_FIELDS},
    )
    practice.full_clean()
    practice.save()
    audit_record(action="network.practice_submitted", target=practice)
    return practice


@transaction.atomic
def practice_review(*, actor: Membership, practice: GoodPractice, publish: bool) -> GoodPractice:
    practice = GoodPractice.objects.select_for_update().get(pk=practice.pk)
    access.require(actor, "good_practice.review", practice)
    if practice.status != GoodPractice.Status.SUBMITTED:
        raise ValidationError(_("This practice has already been reviewed."))
    practice.status = GoodPractice.Status.PUBLISHED if publish else GoodPractice.Status.DECLINED
    practice.reviewed_by = actor
    practice.reviewed_at = timezone.now()
    practice.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit_record(
        action="network.practice_published" if publish else "network.practice_declined",
        actor=actor,
        target=practice,
    )
    return practice


def practices_visible_to(actor: Membership | None) -> QuerySet[GoodPractice]:
    if not access.can(actor, "good_practice.review"):
        return GoodPractice.objects.none()
    return GoodPractice.objects.filter(network__in=networks_visible_to(actor))


def practice_search(*, actor: Membership, words: str = "", theme: str = ""):
    """Published practices matching every word (in any field) and the theme."""
    practices = practices_visible_to(actor).filter(status=GoodPractice.Status.PUBLISHED)
    for word in words.split()[:10]:
        match = Q()
        for name in PRACTICE_FIELDS:
            match |= Q(**{f"{name}__icontains": word})
        practices = practices.filter(match)
    if theme:
        practices = practices.filter(themes__icontains=theme)
    return practices.select_related("place")


# The questions of a human rights impact assessment of an anti-trafficking measure.
HRIA_QUESTIONS = [
    (
        "non_discrimination",
        gettext_lazy(
            "Non-discrimination: does the measure treat everyone it "
            "reaches equally, whatever their origin, status or work?"
        ),
    ),
    (
        "migrants",
        gettext_lazy(
            "The rights of migrants: can the measure lead to detention, "
            "deportation or loss of status?"
        ),
    ),
    (
        "sex_workers",
        gettext_lazy(
            "The rights of sex workers: can the measure harm people who sell "
            "sex, or push them away from help?"
        ),
    ),
    (
        "refugees",
        gettext_lazy(
            "Refugees and asylum seekers: does the measure respect the right "
            "to seek asylum and non-refoulement?"
        ),
    ),
    (
        "participation",
        gettext_lazy(
            "Victims' participation and empowerment: were victims and "
            "their organisations heard, and does the measure strengthen them?"
        ),
    ),
    (
        "gender",
        gettext_lazy(
            "Gender perspective: how does the measure affect women, men and "
            "gender minorities differently?"
        ),
    ),
    (
        "children",
        gettext_lazy("Child rights: is the best interest of the child a primary consideration?"),
    ),
]


@transaction.atomic
def assessment_record(
    *, actor: Membership, measure: Measure, answers: dict[str, dict[str, str]]
) -> ImpactAssessment:
    """Record (or replace) the assessment of a measure; every question needs a finding."""
    access.require(actor, "action_plan.manage", measure)
    keys = [key for key, _text in HRIA_QUESTIONS]
    cleaned = {
        key: {
            "finding": (answers.get(key, {}).get("finding") or "").strip(),
            "mitigation": (answers.get(key, {}).get("mitigation") or "").strip(),
        }
        for key in keys
    }
    missing = [key for key in keys if not cleaned[key]["finding"]]
    if missing:
        raise ValidationError(
            {f"{key}_finding": _("Write a finding, even “not relevant”.") for key in missing}
        )
    assessment, _created = ImpactAssessment.objects.update_or_create(
        measure=measure,
        defaults={"answers": cleaned, "assessed_by": actor, "assessed_at": timezone.now()},
    )
    audit_record(action="network.measure_assessed", actor=actor, target=measure)
    return assessment
