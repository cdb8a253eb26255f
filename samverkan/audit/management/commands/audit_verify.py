from django.core.management.base import BaseCommand, CommandError

from samverkan.audit.verification import chain_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and its signed checkpoints."

    def handle(self, *args, **options):
        result = chain_verify()
        if result.ok:
            self.stdout.write(
                f"OK: {result.entries_checked} entries and "
                f"{result.checkpoints_checked} checkpoints verified."
            )
            return
        problem = result.problem
        raise CommandError(
            f"FAILED at entry {problem.sequence} ({problem.kind}): {problem.message}"
        )
