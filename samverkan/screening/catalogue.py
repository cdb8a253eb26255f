"""Indicator catalogues as data: loading and validation. No Django inside.

A catalogue is a YAML file ``<catalogue>-<version>.yaml`` in
``catalogues/`` with its sets, dimensions, indicator strengths and the
combination rule, and one file of texts per language beside it
(``<catalogue>-<version>.<language>.yaml``). A catalogue that fails any
check is refused whole, with a message naming the file and the fault: a
screening must never run on a list with a missing dimension or a
half-translated indicator.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import yaml

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogues"
SOURCE_LANGUAGE = "en"
# The region's languages a catalogue may be translated into; a language is
# offered once its file is complete.
REGION_LANGUAGES = ("en", "sv", "nb", "da", "fi", "et", "lv", "lt", "pl", "ru")
AUDIENCES = ("adult", "child")
SET_AUDIENCES = (*AUDIENCES, "any")
FORMS = ("labour", "sexual")
CHILD_AGE_LIMIT = 18
# <catalogue>-<version>.yaml; the language files add ".<language>".
CATALOGUE_FILE = re.compile(r"^[a-z][a-z0-9-]*-\d+(\.\d+)*\.yaml$")


class CatalogueError(ValueError):
    """A catalogue file is broken; the message names the file and the fault."""


class SetChoiceError(ValueError):
    """The facts given about the person do not choose one set of indicators."""


@dataclass(frozen=True)
class Indicator:
    id: str
    dimension: str
    item: str
    strength: str
    uncertain: str | None = None


@dataclass(frozen=True)
class IndicatorSet:
    id: str
    audience: str
    form: str
    verified: bool
    notes: tuple[str, ...]
    indicators: tuple[Indicator, ...]

    @cached_property
    def by_id(self) -> dict[str, Indicator]:
        return {indicator.id: indicator for indicator in self.indicators}


@dataclass(frozen=True)
class Rule:
    groups: Mapping[str, frozenset[str]]
    clauses: tuple[Mapping[str, int], ...]
    assessment: Mapping[str, tuple[str, ...]]
    verified: bool
    notes: tuple[str, ...]

    def members(self, key: str) -> frozenset[str]:
        """The strengths that a clause's key counts: a strength or a named group."""
        return self.groups.get(key, frozenset({key}))


@dataclass(frozen=True)
class Texts:
    language: str
    title: str
    sets: Mapping[str, str]
    strengths: Mapping[str, str]
    dimensions: Mapping[str, str]
    elements: Mapping[str, str]
    notes: Mapping[str, str]
    uncertain: Mapping[str, str]
    items: Mapping[str, Mapping[str, str]]

    def indicator(self, indicator: Indicator) -> str:
        return self.items[indicator.dimension][indicator.item]


@dataclass(frozen=True)
class Catalogue:
    id: str
    version: str
    kind: str
    source: Mapping[str, object]
    strengths: tuple[str, ...]
    dimensions: tuple[str, ...]
    elements: Mapping[str, tuple[str, ...]]
    rule: Rule
    sets: Mapping[str, IndicatorSet]
    texts: Mapping[str, Texts] = field(default_factory=dict)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(language for language in REGION_LANGUAGES if language in self.texts)

    @property
    def verified(self) -> bool:
        return self.rule.verified and all(s.verified for s in self.sets.values())

    def texts_for(self, language: str) -> Texts:
        """The texts in ``language``, or in English where it has none."""
        return self.texts.get(language) or self.texts[SOURCE_LANGUAGE]

    def choose_set(
        self, *, form: str, age: int | None = None, age_estimate: str | None = None
    ) -> IndicatorSet:
        """The set for this person: a children's set under 18 or when estimated a child."""
        audience = audience_of(age=age, age_estimate=age_estimate)
        for indicator_set in self.sets.values():
            if indicator_set.form == form and indicator_set.audience in (audience, "any"):
                return indicator_set
        raise SetChoiceError("no_set_for_form")


def audience_of(*, age: int | None = None, age_estimate: str | None = None) -> str:
    """ "child" under 18 or when estimated a child (presumed a child, CETS 197 Art. 10(3)),
    otherwise "adult"; contradictory facts are refused."""
    if age is not None and age < 0:
        raise SetChoiceError("age_negative")
    if age is not None and age_estimate is not None:
        if (age < CHILD_AGE_LIMIT) != (age_estimate == "child"):
            raise SetChoiceError("age_contradicts_estimate")
    child = (age is not None and age < CHILD_AGE_LIMIT) or age_estimate == "child"
    return "child" if child else "adult"


def _fail(path: Path, message: str):
    raise CatalogueError(f"{path.name}: {message}")


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _fail(path, "file not found")
    except yaml.YAMLError as error:
        _fail(path, f"not valid YAML ({error.__class__.__name__})")
    if not isinstance(data, dict):
        _fail(path, "must be a mapping at the top level")
    return data


