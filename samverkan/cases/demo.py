"""The demo region's cases: the referral mechanism from detection to closure.

Everything is made through the case services, as a person would make it, so
every rule applies (workflow order, consent before sharing, confidentiality,
child protection) and the audit log records it all. The people are
fictitious; every family name says so (``Demo-01`` ...).

Dates are counted back from today: the services refuse future dates and
milestones more than a year before the case was opened, and a deadline is
due a fixed time after the milestone that starts it. So one reflection
period is overdue and a residence permit and another reflection period come
up for renewal within days, whenever the demo is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from samverkan.accounts.demo import DEMO_PASSWORD
from samverkan.accounts.models import Membership, Organisation, Role, User
from samverkan.cases import services
from samverkan.cases.models import (
    AgeGroup,
    AnonymousNotification,
    Case,
    CaseNote,
    Category,
    Consent,
    ExploitationForm,
    LegalBasis,
    Purpose,
    Sex,
)
from samverkan.cases.services import Identity
from samverkan.cases.workflow import MilestoneKind, Outcome
from samverkan.screening.demo import screen_demo_case

Form = ExploitationForm
M = MilestoneKind
Indicator = AnonymousNotification.Indicator

# The organisations of the demo command, by a short name.
ORGANISATIONS = {
    "coordination": "National Coordination Agency (demo)",
    "police": "Stockholm Police Region (demo)",
    "prosecution": "Stockholm Prosecution Office (demo)",
    "ngo": "Safe Harbour Association (demo)",
    "shelter": "Lighthouse Shelter (demo)",
    "migration": "Migration Agency, South Region (demo)",
    "vaxjo": "Växjö Social Services (demo)",
    "tallinn": "Tallinn Victim Support (demo)",
    "tartu": "Tartu Shelter (demo)",
    "helsinki_police": "Helsinki Police Department (demo)",
}

# Who acts in the stories: the demo command's users with a case role...
ACTORS = {
    "frida": "frontline@demo.samverkan.example",
    "cecilia": "casemanager@demo.samverkan.example",
    "karl": "coordinator@demo.samverkan.example",
    "sara": "shelter@demo.samverkan.example",
}
# ...and colleagues in organisations that have no login of their own there:
# the migration agency and the prosecutor take their steps, and Estonia and
# Finland have cases too. (key, e-mail, full name, organisation, role)
COLLEAGUES = [
    ("mira", "migration@demo.samverkan.example", "Mira Ström", "migration", Role.CASE_MANAGER),
    ("petra", "prosecutor@demo.samverkan.example", "Petra Lund", "prosecution", Role.CASE_MANAGER),
    ("liis", "tallinn@demo.samverkan.example", "Liis Kask", "tallinn", Role.CASE_MANAGER),
    ("mikko", "helsinki@demo.samverkan.example", "Mikko Salo", "helsinki_police", Role.FRONTLINE),
]


@dataclass
class Demo:
    actors: dict[str, Membership]
    organisations: dict[str, Organisation]
    today: date

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)


Action = Callable[[Demo, Case], None]


def milestone(who: str, kind: str, days_ago: int, evidence: str = "") -> Action:
    def run(demo: Demo, case: Case) -> None:
        services.record_milestone(
            actor=demo.actors[who],
            case=case,
            kind=kind,
            occurred_on=demo.ago(days_ago),
            evidence=evidence,
            competent_authority=demo.organisations["coordination"],
        )

    return run


def share(
    who: str,
    recipient: str,
    purpose: str,
    categories: list[str],
    manner: str = Consent.Manner.SIGNED_FORM,
) -> Action:
    """The person's consent for one kind of organisation, then the share it allows."""

    def run(demo: Demo, case: Case) -> None:
        organisation = demo.organisations[recipient]
        consent = services.record_consent(
            actor=demo.actors[who],
            case=case,
            basis=LegalBasis.CONSENT,
            categories=categories,
            purposes=[purpose],
            organisation_kinds=[organisation.kind],
            manner=manner,
        )
        services.share_case(
            actor=demo.actors[who],
            case=case,
            organisation=organisation,
            purpose=purpose,
            categories=categories,
            basis=consent,
        )

    return run


