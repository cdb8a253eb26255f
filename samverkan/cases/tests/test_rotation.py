"""Key rotation (D5): after `samverkan keys rotate` the old key can be removed and
everything still reads, MFA included; the command is idempotent, never
overwrites the application's concurrent write, and names (never shows) a value
that does not decrypt."""

from __future__ import annotations

import base64
import re
from datetime import date
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from samverkan import crypto
from samverkan.accounts import services as account_services
from samverkan.accounts import tasks as account_tasks
from samverkan.accounts.models import Role
from samverkan.accounts.tests.auth_helpers import (
    clean_cache,  # noqa: F401  (fixture)
    login_with_mfa,
    on_commit_in_request,  # noqa: F401  (fixture)
)
from samverkan.audit.models import AuditEntry
from samverkan.cases import rotation, selectors, services
from samverkan.cases.models import Case, CaseNote, Category, Milestone, Person
from samverkan.cases.workflow import MilestoneKind

OLD_KEY = crypto.generate_key()
NEW_KEY = crypto.generate_key()
OLD_RING = f"old:{OLD_KEY}"
ROTATING_RING = f"new:{NEW_KEY},old:{OLD_KEY}"
NEW_ONLY_RING = f"new:{NEW_KEY}"

IDENTITY = services.Identity(
    given_names="Amina Grace",
    family_name="Okonkwo-Lindqvist",
    aliases=["Mina"],
    date_of_birth=date(1994, 3, 8),
    gender="female",
    citizenships=["NG"],
    languages=["en", "yo"],
    identity_documents="Passport A1234567",
)
SEALED = {
    "contact": "+46 70 000 00 00, via the shelter",
    "secret_location": "Shelter Linden, Storgatan 1, room 4",
    "health": "Untreated fracture of the left wrist",
    "immigration": "Asylum application pending",
    "exploitation_details": "Recruited with a false job offer in a restaurant",
    "social_needs": "Housing and an interpreter",
}
NOTE = "She asked us not to call before noon."
EVIDENCE = "Needs assessment signed by the social worker"


@pytest.fixture(autouse=True)
def under_the_old_key(settings):
    """Everything the test creates is sealed under the old key only."""
    settings.FIELD_ENCRYPTION_KEYS = OLD_RING


@pytest.fixture
def case(world):
    case = services.open_case(
        actor=world.cecilia,
        identity=IDENTITY,
        sex="female",
        municipality="Malmö",
        exploitation_forms=["labour"],
        **SEALED,
    )
    services.add_note(actor=world.cecilia, case=case, body=NOTE, audience="everyone")
    services.record_milestone(
        actor=world.cecilia,
        case=case,
        kind=MilestoneKind.NEEDS_ASSESSED,
        occurred_on=timezone.localdate(),
        evidence=EVIDENCE,
    )
    return Case.objects.get(pk=case.pk)


def rotate(*args) -> str:
    out = StringIO()
    call_command("keys_rotate", *args, stdout=out, stderr=out)
    return out.getvalue()


def stored(model, pk, name) -> str:
    return model.objects.values_list(name, flat=True).get(pk=pk)


def all_tokens() -> list[str]:
    tokens = [
        token
        for model, model_field in rotation.sealed_fields()
        for token in model.objects.exclude(**{model_field.name: ""}).values_list(
            model_field.name, flat=True
        )
    ]
    for data in Authenticator.objects.values_list("data", flat=True):
        tokens += rotation.JSON_SECRETS[0].tokens(data)
    return tokens


