"""The combination rule: answered indicators in, an explained assessment out.

A pure function over a catalogue's data, no Django inside. Three answers
are kept apart: "yes", "no" and "unknown" (an unanswered indicator is
unknown). Only "yes" counts towards a dimension; "unknown" can only make a
result *undetermined* ("could be met if the unknown answers were yes"),
never met. So adding a "yes" never lowers a result, and a dimension or an
assessment that is met stays met whatever the unknown answers turn out to be.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from samverkan.screening.catalogue import Catalogue, Indicator, IndicatorSet, Rule


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


ANSWERS = frozenset(answer.value for answer in Answer)


class Status(IntEnum):
    """Ordered, so that "a yes never lowers the result" is a comparison."""

    NOT_MET = 0
    UNDETERMINED = 1
    MET = 2

    @property
    def key(self) -> str:
        return self.name.lower()


class AnswerError(ValueError):
    """Answers that cannot be evaluated; ``code`` says why, ``ids`` which."""

    def __init__(self, code: str, ids: Iterable[str] = ()):
        self.code = code
        self.ids = tuple(sorted(ids))
        super().__init__(f"{code}: {', '.join(self.ids)}")


@dataclass(frozen=True)
class DimensionResult:
    dimension: str
    status: Status
    # The clause the "yes" answers fill (met), or could fill with the
    # unknown answers (undetermined); None when not met.
    clause: Mapping[str, int] | None
    # The "yes" indicators that fill the clause, in catalogue order.
    carried_by: tuple[Indicator, ...]
    yes: tuple[Indicator, ...]
    unknown: tuple[Indicator, ...]


@dataclass(frozen=True)
class ElementResult:
    element: str
    status: Status
    required: bool
    met_by: tuple[str, ...]  # the dimensions that are met


@dataclass(frozen=True)
class Result:
    catalogue: str
    version: str
    set_id: str
    audience: str
    assessment: Status
    dimensions: tuple[DimensionResult, ...]
    elements: tuple[ElementResult, ...]
    answers: Mapping[str, Answer]

    def counts(self) -> Counter:
        return Counter(answer.value for answer in self.answers.values())

    @property
    def dimensions_met(self) -> tuple[str, ...]:
        return tuple(d.dimension for d in self.dimensions if d.status is Status.MET)


def parse_answers(indicator_set: IndicatorSet, answers: Mapping[str, str]) -> dict[str, Answer]:
    """Every indicator of the set answered: given answers checked, the rest unknown."""
    unknown_ids = set(answers) - set(indicator_set.by_id)
    if unknown_ids:
        raise AnswerError("unknown_indicator", unknown_ids)
    invalid = {
        i for i, value in answers.items() if not isinstance(value, str) or value not in ANSWERS
    }
    if invalid:
        raise AnswerError("invalid_answer", invalid)
    return {
        indicator.id: Answer(answers.get(indicator.id, Answer.UNKNOWN))
        for indicator in indicator_set.indicators
    }


def _fill(rule: Rule, clause: Mapping[str, int], available: Counter) -> dict[str, int] | None:
    """How many indicators of each strength fill ``clause``, each counted once; None if
    they cannot. Tried exhaustively: clauses and counts are small."""
    requirements = list(clause.items())

    def assign(index: int, left: Counter) -> Counter | None:
        if index == len(requirements):
            return Counter()
        key, needed = requirements[index]
        for taken in _ways(sorted(rule.members(key)), needed, left):
            rest = assign(index + 1, left - taken)
            if rest is not None:
                return taken + rest
        return None

    used = assign(0, available)
    return None if used is None else dict(used)


def _ways(strengths: list[str], needed: int, left: Counter):
    """Every way to take ``needed`` indicators from ``strengths`` within ``left``."""
    if needed == 0:
        yield Counter()
        return
    if not strengths:
        return
    first, others = strengths[0], strengths[1:]
    for count in range(min(needed, left[first]), -1, -1):
        for rest in _ways(others, needed - count, left):
            yield Counter({first: count}) + rest


def _dimension(rule: Rule, dimension: str, indicators, answers) -> DimensionResult:
    yes = tuple(i for i in indicators if answers[i.id] is Answer.YES)
    unknown = tuple(i for i in indicators if answers[i.id] is Answer.UNKNOWN)
    yes_counts = Counter(i.strength for i in yes)
    for clause in rule.clauses:
        used = _fill(rule, clause, yes_counts)
        if used is not None:
            carried = []
            for strength, count in used.items():
                carried += [i for i in yes if i.strength == strength][:count]
            order = {i.id: n for n, i in enumerate(indicators)}
            carried.sort(key=lambda i: order[i.id])
            return DimensionResult(dimension, Status.MET, clause, tuple(carried), yes, unknown)
    possible = yes_counts + Counter(i.strength for i in unknown)
    for clause in rule.clauses:
        if _fill(rule, clause, possible) is not None:
            return DimensionResult(dimension, Status.UNDETERMINED, clause, (), yes, unknown)
    return DimensionResult(dimension, Status.NOT_MET, None, (), yes, unknown)


def evaluate(
    catalogue: Catalogue,
    indicator_set: IndicatorSet,
    answers: Mapping[str, str],
    *,
    audience: str | None = None,
) -> Result:
    """Assess one set's answers by the catalogue's rule.

    ``audience`` ("adult" or "child") is needed only for a set that serves
    both; a set for one audience is assessed for it.
    """
    if indicator_set.audience != "any":
        if audience not in (None, indicator_set.audience):
            raise AnswerError("audience_contradicts_set", [indicator_set.id])
        audience = indicator_set.audience
    elif audience not in catalogue.rule.assessment:
        raise AnswerError("audience_required", [indicator_set.id])
    parsed = parse_answers(indicator_set, answers)
    rule = catalogue.rule
    dimensions = tuple(
        _dimension(
            rule,
            dimension,
            [i for i in indicator_set.indicators if i.dimension == dimension],
            parsed,
        )
        for dimension in catalogue.dimensions
    )
    status_of = {d.dimension: d.status for d in dimensions}
    required = set(rule.assessment[audience])
    elements = tuple(
        ElementResult(
            element=name,
            status=max(status_of[d] for d in members),
            required=name in required,
            met_by=tuple(d for d in members if status_of[d] is Status.MET),
        )
        for name, members in catalogue.elements.items()
    )
    assessment = min(e.status for e in elements if e.required)
    return Result(
        catalogue=catalogue.id,
        version=catalogue.version,
        set_id=indicator_set.id,
        audience=audience,
        assessment=assessment,
        dimensions=dimensions,
        elements=elements,
        answers=parsed,
    )
