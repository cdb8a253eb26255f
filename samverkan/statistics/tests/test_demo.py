"""The demo rapporteur sees meaningful figures: de-duplicated, disclosure-controlled."""

from io import StringIO

import pytest
from django.core.management import call_command

from samverkan.statistics.models import ExternalSource, StatisticsRun

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_last_year_and_this_year(client, login):
    out = StringIO()
    call_command("demo", stdout=out)
    assert "2 new statistics builds" in out.getvalue()
    runs = list(StatisticsRun.objects.order_by("period_start"))
    assert [run.status for run in runs] == [StatisticsRun.Status.PUBLISHED] * 2
    for run in runs:
        figures = run.figures
        assert figures["linked"] is True
        assert figures["persons"] < figures["records"]
        assert figures["ratio"] > 1
    assert ExternalSource.objects.get().record_count == 20
    rapporteur = runs[0].requested_by
    login(client, rapporteur)
    page = client.get(f"/statistics/runs/{runs[1].uuid}/").content.decode()
    assert page.count("<svg") >= 5
    call_command("demo", stdout=StringIO())
    assert StatisticsRun.objects.count() == 2
