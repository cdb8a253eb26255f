"""``samverkan demo``: a fictional Nordic-Baltic region with one user per role."""

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from samverkan.accounts.demo import DEMO_PASSWORD
from samverkan.accounts.models import Membership, Organisation, Role, User
from samverkan.audit.services import audit_record
from samverkan.cases.demo import create_demo_cases
from samverkan.network.demo import create_demo_network
from samverkan.referrals.demo import create_demo_referrals
from samverkan.statistics.demo import create_demo_statistics

Kind = Organisation.Kind

# (name, kind, country, municipality); every kind of organisation appears.
ORGANISATIONS = [
    ("National Coordination Agency (demo)", Kind.COORDINATION_AGENCY, "SE", "Stockholm"),
    ("Stockholm Police Region (demo)", Kind.POLICE, "SE", "Stockholm"),
    ("Stockholm Prosecution Office (demo)", Kind.PROSECUTION, "SE", "Stockholm"),
    ("Växjö Social Services (demo)", Kind.SOCIAL_SERVICES, "SE", "Växjö"),
    ("Safe Harbour Association (demo)", Kind.NGO, "SE", "Stockholm"),
    ("Lighthouse Shelter (demo)", Kind.SHELTER, "SE", "Malmö"),
    ("Södermalm Health Centre (demo)", Kind.HEALTH, "SE", "Stockholm"),
    ("Migration Agency, South Region (demo)", Kind.MIGRATION, "SE", "Malmö"),
    ("Work Environment Inspectorate (demo)", Kind.LABOUR_INSPECTION, "SE", "Göteborg"),
    ("Consulate of Estonia in Stockholm (demo)", Kind.CONSULATE, "SE", "Stockholm"),
    ("Trafficking Helpline (demo)", Kind.HOTLINE, "SE", "Stockholm"),
    ("Office of the National Rapporteur (demo)", Kind.RAPPORTEUR, "SE", "Stockholm"),
    ("Baltic Cities Network Secretariat (demo)", Kind.NETWORK_SECRETARIAT, "FI", "Turku"),
    ("Regional Task Force against Trafficking (demo)", Kind.INTERGOVERNMENTAL, "EE", "Tallinn"),
    ("Turku Social Services (demo)", Kind.SOCIAL_SERVICES, "FI", "Turku"),
    ("Helsinki Police Department (demo)", Kind.POLICE, "FI", "Helsinki"),
    ("Tallinn Victim Support (demo)", Kind.NGO, "EE", "Tallinn"),
    ("Tartu Shelter (demo)", Kind.SHELTER, "EE", "Tartu"),
]

# One person per role: (role, e-mail, full name, organisation).
USERS = [
    (
        Role.FRONTLINE,
        "frontline@demo.samverkan.example",
        "Frida Lind",
        "Stockholm Police Region (demo)",
    ),
    (
        Role.CASE_MANAGER,
        "casemanager@demo.samverkan.example",
        "Cecilia Berg",
        "Safe Harbour Association (demo)",
    ),
    (
        Role.COORDINATOR,
        "coordinator@demo.samverkan.example",
        "Karl Ek",
        "National Coordination Agency (demo)",
    ),
    (
        Role.SERVICE_PROVIDER,
        "shelter@demo.samverkan.example",
        "Sara Holm",
        "Lighthouse Shelter (demo)",
    ),
    (
        Role.RAPPORTEUR,
        "rapporteur@demo.samverkan.example",
        "Rasmus Dahl",
        "Office of the National Rapporteur (demo)",
    ),
    (
        Role.NETWORK_COORDINATOR,
        "network@demo.samverkan.example",
        "Noora Virtanen",
        "Baltic Cities Network Secretariat (demo)",
    ),
    (
        Role.ORGANISATION_ADMIN,
        "orgadmin@demo.samverkan.example",
        "Olle Strand",
        "Växjö Social Services (demo)",
    ),
    (
        Role.AUDITOR,
        "auditor@demo.samverkan.example",
        "Agnes Falk",
        "National Coordination Agency (demo)",
    ),
    (
        Role.PLATFORM_ADMIN,
        "platformadmin@demo.samverkan.example",
        "Per Sjö",
        "National Coordination Agency (demo)",
    ),
]


class Command(BaseCommand):
    help = "Create the demo region: organisations of every kind and one user per role."

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data cannot be created in production.")
        organisations = {}
        for name, kind, country, municipality in ORGANISATIONS:
            organisations[name], _ = Organisation.objects.get_or_create(
                name=name, defaults={"kind": kind, "country": country, "municipality": municipality}
            )
        for role, email, full_name, organisation_name in USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email, DEMO_PASSWORD, full_name=full_name, is_demo=True
                )
                TOTP.activate(user, generate_totp_secret())
                RecoveryCodes.activate(user)
            Membership.objects.get_or_create(
                user=user, organisation=organisations[organisation_name], role=role
            )
        # The Växjö admin also helps the NGO: shows choosing whom one acts for.
        Membership.objects.get_or_create(
            user=User.objects.get(email="orgadmin@demo.samverkan.example"),
            organisation=organisations["Safe Harbour Association (demo)"],
            role=Role.ORGANISATION_ADMIN,
        )
        audit_record(action="demo.created", reason=f"{len(USERS)} users")
        cases, notifications = create_demo_cases()
        # Referrals, the directory, teams and mapping.
        create_demo_referrals()
        networks = create_demo_network()
        # The rapporteur's figures, built from everything above.
        builds = create_demo_statistics()
        self.stdout.write(
            f"Demo region ready: {len(organisations)} organisations, {len(USERS)} users, "
            f"{cases} new cases, {notifications} new anonymous notifications, "
            f"{networks} new networks and {builds} new statistics builds "
            f"(password {DEMO_PASSWORD}; TOTP codes are shown at login in demo mode)."
        )
