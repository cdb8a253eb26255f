"""The demo rapporteur's figures: a year and a half of registrations, some of
the same people met by several agencies, an agency's uploaded list, and two
published builds (last year, and this year so far).

Made through the services, as people would make them. The people are
fictitious (every family name says Demo); the mix is drawn from a fixed seed,
so every demo shows the same figures for the same day.
"""

from __future__ import annotations

import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from samverkan.accounts.models import Membership, Role
from samverkan.cases import services as case_services
from samverkan.cases.models import AgeGroup, ExploitationForm, Sex
from samverkan.cases.services import Identity
from samverkan.linkage import default_schema, encode_records
from samverkan.linkage.files import Period, write_encodings_file
from samverkan.statistics import services
from samverkan.statistics.models import StatisticsRun

RAPPORTEUR = "rapporteur@demo.samverkan.example"
# Who notifies anonymously: the police, the NGO and the coordination agency.
NOTIFIERS = (
    "frontline@demo.samverkan.example",
    "casemanager@demo.samverkan.example",
    "coordinator@demo.samverkan.example",
)
CITIZENSHIPS = ("RO", "BG", "LT", "LV", "UA", "NG", "VN", "SE", "PL", "TH")
FORMS = (
    ExploitationForm.SEXUAL,
    ExploitationForm.SEXUAL,
    ExploitationForm.LABOUR,
    ExploitationForm.LABOUR,
    ExploitationForm.FORCED_BEGGING,
    ExploitationForm.FORCED_CRIMINALITY,
)
ADULT_BANDS = (
    AgeGroup.ADULT_18_24,
    AgeGroup.ADULT_25_34,
    AgeGroup.ADULT_25_34,
    AgeGroup.ADULT_35_44,
    AgeGroup.ADULT_45_54,
)
GIVEN_NAMES = ("Ana", "Elena", "Ioana", "Maria", "Oksana", "Thi", "Grace", "Ruta", "Petar", "Ion")
PEOPLE_PER_YEAR = 70
# Of them, met by two agencies (so notified twice, counted once).
MET_TWICE = 12
# The anonymous notifications this demo adds to the cases' demo: two periods.
DEMO_NOTIFICATIONS = 2 * (PEOPLE_PER_YEAR + MET_TWICE)


def _member(email: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(
        user__email=email, role__in=[Role.FRONTLINE, Role.CASE_MANAGER, Role.COORDINATOR]
    )


def _people(rng: random.Random, year: int, first_day: date, last_day: date):
    """Fictitious people with the day each was first met in the year."""
    span = (last_day - first_day).days
    for number in range(PEOPLE_PER_YEAR):
        sex = Sex.FEMALE if rng.random() < 0.7 else Sex.MALE
        yield {
            "identity": Identity(
                given_names=rng.choice(GIVEN_NAMES),
                family_name=f"Demo-{year}-{number:03d}",
                date_of_birth=date(
                    1970 + rng.randrange(35), 1 + rng.randrange(12), 1 + rng.randrange(28)
                ),
                citizenships=[rng.choice(CITIZENSHIPS)],
            ),
            "sex": sex,
            "age_group": rng.choice(ADULT_BANDS),
            "form": rng.choice(FORMS),
            "met_on": first_day + timedelta(days=rng.randrange(span + 1)),
        }


def _notify(actor: Membership, person: dict, day: date) -> None:
    citizenship = person["identity"].citizenships[0]
    case_services.record_anonymous_notification(
        actor=actor,
        notified_on=day,
        municipality="Stockholm",
        sex=person["sex"],
        age_group=person["age_group"],
        citizenship=citizenship,
        exploitation_forms=[person["form"]],
        indicators=[],
        identity=person["identity"],
    )


def _upload_shelter_list(rapporteur: Membership, people: list[dict], period: Period) -> None:
    """The shelters' association encodes its own list outside the platform."""
    records = [
        {
            "given_names": person["identity"].given_names,
            "family_name": person["identity"].family_name,
            "date_of_birth": person["identity"].date_of_birth,
            "sex": person["sex"],
            "citizenship": person["identity"].citizenships,
        }
        for person in people
    ]
    encodings = encode_records(records, default_schema(), settings.LINKAGE_SECRET)
    breakdowns = [
        {
            "year": period.start.year,
            "sex": person["sex"],
            "age_group": person["age_group"],
            "citizenship": person["identity"].citizenships[0],
            "exploitation_form": person["form"],
            "identification": "presumed",
        }
        for person in people
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shelters.json"
        write_encodings_file(
            path, encodings, agency_kind="shelter", period=period, breakdowns=breakdowns
        )
        services.external_source_upload(
            actor=rapporteur, name="Shelters' association (demo)", data=path.read_bytes()
        )


def create_demo_statistics() -> int:
    """Registrations, a source and published builds, once; the number of builds made."""
    rapporteur = Membership.objects.select_related("organisation").get(
        user__email=RAPPORTEUR, role=Role.RAPPORTEUR
    )
    if StatisticsRun.objects.filter(requested_by=rapporteur).exists():
        return 0
    rng = random.Random(2024)  # noqa: S311 (fictitious demo data, the same every time)
    today = timezone.localdate()
    notifiers = [_member(email) for email in NOTIFIERS]
    periods = [
        (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
        (date(today.year, 1, 1), today),
    ]
    for start, end in periods:
        people = list(_people(rng, start.year, start, end))
        for index, person in enumerate(people):
            first = notifiers[index % len(notifiers)]
            _notify(first, person, person["met_on"])
            if index < MET_TWICE:
                second = notifiers[(index + 1) % len(notifiers)]
                _notify(second, person, min(person["met_on"] + timedelta(days=9), end))
        if settings.LINKAGE_SECRET and start.year == today.year:
            _upload_shelter_list(rapporteur, people[: MET_TWICE + 8], Period(start, end))
    for start, end in periods:
        run = services.statistics_run_request(
            actor=rapporteur,
            period_start=start,
            period_end=end,
            minimum_cell=5,
            match_threshold=0.5,
            enqueue=False,
        )
        services.statistics_run_execute(run.pk)
    return len(periods)