def _require(path: Path, data: Mapping, key: str, kind: type):
    if key not in data:
        _fail(path, f"'{key}' is missing")
    value = data[key]
    if not isinstance(value, kind):
        _fail(path, f"'{key}' must be a {kind.__name__}")
    return value


def _names(path: Path, data: Mapping, key: str) -> tuple[str, ...]:
    """A list of distinct names (strengths, dimensions)."""
    names = _require(path, data, key, list)
    if not names or not all(isinstance(name, str) and name for name in names):
        _fail(path, f"'{key}' must be a list of names")
    if len(set(names)) != len(names):
        _fail(path, f"'{key}' lists a name twice")
    return tuple(names)


def _parse_rule(path: Path, data: dict, strengths, dimensions, elements) -> Rule:
    rule = _require(path, data, "rule", dict)
    groups = {}
    raw_groups = rule.get("groups") or {}
    if not isinstance(raw_groups, dict):
        _fail(path, "rule 'groups' must map each group to its strengths")
    for name, members in raw_groups.items():
        if not isinstance(members, list):
            _fail(path, f"rule group '{name}' must list its strengths")
        unknown = set(members) - set(strengths)
        if unknown:
            _fail(path, f"rule group '{name}' names unknown strengths {sorted(unknown)}")
        groups[name] = frozenset(members)
    clauses = _require(path, rule, "dimension_met_when", list)
    if not clauses:
        _fail(path, "rule 'dimension_met_when' has no clause")
    for clause in clauses:
        if not isinstance(clause, dict) or not clause:
            _fail(path, "each rule clause must be a non-empty mapping of strength to count")
        for key, count in clause.items():
            if key not in strengths and key not in groups:
                _fail(path, f"rule clause names unknown strength or group '{key}'")
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                _fail(path, f"rule clause count for '{key}' must be a whole number of at least 1")
    assessment = _require(path, rule, "assessment", dict)
    for audience in AUDIENCES:
        required = assessment.get(audience)
        if not required:
            _fail(path, f"rule 'assessment' has no elements for audience '{audience}'")
        unknown = set(required) - set(elements)
        if unknown:
            _fail(path, f"rule for '{audience}' names unknown elements {sorted(unknown)}")
    return Rule(
        groups=groups,
        clauses=tuple(dict(clause) for clause in clauses),
        assessment={audience: tuple(assessment[audience]) for audience in AUDIENCES},
        verified=bool(rule.get("verified", False)),
        notes=tuple(rule.get("notes") or ()),
    )


def _parse_set(path: Path, set_id: str, data, strengths, dimensions, seen_ids) -> IndicatorSet:
    if not isinstance(data, dict):
        _fail(path, f"set '{set_id}' must be a mapping")
    audience = data.get("audience")
    if audience not in SET_AUDIENCES:
        _fail(path, f"set '{set_id}' has unknown audience '{audience}'")
    form = data.get("form")
    if form not in FORMS:
        _fail(path, f"set '{set_id}' has unknown form of exploitation '{form}'")
    if not isinstance(data.get("verified"), bool):
        _fail(path, f"set '{set_id}' must say whether it is verified (true or false)")
    indicators = []
    for row in _require(path, data, "indicators", list):
        if not isinstance(row, dict) or not {"id", "dimension", "item", "strength"} <= set(row):
            _fail(path, f"set '{set_id}': each indicator needs id, dimension, item and strength")
        indicator_id = row["id"]
        if not isinstance(indicator_id, str) or not indicator_id:
            _fail(path, f"set '{set_id}': an indicator id must be a non-empty text")
        if indicator_id in seen_ids:
            _fail(path, f"indicator id '{indicator_id}' is used twice")
        seen_ids.add(indicator_id)
        if row["strength"] not in strengths:
            _fail(path, f"indicator '{indicator_id}' has unknown strength '{row['strength']}'")
        if row["dimension"] not in dimensions:
            _fail(path, f"indicator '{indicator_id}' has unknown dimension '{row['dimension']}'")
        indicators.append(
            Indicator(
                id=indicator_id,
                dimension=row["dimension"],
                item=str(row["item"]),
                strength=row["strength"],
                uncertain=row.get("uncertain"),
            )
        )
    missing = [d for d in dimensions if not any(i.dimension == d for i in indicators)]
    if missing:
        _fail(path, f"set '{set_id}' has no indicator for dimension(s) {missing}")
    items = [(i.dimension, i.item) for i in indicators]
    if len(items) != len(set(items)):
        _fail(path, f"set '{set_id}' lists the same item twice in one dimension")
    return IndicatorSet(
        id=set_id,
        audience=audience,
        form=form,
        verified=data["verified"],
        notes=tuple(data.get("notes") or ()),
        indicators=tuple(indicators),
    )


