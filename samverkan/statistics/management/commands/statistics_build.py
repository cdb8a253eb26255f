"""``samverkan statistics build``: build and publish the rapporteur's figures for a period.

Runs the build here, with its progress on the terminal, as the named
rapporteur (the policy decides as for the page); ``--queue`` hands it to the
worker instead.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from samverkan.accounts.models import Membership, Role
from samverkan.statistics.disclosure import DEFAULT_MINIMUM
from samverkan.statistics.models import DEFAULT_MATCH_THRESHOLD, StatisticsRun
from samverkan.statistics.services import statistics_run_execute, statistics_run_request

BAR = 30


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = "Build and publish the rapporteur's figures for a period."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="First day (YYYY-MM-DD).")
        parser.add_argument("--to", dest="end", required=True, help="Last day (YYYY-MM-DD).")
        parser.add_argument(
            "--rapporteur", required=True, help="E-mail of the rapporteur the build is made for."
        )
        parser.add_argument("--minimum-cell", type=int, default=DEFAULT_MINIMUM)
        parser.add_argument("--threshold", type=float, default=DEFAULT_MATCH_THRESHOLD)
        parser.add_argument(
            "--epsilon", type=float, help="Differential privacy for the persons' tables."
        )
        parser.add_argument("--queue", action="store_true", help="Let the worker run it.")

    def handle(self, *args, **options):
        actor = (
            Membership.objects.active()
            .filter(user__email=options["rapporteur"].lower(), role=Role.RAPPORTEUR)
            .select_related("organisation", "user")
            .first()
        )
        if actor is None:
            raise CommandError("No active rapporteur membership has that e-mail address.")
        try:
            run = statistics_run_request(
                actor=actor,
                period_start=_date(options["start"]),
                period_end=_date(options["end"]),
                minimum_cell=options["minimum_cell"],
                match_threshold=options["threshold"],
                epsilon=options["epsilon"],
                enqueue=options["queue"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if options["queue"]:
            self.stdout.write(f"Queued build {run.uuid}.")
            return
        run = statistics_run_execute(run.pk, progress=self._progress)
        self.stdout.write("")
        if run.status != StatisticsRun.Status.PUBLISHED:
            raise CommandError(run.error)
        persons, records = (
            "c" if run.figures[name] is None else run.figures[name]
            for name in ("persons", "records")
        )
        self.stdout.write(f"Published build {run.uuid}: {persons} persons from {records} records.")

    def _progress(self, stage: str, percent: int) -> None:
        filled = BAR * percent // 100
        self.stdout.write(
            f"\r[{'#' * filled}{' ' * (BAR - filled)}] {percent:3d}% {stage:<10}", ending=""
        )
        self.stdout.flush()