def share_on_child_protection(who: str, recipient: str, categories: list[str]) -> Action:
    """A child's case is shared on the child-protection duty recorded when it was opened."""

    def run(demo: Demo, case: Case) -> None:
        services.share_case(
            actor=demo.actors[who],
            case=case,
            organisation=demo.organisations[recipient],
            purpose=Purpose.PROTECTION,
            categories=categories,
            basis=Consent.objects.get(person_id=case.person_id, basis=LegalBasis.CHILD_PROTECTION),
        )

    return run


def note(who: str, body: str, audience: str = CaseNote.Audience.EVERYONE) -> Action:
    def run(demo: Demo, case: Case) -> None:
        services.add_note(actor=demo.actors[who], case=case, body=body, audience=audience)

    return run


def keep_from_law_enforcement(who: str) -> Action:
    def run(demo: Demo, case: Case) -> None:
        services.set_confidential_from_law_enforcement(
            actor=demo.actors[who], case=case, confidential=True
        )

    return run


def close(who: str, outcome: str, days_ago: int, evidence: str, country: str = "") -> Action:
    def run(demo: Demo, case: Case) -> None:
        services.close_case(
            actor=demo.actors[who],
            case=case,
            outcome=outcome,
            closed_on=demo.ago(days_ago),
            outcome_country=country,
            evidence=evidence,
        )

    return run


@dataclass
class Story:
    opened_by: str
    identity: Identity
    sex: str
    forms: list[str]
    detected_days_ago: int
    origin: list[str]
    municipality: str = ""
    exploitation_countries: list[str] = field(default_factory=list)
    transit: list[str] = field(default_factory=list)
    coordination_consent: list[str] = field(default_factory=list)
    details: str = ""
    social_needs: str = ""
    health: str = ""
    immigration: str = ""
    contact: str = ""
    secret_location: str = ""
    child_protection_reference: str = ""
    steps: list[Action] = field(default_factory=list)


def person(number: int, given_names: str, **fields) -> Identity:
    return Identity(given_names=given_names, family_name=f"Demo-{number:02d}", **fields)


SHELTER_ADDRESS = "Protected flat; address held by Safe Harbour only (fictitious)."
IDENTIFICATION = [Category.IDENTITY, Category.EXPLOITATION, Category.SOCIAL]
ASSISTANCE = [Category.IDENTITY, Category.SOCIAL, Category.HEALTH, Category.NOTES]


