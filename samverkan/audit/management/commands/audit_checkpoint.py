from django.core.management.base import BaseCommand

from samverkan.audit.verification import checkpoint_path, checkpoint_write


class Command(BaseCommand):
    help = "Write the audit chain's current head, signed, to the checkpoint file."

    def handle(self, *args, **options):
        checkpoint = checkpoint_write()
        self.stdout.write(
            f"Checkpoint at entry {checkpoint['sequence']} written to {checkpoint_path()}."
        )