@pytest.mark.usefixtures("clean_cache", "on_commit_in_request")
def test_after_rotation_the_old_key_can_go_and_everything_still_reads(
    world, case, settings, client, run_tasks
):
    alice = world.alice.user
    recovery_codes = RecoveryCodes.activate(alice).generate_codes()
    invitation, token = account_services.invitation_send(
        actor=world.olle, organisation=world.ngo, email="new@test.example", role=Role.FRONTLINE
    )
    # Queued but not yet sent: the worker is down while the keys change.
    account_tasks.send_invitation_email.enqueue(
        invitation_id=invitation.pk,
        sealed_token=crypto.encrypt(token, context=account_tasks.invitation_context(invitation.pk)),
        language="en",
    )
    tokens = all_tokens()
    # 5 of the person, 2 of the case, a note, an evidence; 8 TOTP secrets and a seed
    assert len(tokens) == 9 + 9
    assert {crypto.key_ring().key_id_of(token) for token in tokens} == {"old"}

    settings.FIELD_ENCRYPTION_KEYS = ROTATING_RING
    output = rotate()

    assert "cases.Person.identity: 1 re-encrypted, 0 left under other keys, 0 failed" in output
    assert "cases.CaseNote.body: 1 re-encrypted" in output
    assert "cases.Milestone.evidence: 1 re-encrypted" in output
    assert "mfa.Authenticator.data: 9 re-encrypted" in output
    assert "django_tasks_db.DBTaskResult.args_kwargs: 1 re-encrypted" in output
    assert "0 left under other keys" in output.splitlines()[-1]
    for secret in [*SEALED.values(), NOTE, EVIDENCE, IDENTITY.given_names, *recovery_codes]:
        assert secret not in output
    entry = AuditEntry.objects.filter(action="keys.rotated").get()
    assert "failures:0" in entry.flags and "left:0" in entry.flags

    settings.FIELD_ENCRYPTION_KEYS = NEW_ONLY_RING
    assert {crypto.key_ring().key_id_of(token) for token in all_tokens()} == {"new"}
    person = Person.objects.get(pk=case.person_id)
    assert person.unseal("identity") == IDENTITY.as_json()
    for name in ("contact", "secret_location", "health", "immigration"):
        assert person.unseal(name) == SEALED[name]
    detail = selectors.case_detail(world.cecilia, case.uuid)
    assert detail.values[Category.IDENTITY] == IDENTITY.as_json()
    assert detail.values[Category.SECRET_LOCATION] == SEALED["secret_location"]
    assert detail.values[Category.HEALTH] == SEALED["health"]
    assert detail.values[Category.EXPLOITATION] == SEALED["exploitation_details"]
    assert detail.values[Category.SOCIAL] == SEALED["social_needs"]
    assert [body for _note, body in detail.notes] == [NOTE]
    assert EVIDENCE in [view.evidence for view in detail.milestones]
    # The blind indexes use their own key and are untouched by a rotation.
    found = selectors.case_search(world.cecilia, name="amina grace okonkwo lindqvist")
    assert [found_case.pk for found_case in found.object_list] == [case.pk]

    # The second factor still works: a real login with the current TOTP code,
    # and the recovery codes are the ones the person printed.
    login_with_mfa(client, alice)
    assert (
        RecoveryCodes(
            Authenticator.objects.get(user=alice, type=Authenticator.Type.RECOVERY_CODES)
        ).generate_codes()
        == recovery_codes
    )
    # The queued invitation is sent with its link once the worker is back.
    run_tasks()
    assert len(mail.outbox) == 1
    assert token in mail.outbox[0].body


@pytest.mark.usefixtures("case")
def test_a_second_run_changes_nothing(settings):
    settings.FIELD_ENCRYPTION_KEYS = ROTATING_RING
    rotate()
    before = all_tokens()
    output = rotate()
    assert all_tokens() == before
    assert re.search(r"^Total: 0 re-encrypted, 0 left under other keys\.$", output, re.M)


@pytest.mark.usefixtures("case")
def test_a_dry_run_counts_and_changes_nothing(settings):
    before = all_tokens()
    settings.FIELD_ENCRYPTION_KEYS = ROTATING_RING
    output = rotate("--dry-run")
    assert all_tokens() == before
    assert "cases.Person.identity: 1 to re-encrypt, 1 left under other keys" in output
    assert not AuditEntry.objects.filter(action="keys.rotated").exists()


def test_small_batches_cover_every_row(world, case, settings):
    for number in range(5):
        services.add_note(actor=world.cecilia, case=case, body=f"note {number}", audience="own")
    settings.FIELD_ENCRYPTION_KEYS = ROTATING_RING
    output = rotate("--batch-size", "2")
    assert "cases.CaseNote.body: 6 re-encrypted, 0 left" in output
    assert sorted(note.unseal("body") for note in CaseNote.objects.all()) == sorted(
        [NOTE, *(f"note {number}" for number in range(5))]
    )


def test_a_concurrent_write_between_read_and_write_is_not_overwritten(
    world, case, settings, monkeypatch
):
    settings.FIELD_ENCRYPTION_KEYS = ROTATING_RING
    moved_to = "Shelter Björk, Ekvägen 9"
    original = rotation.reencrypt

    def application_writes_meanwhile(ring, token, *, context):
        renewed = original(ring, token, context=context)
        if context.startswith("cases.person.secret_location:"):
            services.update_secret_location(
                actor=world.cecilia, case=case, secret_location=moved_to
            )
        return renewed

    monkeypatch.setattr(rotation, "reencrypt", application_writes_meanwhile)
    output = rotate()

    assert "cases.Person.secret_location: 0 re-encrypted" in output
    assert "1 rewritten by the application meanwhile" in output
    settings.FIELD_ENCRYPTION_KEYS = NEW_ONLY_RING
    assert Person.objects.get(pk=case.person_id).unseal("secret_location") == moved_to


