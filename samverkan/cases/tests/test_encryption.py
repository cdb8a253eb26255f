"""Encryption at rest (D2, D3, D5, D6): no sealed value is readable in the
database or in its dump, a tampered, moved or orphaned ciphertext refuses to
open, and exact search works through keyed blind indexes only."""

from __future__ import annotations

import base64
import io
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from samverkan import crypto
from samverkan.cases import selectors, services
from samverkan.cases.models import Case, Person, PersonIndex
from samverkan.cases.workflow import MilestoneKind

BASE_DIR = Path(__file__).resolve().parents[3]
PG_DUMP = "/usr/lib/postgresql/15/bin/pg_dump"

# One distinctive string per sealed value; none may ever be found in clear.
CANARY = {
    "given_names": "Canarygiven Canarymiddle",
    "family_name": "Canaryfamily-Wyrkowska",
    "alias": "Canaryalias Jopt",
    "identity_documents": "CANARYPASSPORT 7731",
    "contact": "canarycontact@shelter.example",
    "secret_location": "CanaryShelter, Hemliga vägen 13",
    "health": "CanaryHealth tuberculosis",
    "immigration": "CanaryImmigration asylum 2291",
    "exploitation_details": "CanaryExploit kitchen in Hagfors",
    "social_needs": "CanarySocial needs housing",
    "legal_details": "CanaryLegal case B 4711",
    "note": "CanaryNote she fears the recruiter",
    "evidence": "CanaryEvidence assessment signed",
}
DATE_OF_BIRTH = date(1987, 11, 23)
DATE_OF_BIRTH_FORMS = ["1987-11-23", "19871123", "23.11.1987", "23/11/1987", "1987/11/23"]


def open_canary_case(world) -> Case:
    case = services.open_case(
        actor=world.cecilia,
        identity=services.Identity(
            given_names=CANARY["given_names"],
            family_name=CANARY["family_name"],
            aliases=[CANARY["alias"]],
            date_of_birth=DATE_OF_BIRTH,
            gender="female",
            citizenships=["RO"],
            languages=["ro"],
            identity_documents=CANARY["identity_documents"],
        ),
        sex="female",
        municipality="Karlstad",
        exploitation_forms=["labour"],
        contact=CANARY["contact"],
        secret_location=CANARY["secret_location"],
        health=CANARY["health"],
        immigration=CANARY["immigration"],
        exploitation_details=CANARY["exploitation_details"],
        social_needs=CANARY["social_needs"],
    )
    # No service writes the legal details yet; sealed the same way.
    case.seal("legal_details", CANARY["legal_details"])
    case.save(update_fields=["legal_details"])
    services.add_note(actor=world.cecilia, case=case, body=CANARY["note"], audience="everyone")
    services.record_milestone(
        actor=world.cecilia,
        case=case,
        kind=MilestoneKind.NEEDS_ASSESSED,
        occurred_on=timezone.localdate(),
        evidence=CANARY["evidence"],
    )
    return Case.objects.get(pk=case.pk)


def every_sealed_value_is_there(case: Case) -> None:
    """The sweep is only meaningful if every canary was stored (sealed)."""
    person = case.person
    identity = person.unseal("identity")
    assert identity["given_names"] == CANARY["given_names"]
    assert identity["aliases"] == [CANARY["alias"]]
    assert identity["date_of_birth"] == DATE_OF_BIRTH.isoformat()
    for name in ("contact", "secret_location", "health", "immigration"):
        assert person.unseal(name) == CANARY[name]
    for name in ("exploitation_details", "social_needs", "legal_details"):
        assert case.unseal(name) == CANARY[name]
    assert case.notes.get().unseal("body") == CANARY["note"]
    assert CANARY["evidence"] in [
        milestone.unseal("evidence") for milestone in case.milestones.all()
    ]


def forbidden_strings() -> list[str]:
    strings = [*CANARY.values(), *DATE_OF_BIRTH_FORMS]
    # Parts of the names too (long enough never to occur in base64 by chance).
    strings += [part for key in ("given_names", "family_name") for part in CANARY[key].split()]
    return [string.casefold() for string in strings]


