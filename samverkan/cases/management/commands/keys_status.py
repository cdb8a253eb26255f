from django.core.management.base import CommandError

from samverkan import crypto
from samverkan.cases import rotation
from samverkan.cases.management.commands.keys_rotate import KeysCommand


class Command(KeysCommand):
    help = (
        "Count the sealed values under each key id, per model field, so that you\n"
        "know when an old key can be removed.\n\n" + rotation.PROCEDURE
    )

    def handle(self, *args, **options):
        ring = crypto.key_ring()
        status = rotation.key_status()
        for label, counts in status.items():
            summary = ", ".join(f"{key_id} {count}" for key_id, count in sorted(counts.items()))
            self.stdout.write(f"{label}: {summary or 'no values'}")
        elsewhere = sum(
            count
            for counts in status.values()
            for key_id, count in counts.items()
            if key_id != ring.current_id
        )
        unreadable = sum(
            count
            for counts in status.values()
            for key_id, count in counts.items()
            if key_id not in ring.keys
        )
        if unreadable:
            raise CommandError(
                f"{unreadable} values are under keys that are not in the ring: they cannot be "
                "decrypted. Put the missing keys back into SAMVERKAN_FIELD_KEYS."
            )
        if elsewhere:
            self.stdout.write(
                f"{elsewhere} values are not under the current key {ring.current_id}: run "
                "`samverkan keys rotate` and keep every key they use."
            )
            return
        idle = [key_id for key_id in ring.keys if key_id != ring.current_id]
        self.stdout.write(
            f"Every value is under the current key {ring.current_id}."
            + (
                f" Nothing is left under {', '.join(idle)}: remove "
                f"{'them' if len(idle) > 1 else 'it'} from the ring."
                if idle
                else ""
            )
        )
