"""Demo data for the network: a city union with member cities, the follow-up of
its statement against trafficking (the seed's two questions) sent and partly
answered, and action plans measured against the CBSS action points.
Everything goes through the services, as a coordinator would do it."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from samverkan.accounts.models import Membership, Role
from samverkan.network import library, plans, services
from samverkan.network.models import Measure, Network, Question
from samverkan.network.responses import AnswerForm, link_issue, response_save

NETWORK_NAME = "Union of the Baltic Cities (demo)"
CITIES = [
    ("Kristiansand", "NO", "Kari Nilsen"),
    ("Växjö", "SE", "Anna Lind"),
    ("Gdynia", "PL", "Piotr Nowak"),
    ("Arendal", "NO", "Ola Berg"),
    ("Kristianstad", "SE", "Eva Holm"),
    ("Karlstad", "SE", "Lars Ek"),
    ("Umeå", "SE", "Ulla Sund"),
]
# Answers from the seed's follow-up (2014), shortened.
ANSWERS = {
    "Kristiansand": (
        "- A mapping 2006-2008 resulted in the report “Prostitution in Kristiansand”\n"
        "- Two 20% jobs to help people in prostitution, most of them trafficked\n"
        "- An interdisciplinary operational team with the police and child welfare",
        "yes",
    ),
    "Växjö": (
        "- A survey of experiences of human trafficking in the county (2009/10)\n"
        "- Training for all staff of the municipality (2012/13)",
        "yes",
    ),
    "Gdynia": (
        "- Training by the Municipal Social Welfare Centre (2012)\n"
        "- The “Catseb” project against trafficking (2009)\n"
        "- A film review on trafficking in human beings (2008)",
        "no",
    ),
    "Umeå": (
        "- The campaign “Umeå against prostitution and human trafficking”\n"
        "- Seminars, reports and training of trainers in Västerbotten",
        "yes",
    ),
}


def _answer(survey, place, action: str, plan: str, respondent: str) -> None:
    response = survey.responses.get(place=place)
    link, _token = link_issue(response=response, email=place.contacts.first().email)
    definition = response.version.definition
    form = AnswerForm(
        {"q1": action, "q2": plan, "respondent_name": respondent},
        definition=definition,
        language="en",
    )
    if not form.is_valid():
        raise ValueError(form.errors.as_text())
    response_save(link=link, form=form, submit=True, language="en")


@transaction.atomic
def create_demo_network() -> int:
    """Returns how many networks were made (0 when the demo network exists)."""
    if Network.objects.filter(name=NETWORK_NAME).exists():
        return 0
    coordinator = Membership.objects.get(
        user__email="network@demo.samverkan.example", role=Role.NETWORK_COORDINATOR
    )
    network = services.network_create(
        actor=coordinator,
        name=NETWORK_NAME,
        kind=Network.Kind.CITY_UNION,
        description="Follow-up of the UBC statement against trafficking of women and children.",
    )
    places = {}
    for name, country, contact in CITIES:
        place = services.place_create(
            actor=coordinator, network=network, name=name, country=country
        )
        services.contact_create(
            actor=coordinator,
            place=place,
            full_name=contact,
            email=f"{contact.split()[0].lower()}@{name.lower()}.demo.example",
            organisation_name=f"City of {name}",
        )
        places[name] = place

    survey = services.survey_create(
        actor=coordinator,
        network=network,
        title="UBC statement against trafficking: follow-up",
        introduction="The executive board asked for a follow-up of the 2006 statement.",
        deadline=timezone.localdate() + timedelta(days=21),
    )
    services.question_add(
        actor=coordinator,
        survey=survey,
        kind=Question.Kind.LONG_TEXT,
        text="What action has been taken by your city in combating trafficking of women and "
        "children since 2006?",
        translations={
            "sv": "Vilka åtgärder har er stad vidtagit mot handel med kvinnor och barn sedan 2006?"
        },
        required=True,
    )
    services.question_add(
        actor=coordinator,
        survey=survey,
        kind=Question.Kind.YES_NO,
        text="Does your city have an action plan for gender equality and/or trafficking?",
        translations={
            "sv": "Har er stad en handlingsplan för jämställdhet och/eller människohandel?"
        },
        required=True,
    )
    services.survey_send(actor=coordinator, survey=survey, places=list(places.values()))
    for name, (action, plan) in ANSWERS.items():
        _answer(
            survey,
            places[name],
            action,
            plan,
            {city: contact for city, _country, contact in CITIES}[name],
        )

    framework = plans.framework_load(
        actor=coordinator, network=network, definition=plans.CBSS_MUNICIPAL_GUIDELINES
    )
    point = {p.code: p for p in framework.points.all()}
    for city, title, measures in [
        (
            "Växjö",
            "Action plan against prostitution and human trafficking",
            [
                ("County survey of trafficking", ["M1"], Measure.Status.COMPLETED),
                ("Training for all municipal staff", ["I2", "P1"], Measure.Status.COMPLETED),
            ],
        ),
        (
            "Kristiansand",
            "Strategic plan for gender equality",
            [
                ("Interdisciplinary operational team (TOT)", ["R2", "C2"], Measure.Status.ONGOING),
                ("Outreach to people in prostitution", ["I3"], Measure.Status.ONGOING),
            ],
        ),
        (
            "Karlstad",
            "Action plan against domestic violence",
            [("Checklist for social services staff", ["I1"], Measure.Status.COMPLETED)],
        ),
    ]:
        plan = plans.action_plan_create(
            actor=coordinator,
            place=places[city],
            title=title,
            period_start=2014,
            period_end=2018,
            adopted_by="City council",
        )
        for measure_title, codes, status in measures:
            plans.measure_create(
                actor=coordinator,
                plan=plan,
                title=measure_title,
                status=status,
                action_points=[point[code] for code in codes],
            )
    library.demo_library_load(actor=coordinator, network=network)
    return 1
