"""Load a directory in the Open Referral HSDS format (see samverkan/directory/hsds.py)."""

import json

from django.core.management.base import BaseCommand, CommandError

from samverkan.accounts.models import Country
from samverkan.directory.hsds import import_services


class Command(BaseCommand):
    help = "Import services from an HSDS JSON file into one country's directory."

    def add_arguments(self, parser):
        parser.add_argument("path", help="An HSDS list of services (JSON).")
        parser.add_argument("--country", required=True, choices=Country.values)

    def handle(self, *args, path, country, **options):
        try:
            with open(path, encoding="utf-8") as source:
                data = json.load(source)
            report = import_services(data, country=country)
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot import {path}: {error}") from error
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, {len(report.skipped)} skipped"
        )
        for reason in report.skipped:
            self.stdout.write(f"  skipped {reason}")
