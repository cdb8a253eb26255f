"""Re-encrypting every sealed value under the current key while the application runs.

Covered are every ``EncryptedField`` of every installed model (a new sealed
model is found by itself), the MFA secrets of allauth's authenticators and
the invitation tokens waiting in the task queue. Rows are read in batches
and re-encrypted outside any transaction; each batch is then written back in
one short transaction, row by row with a compare-and-set on the value that
was read. A row the application wrote in the meantime keeps the
application's value: it is under the current key already (or is left for the
next run). Reports name rows by uuid or primary key and never hold a
plaintext.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.db import models, transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from samverkan import crypto
from samverkan.accounts import tasks as account_tasks
from samverkan.accounts.adapters import MFA_SECRET_CONTEXT
from samverkan.audit.services import audit_record
from samverkan.cases.models import EncryptedField

BATCH_SIZE = 500
MALFORMED = "malformed"

PROCEDURE = """\
Rotating the field-encryption key, without downtime:

  1. Generate a key:
       python -c "from samverkan.crypto import generate_key; print(generate_key())"
     and put it FIRST in SAMVERKAN_FIELD_KEYS, keeping the old key after it,
     e.g. SAMVERKAN_FIELD_KEYS=k2:<new key>,k1:<old key>. The first key is
     the current one; every key in the ring still decrypts.
  2. Restart the application servers and the task worker one by one. Each
     then writes under the new key and still reads the old one.
  3. Run `samverkan keys rotate` (`--dry-run` first shows what it would do).
     It works in short batches while the application runs, and may be
     interrupted and run again. If a value does not decrypt, it names the
     model, field and row, and exits with status 1: remove no key until
     that is resolved.
  4. Run `samverkan keys status`: no value may be left under the old key id.
     If one is (a server not yet restarted wrote it), run rotate again.
  5. Remove the old key from SAMVERKAN_FIELD_KEYS and restart the servers
     and the worker one by one.