def database_rows_as_text() -> dict[str, list[str]]:
    """Every row of every table in the database, each cast to text whole."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        tables = [name for (name,) in cursor.fetchall()]
        rows = {}
        for table in tables:
            cursor.execute(f"SELECT t::text FROM {connection.ops.quote_name(table)} t")  # noqa: S608  (names from the catalogue)
            rows[table] = [text for (text,) in cursor.fetchall()]
    return rows


def hits(text: str) -> list[str]:
    folded = text.casefold()
    return [string for string in forbidden_strings() if string in folded]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL sweep")
@pytest.mark.django_db(transaction=True)
def test_no_sealed_value_is_in_the_database_or_its_dump(world):
    case = open_canary_case(world)
    # Reading and searching write audit entries: the terms must not land there either.
    selectors.case_detail(world.cecilia, case.uuid)
    selectors.case_search(world.cecilia, name=f"{CANARY['given_names']} {CANARY['family_name']}")
    selectors.case_search(world.cecilia, date_of_birth=DATE_OF_BIRTH)
    every_sealed_value_is_there(case)

    rows = database_rows_as_text()
    # The sweep sees the data: the case number and the sealed columns are there.
    assert any(case.number in row for row in rows["cases_case"])
    assert any(case.person.health in row for row in rows["cases_person"])
    assert rows["audit_auditentry"]
    found = {
        table: strings
        for table, table_rows in rows.items()
        if (strings := [string for row in table_rows for string in hits(row)])
    }
    assert found == {}

    database = connection.settings_dict
    dump = subprocess.run(  # noqa: S603  (a fixed binary, arguments from the test settings)
        [
            PG_DUMP,
            "--host",
            database["HOST"] or "127.0.0.1",
            "--port",
            str(database["PORT"] or 5432),
            "--username",
            database["USER"],
            "--no-password",
            database["NAME"],
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PGPASSWORD": database["PASSWORD"] or ""},
    )
    assert dump.returncode == 0, dump.stderr
    assert case.number in dump.stdout
    assert case.person.secret_location in dump.stdout
    assert hits(dump.stdout) == []


# Tampering, moving and missing keys: a ciphertext opens only where it was made.


def stored_token(record, name: str) -> str:
    return type(record).objects.values_list(name, flat=True).get(pk=record.pk)


def reload(record):
    return type(record).objects.get(pk=record.pk)


@pytest.fixture
def two_cases(world):
    first = open_canary_case(world)
    second = services.open_case(
        actor=world.cecilia,
        identity=services.Identity(given_names="Other", family_name="Person"),
        sex="male",
        municipality="Umeå",
        exploitation_forms=["sexual"],
        contact="other contact",
        secret_location="other shelter",
        health="other health",
        immigration="other immigration",
        exploitation_details="other details",
        social_needs="other needs",
    )
    services.add_note(actor=world.cecilia, case=second, body="other note", audience="everyone")
    return first, Case.objects.get(pk=second.pk)


def sealed_slots(case: Case) -> list[tuple[object, str]]:
    """Every (record, field) holding a sealed value in ``case``."""
    records = [case.person, case, *case.notes.all(), *case.milestones.all()]
    return [
        (record, field.name)
        for record in records
        for field in type(record).encrypted_fields()
        if getattr(record, field.name)
    ]


def test_any_flipped_byte_of_a_stored_value_refuses_to_open(world):
    person = open_canary_case(world).person
    token = stored_token(person, "health")
    version, key_id, payload = token.split(":")
    raw = base64.urlsafe_b64decode(payload)

    @given(st.integers(min_value=0, max_value=len(raw) - 1), st.integers(1, 255))
    @hypothesis_settings(
        max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    def flipped(position, flip):
        tampered = bytearray(raw)
        tampered[position] ^= flip
        encoded = base64.urlsafe_b64encode(bytes(tampered)).decode()
        Person.objects.filter(pk=person.pk).update(health=f"{version}:{key_id}:{encoded}")
        with pytest.raises(crypto.DecryptionError):
            reload(person).unseal("health")

    flipped()
    Person.objects.filter(pk=person.pk).update(health=token)
    assert reload(person).unseal("health") == CANARY["health"]


def test_a_ciphertext_moved_to_another_record_or_field_refuses_to_open(two_cases):
    slots = sealed_slots(two_cases[0]) + sealed_slots(two_cases[1])
    # The first case fills every sealed field; the second has no legal details or evidence.
    assert len(slots) == 10 + 8

    @given(st.sampled_from(slots), st.sampled_from(slots))
    @hypothesis_settings(
        max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    def moved(source, destination):
        if source == destination:
            return
        (from_record, from_field), (to_record, to_field) = source, destination
        model = type(to_record)
        original = stored_token(to_record, to_field)
        model.objects.filter(pk=to_record.pk).update(
            **{to_field: stored_token(from_record, from_field)}
        )
        try:
            with pytest.raises(crypto.DecryptionError):
                reload(to_record).unseal(to_field)
        finally:
            model.objects.filter(pk=to_record.pk).update(**{to_field: original})

    moved()


def test_swapping_two_persons_identities_makes_both_unreadable(world, two_cases):
    first, second = (case.person for case in two_cases)
    first_token, second_token = first.identity, second.identity
    Person.objects.filter(pk=first.pk).update(identity=second_token)
    Person.objects.filter(pk=second.pk).update(identity=first_token)
    for person in (first, second):
        with pytest.raises(crypto.DecryptionError):
            reload(person).unseal("identity")
    # The selector does not fall back to anything either.
    with pytest.raises(crypto.DecryptionError):
        selectors.case_detail(world.cecilia, two_cases[0].uuid)


def test_a_value_whose_key_is_missing_refuses_to_open(world, settings):
    case = open_canary_case(world)
    key_id = crypto.key_ring().current_id
    # A ring that no longer holds the key id, and one where the id names another key.
    for ring in (f"other:{crypto.generate_key()}", f"{key_id}:{crypto.generate_key()}"):
        settings.FIELD_ENCRYPTION_KEYS = ring
        for record, name in sealed_slots(case):
            with pytest.raises(crypto.DecryptionError):
                reload(record).unseal(name)


# Blind indexes: exact search only, under a key of their own.


@pytest.fixture
def accented_case(world):
    return services.open_case(
        actor=world.cecilia,
        identity=services.Identity(
            given_names="Zoë Ana",
            family_name="Ångström-Nuñez",
            aliases=["Zizi"],
            date_of_birth=DATE_OF_BIRTH,
        ),
        sex="female",
        municipality="Malmö",
        exploitation_forms=["labour"],
    )


def found(world, **terms) -> list[int]:
    return [case.pk for case in selectors.case_search(world.cecilia, **terms).object_list]


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ana Ångström-Nuñez",
        "zoe ana angstrom nunez",
        "  ZOË   ANA  ÅNGSTRÖM-NUÑEZ ",
        "Zoe Ana Angstrom Nunez",
        "Ångström-Nuñez",
        "angstrom nunez",
        "zizi",
    ],
)
def test_exact_search_finds_the_name_however_it_is_written(world, accented_case, name):
    assert found(world, name=name) == [accented_case.pk]


@pytest.mark.parametrize(
    "name",
    [
        "Zoë",
        "Zoë Ana",
        "Zoë Ana Ångström",
        "Ångström",
        "Ångströ",
        "Zoë Ana Ångström-Nuñe",
        "Ziz",
        "Zoë Anna Ångström-Nuñez",
    ],
)
def test_a_prefix_a_part_or_another_name_finds_nothing(world, accented_case, name):
    assert found(world, name=name) == []


def test_the_date_of_birth_is_searched_in_its_own_index(world, accented_case):
    assert found(world, date_of_birth=DATE_OF_BIRTH) == [accented_case.pk]
    assert found(world, date_of_birth=date(1987, 11, 24)) == []
    # The same string as a name is another digest and finds nothing.
    iso = DATE_OF_BIRTH.isoformat()
    name_digest = crypto.blind_index(iso, kind=PersonIndex.Kind.NAME)
    date_digest = crypto.blind_index(iso, kind=PersonIndex.Kind.DATE_OF_BIRTH)
    assert name_digest != date_digest
    assert found(world, name=iso) == []
    stored = set(PersonIndex.objects.values_list("digest", flat=True))
    assert date_digest in stored and name_digest not in stored


def test_the_index_holds_keyed_digests_not_names(world, accented_case, settings):
    digests = set(
        PersonIndex.objects.filter(person=accented_case.person).values_list("digest", flat=True)
    )
    # The full name, the family name, the alias and the date of birth.
    assert len(digests) == 4
    assert all(re.fullmatch("[0-9a-f]{64}", digest) for digest in digests)
    assert crypto.blind_index("Zoë Ana Ångström-Nuñez", kind=PersonIndex.Kind.NAME) in digests
    # Under another key the same name gives another digest: the key is what protects it.
    settings.BLIND_INDEX_KEY = crypto.generate_key()
    assert crypto.blind_index("Zoë Ana Ångström-Nuñez", kind=PersonIndex.Kind.NAME) not in digests
    assert found(world, name="Zoë Ana Ångström-Nuñez") == []


def test_the_blind_index_key_is_not_a_field_key():
    index_key = base64.b64decode(django_settings.BLIND_INDEX_KEY)
    assert len(index_key) == 32
    assert index_key not in crypto.key_ring().keys.values()


@pytest.mark.parametrize(
    "index_key",
    ["same-as-a-field-key", base64.b64encode(b"short").decode(), "not base64!"],
)
def test_a_misconfigured_blind_index_key_is_refused(index_key):
    field_key = crypto.generate_key()
    index_key = field_key if index_key == "same-as-a-field-key" else index_key
    with pytest.raises(ImproperlyConfigured):
        crypto.validate_blind_index_key(index_key, f"old:{crypto.generate_key()},new:{field_key}")


def test_settings_refuse_to_start_with_the_blind_index_key_equal_to_a_field_key(tmp_path):
    field_key = crypto.generate_key()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SAMVERKAN_") and name != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        SAMVERKAN_ENV="test",
        SAMVERKAN_VAR_DIR=str(tmp_path),
        SAMVERKAN_SECRET_KEY=crypto.generate_key(),
        SAMVERKAN_AUDIT_CHECKPOINT_KEY=crypto.generate_key(),
        SAMVERKAN_FIELD_KEYS=f"k1:{field_key}",
        DJANGO_SETTINGS_MODULE="samverkan.settings",
    )
    code = "import django; django.setup()"

    def start(index_key: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603  (our own interpreter)
            [sys.executable, "-c", code],
            cwd=BASE_DIR,
            env={**env, "SAMVERKAN_BLIND_INDEX_KEY": index_key},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    refused = start(field_key)
    assert refused.returncode != 0
    assert "SAMVERKAN_BLIND_INDEX_KEY must differ from every field key" in refused.stderr
    assert start(crypto.generate_key()).returncode == 0


# Nonces (D4): random, 96 bits, never repeated.


def test_ten_thousand_encryptions_never_repeat_a_nonce():
    nonces = set()
    for _ in range(10_000):
        token = crypto.encrypt("the same value", context="cases.person.health:one")
        raw = base64.urlsafe_b64decode(token.split(":")[2])
        nonces.add(raw[: crypto.NONCE_BYTES])
    assert len(nonces) == 10_000
    assert {len(nonce) for nonce in nonces} == {12}


def test_changing_the_blind_index_key_and_reindexing_keeps_search_working(world, settings):
    from django.core.management import call_command

    services.open_case(
        actor=world.cecilia,
        identity=services.Identity(
            given_names="Reindex", family_name="Person", date_of_birth=date(1991, 2, 3)
        ),
        sex="female",
        municipality="Lund",
        exploitation_forms=["labour"],
    )
    settings.BLIND_INDEX_KEY = crypto.generate_key()
    assert not selectors.case_search(world.cecilia, name="Reindex Person").object_list
    call_command("keys_reindex", stdout=io.StringIO())
    assert len(selectors.case_search(world.cecilia, name="reindex person").object_list) == 1
    found = selectors.case_search(world.cecilia, date_of_birth=date(1991, 2, 3)).object_list
    assert len(found) == 1


def test_a_tampered_value_ends_the_read_with_a_plain_error_and_shows_nothing(world, client, login):
    case = services.open_case(
        actor=world.cecilia,
        identity=services.Identity(given_names="Tampered", family_name="Canaryvalue"),
        sex="female",
        municipality="Lund",
        exploitation_forms=["labour"],
    )
    token = Person.objects.get(pk=case.person_id).identity
    version, key_id, payload = token.split(":")
    raw = bytearray(base64.urlsafe_b64decode(payload))
    raw[len(raw) // 2] ^= 0x01
    flipped = f"{version}:{key_id}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"
    Person.objects.filter(pk=case.person_id).update(identity=flipped)
    login(client, world.cecilia)

    page = client.get(f"/cases/{case.uuid}/")
    assert page.status_code == 500
    assert "failed its integrity check" in page.content.decode()
    api = client.get(f"/api/v1/cases/{case.uuid}/")
    assert api.status_code == 500
    assert "failed its integrity check" in api.json()["error"]["message"]
    for response in (page, api):
        assert flipped not in response.content.decode()
        assert "Canaryvalue" not in response.content.decode()
