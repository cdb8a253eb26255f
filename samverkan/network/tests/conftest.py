"""The network's test world: a city union run by a secretariat, with member
cities and their contact persons, and a second secretariat that must see none
of it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from conftest import make_membership, make_user
from samverkan.accounts.models import Membership, Organisation, Role
from samverkan.accounts.tests.auth_helpers import clean_cache, on_commit_in_request  # noqa: F401  (fixtures)
from samverkan.network import services
from samverkan.network.models import Network, Place, Question, Survey

LINK = re.compile(r"http://\S+/respond/(?P<token>[A-Za-z0-9_-]{20,})/")


@dataclass
class Union:
    secretariat: Organisation
    noora: Membership
    other: Membership
    network: Network
    vaxjo: Place
    gdynia: Place
    umea: Place


@pytest.fixture
def union(world) -> Union:
    secretariat = Organisation.objects.create(
        name="UBC Secretariat", kind=Organisation.Kind.NETWORK_SECRETARIAT, country="FI"
    )
    elsewhere = Organisation.objects.create(
        name="Other Task Force", kind=Organisation.Kind.NETWORK_SECRETARIAT, country="EE"
    )
    noora = make_membership(
        make_user("noora@test.example", "Noora"), secretariat, Role.NETWORK_COORDINATOR
    )
    other = make_membership(
        make_user("otto@test.example", "Otto"), elsewhere, Role.NETWORK_COORDINATOR
    )
    network = services.network_create(
        actor=noora, name="Union of the Baltic Cities", kind=Network.Kind.CITY_UNION
    )
    places = {}
    for name, country, email in [
        ("Växjö", "SE", "anna@vaxjo.example"),
        ("Gdynia", "PL", "piotr@gdynia.example"),
        ("Umeå", "SE", "ulla@umea.example"),
    ]:
        place = services.place_create(actor=noora, network=network, name=name, country=country)
        services.contact_create(
            actor=noora,
            place=place,
            full_name=email.split("@")[0].title(),
            email=email,
            organisation_name=f"City of {name}",
        )
        places[name] = place
    return Union(
        secretariat=secretariat,
        noora=noora,
        other=other,
        network=network,
        vaxjo=places["Växjö"],
        gdynia=places["Gdynia"],
        umea=places["Umeå"],
    )


def make_survey(union: Union, **extra) -> Survey:
    """The city union's follow-up: the two questions of the seed, and a yes/no."""
    survey = services.survey_create(
        actor=union.noora,
        network=union.network,
        title="Follow-up of the statement against trafficking",
        deadline=timezone.localdate() + timedelta(days=14),
        **extra,
    )
    services.question_add(
        actor=union.noora,
        survey=survey,
        kind=Question.Kind.LONG_TEXT,
        text="What action has been taken by your city in combating trafficking since 2006?",
        translations={"sv": "Vilka åtgärder har er stad vidtagit mot människohandel sedan 2006?"},
        required=True,
        section="Actions",
    )
    services.question_add(
        actor=union.noora,
        survey=survey,
        kind=Question.Kind.YES_NO,
        text="Does your city have an action plan?",
        required=True,
        section="Action plan",
    )
    return survey


def links_in_outbox(to: str | None = None) -> list[str]:
    return [
        LINK.search(message.body)["token"]
        for message in mail.outbox
        if to is None or message.to == [to]
    ]


def answer(client, token: str, data: dict, *, submit: bool):
    opened = client.get(f"/respond/{token}/")
    assert opened.status_code == 302, opened.content
    return client.post("/respond/", data | ({"submit": "1"} if submit else {"save": "1"}))


@pytest.fixture(autouse=True)
def network_requests(on_commit_in_request, clean_cache):  # noqa: F811  (the imported fixtures)
    """On-commit work (the forwarded link's e-mail) runs at the end of each
    request, and rate-limit history starts empty."""


@pytest.fixture
def send(union, run_tasks, django_capture_on_commit_callbacks):
    """Send as the coordinator, then let the worker mail the links."""

    def run(survey: Survey, places: list[Place]) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.survey_send(actor=union.noora, survey=survey, places=places)
        run_tasks()

    return run
