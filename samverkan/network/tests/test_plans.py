"""Action plans measured against the CBSS action points, side by side."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from samverkan.network import plans
from samverkan.network.models import Measure


@pytest.fixture
def compared(union):
    framework = plans.framework_load(
        actor=union.noora, network=union.network, definition=plans.CBSS_MUNICIPAL_GUIDELINES
    )
    point = {p.code: p for p in framework.points.all()}
    vaxjo = plans.action_plan_create(
        actor=union.noora, place=union.vaxjo, title="Växjö plan", period_start=2024, period_end=2026
    )
    plans.measure_create(
        actor=union.noora,
        plan=vaxjo,
        title="Survey of the county",
        action_points=[point["M1"]],
        status=Measure.Status.COMPLETED,
    )
    plans.measure_create(
        actor=union.noora,
        plan=vaxjo,
        title="Staff training",
        action_points=[point["I2"], point["P1"]],
        status=Measure.Status.ONGOING,
    )
    gdynia = plans.action_plan_create(
        actor=union.noora,
        place=union.gdynia,
        title="Gdynia plan",
        period_start=2023,
        period_end=2025,
    )
    plans.measure_create(
        actor=union.noora, plan=gdynia, title="Film review", action_points=[point["P1"]]
    )
    return framework


def test_the_side_by_side_page_marks_every_gap(client, union, login, compared):
    comparison = plans.comparison_build(actor=union.noora, framework=compared)
    assert [place.name for place in comparison.places] == ["Gdynia", "Umeå", "Växjö"]
    served = {("M1", "Växjö"), ("I2", "Växjö"), ("P1", "Växjö"), ("P1", "Gdynia")}
    codes = [point.code for point in compared.points.all()]
    assert (
        set(comparison.gaps)
        == {(code, place) for code in codes for place in ["Gdynia", "Umeå", "Växjö"]} - served
    )
    assert len(comparison.gaps) == 12 * 3 - 4

    login(client, union.noora)
    page = client.get(f"/network/frameworks/{compared.uuid}/").content.decode()
    assert "32 gaps: action points no measure of a place serves." in page
    assert page.count('class="gap"') == 32
    assert "Staff training <small>(Ongoing)</small>" in page


def test_the_side_by_side_spreadsheet(client, union, login, compared):
    login(client, union.noora)
    response = client.get(f"/network/frameworks/{compared.uuid}/side-by-side.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Action point", "Theme", "Gdynia", "Umeå", "Växjö")
    prevention = next(row for row in rows if str(row[0]).startswith("P1 "))
    assert prevention[1:] == (
        "Prevention",
        "Film review (Planned)",
        "Gap",
        "Staff training (Ongoing)",
    )
    assert sum(1 for row in rows[1:] for cell in row[2:] if cell == "Gap") == 32


def test_loading_the_framework_twice_keeps_one_version(union, compared):
    again = plans.framework_load(
        actor=union.noora, network=union.network, definition=plans.CBSS_MUNICIPAL_GUIDELINES
    )
    assert again == compared
    assert again.points.count() == 12
    assert sorted(set(again.points.values_list("theme", flat=True))) == [
        "Cooperation",
        "Identification",
        "Mapping",
        "Prevention",
        "Referral",
    ]


def test_a_measure_ending_before_it_starts_is_refused_and_nothing_saved(client, union, login):
    plan = plans.action_plan_create(
        actor=union.noora, place=union.umea, title="Umeå plan", period_start=2024, period_end=2026
    )
    login(client, union.noora)
    response = client.post(
        f"/network/plans/{plan.uuid}/",
        {
            "title": "Campaign",
            "status": "planned",
            "starts_on": "2025-05-01",
            "ends_on": "2025-01-01",
        },
    )
    assert response.status_code == 400
    assert "A measure cannot end before it starts." in response.content.decode()
    assert not plan.measures.exists()


def test_another_secretariat_cannot_see_the_comparison(client, union, login, compared):
    login(client, union.other)
    assert client.get(f"/network/frameworks/{compared.uuid}/").status_code == 404
    with pytest.raises(plans.access.PolicyDenied):
        plans.comparison_build(actor=union.other, framework=compared)