Keep the old key with the backups made before step 3, for as long as they
are kept: only it can read them. The blind-index key
(SAMVERKAN_BLIND_INDEX_KEY) is separate and is not rotated by this command.
"""


@dataclass
class Report:
    """What a run did to one place holding ciphertexts; counts are of values."""

    label: str
    re_encrypted: int = 0
    # Values the application rewrote between our read and our write.
    changed_meanwhile: int = 0
    # Values still not under the current key after the run.
    left: int = 0
    # Rows holding a value that did not decrypt, by uuid or primary key.
    failures: list[str] = field(default_factory=list)


def _current_prefix(ring: crypto.KeyRing) -> str:
    return f"{crypto.FORMAT_VERSION}:{ring.current_id}:"


def _key_id(ring: crypto.KeyRing, token: str) -> str:
    try:
        return ring.key_id_of(token)
    except IndexError:
        return MALFORMED


def reencrypt(ring: crypto.KeyRing, token: str, *, context: str) -> str:
    """The same plaintext, sealed anew under the current key; raises ``DecryptionError``."""
    return ring.encrypt(ring.decrypt(token, context=context), context=context)


# Sealed model fields.


def sealed_fields() -> list[tuple[type[models.Model], EncryptedField]]:
    return [
        (model, model_field)
        for model in apps.get_models()
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, EncryptedField)
    ]


def field_label(model: type[models.Model], model_field: EncryptedField) -> str:
    return f"{model._meta.label}.{model_field.name}"


def _stale(model: type[models.Model], name: str, ring: crypto.KeyRing) -> models.QuerySet:
    """The rows whose ``name`` holds a value not under the current key."""
    return (
        model._base_manager.exclude(**{name: ""})
        .exclude(**{f"{name}__startswith": _current_prefix(ring)})
        .order_by("pk")
    )


def rotate_field(
    model: type[models.Model],
    model_field: EncryptedField,
    ring: crypto.KeyRing,
    *,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> Report:
    name = model_field.name
    report = Report(field_label(model, model_field))
    last_pk = None
    while True:
        rows = _stale(model, name, ring).only("pk", "uuid", name)
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        batch = list(rows[:batch_size])
        if not batch:
            break
        last_pk = batch[-1].pk
        updates = []
        for row in batch:
            token = getattr(row, name)
            try:
                new = reencrypt(ring, token, context=row.encryption_context(name))
            except crypto.DecryptionError:
                report.failures.append(str(row.uuid))
                continue
            updates.append((row.pk, token, new))
        if dry_run:
            report.re_encrypted += len(updates)
            continue
        with transaction.atomic():
            for pk, token, new in updates:
                if model._base_manager.filter(pk=pk, **{name: token}).update(**{name: new}):
                    report.re_encrypted += 1
                else:
                    report.changed_meanwhile += 1
    report.left = _stale(model, name, ring).count()
    return report


def _field_status(model: type[models.Model], name: str, ring: crypto.KeyRing) -> Counter:
    values = model._base_manager.exclude(**{name: ""})
    counts = Counter()
    for key_id in ring.keys:
        prefix = f"{crypto.FORMAT_VERSION}:{key_id}:"
        counts[key_id] = values.filter(**{f"{name}__startswith": prefix}).count()
        values = values.exclude(**{f"{name}__startswith": prefix})
    # Values under keys no longer in the ring (usually none), named one by one.
    counts.update(_key_id(ring, token) for token in values.values_list(name, flat=True).iterator())
    return +counts


# Sealed strings inside the JSON column of a model Samverkan does not own.

# Calls ``seal(token, context)`` on each sealed string of a JSON value and
# returns the value with each replaced by what it returned.
Mapper = Callable[[dict, Callable[[str, str], str]], dict]


@dataclass(frozen=True)
class JsonSecrets:
    label: str
    rows: Callable[[], models.QuerySet]
    column: str
    map_secrets: Mapper

    def tokens(self, data: dict) -> list[str]:
        found: list[str] = []

        def collect(token: str, context: str) -> str:
            found.append(token)
            return token

        self.map_secrets(data, collect)
        return found


def _mfa_secrets(data: dict, seal: Callable[[str, str], str]) -> dict:
    # The TOTP secret, the recovery-code seed, and recovery codes migrated
    # from another system; WebAuthn credentials are public keys, not sealed.
    new = dict(data)
    for key in ("secret", "seed"):
        if isinstance(data.get(key), str):
            new[key] = seal(data[key], MFA_SECRET_CONTEXT)
    if isinstance(data.get("migrated_codes"), list):
        new["migrated_codes"] = [seal(code, MFA_SECRET_CONTEXT) for code in data["migrated_codes"]]
    return new


def _invitation_secrets(args_kwargs: dict, seal: Callable[[str, str], str]) -> dict:
    kwargs = args_kwargs.get("kwargs") or {}
    if not isinstance(kwargs.get("sealed_token"), str):
        return args_kwargs
    context = account_tasks.invitation_context(kwargs["invitation_id"])
    return {
        **args_kwargs,
        "kwargs": {**kwargs, "sealed_token": seal(kwargs["sealed_token"], context)},
    }


JSON_SECRETS = [
    JsonSecrets(
        label="mfa.Authenticator.data",
        rows=lambda: Authenticator.objects.all(),
        column="data",
        map_secrets=_mfa_secrets,
    ),
    # Only tasks still to run: a finished task's token is never read again.
    JsonSecrets(
        label="django_tasks_db.DBTaskResult.args_kwargs",
        rows=lambda: DBTaskResult.objects.filter(
            task_path=account_tasks.send_invitation_email.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        ),
        column="args_kwargs",
        map_secrets=_invitation_secrets,
    ),
]


def rotate_json(
    target: JsonSecrets,
    ring: crypto.KeyRing,
    *,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> Report:
    """One row's JSON value is one compare-and-set, however many secrets it holds."""
    report = Report(target.label)
    prefix = _current_prefix(ring)
    last_pk = None
    while True:
        rows = target.rows().order_by("pk").values_list("pk", target.column)
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        batch = list(rows[:batch_size])
        if not batch:
            break
        last_pk = batch[-1][0]
        updates = []
        for pk, data in batch:
            renewed = 0

            def renew(token: str, context: str) -> str:
                nonlocal renewed
                if token.startswith(prefix):
                    return token
                renewed += 1
                return reencrypt(ring, token, context=context)

            try:
                new = target.map_secrets(data or {}, renew)
            except crypto.DecryptionError:
                report.failures.append(str(pk))
                continue
            if renewed:
                updates.append((pk, data, new, renewed))
        if dry_run:
            report.re_encrypted += sum(renewed for *_, renewed in updates)
            continue
        with transaction.atomic():
            for pk, data, new, renewed in updates:
                # E.g. a recovery code used meanwhile rewrites the whole value: theirs wins.
                changed = target.rows().filter(pk=pk, **{target.column: data})
                if changed.update(**{target.column: new}):
                    report.re_encrypted += renewed
                else:
                    report.changed_meanwhile += renewed
    report.left = sum(
        count for key_id, count in _json_status(target, ring).items() if key_id != ring.current_id
    )
    return report


def _json_status(target: JsonSecrets, ring: crypto.KeyRing) -> Counter:
    return Counter(
        _key_id(ring, token)
        for data in target.rows().values_list(target.column, flat=True).iterator()
        for token in target.tokens(data or {})
    )


# The commands' entry points.


def rotate(*, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> list[Report]:
    """Re-encrypt everything not under the current key; audited unless a dry run."""
    ring = crypto.key_ring()
    reports = [
        rotate_field(model, model_field, ring, dry_run=dry_run, batch_size=batch_size)
        for model, model_field in sealed_fields()
    ]
    reports += [
        rotate_json(target, ring, dry_run=dry_run, batch_size=batch_size) for target in JSON_SECRETS
    ]
    if not dry_run:
        with transaction.atomic():
            audit_record(
                action="keys.rotated",
                object_type="crypto.key_ring",
                object_id=ring.current_id,
                flags=[
                    f"re_encrypted:{sum(report.re_encrypted for report in reports)}",
                    f"left:{sum(report.left for report in reports)}",
                    f"failures:{sum(len(report.failures) for report in reports)}",
                ],
            )
    return reports


def key_status() -> dict[str, Counter]:
    """For each place holding ciphertexts, how many values each key id sealed."""
    ring = crypto.key_ring()
    status = {
        field_label(model, model_field): _field_status(model, model_field.name, ring)
        for model, model_field in sealed_fields()
    }
    status.update({target.label: _json_status(target, ring) for target in JSON_SECRETS})
    return status
