"""The shipped catalogues load whole, and a broken one is refused by name."""

import shutil
from pathlib import Path

import pytest
import yaml

from samverkan.screening.catalogue import (
    CATALOGUE_DIR,
    CatalogueError,
    SetChoiceError,
    load_catalogue,
    load_directory,
)

DELPHI_FILE = "ilo-ec-delphi-2009.1.yaml"


def test_the_shipped_catalogues():
    catalogues = load_directory()
    assert set(catalogues) == {("ilo-ec-delphi", "2009.1"), ("ilo-forced-labour", "2012.1")}
    delphi = catalogues[("ilo-ec-delphi", "2009.1")]
    assert {s: len(delphi.sets[s].indicators) for s in delphi.sets} == {
        "adults_labour": 67,
        "adults_sexual": 67,
        "children_labour": 65,
        "children_sexual": 65,
    }
    assert delphi.languages == ("en", "sv")
    # Nothing is verified against the publication yet, and every set says why.
    assert not delphi.verified
    for indicator_set in delphi.sets.values():
        assert not indicator_set.verified and indicator_set.notes
    forced_labour = catalogues[("ilo-forced-labour", "2012.1")]
    assert len(forced_labour.sets["forced_labour"].indicators) == 11
    assert forced_labour.verified


def test_the_children_labour_set_differs_from_the_adults_as_reported():
    delphi = load_directory()[("ilo-ec-delphi", "2009.1")]
    adults = {(i.dimension, i.item): i.strength for i in delphi.sets["adults_labour"].indicators}
    children = {
        (i.dimension, i.item): i.strength for i in delphi.sets["children_labour"].indicators
    }
    assert set(adults) - set(children) == {
        ("abuse_of_vulnerability_recruitment", "false_information_law"),
        ("exploitative_conditions", "no_social_protection"),
    }
    assert "weak" not in children.values()
    promoted = {key for key in children if adults[key] != "strong" and children[key] == "strong"}
    assert promoted == {
        ("deceptive_recruitment", "education"),
        ("coercive_recruitment", "threats_of_violence"),
        ("coercive_recruitment", "abduction_selling"),
        ("coercive_recruitment", "debt_bondage"),
        ("coercion_at_destination", "threats_of_violence"),
        ("coercion_at_destination", "forced_illicit_activities"),
        ("coercion_at_destination", "forced_tasks_or_clients"),
        ("coercion_at_destination", "under_strong_influence"),
    }


def test_sexual_sets_mark_what_is_uncertain():
    delphi = load_directory()[("ilo-ec-delphi", "2009.1")]
    adults = delphi.sets["adults_sexual"]
    uncertain = {i.id for i in adults.indicators if i.uncertain}
    assert uncertain == {"AS-EX-01", "AS-CD-07"}
    assert not any(
        i.strength == "strong"
        for i in adults.indicators
        if i.dimension == ("exploitative_conditions")
    )
    for language in ("en", "sv"):
        texts = delphi.texts_for(language)
        assert texts.uncertain["strength_reported_for_sexual_exploitation"]


@pytest.fixture
def broken(tmp_path):
    """A copy of the Delphi catalogue to break, one fault per test."""
    for path in CATALOGUE_DIR.glob("ilo-ec-delphi-2009.1*.yaml"):
        shutil.copy(path, tmp_path / path.name)

    def edit(name, change):
        path = Path(tmp_path, name)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return tmp_path / DELPHI_FILE

    return edit


def refused(path) -> str:
    with pytest.raises(CatalogueError) as error:
        load_catalogue(path)
    return str(error.value)


def test_a_duplicate_id_is_refused(broken):
    def duplicate(data):
        data["sets"]["adults_sexual"]["indicators"][3]["id"] = "AL-DR-01"

    message = refused(broken(DELPHI_FILE, duplicate))
    assert message == f"{DELPHI_FILE}: indicator id 'AL-DR-01' is used twice"


def test_an_unknown_strength_is_refused(broken):
    def very_strong(data):
        data["sets"]["adults_labour"]["indicators"][0]["strength"] = "very strong"

    message = refused(broken(DELPHI_FILE, very_strong))
    assert message == f"{DELPHI_FILE}: indicator 'AL-DR-01' has unknown strength 'very strong'"


def test_a_missing_dimension_is_refused(broken):
    def drop(data):
        rows = data["sets"]["children_labour"]["indicators"]
        data["sets"]["children_labour"]["indicators"] = [
            row for row in rows if row["dimension"] != "coercion_at_destination"
        ]

    message = refused(broken(DELPHI_FILE, drop))
    assert message == (
        f"{DELPHI_FILE}: set 'children_labour' has no indicator for dimension(s) "
        "['coercion_at_destination']"
    )


def test_a_missing_translation_is_refused(broken):
    def forget(data):
        del data["items"]["coercion_at_destination"]["debt_bondage"]

    message = refused(broken("ilo-ec-delphi-2009.1.sv.yaml", forget))
    assert message == (
        "ilo-ec-delphi-2009.1.sv.yaml: no text for indicator(s) "
        "['AL-CD-02', 'AS-CD-02', 'CL-CD-02', 'CS-CD-02']"
    )


def test_a_missing_dimension_name_in_a_language_is_refused(broken):
    def forget(data):
        del data["dimensions"]["exploitative_conditions"]

    message = refused(broken("ilo-ec-delphi-2009.1.en.yaml", forget))
    assert message == (
        "ilo-ec-delphi-2009.1.en.yaml: no 'dimensions' text for ['exploitative_conditions']"
    )


