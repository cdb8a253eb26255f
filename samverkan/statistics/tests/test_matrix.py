"""Every role against every statistics page and endpoint, and the object rules:
a build of another country, and a build not yet published."""

from __future__ import annotations

import pytest

from conftest import make_membership, make_user
from samverkan.accounts.models import Organisation, Role
from samverkan.policy.access import ROLE_ACTIONS
from samverkan.statistics.models import StatisticsRun
from samverkan.statistics.tests.routes import STATISTICS_ROUTES

POST_ONLY = {"statistics-build"}


def urls(run) -> dict[str, str]:
    return {
        "statistics-overview": "/statistics/",
        "statistics-build": "/statistics/build/",
        "statistics-run": f"/statistics/runs/{run.uuid}/",
        "statistics-report": f"/statistics/runs/{run.uuid}/report/",
        "statistics-export": f"/statistics/runs/{run.uuid}/export/csv/",
        "statistics-sources": "/statistics/sources/",
        "api-statistics-runs": "/api/v1/statistics/runs/",
        "api-statistics-run": f"/api/v1/statistics/runs/{run.uuid}/",
        "api-statistics-sources": "/api/v1/statistics/sources/",
    }


@pytest.mark.parametrize("role", Role.values)
def test_each_role_reaches_exactly_what_the_policy_opens(client, login, published, role):
    office = Organisation.objects.create(
        name=f"Office {role}", kind=Organisation.Kind.RAPPORTEUR, country="SE"
    )
    login(client, make_membership(make_user(f"{role}@stats.example", role), office, role))
    outcomes = {}
    for name, url in urls(published).items():
        allowed = role in ROLE_ACTIONS[STATISTICS_ROUTES[name]]
        if not allowed:
            expected = 403 if name.startswith("api-") else 404
        else:
            expected = 405 if name in POST_ONLY else 200
        outcomes[name] = (client.get(url).status_code, expected)
    assert {name: got for name, (got, _) in outcomes.items()} == {
        name: expected for name, (_, expected) in outcomes.items()
    }


def test_a_rapporteur_of_another_country_finds_no_build_of_sweden(
    client, login, statistics_world, published
):
    login(client, statistics_world.rapporteur_fi)
    for name in ("statistics-run", "statistics-report", "statistics-export", "api-statistics-run"):
        assert client.get(urls(published)[name]).status_code == 404
    assert client.get("/api/v1/statistics/runs/").json()["results"] == []


def test_a_build_not_yet_published_has_no_report_and_no_export(
    client, login, statistics_world, published
):
    queued = StatisticsRun.objects.create(
        country="SE",
        period_start=published.period_start,
        period_end=published.period_end,
        requested_by=statistics_world.rapporteur,
    )
    login(client, statistics_world.rapporteur)
    assert client.get(urls(queued)["statistics-run"]).status_code == 200
    assert client.get(urls(queued)["statistics-report"]).status_code == 404
    assert client.get(urls(queued)["statistics-export"]).status_code == 404
    assert client.get(f"/statistics/runs/{published.uuid}/export/pdf/").status_code == 404
