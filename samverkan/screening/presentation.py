"""A result in words a professional can read: what was met, and what carried it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from samverkan.screening.catalogue import Catalogue, Indicator, Texts
from samverkan.screening.rule import Result, Status


@dataclass(frozen=True)
class DimensionLine:
    name: str
    status: str  # "met", "undetermined", "not_met"
    status_label: str
    explanation: str
    carried_by: list[tuple[str, str]]  # (indicator text, strength)
    unknown_count: int


@dataclass(frozen=True)
class ElementLine:
    name: str
    status: str
    status_label: str
    required: bool


@dataclass(frozen=True)
class Summary:
    catalogue_title: str
    set_name: str
    assessment: str
    assessment_text: str
    dimensions: list[DimensionLine]
    elements: list[ElementLine]
    counts: dict[str, int]
    notes: list[str]
    verified: bool


def doubts(catalogue: Catalogue, indicator_set, texts: Texts) -> tuple[list[str], bool]:
    """What the page must say about the set's sources, and whether it is verified."""
    notes = [texts.notes[n] for n in (*indicator_set.notes, *catalogue.rule.notes)]
    return notes, indicator_set.verified and catalogue.rule.verified


def _status_label(status: Status) -> str:
    return {
        Status.MET: _("Met"),
        Status.UNDETERMINED: _("Not determined"),
        Status.NOT_MET: _("Not met"),
    }[status]


def clause_text(catalogue: Catalogue, texts: Texts, clause) -> str:
    """{"strong": 1, "medium_or_weak": 1} -> "1 strong + 1 medium or weak"."""
    parts = []
    for key, count in clause.items():
        members = [s for s in catalogue.strengths if s in catalogue.rule.members(key)]
        name = _(" or ").join(texts.strengths[s] for s in members)
        parts.append(f"{count} {name}")
    return " + ".join(parts)


def _assessment_text(catalogue: Catalogue, result: Result) -> str:
    if catalogue.kind == "checklist":
        return {
            Status.MET: _(
                "At least one indicator of forced labour is present. Assess the whole "
                "situation: one indicator can be enough, or several may be needed."
            ),
            Status.UNDETERMINED: _("No indicator is present yet, but some answers are unknown."),
            Status.NOT_MET: _("None of the indicators of forced labour is present."),
        }[result.assessment]
    if result.audience == "child":
        met = _(
            "The indicators meet what the ILO/EC rule requires for trafficking of a child "
            "(exploitation; for a child no means are required)."
        )
    else:
        met = _(
            "The indicators meet every element the ILO/EC rule requires for trafficking of "
            "an adult: recruitment, exploitation, and coercion or abuse of vulnerability at "
            "destination."
        )
    return {
        Status.MET: met,
        Status.UNDETERMINED: _(
            "Not determined: some required elements could be met by the answers that are "
            "still unknown. Find out more before drawing a conclusion."
        ),
        Status.NOT_MET: _(
            "The answers given do not meet the ILO/EC rule. This does not rule out "
            "trafficking: indicators are seldom all visible at once."
        ),
    }[result.assessment]


def _indicator(texts: Texts, indicator: Indicator) -> tuple[str, str]:
    return texts.indicator(indicator), texts.strengths[indicator.strength]


def _explanation(catalogue, texts, line) -> str:
    if line.status is Status.MET:
        return _("Met with %(clause)s.") % {"clause": clause_text(catalogue, texts, line.clause)}
    needs = _(", or ").join(clause_text(catalogue, texts, c) for c in catalogue.rule.clauses)
    if line.status is Status.UNDETERMINED:
        return _("Not met yet: the unknown answers could complete %(clause)s. Needs %(needs)s.") % {
            "clause": clause_text(catalogue, texts, line.clause),
            "needs": needs,
        }
    return _("Not met. Needs %(needs)s.") % {"needs": needs}


def summarise(catalogue: Catalogue, result: Result, language: str) -> Summary:
    texts = catalogue.texts_for(language)
    indicator_set = catalogue.sets[result.set_id]
    dimensions = [
        DimensionLine(
            name=texts.dimensions[line.dimension],
            status=line.status.key,
            status_label=_status_label(line.status),
            explanation=_explanation(catalogue, texts, line),
            carried_by=[_indicator(texts, i) for i in line.carried_by],
            unknown_count=len(line.unknown),
        )
        for line in result.dimensions
    ]
    elements = [
        ElementLine(
            name=texts.elements[line.element],
            status=line.status.key,
            status_label=_status_label(line.status),
            required=line.required,
        )
        for line in result.elements
    ]
    notes, verified = doubts(catalogue, indicator_set, texts)
    return Summary(
        catalogue_title=texts.title,
        set_name=texts.sets[indicator_set.id],
        assessment=result.assessment.key,
        assessment_text=_assessment_text(catalogue, result),
        dimensions=dimensions,
        elements=elements,
        counts={a: result.counts().get(a, 0) for a in ("yes", "no", "unknown")},
        notes=notes,
        verified=verified,
    )
