"""Every person, and every anonymous notification that had an identity at intake,
carries its linkage encoding; the anonymous identity itself is never stored."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core import serializers
from django.db import connection
from django.utils import timezone

from samverkan import linkage
from samverkan.audit.models import AuditEntry
from samverkan.cases.models import AnonymousNotification, Person
from samverkan.cases.tests import factories

CANARY_GIVEN = "Canaryolena"
CANARY_FAMILY = "Canaryshevchenko"


def _expected(given, family, born, sex, citizenship, secret) -> str:
    return linkage.encode_record(
        {
            "given_names": given,
            "family_name": family,
            "date_of_birth": born,
            "sex": sex,
            "citizenship": citizenship,
        },
        secret=secret,
    )


def _body(**overrides) -> dict:
    body = {
        "notified_on": timezone.localdate().isoformat(),
        "municipality": "Malmö",
        "sex": "female",
        "age_group": "25-34",
        "citizenship": "UA",
        "exploitation_forms": ["sexual"],
        "indicators": [],
    }
    body.update(overrides)
    return body


def _post(client, body):
    return client.post(
        "/api/v1/anonymous-notifications/", json.dumps(body), content_type="application/json"
    )


def _stored_anywhere(text: str) -> bool:
    """Whether ``text`` is in any column of the notifications or the audit log."""
    dumped = serializers.serialize(
        "json", [*AnonymousNotification.objects.all(), *AuditEntry.objects.all()]
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_anonymousnotification")
        rows = repr(cursor.fetchall())
    return text.casefold() in dumped.casefold() or text.casefold() in rows.casefold()


def test_opening_a_case_stores_the_persons_encoding(world, settings):
    identity = factories.identity(citizenships=["UA"])
    case = factories.open_case(world.alice, identity=identity, sex="female")

    person = Person.objects.get(pk=case.person_id)
    assert person.linkage_encoding == _expected(
        identity.given_names, identity.family_name, identity.date_of_birth, "female", ["UA"],
        settings.LINKAGE_SECRET,
    )  # fmt: skip
    assert person.linkage_key_check == linkage.key_check(
        linkage.parse_secret(settings.LINKAGE_SECRET)
    )


def test_an_anonymous_identity_is_encoded_and_never_stored(client, world, login, settings):
    login(client, world.cecilia)
    born = date(1994, 3, 17)
    identity = {"given_names": CANARY_GIVEN, "family_name": CANARY_FAMILY,
                "date_of_birth": born.isoformat()}  # fmt: skip

    response = _post(client, _body(identity=identity))

    assert response.status_code == 201, response.content
    assert "identity" not in response.json() and "linkage_encoding" not in response.json()
    notification = AnonymousNotification.objects.get()
    assert notification.linkage_encoding == _expected(
        CANARY_GIVEN, CANARY_FAMILY, born, "female", ["UA"], settings.LINKAGE_SECRET
    )
    for value in (CANARY_GIVEN, CANARY_FAMILY, "1994-03-17"):
        assert not _stored_anywhere(value)


def test_the_web_form_takes_an_optional_identity_and_drops_it(client, world, login, settings):
    login(client, world.cecilia)
    form = {**_body(), "given_names": CANARY_GIVEN, "family_name": CANARY_FAMILY,
            "date_of_birth": "1994-03-17"}  # fmt: skip

    response = client.post("/anonymous-notifications/new/", form)

    assert response.status_code == 302
    notification = AnonymousNotification.objects.get()
    assert notification.linkage_encoding == _expected(
        CANARY_GIVEN, CANARY_FAMILY, "1994-03-17", "female", ["UA"], settings.LINKAGE_SECRET
    )
    assert not _stored_anywhere(CANARY_FAMILY)
    page = client.get("/anonymous-notifications/new/")
    assert "never stored" in page.content.decode()


def test_without_an_identity_a_notification_has_no_encoding(client, world, login):
    login(client, world.cecilia)

    assert _post(client, _body()).status_code == 201
    assert _post(client, _body(identity=None)).status_code == 201
    assert _post(client, _body(identity={"given_names": ""})).status_code == 201

    assert set(AnonymousNotification.objects.values_list("linkage_encoding", flat=True)) == {""}


@pytest.mark.parametrize(
    ("identity", "field"),
    [
        ({"given_names": "x" * 300}, "identity.given_names"),
        ({"date_of_birth": "17 March"}, "identity.date_of_birth"),
        ({"given_names": "A", "surname": "B"}, "identity.surname"),
    ],
)
def test_a_bad_anonymous_identity_is_400_and_writes_nothing(client, world, login, identity, field):
    login(client, world.cecilia)

    response = _post(client, _body(identity=identity))

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert AnonymousNotification.objects.count() == 0


def test_a_future_date_of_birth_is_refused(client, world, login):
    login(client, world.cecilia)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = _post(client, _body(identity={"given_names": "A", "date_of_birth": tomorrow}))

    assert response.status_code == 400
    assert AnonymousNotification.objects.count() == 0


def test_a_case_and_an_anonymous_notification_of_one_person_count_once(client, world, login):
    """The police opened a case; the NGO met her too and notified anonymously."""
    identity = factories.identity(
        given_names="Олена", family_name="Шевченко", date_of_birth=date(1994, 3, 17),
        citizenships=["UA"],
    )  # fmt: skip
    factories.open_case(world.alice, identity=identity, sex="female")
    factories.open_case(world.alice, identity=factories.identity(citizenships=["LV"]))
    login(client, world.cecilia)
    written_by_ngo = {"given_names": "Olena", "family_name": "Shevchenko",
                      "date_of_birth": "1994-03-17"}  # fmt: skip
    assert _post(client, _body(identity=written_by_ngo)).status_code == 201

    schema = linkage.default_schema()
    police = linkage.EncodingSet.from_base64(
        list(Person.objects.values_list("linkage_encoding", flat=True)), schema
    )
    ngo = linkage.EncodingSet.from_base64(
        list(AnonymousNotification.objects.values_list("linkage_encoding", flat=True)), schema
    )
    result = linkage.link_sources({"police": police, "ngo": ngo})
    assert (result.record_count, result.person_count) == (3, 2)


def test_without_a_linkage_secret_no_encoding_is_made(world, settings):
    settings.LINKAGE_SECRET = ""
    case = factories.open_case(world.alice)

    assert Person.objects.get(pk=case.person_id).linkage_encoding == ""
