"""The auditor's page and API: filtered entries of their organisation, the consultation audited."""

from samverkan.audit.models import AuditEntry
from samverkan.audit.services import audit_record


def test_the_auditor_lists_and_filters_entries(client, world, login):
    audit_record(action="membership.changed", actor=world.olle, reason="role=a->b")
    audit_record(action="organisation.created", actor=world.per)
    login(client, world.agnes)
    page = client.get("/audit/", {"action": "membership"})
    assert page.status_code == 200
    assert "membership.changed" in page.text
    assert "Olle" in page.text
    assert "organisation.created" not in page.text
    consulted = AuditEntry.objects.filter(action="audit.consulted").latest("sequence")
    assert consulted.actor_membership_id == world.agnes.pk
    assert consulted.reason == "membership"


def test_a_bad_filter_is_answered_with_a_message(client, world, login):
    login(client, world.agnes)
    response = client.get("/audit/", {"date_from": "2026-02-30"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.text
    response = client.get("/audit/", {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert response.status_code == 400
    assert "The start date is after the end date." in response.text


def test_the_api_lists_the_same_entries(client, world, login):
    entry = audit_record(action="membership.changed", actor=world.olle)
    login(client, world.agnes)
    response = client.get("/api/v1/audit-entries/", {"action": "membership"})
    assert response.status_code == 200
    assert [row["sequence"] for row in response.json()["results"]] == [entry.sequence]


def test_entries_carry_the_request_id_and_client_address(client, world, login):
    login(client, world.olle)
    response = client.post(
        f"/members/{world.cecilia.uuid}/",
        {"role": "frontline", "is_active": "on"},
        REMOTE_ADDR="192.0.2.7",
    )
    entry = AuditEntry.objects.get(action="membership.changed")
    assert entry.request_id == response["X-Request-ID"]
    assert entry.client_address == "192.0.2.7"