def stories(today: date) -> list[Story]:
    """One case per stage of the referral mechanism, and the special cases beside them."""
    return [
        # Detection only: met on outreach, no consent to notify anyone yet.
        Story(
            "cecilia",
            person(1, "Ioana", estimated_age=27, citizenships=["RO"], languages=["Romanian"]),
            Sex.FEMALE,
            [Form.SEXUAL],
            3,
            ["RO"],
            exploitation_countries=["SE"],
            details="Met on street outreach; describes a debt to the person who arranged travel.",
        ),
        # Coordination notified after a labour inspection raid; identification pending.
        Story(
            "frida",
            person(2, "Oleksandr", estimated_age=41, citizenships=["UA"], languages=["Ukrainian"]),
            Sex.MALE,
            [Form.LABOUR],
            12,
            ["UA"],
            municipality="Södertälje",
            exploitation_countries=["SE"],
            transit=["PL"],
            coordination_consent=IDENTIFICATION,
            details="Construction site; passport held by the employer, wages withheld.",
            steps=[milestone("frida", M.COORDINATION_NOTIFIED, 10)],
        ),
        # Identified; the reflection period ended 15 days ago with no decision: overdue.
        Story(
            "cecilia",
            person(
                3,
                "Blessing",
                date_of_birth=today - timedelta(days=21 * 365 + 40),
                citizenships=["NG"],
                languages=["English", "Edo"],
            ),
            Sex.FEMALE,
            [Form.SEXUAL],
            60,
            ["NG"],
            transit=["LY", "IT"],
            exploitation_countries=["IT", "SE"],
            coordination_consent=IDENTIFICATION,
            details="Recruited with a promise of work in a hair salon; ritual oath and debt.",
            steps=[
                milestone("cecilia", M.COORDINATION_NOTIFIED, 55),
                milestone("karl", M.IDENTIFICATION_CONFIRMED, 45, "Interview with interpreter."),
            ],
        ),
        # Needs assessed, in Estonia.
        Story(
            "liis",
            person(4, "Natalia", estimated_age=33, citizenships=["UA"], languages=["Russian"]),
            Sex.FEMALE,
            [Form.LABOUR, Form.DOMESTIC_SERVITUDE],
            20,
            ["UA"],
            municipality="Tallinn",
            exploitation_countries=["EE"],
            social_needs="Accommodation, psychological support, legal advice.",
            steps=[milestone("liis", M.NEEDS_ASSESSED, 15, "Needs assessment form completed.")],
        ),
        # Referred to the shelter, which writes its own note.
        Story(
            "cecilia",
            person(5, "Dimitar", estimated_age=52, citizenships=["BG"], languages=["Bulgarian"]),
            Sex.MALE,
            [Form.FORCED_BEGGING],
            30,
            ["BG"],
            exploitation_countries=["SE"],
            social_needs="Shelter, health check, contact with the consulate.",
            health="Untreated leg injury.",
            steps=[
                milestone("cecilia", M.NEEDS_ASSESSED, 28),
                share("cecilia", "shelter", Purpose.ASSISTANCE, ASSISTANCE),
                milestone("cecilia", M.REFERRED_TO_ASSISTANCE, 26, "Place at Lighthouse Shelter."),
                note("sara", "Arrived at the shelter; doctor's appointment booked."),
            ],
        ),
        # Protection coordinated, with a secret location only Cecilia is named for;
        # identified 26 days ago, so the reflection period ends in four days.
        Story(
            "cecilia",
            person(6, "Malee", estimated_age=29, citizenships=["TH"], languages=["Thai"]),
            Sex.FEMALE,
            [Form.SEXUAL],
            50,
            ["TH"],
            exploitation_countries=["SE"],
            coordination_consent=IDENTIFICATION,
            secret_location=SHELTER_ADDRESS,
            social_needs="Safe accommodation, interpreter, counselling.",
            steps=[
                milestone("cecilia", M.COORDINATION_NOTIFIED, 48),
                milestone("cecilia", M.NEEDS_ASSESSED, 47),
                share("cecilia", "shelter", Purpose.ASSISTANCE, ASSISTANCE),
                milestone("cecilia", M.REFERRED_TO_ASSISTANCE, 46),
                milestone("cecilia", M.PROTECTION_COORDINATED, 40, "Safety plan agreed."),
                milestone("karl", M.IDENTIFICATION_CONFIRMED, 26),
                note(
                    "cecilia",
                    "Threats by phone from the former 'boyfriend'; safety plan updated.",
                    CaseNote.Audience.OWN_ORGANISATION,
                ),
            ],
        ),
        # Residence permit granted 170 days ago: renewal due in ten days.
        Story(
            "cecilia",
            person(7, "Minh", estimated_age=26, citizenships=["VN"], languages=["Vietnamese"]),
            Sex.MALE,
            [Form.FORCED_CRIMINALITY],
            200,
            ["VN"],
            transit=["RU", "FR"],
            exploitation_countries=["GB", "SE"],
            coordination_consent=IDENTIFICATION,
            immigration="No residence permit on arrival.",
            details="Forced to tend a cannabis cultivation; locked in.",
            steps=[
                milestone("cecilia", M.COORDINATION_NOTIFIED, 198),
                milestone("cecilia", M.NEEDS_ASSESSED, 195),
                milestone("cecilia", M.REFERRED_TO_ASSISTANCE, 194),
                milestone("karl", M.IDENTIFICATION_CONFIRMED, 190),
                share(
                    "cecilia",
                    "migration",
                    Purpose.PROTECTION,
                    [Category.IDENTITY, Category.IMMIGRATION],
                    Consent.Manner.VIA_INTERPRETER,
                ),
                milestone("mira", M.RESIDENCE_PERMIT_GRANTED, 170, "Temporary permit, 6 months."),
            ],
        ),
        # Shared with the police, with consent, for law enforcement: proceedings initiated.
        Story(
            "cecilia",
            person(8, "Elira", estimated_age=38, citizenships=["AL"], languages=["Albanian"]),
            Sex.FEMALE,
            [Form.SEXUAL, Form.FORCED_MARRIAGE],
            90,
            ["AL"],
            transit=["DE"],
            exploitation_countries=["DE", "SE"],
            contact="Reachable through Safe Harbour only.",
            steps=[
                milestone("cecilia", M.NEEDS_ASSESSED, 88),
                share(
                    "cecilia",
                    "police",
                    Purpose.LAW_ENFORCEMENT,
                    [Category.IDENTITY, Category.EXPLOITATION, Category.LEGAL, Category.NOTES],
                    Consent.Manner.VIA_INTERPRETER,
                ),
                milestone("frida", M.PROCEEDINGS_INITIATED, 60, "Preliminary investigation."),
                note("frida", "Witness interview scheduled; support person from Safe Harbour."),
            ],
        ),
        # Led by the police from detection; the prosecutor concluded the proceedings.
        Story(
            "frida",
            person(9, "Andrei", estimated_age=19, citizenships=["RO"], languages=["Romanian"]),
            Sex.MALE,
            [Form.FORCED_CRIMINALITY, Form.BENEFIT_FRAUD],
            300,
            ["RO"],
            exploitation_countries=["SE"],
            details="Made to steal from shops and to open bank accounts for others.",
            steps=[
                milestone("frida", M.PROCEEDINGS_INITIATED, 280),
                share(
                    "frida",
                    "prosecution",
                    Purpose.LAW_ENFORCEMENT,
                    [Category.IDENTITY, Category.EXPLOITATION, Category.LEGAL],
                ),
                milestone("petra", M.PROCEEDINGS_CONCLUDED, 20, "Two defendants convicted."),
            ],
        ),
        # Monitoring after protection: a Swedish citizen exploited at home.
        Story(
            "cecilia",
            person(10, "Anna", estimated_age=47, citizenships=["SE"], languages=["Swedish"]),
            Sex.FEMALE,
            [Form.SEXUAL],
            330,
            ["SE"],
            municipality="Uppsala",
            exploitation_countries=["SE"],
            steps=[
                milestone("cecilia", M.NEEDS_ASSESSED, 325),
                milestone("cecilia", M.REFERRED_TO_ASSISTANCE, 320),
                milestone("cecilia", M.PROTECTION_COORDINATED, 300),
                milestone("cecilia", M.MONITORING_STARTED, 100, "Monthly follow-up."),
            ],
        ),
        # Closed: social inclusion (work and housing).
        Story(
            "cecilia",
            person(11, "Tomasz", estimated_age=36, citizenships=["PL"], languages=["Polish"]),
            Sex.MALE,
            [Form.LABOUR],
            360,
            ["PL"],
            exploitation_countries=["SE"],
            steps=[
                milestone("cecilia", M.NEEDS_ASSESSED, 350),
                milestone("cecilia", M.REFERRED_TO_ASSISTANCE, 345),
                milestone("cecilia", M.PROTECTION_COORDINATED, 340),
                milestone("cecilia", M.MONITORING_STARTED, 200),
                close("cecilia", Outcome.SOCIAL_INCLUSION, 10, "Employed; own lease."),
            ],
        ),
        # Led by the coordination agency after a helpline call; closed with a return.
        Story(
            "karl",
            person(12, "Joy", estimated_age=23, citizenships=["NG"], languages=["English"]),
            Sex.FEMALE,
            [Form.SEXUAL],
            150,
            ["NG"],
            transit=["NE", "LY", "IT"],
            exploitation_countries=["IT", "SE"],
            steps=[
                milestone("karl", M.NEEDS_ASSESSED, 140),
                share("karl", "shelter", Purpose.ASSISTANCE, ASSISTANCE),
                milestone("karl", M.REFERRED_TO_ASSISTANCE, 135),
                close(
                    "karl",
                    Outcome.RETURN,
                    30,
                    "Assisted voluntary return with a reintegration programme.",
                    country="NG",
                ),
            ],
        ),
        # Closed: contact lost.
        Story(
            "cecilia",
            person(13, "Samuel", estimated_age=31, citizenships=["ER"], languages=["Tigrinya"]),
            Sex.MALE,
            [Form.LABOUR],
            120,
            ["ER"],
            exploitation_countries=["SE"],
            details="Restaurant kitchen, 14-hour days, sleeping on the premises.",
            steps=[
                milestone("cecilia", M.NEEDS_ASSESSED, 118),
                close("cecilia", Outcome.CONTACT_LOST, 40, "No answer since moving out."),
            ],
        ),
        # A child: opened on the child-protection duty, shared with social services on it.
        Story(
            "cecilia",
            person(
                14,
                "Farid",
                date_of_birth=today - timedelta(days=15 * 365 + 100),
                citizenships=["AF"],
                languages=["Dari"],
            ),
            Sex.MALE,
            [Form.FORCED_CRIMINALITY],
            6,
            ["AF"],
            municipality="Växjö",
            transit=["IR", "TR", "DE"],
            exploitation_countries=["SE"],
            child_protection_reference="Växjö child-protection report 2026-0114 (fictitious)",
            social_needs="Guardian, school place, foster placement.",
            steps=[
                share_on_child_protection(
                    "cecilia", "vaxjo", [Category.IDENTITY, Category.SOCIAL, Category.HEALTH]
                ),
                milestone("cecilia", M.COORDINATION_NOTIFIED, 5),
                milestone("karl", M.IDENTIFICATION_CONFIRMED, 3),
            ],
        ),
        # Shared with the police once, then kept from law enforcement at the
        # person's request: the police's participation ended with it.
        Story(
            "cecilia",
            person(15, "Larissa", estimated_age=28, citizenships=["BR"], languages=["Portuguese"]),
            Sex.FEMALE,
            [Form.SEXUAL],
            40,
            ["BR"],
            transit=["PT"],
            exploitation_countries=["SE"],
            steps=[
                milestone("cecilia", M.NEEDS_ASSESSED, 38),
                share(
                    "cecilia",
                    "police",
                    Purpose.LAW_ENFORCEMENT,
                    [Category.IDENTITY, Category.EXPLOITATION],
                ),
                keep_from_law_enforcement("cecilia"),
                note(
                    "cecilia",
                    "Does not want contact with the police for now; fears for her family.",
                    CaseNote.Audience.LEAD,
                ),
            ],
        ),
        # Detected in Finland during the berry season.
        Story(
            "mikko",
            person(16, "Somchai", estimated_age=44, citizenships=["TH"], languages=["Thai"]),
            Sex.MALE,
            [Form.LABOUR],
            8,
            ["TH"],
            municipality="Helsinki",
            exploitation_countries=["FI"],
            details="Wild-berry picking; recruitment fee debt.",
        ),
    ]


