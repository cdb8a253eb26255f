from django.core.management.base import BaseCommand
from django.db import transaction

from samverkan.audit.services import audit_record
from samverkan.cases.models import Person
from samverkan.cases.services import Identity, index_person

BATCH = 500


class Command(BaseCommand):
    help = (
        "Rebuild the blind indexes of every person from the encrypted identities,\n"
        "after SAMVERKAN_BLIND_INDEX_KEY has changed. Until it has run, exact name\n"
        "and date-of-birth search finds nothing indexed under the old key; run it\n"
        "right after restarting with the new key."
    )

    def handle(self, *args, **options):
        done = 0
        last = 0
        while True:
            people = list(Person.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
            if not people:
                break
            with transaction.atomic():
                for person in people:
                    index_person(person, Identity.from_json(person.unseal("identity") or {}))
            done += len(people)
            last = people[-1].pk
        with transaction.atomic():
            audit_record(action="keys.reindexed", flags=[f"persons:{done}"])
        self.stdout.write(f"Rebuilt the blind indexes of {done} persons.")