def test_a_recovery_code_used_meanwhile_keeps_its_use(world, settings, monkeypatch):
    alice = world.alice.user
    codes = RecoveryCodes.activate(alice)
    printed = codes.generate_codes()
    settings.FIELD_ENCRYPTION_KEYS = ROTATING_RING
    original = rotation.reencrypt

    def code_used_meanwhile(ring, token, *, context):
        renewed = original(ring, token, context=context)
        stored_codes = Authenticator.objects.get(pk=codes.instance.pk)
        if "used_mask" in stored_codes.data and not stored_codes.data["used_mask"]:
            RecoveryCodes(stored_codes).validate_code(printed[0])
        return renewed

    monkeypatch.setattr(rotation, "reencrypt", code_used_meanwhile)
    assert "1 rewritten by the application meanwhile" in rotate()
    assert Authenticator.objects.get(pk=codes.instance.pk).data["used_mask"] == 1

    monkeypatch.setattr(rotation, "reencrypt", original)
    assert "mfa.Authenticator.data: 1 re-encrypted, 0 left" in rotate()
    settings.FIELD_ENCRYPTION_KEYS = NEW_ONLY_RING
    rotated = RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk))
    assert rotated.instance.data["used_mask"] == 1
    assert rotated.get_unused_codes() == printed[1:]


def test_a_tampered_ciphertext_fails_the_run_and_is_named_without_its_value(world, case, settings):
    person = Person.objects.get(pk=case.person_id)
    version, key_id, payload = person.health.split(":")
    raw = bytearray(base64.urlsafe_b64decode(payload))
    raw[-1] ^= 1
    tampered = f"{version}:{key_id}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"
    Person.objects.filter(pk=person.pk).update(health=tampered)
    settings.FIELD_ENCRYPTION_KEYS = ROTATING_RING

    out = StringIO()
    with pytest.raises(CommandError, match="1 values could not be decrypted"):
        call_command("keys_rotate", stdout=out, stderr=out)
    output = out.getvalue()
    assert f"Does not decrypt: cases.Person.health, row {person.uuid}" in output
    assert "cases.Person.health: 0 re-encrypted, 1 left under other keys, 1 failed" in output
    assert SEALED["health"] not in output and tampered not in output
    # Everything else was rotated; the tampered value was left as it was.
    assert stored(Person, person.pk, "health") == tampered
    assert "cases.Person.identity: 1 re-encrypted, 0 left" in output


def test_a_value_under_a_removed_key_is_reported(world, case, settings):
    settings.FIELD_ENCRYPTION_KEYS = NEW_ONLY_RING  # the old key dropped too early
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("keys_rotate", stdout=out, stderr=out)
    assert f"Does not decrypt: cases.CaseNote.body, row {case.notes.get().uuid}" in out.getvalue()
    assert "Does not decrypt: mfa.Authenticator.data, row" in out.getvalue()


@pytest.mark.usefixtures("case")
def test_status_counts_values_per_key_and_says_when_a_key_can_go(settings):
    settings.FIELD_ENCRYPTION_KEYS = ROTATING_RING
    out = StringIO()
    call_command("keys_status", stdout=out)
    before = out.getvalue()
    assert "cases.Person.identity: old 1\n" in before
    assert "cases.Case.legal_details: no values\n" in before
    assert "not under the current key new" in before

    rotate()
    out = StringIO()
    call_command("keys_status", stdout=out)
    after = out.getvalue()
    assert "cases.Person.identity: new 1\n" in after
    assert "cases.Milestone.evidence: new 1\n" in after
    assert "Nothing is left under old: remove it from the ring." in after


@pytest.mark.usefixtures("case")
def test_status_fails_when_values_are_under_a_key_no_longer_in_the_ring(settings):
    settings.FIELD_ENCRYPTION_KEYS = NEW_ONLY_RING
    out = StringIO()
    # 9 values of the case and 8 TOTP secrets
    with pytest.raises(CommandError, match="17 values are under keys that are not in the ring"):
        call_command("keys_status", stdout=out)
    assert "cases.Person.identity: old 1\n" in out.getvalue()


def test_every_sealed_field_is_covered():
    covered = {rotation.field_label(model, field) for model, field in rotation.sealed_fields()}
    assert {
        f"cases.{model.__name__}.{field.name}"
        for model in (Person, Case, Milestone, CaseNote)
        for field in model.encrypted_fields()
    } <= covered