# (who, days ago, municipality, sex, age group, citizenship, forms, indicators)
ANONYMOUS_NOTIFICATIONS = [
    ("cecilia", 4, "Stockholm", Sex.FEMALE, AgeGroup.ADULT_25_34, "RO", [Form.SEXUAL],
     [Indicator.DECEPTIVE_RECRUITMENT, Indicator.COERCION_AT_DESTINATION]),
    ("cecilia", 19, "Stockholm", Sex.FEMALE, AgeGroup.ADULT_18_24, "NG", [Form.SEXUAL],
     [Indicator.ABUSE_OF_VULNERABILITY_RECRUITMENT, Indicator.COERCION_AT_DESTINATION]),
    ("cecilia", 47, "Norrköping", Sex.MALE, AgeGroup.ADULT_35_44, "BG", [Form.FORCED_BEGGING],
     [Indicator.EXPLOITATIVE_CONDITIONS]),
    ("frida", 9, "Södertälje", Sex.MALE, AgeGroup.ADULT_25_34, "UA", [Form.LABOUR],
     [Indicator.DECEPTIVE_RECRUITMENT, Indicator.EXPLOITATIVE_CONDITIONS]),
    ("frida", 63, "Stockholm", Sex.MALE, AgeGroup.ADULT_45_54, "RO", [Form.FORCED_CRIMINALITY],
     [Indicator.COERCION_AT_DESTINATION]),
    ("frida", 120, "Uppsala", Sex.FEMALE, AgeGroup.ADULT_25_34, "TH", [Form.SEXUAL, Form.LABOUR],
     [Indicator.ABUSE_OF_VULNERABILITY_DESTINATION]),
    ("karl", 33, "Malmö", Sex.FEMALE, AgeGroup.ADULT_35_44, "PH", [Form.DOMESTIC_SERVITUDE],
     [Indicator.DECEPTIVE_RECRUITMENT, Indicator.ABUSE_OF_VULNERABILITY_DESTINATION]),
    ("karl", 210, "Göteborg", Sex.MALE, AgeGroup.ADULT_UNKNOWN, "VN", [Form.FORCED_CRIMINALITY],
     [Indicator.COERCIVE_RECRUITMENT]),
    ("liis", 14, "Tallinn", Sex.FEMALE, AgeGroup.ADULT_18_24, "UA", [Form.SEXUAL],
     [Indicator.ABUSE_OF_VULNERABILITY_RECRUITMENT]),
    ("mikko", 27, "Helsinki", Sex.MALE, AgeGroup.ADULT_55_PLUS, "TH", [Form.LABOUR],
     [Indicator.EXPLOITATIVE_CONDITIONS]),
]  # fmt: skip
# Identities given at intake, only encoded for counting and then dropped: the
# first notification is Ioana Demo-01 again, whom the police met too, so that
# the rapporteur's de-duplication has a person to count once.
ANONYMOUS_IDENTITIES = {0: person(1, "Ioana", citizenships=["RO"])}


