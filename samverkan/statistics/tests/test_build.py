"""A build, end to end: request, the real worker, published figures; and the
builds that must fail without publishing anything."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from samverkan.audit.models import AuditEntry
from samverkan.cases.models import Person
from samverkan.statistics.models import StatisticsRun
from samverkan.statistics.services import statistics_run_request


def request_build(w, **overrides):
    """The service alone: nothing runs until the worker does."""
    values = {
        "actor": w.rapporteur,
        "period_start": w.start,
        "period_end": w.end,
        "minimum_cell": 1,
        "match_threshold": 0.8,
    }
    values.update(overrides)
    return statistics_run_request(**values)


def table(run, key):
    return next(t for t in run.figures["tables"] if t["key"] == key)


def test_a_build_counts_cases_and_notifications_and_publishes_on_the_worker(
    statistics_world, registrations, build
):
    run = build(statistics_world)
    assert run.status == StatisticsRun.Status.PUBLISHED
    assert run.progress == 100
    assert run.figures["records"] == 20
    # The man met by the NGO and then the police is one person.
    assert run.figures["persons"] == 19
    assert run.figures["ratio"] == 1.05
    assert run.figures["linked"] is True
    sex = table(run, "sex")
    assert sex["columns"] == ["female", "male"]
    assert sex["column_totals"] == [14, 5]
    agency = table(run, "agency_kind")
    assert dict(zip(agency["columns"], agency["column_totals"], strict=True)) == {
        "police": 6,
        "ngo": 5,
        "shelter": 8,
    }
    citizenship = table(run, "citizenship_group")
    assert dict(zip(citizenship["columns"], citizenship["column_totals"], strict=True)) == {
        "national": 3,
        "eu": 16,
        "non_eu": 0,
    }
    exploitation = table(run, "exploitation")
    assert dict(zip(exploitation["columns"], exploitation["column_totals"], strict=True)) == {
        "sexual": 12,
        "labour": 6,
        "several": 1,
    }
    assert table(run, "status")["column_totals"] == [0, 19]
    assert table(run, "records")["column_totals"] == [12, 8, 0]
    entries = AuditEntry.objects.filter(action="statistics.published", object_id=str(run.uuid))
    assert entries.count() == 1


def test_a_case_kept_from_law_enforcement_is_never_matched_with_a_police_record(
    statistics_world, registrations, build
):
    """The kept case's man is the man of police case 0: counted twice, by design."""
    from samverkan.cases.models import Case

    Case.objects.filter(confidential_from_law_enforcement=True).update(
        confidential_from_law_enforcement=False
    )
    run = build(statistics_world)
    assert run.figures["persons"] == 18


def test_small_counts_are_suppressed_with_a_partner_in_every_table(
    statistics_world, registrations, build
):
    run = build(statistics_world, minimum_cell=5)
    citizenship = table(run, "citizenship_group")
    # 3 Swedes and 16 other EU citizens: the 3 is hidden, and so the 16 beside it.
    assert citizenship["column_totals"] == [None, None, 0]
    assert citizenship["total"] == 19
    for published in run.figures["tables"]:
        values = [*published["row_totals"], *published["column_totals"], published["total"]]
        values += [value for row in published["cells"] for value in row]
        assert all(value is None or value == 0 or value >= 5 for value in values)


def test_a_case_not_identified_is_not_counted(statistics_world, registrations, build):
    from samverkan.cases.models import Case
    from samverkan.cases.workflow import IdentificationStatus

    Case.objects.filter(pk=registrations[1].pk).update(
        identification_status=IdentificationStatus.NOT_IDENTIFIED
    )
    run = build(statistics_world)
    assert run.figures["records"] == 19


def test_a_failed_build_publishes_nothing_and_leaves_earlier_figures(
    statistics_world, registrations, build
):
    first = build(statistics_world)
    published = first.figures
    # A sealed identity that no longer opens: the build must stop, not guess.
    person = Person.objects.filter(cases=registrations[2]).get()
    Person.objects.filter(pk=person.pk).update(identity=registrations[3].person.identity)
    second = build(statistics_world)
    first.refresh_from_db()
    assert second.status == StatisticsRun.Status.FAILED
    assert second.figures is None
    assert second.error == "The build failed. The published figures are unchanged."
    assert first.status == StatisticsRun.Status.PUBLISHED
    assert first.figures == published


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"match_threshold": 0}, "match_threshold", "above 0 and at most 1"),
        ({"match_threshold": 1.5}, "match_threshold", "above 0 and at most 1"),
        ({"minimum_cell": 0}, "minimum_cell", "between 1 and 100"),
        ({"minimum_cell": 101}, "minimum_cell", "between 1 and 100"),
    ],
)
def test_bad_parameters_are_refused_and_nothing_is_queued(
    statistics_world, registrations, overrides, field, message
):
    with pytest.raises(ValidationError) as refused:
        request_build(statistics_world, **overrides)
    assert message in " ".join(refused.value.message_dict[field])
    assert not StatisticsRun.objects.exists()


