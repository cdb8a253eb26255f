"""The demo network: a city union, a sent and partly answered survey, action plans."""

from io import StringIO

import pytest
from django.core.management import call_command

from samverkan.accounts.models import Membership
from samverkan.network import plans, reports
from samverkan.network.models import Framework, Network, Response, Survey

pytestmark = pytest.mark.django_db


def test_the_demo_network_shows_a_compiled_report_and_gaps():
    call_command("demo", stdout=StringIO())
    coordinator = Membership.objects.get(user__email="network@demo.samverkan.example")
    network = Network.objects.get()
    assert network.places.count() == 7
    survey = Survey.objects.get(network=network)
    assert survey.status == Survey.Status.SENT
    report = reports.report_compile(actor=coordinator, survey=survey)
    assert [section.place for section in report.sections] == [
        "Gdynia",
        "Kristiansand",
        "Umeå",
        "Växjö",
    ]
    assert report.missing == ["Arendal, Norway", "Karlstad, Sweden", "Kristianstad, Sweden"]
    comparison = plans.comparison_build(actor=coordinator, framework=Framework.objects.get())
    assert len(comparison.gaps) == 12 * 7 - 7  # Växjö 3, Kristiansand 3, Karlstad 1

    call_command("demo", stdout=StringIO())
    assert Network.objects.count() == 1
    assert Response.objects.filter(status=Response.Status.SUBMITTED).count() == 4
