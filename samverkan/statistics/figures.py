"""From linked records to the tables a build publishes, after disclosure control.

Persons are broken down as the European data collection on trafficking does:
by year of first registration in the period, identified or presumed, sex,
child or adult and age band, citizenship (as a group and by country), form
of exploitation and the kind of agency that registered the person first.
Those tables share their year totals and are suppressed together. Records by
source and the referral mechanism's events are separate populations,
suppressed table by table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import Organisation
from samverkan.cases.models import CHILD_AGE_GROUPS, AgeGroup, ExploitationForm, Sex
from samverkan.cases.workflow import MilestoneKind, Outcome
from samverkan.statistics import privacy
from samverkan.statistics.collection import CASE, EXTERNAL, NOTIFICATION, Event, VictimRecord
from samverkan.statistics.disclosure import Suppressed, Table, suppress, suppress_linked
from samverkan.statistics.linking import Persons

UNKNOWN = "unknown"
SEVERAL = "several"
# Member states of the European Union (ISO 3166-1 alpha-2).
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)


@dataclass(frozen=True)
class Person:
    """A person as the figures see them: the breakdowns merged from their records."""

    year: int
    identified: bool
    sex: str
    age_group: str
    citizenship: str
    exploitation: str
    agency_kind: str


def _most_common(values, unknown=UNKNOWN) -> str:
    known = [value for value in values if value and value != unknown]
    return Counter(known).most_common(1)[0][0] if known else unknown


def merge(records: Sequence[VictimRecord]) -> Person:
    """One person from their records: first registration, and the best known values."""
    ordered = sorted(records, key=lambda record: record.registered_on)
    first = ordered[0]
    forms = sorted({form for record in ordered for form in record.exploitation_forms})
    ages = [record.age_group for record in ordered if record.age_group != AgeGroup.UNKNOWN]
    return Person(
        year=first.registered_on.year,
        identified=any(record.identified for record in ordered),
        sex=_most_common(record.sex for record in ordered),
        age_group=ages[0] if ages else AgeGroup.UNKNOWN,
        citizenship=_most_common(record.citizenship for record in ordered),
        exploitation=forms[0] if len(forms) == 1 else (SEVERAL if forms else UNKNOWN),
        agency_kind=first.agency_kind,
    )


def persons_of(records: Sequence[VictimRecord], persons: Persons) -> list[Person]:
    clusters: dict[int, list[VictimRecord]] = {}
    for record, label in zip(records, persons.labels, strict=True):
        clusters.setdefault(label, []).append(record)
    return [merge(cluster) for _label, cluster in sorted(clusters.items())]


def _age(person: Person) -> str:
    if person.age_group in CHILD_AGE_GROUPS:
        return "child"
    return UNKNOWN if person.age_group == AgeGroup.UNKNOWN else "adult"


def _citizenship_group(country: str) -> Callable[[Person], str]:
    def group(person: Person) -> str:
        if person.citizenship == UNKNOWN:
            return UNKNOWN
        if person.citizenship == country:
            return "national"
        return "eu" if person.citizenship in EU_COUNTRIES else "non_eu"

    return group


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    value: Callable[[Person], str]
    # The columns in their order; columns=None: the values present, sorted.
    columns: tuple[str, ...] | None
    # Show every column, even empty ones (the collection's fixed splits).
    always: bool = False


def dimensions(country: str) -> list[Dimension]:
    return [
        Dimension(
            "status",
            _("Identified or presumed"),
            lambda p: "identified" if p.identified else "presumed",
            ("identified", "presumed"),
            always=True,
        ),
        Dimension("sex", _("Sex"), lambda p: p.sex, tuple(Sex.values)),
        Dimension("age", _("Child or adult"), _age, ("child", "adult"), always=True),
        Dimension("age_group", _("Age group"), lambda p: p.age_group, tuple(AgeGroup.values)),
        Dimension(
            "citizenship_group",
            _("Citizenship"),
            _citizenship_group(country),
            ("national", "eu", "non_eu"),
            always=True,
        ),
        Dimension("citizenship", _("Citizenship by country"), lambda p: p.citizenship, None),
        Dimension(
            "exploitation",
            _("Form of exploitation"),
            lambda p: p.exploitation,
            (*ExploitationForm.values, SEVERAL, UNKNOWN),
        ),
        Dimension(
            "agency_kind",
            _("Agency that registered the person first"),
            lambda p: p.agency_kind,
            tuple(Organisation.Kind.values),
        ),
    ]


EVENT_TABLES = [
    ("referrals", _("Referrals to assistance"), (MilestoneKind.REFERRED_TO_ASSISTANCE,)),
    (
        "reflection_periods",
        _("Reflection periods granted"),
        (MilestoneKind.REFLECTION_PERIOD_GRANTED,),
    ),
    (
        "residence_permits",
        _("Residence permits"),
        (
            MilestoneKind.RESIDENCE_PERMIT_GRANTED,
            MilestoneKind.RESIDENCE_PERMIT_RENEWED,
            MilestoneKind.RESIDENCE_PERMIT_REFUSED,
        ),
    ),
    (
        "proceedings",
        _("Legal proceedings"),
        (MilestoneKind.PROCEEDINGS_INITIATED, MilestoneKind.PROCEEDINGS_CONCLUDED),
    ),
    ("outcomes", _("Cases closed, by outcome"), tuple(f"outcome:{o}" for o in Outcome.values)),
]
SOURCES = (CASE, NOTIFICATION, EXTERNAL)


def _table(years: list[int], columns: Sequence[str], pairs: list[tuple[int, str]]) -> Table:
    counts = Counter(pairs)
    return Table.of(
        [str(year) for year in years],
        columns,
        [[counts[(year, column)] for column in columns] for year in years],
    )


def _present(dimension: Dimension, values: list[str]) -> tuple[str, ...]:
    """The dimension's columns that have a count (all of them if it says so), in order.

    Unknown comes last, and only where someone's value is unknown.
    """
    seen = set(values)
    unknown = (UNKNOWN,) if UNKNOWN in seen else ()
    if dimension.columns is None:
        return (*sorted(seen - {UNKNOWN}), *unknown)
    fixed = [c for c in dimension.columns if c != UNKNOWN and (dimension.always or c in seen)]
    return (*fixed, *unknown)


def _published(key: str, group: str, result: Suppressed) -> dict:
    return {"key": key, "group": group, **asdict(result)}


def tabulate(
    *,
    country: str,
    start: date,
    end: date,
    records: Sequence[VictimRecord],
    persons: Persons,
    events: Sequence[Event],
    minimum: int,
    epsilon: float | None = None,
) -> dict:
    """The figures of a build, every table and headline after disclosure control.

    With ``epsilon``, the persons' tables are differentially private first
    (``statistics.privacy``), and the exact range of the person count is not
    published.
    """
    years = list(range(start.year, end.year + 1))
    people = persons_of(records, persons)
    person_tables = []
    for dimension in dimensions(country):
        values = [dimension.value(person) for person in people]
        columns = _present(dimension, values)
        pairs = [(person.year, value) for person, value in zip(people, values, strict=True)]
        person_tables.append((dimension, _table(years, columns, pairs)))
    counted = [table for _d, table in person_tables]
    if epsilon is None:
        linked = suppress_linked(counted, minimum)
    else:
        # Noisy tables no longer share their totals: each is suppressed on its own.
        linked = [suppress(table, minimum) for table in privacy.noisy(counted, epsilon)]
    tables = [
        _published(dimension.key, "persons", result)
        for (dimension, _table_), result in zip(person_tables, linked, strict=True)
    ]
    record_table = suppress(
        _table(years, SOURCES, [(r.registered_on.year, r.source) for r in records]), minimum
    )
    tables.append(_published("records", "records", record_table))
    for key, _title, kinds in EVENT_TABLES:
        pairs = [(event.occurred_on.year, event.kind) for event in events if event.kind in kinds]
        tables.append(_published(key, "events", suppress(_table(years, kinds, pairs), minimum)))
    persons_total = linked[0].total
    records_total = record_table.total
    return {
        "country": country,
        "period": [start.isoformat(), end.isoformat()],
        "minimum_cell": minimum,
        "linked": persons.linked,
        "persons": persons_total,
        "epsilon": epsilon,
        "persons_low": persons.low if persons_total is not None and epsilon is None else None,
        "persons_high": persons.high if persons_total is not None and epsilon is None else None,
        "records": records_total,
        "ratio": (
            round(records_total / persons_total, 2) if records_total and persons_total else None
        ),
        "tables": tables,
    }


# --- Labels, looked up when a table is shown (the stored figures hold keys only) ---

FIXED_LABELS = {
    "identified": _("Identified"),
    "presumed": _("Presumed"),
    "child": _("Child"),
    "adult": _("Adult"),
    UNKNOWN: _("Unknown"),
    "national": _("Nationals"),
    "eu": _("Other EU citizens"),
    "non_eu": _("Citizens of countries outside the EU"),
    SEVERAL: _("Several forms"),
    CASE: _("Cases"),
    NOTIFICATION: _("Anonymous notifications"),
    EXTERNAL: _("Uploaded sources"),
}


def title(key: str) -> str:
    titles = {dimension.key: dimension.title for dimension in dimensions("")}
    titles.update({table_key: table_title for table_key, table_title, _k in EVENT_TABLES})
    titles["records"] = _("Records by source")
    return str(titles[key])


def column_label(key: str, column: str) -> str:
    from django_countries import countries

    if column.startswith("outcome:"):
        return str(Outcome(column.removeprefix("outcome:")).label)
    if key == "citizenship" and column != UNKNOWN:
        return str(countries.name(column) or column)
    choices = {
        "sex": Sex,
        "age_group": AgeGroup,
        "exploitation": ExploitationForm,
        "agency_kind": Organisation.Kind,
    }
    if column in FIXED_LABELS:
        return str(FIXED_LABELS[column])
    if key in choices:
        return str(choices[key](column).label)
    return str(MilestoneKind(column).label)