def _complete(path: Path, data: dict, key: str, expected) -> dict[str, str]:
    texts = data.get(key)
    if not isinstance(texts, dict):
        texts = {}
    missing = [name for name in expected if not isinstance(texts.get(name), str) or not texts[name]]
    if missing:
        _fail(path, f"no '{key}' text for {sorted(missing)}")
    return {name: texts[name] for name in expected}


def _parse_texts(path: Path, catalogue: Catalogue) -> Texts:
    data = _read(path)
    if data.get("catalogue") != catalogue.id or str(data.get("version")) != catalogue.version:
        _fail(path, f"is not a text file of {catalogue.id} {catalogue.version}")
    language = data.get("language")
    if language not in REGION_LANGUAGES:
        _fail(path, f"unknown language '{language}'")
    if not isinstance(data.get("title"), str) or not data["title"]:
        _fail(path, "'title' is missing")
    indicators = [i for s in catalogue.sets.values() for i in s.indicators]
    items = data.get("items") if isinstance(data.get("items"), dict) else {}
    missing = sorted(
        {
            i.id
            for i in indicators
            if not isinstance(items.get(i.dimension), dict)
            or not isinstance(items[i.dimension].get(i.item), str)
            or not items[i.dimension][i.item]
        }
    )
    if missing:
        _fail(path, f"no text for indicator(s) {missing}")
    notes = {note for s in catalogue.sets.values() for note in s.notes} | set(catalogue.rule.notes)
    uncertain = {i.uncertain for i in indicators if i.uncertain}
    return Texts(
        language=language,
        title=data["title"],
        sets=_complete(path, data, "sets", catalogue.sets),
        strengths=_complete(path, data, "strengths", catalogue.strengths),
        dimensions=_complete(path, data, "dimensions", catalogue.dimensions),
        elements=_complete(path, data, "elements", catalogue.elements),
        notes=_complete(path, data, "notes", notes),
        uncertain=_complete(path, data, "uncertain", uncertain),
        items={dimension: dict(texts) for dimension, texts in items.items()},
    )


def load_catalogue(path: Path) -> Catalogue:
    """Read and check one catalogue and every language file beside it."""
    data = _read(path)
    catalogue_id = _require(path, data, "catalogue", str)
    version = str(_require(path, data, "version", str | int | float))
    if path.name != f"{catalogue_id}-{version}.yaml":
        _fail(path, f"must be named {catalogue_id}-{version}.yaml")
    strengths = _names(path, data, "strengths")
    dimensions = _names(path, data, "dimensions")
    elements = {}
    for name, members in _require(path, data, "elements", dict).items():
        if not isinstance(members, list) or not members:
            _fail(path, f"element '{name}' must list its dimensions")
        unknown = set(members) - set(dimensions)
        if unknown:
            _fail(path, f"element '{name}' names unknown dimensions {sorted(map(str, unknown))}")
        elements[str(name)] = tuple(members)
    orphans = [d for d in dimensions if not any(d in m for m in elements.values())]
    if orphans:
        _fail(path, f"dimension(s) {orphans} belong to no element")
    rule = _parse_rule(path, data, strengths, dimensions, elements)
    seen_ids: set[str] = set()
    sets = {
        set_id: _parse_set(path, set_id, set_data, strengths, dimensions, seen_ids)
        for set_id, set_data in _require(path, data, "sets", dict).items()
    }
    if not sets:
        _fail(path, "has no set of indicators")
    catalogue = Catalogue(
        id=catalogue_id,
        version=version,
        kind=str(data.get("kind", "")),
        source=dict(_require(path, data, "source", dict)),
        strengths=strengths,
        dimensions=dimensions,
        elements=elements,
        rule=rule,
        sets=sets,
    )
    texts = {}
    # Only this version's files: 2012.1.1's must not be taken for 2012.1's.
    own = re.compile(rf"^{re.escape(catalogue_id)}-{re.escape(version)}\.([a-z]{{2,3}})\.yaml$")
    for text_path in sorted(path.parent.glob(f"{catalogue_id}-{version}.*.yaml")):
        named = own.match(text_path.name)
        if named is None:
            continue
        parsed = _parse_texts(text_path, catalogue)
        if parsed.language != named.group(1):
            _fail(text_path, f"holds language '{parsed.language}' under another name")
        texts[parsed.language] = parsed
    if SOURCE_LANGUAGE not in texts:
        _fail(path, f"has no {SOURCE_LANGUAGE} text file beside it")
    return replace(catalogue, texts=texts)


def load_directory(directory: Path = CATALOGUE_DIR) -> dict[tuple[str, str], Catalogue]:
    """Every catalogue in ``directory`` by (catalogue, version)."""
    catalogues = {}
    for path in sorted(directory.glob("*.yaml")):
        if not CATALOGUE_FILE.match(path.name):
            continue  # a language file: loaded with its catalogue
        catalogue = load_catalogue(path)
        catalogues[(catalogue.id, catalogue.version)] = catalogue
    return catalogues
