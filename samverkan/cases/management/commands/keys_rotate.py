import argparse

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter

from samverkan import crypto
from samverkan.cases import rotation


class ProcedureHelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the numbered steps of the help text as written."""


class KeysCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", ProcedureHelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)


class Command(KeysCommand):
    help = (
        "Re-encrypt every sealed value (encrypted fields, MFA secrets, queued\n"
        "invitation tokens) that is not under the current field key, while the\n"
        "application runs.\n\n" + rotation.PROCEDURE
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be re-encrypted and check that it decrypts; change nothing.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=rotation.BATCH_SIZE,
            help="Rows per transaction (default %(default)s).",
        )

    def handle(self, *args, dry_run, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        ring = crypto.key_ring()
        self.stdout.write(
            f"Current key: {ring.current_id}; the ring holds {', '.join(ring.keys)}."
            + (" Dry run: nothing is changed." if dry_run else "")
        )
        reports = rotation.rotate(dry_run=dry_run, batch_size=batch_size)
        verb = "to re-encrypt" if dry_run else "re-encrypted"
        for report in reports:
            line = (
                f"{report.label}: {report.re_encrypted} {verb}, "
                f"{report.left} left under other keys, {len(report.failures)} failed"
            )
            if report.changed_meanwhile:
                line += f", {report.changed_meanwhile} rewritten by the application meanwhile"
            self.stdout.write(line)
        failures = [(report.label, row) for report in reports for row in report.failures]
        for label, row in failures:
            self.stderr.write(
                f"Does not decrypt: {label}, row {row} "
                "(tampered, moved, or its key is not in the ring)."
            )
        total = sum(report.re_encrypted for report in reports)
        left = sum(report.left for report in reports)
        self.stdout.write(f"Total: {total} {verb}, {left} left under other keys.")
        if failures:
            raise CommandError(
                f"{len(failures)} values could not be decrypted; remove no key until they are "
                "resolved."
            )