def test_a_rule_naming_an_unknown_element_or_strength_is_refused(broken):
    def element(data):
        data["rule"]["assessment"]["adult"].append("intent")

    assert refused(broken(DELPHI_FILE, element)).endswith(
        "rule for 'adult' names unknown elements ['intent']"
    )


def test_a_rule_clause_with_a_bad_count_is_refused(broken):
    def zero(data):
        data["rule"]["dimension_met_when"][0] = {"strong": 0}

    assert refused(broken(DELPHI_FILE, zero)).endswith(
        "rule clause count for 'strong' must be a whole number of at least 1"
    )


def test_a_set_must_say_whether_it_is_verified(broken):
    def unsaid(data):
        del data["sets"]["adults_sexual"]["verified"]

    assert refused(broken(DELPHI_FILE, unsaid)).endswith(
        "set 'adults_sexual' must say whether it is verified (true or false)"
    )


def test_a_catalogue_without_english_or_under_another_name_is_refused(broken, tmp_path):
    path = broken(DELPHI_FILE, lambda data: None)
    (tmp_path / "ilo-ec-delphi-2009.1.en.yaml").unlink()
    assert refused(path) == f"{DELPHI_FILE}: has no en text file beside it"
    renamed = tmp_path / "ilo-ec-delphi-2009.2.yaml"
    path.rename(renamed)
    assert refused(renamed) == (
        "ilo-ec-delphi-2009.2.yaml: must be named ilo-ec-delphi-2009.1.yaml"
    )


def test_not_yaml_is_refused(tmp_path):
    path = tmp_path / "x-1.yaml"
    path.write_text("sets: [unclosed", encoding="utf-8")
    assert refused(path) == "x-1.yaml: not valid YAML (ParserError)"


@pytest.mark.parametrize(
    "facts,expected",
    [
        ({"form": "labour", "age": 17}, "children_labour"),
        ({"form": "labour", "age": 18}, "adults_labour"),
        ({"form": "sexual", "age_estimate": "child"}, "children_sexual"),
        ({"form": "sexual", "age_estimate": "adult"}, "adults_sexual"),
        ({"form": "sexual"}, "adults_sexual"),
        ({"form": "sexual", "age": 16, "age_estimate": "child"}, "children_sexual"),
    ],
)
def test_the_set_follows_the_age(facts, expected):
    delphi = load_directory()[("ilo-ec-delphi", "2009.1")]
    assert delphi.choose_set(**facts).id == expected


@pytest.mark.parametrize(
    "facts,code",
    [
        ({"form": "labour", "age": 15, "age_estimate": "adult"}, "age_contradicts_estimate"),
        ({"form": "labour", "age": 30, "age_estimate": "child"}, "age_contradicts_estimate"),
        ({"form": "labour", "age": -1}, "age_negative"),
        ({"form": "begging"}, "no_set_for_form"),
    ],
)
def test_contradictory_facts_choose_no_set(facts, code):
    delphi = load_directory()[("ilo-ec-delphi", "2009.1")]
    with pytest.raises(SetChoiceError) as error:
        delphi.choose_set(**facts)
    assert str(error.value) == code


def test_the_labour_sets_match_the_secondary_source_row_by_row():
    """Every row of the reference (id, strength, text) is in the catalogue as it stands
    there, and the labour sets hold nothing else."""
    reference = yaml.safe_load(
        (Path(__file__).parent / "data" / "delphi_indicators_secondary.yaml").read_text("utf-8")
    )
    delphi = load_directory()[("ilo-ec-delphi", "2009.1")]
    english = delphi.texts_for("en")
    rows = {
        (row["set"], row["id"]): (row["strength"], row["text"]) for row in reference["indicators"]
    }
    catalogue = {
        (set_id, i.id): (i.strength, english.indicator(i))
        for set_id in ("adults_labour", "children_labour")
        for i in delphi.sets[set_id].indicators
    }
    assert catalogue == rows


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda d: d["rule"].update(groups=["medium"]), "rule 'groups' must map each group"),
        (lambda d: d.update(dimensions=[{"a": 1}]), "'dimensions' must be a list of names"),
        (lambda d: d.update(strengths=["strong", "strong"]), "'strengths' lists a name twice"),
        (lambda d: d.update(strengths="strong"), "'strengths' must be a list"),
        (
            lambda d: d["elements"].update(destination=["coercion_at_destination"]),
            "dimension(s) ['abuse_of_vulnerability_destination'] belong to no element",
        ),
        (
            lambda d: d["sets"]["adults_labour"]["indicators"][0].update(id=None),
            "an indicator id must be a non-empty text",
        ),
    ],
)
def test_malformed_structure_is_named_not_crashed_on(broken, change, message):
    assert message in refused(broken(DELPHI_FILE, change))


def test_a_later_dotted_version_does_not_disturb_this_one(broken, tmp_path):
    path = broken(DELPHI_FILE, lambda data: None)
    for name in ("ilo-ec-delphi-2009.1.en.yaml", "ilo-ec-delphi-2009.1.yaml"):
        later = name.replace("2009.1", "2009.1.1")
        text = (tmp_path / name).read_text(encoding="utf-8").replace("2009.1", "2009.1.1")
        (tmp_path / later).write_text(text, encoding="utf-8")
    assert set(load_directory(tmp_path)) == {
        ("ilo-ec-delphi", "2009.1"),
        ("ilo-ec-delphi", "2009.1.1"),
    }
    assert load_catalogue(path).languages == ("en", "sv")