def _colleague(email: str, full_name: str, organisation: Organisation, role: str) -> Membership:
    """A demo user like the command's own: the demo password and a TOTP authenticator."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name, is_demo=True)
        TOTP.activate(user, generate_totp_secret())
        RecoveryCodes.activate(user)
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    return membership


def create_demo_cases() -> tuple[int, int]:
    """Create the demo cases and anonymous notifications once; (cases, notifications) made.

    Needs the demo command's organisations and users. Loading the demo again
    adds nothing: the demo's cases are there already.
    """
    if Case.objects.filter(opened_by__user__is_demo=True).exists():
        return 0, 0
    organisations = {
        key: Organisation.objects.get(name=name) for key, name in ORGANISATIONS.items()
    }
    # The command gives each of these users exactly one membership.
    actors = {
        key: Membership.objects.select_related("organisation", "user").get(user__email=email)
        for key, email in ACTORS.items()
    }
    for key, email, full_name, organisation, role in COLLEAGUES:
        actors[key] = _colleague(email, full_name, organisations[organisation], role)
    demo = Demo(actors=actors, organisations=organisations, today=timezone.localdate())
    made = stories(demo.today)
    opened = []
    for story in made:
        case = services.open_case(
            actor=actors[story.opened_by],
            identity=story.identity,
            sex=story.sex,
            municipality=story.municipality,
            exploitation_forms=story.forms,
            countries_of_origin=story.origin,
            countries_of_transit=story.transit,
            countries_of_exploitation=story.exploitation_countries,
            contact=story.contact,
            secret_location=story.secret_location,
            health=story.health,
            immigration=story.immigration,
            exploitation_details=story.details,
            social_needs=story.social_needs,
            detected_on=demo.ago(story.detected_days_ago),
            child_protection_reference=story.child_protection_reference,
            coordination_consent=story.coordination_consent,
        )
        for step in story.steps:
            step(demo, case)
        opened.append((story, case))
    # A screening on the first case still open, recorded by the one who opened it.
    story, case = next((s, c) for s, c in opened if Case.objects.open().filter(pk=c.pk).exists())
    screen_demo_case(actors[story.opened_by], case)
    for number, (
        who,
        days_ago,
        municipality,
        sex,
        age_group,
        citizenship,
        forms,
        indicators,
    ) in enumerate(ANONYMOUS_NOTIFICATIONS):
        services.record_anonymous_notification(
            identity=ANONYMOUS_IDENTITIES.get(number),
            actor=actors[who],
            notified_on=demo.ago(days_ago),
            municipality=municipality,
            sex=sex,
            age_group=age_group,
            citizenship=citizenship,
            exploitation_forms=forms,
            indicators=indicators,
        )
    return len(made), len(ANONYMOUS_NOTIFICATIONS)
