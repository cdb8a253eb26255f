"""The combination rule, at and around every threshold, for each of the four sets."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samverkan.screening.catalogue import load_directory
from samverkan.screening.rule import AnswerError, Status, evaluate

CATALOGUES = load_directory()
DELPHI = CATALOGUES[("ilo-ec-delphi", "2009.1")]
FORCED_LABOUR = CATALOGUES[("ilo-forced-labour", "2012.1")]
SETS = ["adults_labour", "adults_sexual", "children_labour", "children_sexual"]


def pick(set_id, dimension, strengths):
    """Indicators of ``dimension`` with these strengths (e.g. "ssm"), or None if the set
    has too few."""
    wanted = {"s": "strong", "m": "medium", "w": "weak"}
    chosen = []
    for letter in strengths:
        candidates = [
            i.id
            for i in DELPHI.sets[set_id].indicators
            if i.dimension == dimension and i.strength == wanted[letter] and i.id not in chosen
        ]
        if not candidates:
            return None
        chosen.append(candidates[0])
    return chosen


def status_of(set_id, answers, dimension):
    result = evaluate(DELPHI, DELPHI.sets[set_id], answers)
    return next(d for d in result.dimensions if d.dimension == dimension).status


# (yes answers by strength, expected status of the dimension) at and around
# each clause: 2 strong | 1 strong + 1 medium or weak | 3 medium | 2 medium + 1 weak.
THRESHOLDS = [
    ("s", Status.NOT_MET),
    ("ss", Status.MET),
    ("sm", Status.MET),
    ("sw", Status.MET),
    ("mm", Status.NOT_MET),
    ("mmm", Status.MET),
    ("mmw", Status.MET),
    ("mw", Status.NOT_MET),
    ("mww", Status.NOT_MET),
    ("www", Status.NOT_MET),
    ("m", Status.NOT_MET),
    ("w", Status.NOT_MET),
]


# Every (set, dimension, case) whose strengths the set has in that dimension.
THRESHOLD_CASES = [
    (set_id, dimension, chosen, expected)
    for set_id in SETS
    for dimension in DELPHI.dimensions
    for strengths, expected in THRESHOLDS
    if (chosen := pick(set_id, dimension, strengths)) is not None
]


@pytest.mark.parametrize("set_id,dimension,chosen,expected", THRESHOLD_CASES)
def test_thresholds_in_every_dimension_of_every_set(set_id, dimension, chosen, expected):
    answers = dict.fromkeys(DELPHI.sets[set_id].by_id, "no")
    answers.update(dict.fromkeys(chosen, "yes"))
    assert status_of(set_id, answers, dimension) is expected


def test_each_set_reaches_the_thresholds_it_can():
    """The cases left out above are the set's own shape, not a hole: every set is
    tested on the strong and the medium clauses somewhere."""
    for set_id in SETS:
        for strengths in ("ss", "sm", "mmm"):
            assert any(pick(set_id, d, strengths) for d in DELPHI.dimensions), (set_id, strengths)


def answers_for(set_id, yes=(), unknown=()):
    answers = dict.fromkeys(DELPHI.sets[set_id].by_id, "no")
    answers.update(dict.fromkeys(yes, "yes"))
    answers.update(dict.fromkeys(unknown, "unknown"))
    return answers


# Hand-built people, one table per set: (yes, unknown, assessment, dimensions met).
ADULT_CASES = {
    "adults_labour": [
        # Deceived about the job (S) and wages (M); excessive hours (S) and low
        # salary (M); documents taken (S) and debt bondage (S): all three elements.
        (
            ["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04", "AL-CD-01", "AL-CD-02"],
            [],
            Status.MET,
            {"deceptive_recruitment", "exploitative_conditions", "coercion_at_destination"},
        ),
        # The same without coercion at destination: exploitation and deception
        # alone are not trafficking of an adult.
        (
            ["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04"],
            [],
            Status.NOT_MET,
            {"deceptive_recruitment", "exploitative_conditions"},
        ),
        # ... and with the destination answers unknown instead of no: undetermined.
        (
            ["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04"],
            ["AL-CD-01", "AL-CD-02"],
            Status.UNDETERMINED,
            {"deceptive_recruitment", "exploitative_conditions"},
        ),
        # Abuse of vulnerability at recruitment (3 M) and at destination (2 M + 1 W)
        # stand in for deception and coercion; exploitation 3 M.
        (
            ["AL-AR-01", "AL-AR-02", "AL-AR-06", "AL-EX-02", "AL-EX-03", "AL-EX-04"]
            + ["AL-AD-01", "AL-AD-03", "AL-AD-06"],
            [],
            Status.MET,
            {
                "abuse_of_vulnerability_recruitment",
                "exploitative_conditions",
                "abuse_of_vulnerability_destination",
            },
        ),
        # One medium short in every dimension: nothing is met.
        (
            ["AL-AR-01", "AL-AR-02", "AL-EX-02", "AL-EX-03", "AL-AD-01", "AL-AD-06"],
            [],
            Status.NOT_MET,
            set(),
        ),
    ],
    "adults_sexual": [
        # Forced clients is strong for sexual exploitation: with isolation (S) it meets
        # coercion at destination alone.
        (
            ["AS-DR-01", "AS-DR-09", "AS-EX-02", "AS-EX-04", "AS-EX-08", "AS-CD-07", "AS-CD-03"],
            [],
            Status.MET,
            {"deceptive_recruitment", "exploitative_conditions", "coercion_at_destination"},
        ),
        # Excessive hours is not strong here: with one medium it is one short.
        (
            ["AS-DR-01", "AS-DR-09", "AS-EX-01", "AS-EX-04", "AS-CD-07", "AS-CD-03"],
            [],
            Status.NOT_MET,
            {"deceptive_recruitment", "coercion_at_destination"},
        ),
    ],
    "children_labour": [
        # For a child the means are not required: exploitation alone suffices.
        (["CL-EX-01", "CL-EX-04"], [], Status.MET, {"exploitative_conditions"}),
        # No access to education is medium for children: three mediums meet it.
        (["CL-EX-02", "CL-EX-04", "CL-EX-08"], [], Status.MET, {"exploitative_conditions"}),
        # Strong recruitment and coercion without exploitation: not indicated.
        (
            ["CL-CR-01", "CL-CR-02", "CL-CD-01", "CL-CD-02"],
            [],
            Status.NOT_MET,
            {"coercive_recruitment", "coercion_at_destination"},
        ),
        # Exploitation one medium short, one unknown that could complete it.
        (["CL-EX-02", "CL-EX-04"], ["CL-EX-08"], Status.UNDETERMINED, set()),
    ],
    "children_sexual": [
        # Excessive hours is not strong for sexual exploitation.
        (["CS-EX-01", "CS-EX-02"], [], Status.NOT_MET, set()),
        (["CS-EX-01", "CS-EX-02", "CS-EX-03"], [], Status.MET, {"exploitative_conditions"}),
        (["CS-EX-02", "CS-EX-03", "CS-EX-08"], [], Status.MET, {"exploitative_conditions"}),
    ],
}


@pytest.mark.parametrize(
    "set_id,yes,unknown,assessment,met",
    [(set_id, *case) for set_id, cases in ADULT_CASES.items() for case in cases],
)
def test_hand_built_people(set_id, yes, unknown, assessment, met):
    result = evaluate(DELPHI, DELPHI.sets[set_id], answers_for(set_id, yes, unknown))
    assert result.assessment is assessment
    assert set(result.dimensions_met) == met


def test_the_explanation_names_what_carried_each_dimension():
    result = evaluate(
        DELPHI,
        DELPHI.sets["adults_labour"],
        answers_for("adults_labour", ["AL-CD-01", "AL-CD-14", "AL-CD-15", "AL-DR-02"]),
    )
    destination = next(d for d in result.dimensions if d.dimension == "coercion_at_destination")
    assert destination.status is Status.MET
    assert destination.clause == {"strong": 1, "medium_or_weak": 1}
    # The strong one and the first medium-or-weak "yes" in the catalogue's order.
    assert [i.id for i in destination.carried_by] == ["AL-CD-01", "AL-CD-14"]
    assert [i.id for i in destination.yes] == ["AL-CD-01", "AL-CD-14", "AL-CD-15"]
    recruitment = next(e for e in result.elements if e.element == "recruitment")
    assert recruitment.status is Status.NOT_MET and recruitment.required


def test_unanswered_is_unknown_not_no():
    result = evaluate(DELPHI, DELPHI.sets["adults_labour"], {"AL-EX-01": "yes"})
    assert result.assessment is Status.UNDETERMINED
    assert result.counts() == {"yes": 1, "unknown": 66}


def test_bad_answers_are_refused_by_name():
    with pytest.raises(AnswerError) as error:
        evaluate(DELPHI, DELPHI.sets["adults_labour"], {"AL-XX-99": "yes", "AS-CD-06": "no"})
    assert error.value.code == "unknown_indicator"
    assert error.value.ids == ("AL-XX-99", "AS-CD-06")
    with pytest.raises(AnswerError) as error:
        evaluate(DELPHI, DELPHI.sets["adults_labour"], {"AL-EX-01": "maybe"})
    assert (error.value.code, error.value.ids) == ("invalid_answer", ("AL-EX-01",))
    with pytest.raises(AnswerError) as error:
        evaluate(DELPHI, DELPHI.sets["adults_labour"], {}, audience="child")
    assert error.value.code == "audience_contradicts_set"


def test_forced_labour_checklist():
    checklist = FORCED_LABOUR.sets["forced_labour"]
    nothing = evaluate(
        FORCED_LABOUR, checklist, dict.fromkeys(checklist.by_id, "no"), audience="adult"
    )
    assert nothing.assessment is Status.NOT_MET
    one = evaluate(FORCED_LABOUR, checklist, {"FL-07": "yes"}, audience="child")
    assert one.assessment is Status.MET
    assert [i.id for i in one.dimensions[0].carried_by] == ["FL-07"]
    with pytest.raises(AnswerError):
        evaluate(FORCED_LABOUR, checklist, {})


ANSWER = st.sampled_from(["yes", "no", "unknown", None])


@st.composite
def answer_sets(draw):
    set_id = draw(st.sampled_from(SETS))
    ids = list(DELPHI.sets[set_id].by_id)
    answers = {i: a for i in ids if (a := draw(ANSWER)) is not None}
    return set_id, answers


@settings(max_examples=300, deadline=None)
@given(answer_sets(), st.data())
def test_adding_a_yes_never_lowers_anything(drawn, data):
    set_id, answers = drawn
    indicator = data.draw(st.sampled_from(list(DELPHI.sets[set_id].by_id)))
    before = evaluate(DELPHI, DELPHI.sets[set_id], answers)
    after = evaluate(DELPHI, DELPHI.sets[set_id], {**answers, indicator: "yes"})
    assert after.assessment >= before.assessment
    for old, new in zip(before.dimensions, after.dimensions, strict=True):
        assert new.status >= old.status


@settings(max_examples=300, deadline=None)
@given(answer_sets())
def test_unknown_never_counts_as_yes(drawn):
    """What is met with unknown answers is met with them all "no": unknown adds nothing."""
    set_id, answers = drawn
    with_unknown = evaluate(DELPHI, DELPHI.sets[set_id], answers)
    as_no = {i: ("no" if a == "unknown" else a) for i, a in answers.items()}
    with_no = evaluate(DELPHI, DELPHI.sets[set_id], as_no)
    assert with_unknown.dimensions_met == with_no.dimensions_met
    assert (with_unknown.assessment is Status.MET) == (with_no.assessment is Status.MET)
    # And answering every unknown "yes" can only keep or raise the result.
    as_yes = {i: ("yes" if a in ("unknown", None) else a) for i, a in answers.items()}
    as_yes.update({i: "yes" for i in DELPHI.sets[set_id].by_id if i not in answers})
    assert evaluate(DELPHI, DELPHI.sets[set_id], as_yes).assessment >= with_unknown.assessment