def test_an_empty_period_and_a_backward_period_are_refused(statistics_world, registrations):
    w = statistics_world
    with pytest.raises(ValidationError) as empty:
        request_build(
            w, period_start=w.start - timedelta(days=400), period_end=w.start - timedelta(days=300)
        )
    assert "Nothing was registered in this period" in " ".join(empty.value.messages)
    with pytest.raises(ValidationError) as backward:
        request_build(w, period_start=w.end, period_end=w.start)
    assert backward.value.message_dict == {"period_end": ["The period ends before it starts."]}
    assert not StatisticsRun.objects.exists()


def test_another_country_counts_nothing_of_sweden(statistics_world, registrations):
    w = statistics_world
    with pytest.raises(ValidationError):
        request_build(w, actor=w.rapporteur_fi)


def test_only_a_rapporteur_may_build(statistics_world, registrations, world):
    from samverkan.policy.access import PolicyDenied

    for actor in (world.karl, world.per, world.agnes, statistics_world.police):
        with pytest.raises(PolicyDenied):
            request_build(statistics_world, actor=actor)
    assert not StatisticsRun.objects.exists()


def test_the_command_builds_with_a_progress_bar(statistics_world, registrations, capsys):
    w = statistics_world
    call_command(
        "statistics_build",
        "--from", w.start.isoformat(), "--to", w.end.isoformat(),
        "--rapporteur", "rasmus@test.example", "--minimum-cell", "1",
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "[##############################] 100% published" in out
    assert "linkage" in out
    assert out.rstrip().endswith("19 persons from 20 records.")
    assert StatisticsRun.objects.get().status == StatisticsRun.Status.PUBLISHED


def test_the_command_explains_what_is_wrong(statistics_world, registrations):
    w = statistics_world
    with pytest.raises(CommandError, match="above 0 and at most 1"):
        call_command(
            "statistics_build",
            "--from", w.start.isoformat(), "--to", w.end.isoformat(),
            "--rapporteur", "rasmus@test.example", "--threshold", "2",
        )  # fmt: skip
    with pytest.raises(CommandError, match="not a date"):
        call_command(
            "statistics_build", "--from", "2025-13-01", "--to", "2025-12-31",
            "--rapporteur", "rasmus@test.example",
        )  # fmt: skip
    with pytest.raises(CommandError, match="No active rapporteur"):
        call_command(
            "statistics_build", "--from", w.start.isoformat(), "--to", w.end.isoformat(),
            "--rapporteur", "cecilia@test.example",
        )  # fmt: skip


def test_differentially_private_builds_spend_the_yearly_budget_until_it_is_refused(
    statistics_world, registrations, build
):
    from samverkan.statistics.models import PrivacySpending

    w = statistics_world
    first = build(w, epsilon=0.6)
    assert first.status == StatisticsRun.Status.PUBLISHED
    assert first.figures["epsilon"] == 0.6
    assert first.figures["persons_low"] is None
    for published in first.figures["tables"]:
        if published["group"] == "persons" and published["total"] is not None:
            shown = [v for v in published["row_totals"] if v is not None]
            assert len(shown) < len(published["rows"]) or sum(shown) == published["total"]
    assert [s.epsilon for s in PrivacySpending.objects.filter(run=first)] == [0.6]
    second = build(w, epsilon=0.4)
    assert second.status == StatisticsRun.Status.PUBLISHED
    with pytest.raises(ValidationError) as spent:
        request_build(w, epsilon=0.1)
    assert spent.value.message_dict["epsilon"] == [
        f"The privacy budget of {w.end.year} is spent: 0.0 of 1.0 is left, "
        "and this build asks for 0.1."
    ]
    # Exact figures cost nothing and stay possible.
    assert build(w).status == StatisticsRun.Status.PUBLISHED


@pytest.mark.parametrize("epsilon", [0, -1, 1.5])
def test_an_epsilon_outside_the_budget_is_refused(statistics_world, registrations, epsilon):
    with pytest.raises(ValidationError) as refused:
        request_build(statistics_world, epsilon=epsilon)
    assert refused.value.message_dict["epsilon"] == [
        "Epsilon must be above 0 and at most the yearly budget, 1.0."
    ]


def test_noise_is_drawn_by_opendp_at_the_stated_scale():
    from samverkan.statistics.disclosure import Table
    from samverkan.statistics.privacy import noisy

    tables = [Table.of(["2026"], ["a"], [[1000]]), Table.of(["2026"], ["b"], [[1000]])]
    draws = [noisy(tables, 1.0)[0].cells[0][0] - 1000 for _ in range(400)]
    spread = sum(abs(d) for d in draws) / len(draws)
    # Laplace of scale 2 (two tables, epsilon 1): mean absolute deviation about 2.
    assert 1.5 < spread < 2.6
    assert len(set(draws)) > 5
