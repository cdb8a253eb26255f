"""Member places and contact persons, and their CSV import and export."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samverkan.audit.models import AuditEntry
from samverkan.network import services
from samverkan.network.models import ContactPerson, Place


def csv_upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("members.csv", text.encode(), content_type="text/csv")


def test_members_export_and_import_round_trip(client, union, login):
    login(client, union.noora)
    exported = client.get(f"/network/{union.network.uuid}/members.csv")
    assert exported["Content-Type"] == "text/csv"
    lines = exported.content.decode().splitlines()
    assert lines[0] == (
        "place,kind,country,contact_name,contact_organisation,contact_email,contact_language"
    )
    assert "Gdynia,city,PL,Piotr,City of Gdynia,piotr@gdynia.example,en" in lines

    new = (
        exported.content.decode()
        + "Tartu,city,EE,Tiina,City of Tartu,tiina@tartu.example,en\n"
        + "Växjö,,,Bertil,City of Växjö,bertil@vaxjo.example,sv\n"
    )
    imported = client.post(
        f"/network/{union.network.uuid}/members/import/", {"file": csv_upload(new)}
    )
    assert imported.status_code == 302
    assert sorted(union.network.places.values_list("name", flat=True)) == [
        "Gdynia",
        "Tartu",
        "Umeå",
        "Växjö",
    ]
    assert sorted(union.vaxjo.contacts.values_list("email", "language")) == [
        ("anna@vaxjo.example", "en"),
        ("bertil@vaxjo.example", "sv"),
    ]


def test_an_import_with_unknown_places_reports_each_line_and_imports_nothing(client, union, login):
    login(client, union.noora)
    text = (
        "place,country,contact_email\n"
        "Riga,LV,ilze@riga.example\n"
        "Atlantis,,someone@atlantis.example\n"
        "Narnia,XX,\n"
        "Umeå,,not-an-address\n"
    )
    response = client.post(
        f"/network/{union.network.uuid}/members/import/", {"file": csv_upload(text)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 3: unknown place “Atlantis” (give its country to add it)." in page
    assert "Line 4: unknown country code “XX”." in page
    assert "Line 5: “not-an-address” is not an e-mail address." in page
    assert not Place.objects.filter(name="Riga").exists()
    assert not ContactPerson.objects.filter(email="ilze@riga.example").exists()


def test_a_file_that_is_not_csv_gets_a_clear_message(client, union, login):
    login(client, union.noora)
    response = client.post(
        f"/network/{union.network.uuid}/members/import/",
        {"file": SimpleUploadedFile("members.csv", b"\xff\xfe\x00binary")},
    )
    assert response.status_code == 400
    assert "The file must be CSV in UTF-8." in response.content.decode()


def test_another_secretariat_learns_nothing_of_the_network(client, union, login):
    login(client, union.other)
    assert client.get("/network/").content.decode().count("Union of the Baltic Cities") == 0
    for url in [
        f"/network/{union.network.uuid}/",
        f"/network/{union.network.uuid}/members.csv",
        f"/network/places/{union.vaxjo.uuid}/",
    ]:
        assert client.get(url).status_code == 404
    response = client.post(
        f"/network/{union.network.uuid}/members/import/",
        {"file": csv_upload("place,country\nRiga,LV\n")},
    )
    assert response.status_code == 404
    assert not Place.objects.filter(name="Riga").exists()
    with pytest.raises(services.access.PolicyDenied):
        services.place_create(actor=union.other, network=union.network, name="Riga", country="LV")


def test_the_coordinator_adds_places_and_contacts_through_the_pages(client, union, login):
    login(client, union.noora)
    client.post(
        f"/network/{union.network.uuid}/",
        {"add_place": "1", "name": "Kaunas", "kind": "city", "country": "LT"},
    )
    kaunas = Place.objects.get(name="Kaunas")
    duplicate = client.post(
        f"/network/{union.network.uuid}/",
        {"add_place": "1", "name": "Kaunas", "kind": "city", "country": "LT"},
    )
    assert duplicate.status_code == 400
    client.post(
        f"/network/places/{kaunas.uuid}/",
        {
            "add_contact": "1",
            "full_name": "Rūta",
            "organisation_name": "City of Kaunas",
            "email": "ruta@kaunas.example",
            "language": "en",
        },
    )
    assert list(kaunas.contacts.values_list("email", flat=True)) == ["ruta@kaunas.example"]


def test_overlong_names_nul_bytes_and_huge_fields_are_reported_by_line(client, union, login):
    login(client, union.noora)
    text = (
        "place,country,contact_name,contact_email\n"
        f"{'R' * 300},LV,,ilze@riga.example\n"
        f"Tallinn,EE,{'K' * 300},kaja@tallinn.example\n"
        "Tartu\x00,EE,,\n"
    )
    response = client.post(
        f"/network/{union.network.uuid}/members/import/", {"file": csv_upload(text)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 2: name: Ensure this value has at most" in page
    assert "Line 3: name: Ensure this value has at most" in page
    assert "Line 4: the line contains a NUL character." in page
    assert not Place.objects.filter(name="Tallinn").exists()

    huge = "place,country\n" + "Riga,LV\n" + '"' + "x" * 200_000 + '",LV\n'
    response = client.post(
        f"/network/{union.network.uuid}/members/import/", {"file": csv_upload(huge)}
    )
    assert response.status_code == 400
    assert "Line 3: the line could not be read as CSV." in response.content.decode()
    assert not Place.objects.filter(name="Riga").exists()


def test_reading_a_places_contact_persons_is_audited(client, union, login):
    login(client, union.noora)
    page = client.get(f"/network/places/{union.vaxjo.uuid}/").content.decode()
    assert "anna@vaxjo.example" in page
    entry = AuditEntry.objects.get(action="network.contacts_read")
    assert (entry.object_id, entry.actor_membership_id) == (str(union.vaxjo.uuid), union.noora.pk)
