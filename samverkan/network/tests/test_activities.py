"""Activities with their participants, and participants' reports through a personal link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from samverkan.audit.models import AuditEntry
from samverkan.network import activities
from samverkan.network.models import Activity, Participant

REPORT_LINK = re.compile(r"/activity-report/(?P<token>[A-Za-z0-9_-]{20,})/")


@pytest.fixture
def seminar(union):
    today = timezone.localdate()
    activity = activities.activity_create(
        actor=union.noora,
        network=union.network,
        kind=Activity.Kind.MOBILITY,
        title="Mobility programme for police officers",
        starts_on=today - timedelta(days=5),
        ends_on=today - timedelta(days=1),
        capacity_min=2,
        capacity_max=2,
    )
    for name, email, country in [
        ("Jaan", "jaan@police.example", "EE"),
        ("Liis", "liis@police.example", "EE"),
    ]:
        activities.participant_add(
            actor=union.noora, activity=activity, full_name=name, email=email, country=country
        )
    return activity


def test_participants_report_through_their_link_and_the_activity_sums_them_up(
    client, union, login, seminar, run_tasks
):
    login(client, union.noora)
    response = client.post(f"/network/activities/{seminar.uuid}/", {"request_reports": "1"})
    assert response.status_code == 302
    run_tasks()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "jaan@police.example",
        "liis@police.example",
    ]
    to_jaan = next(m for m in mail.outbox if m.to == ["jaan@police.example"])
    token = REPORT_LINK.search(to_jaan.body)["token"]

    participant = client.__class__()
    assert participant.get(f"/activity-report/{token}/").status_code == 302
    empty = participant.post("/activity-report/", {"report": "  "})
    assert empty.status_code == 400
    participant.post("/activity-report/", {"report": "Field visits to the border guard."})
    assert Participant.objects.get(full_name="Jaan").report == "Field visits to the border guard."

    page = client.get(f"/network/activities/{seminar.uuid}/").content.decode()
    assert "1 of 2 participants reported." in page
    assert "Field visits to the border guard." in page

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        expired = client.__class__().get(f"/activity-report/{token}/")
        assert expired.status_code == 404
        assert "This report link no longer works." in expired.content.decode()


def test_capacity_and_dates_are_kept(union, seminar):
    with pytest.raises(ValidationError, match="at most 2 participants"):
        activities.participant_add(
            actor=union.noora, activity=seminar, full_name="Third", email="third@police.example"
        )
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        activities.activity_create(
            actor=union.noora,
            network=union.network,
            kind=Activity.Kind.SEMINAR,
            title="Backwards",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() - timedelta(days=1),
        )
    assert seminar.participants.count() == 2


def test_reports_are_asked_for_only_after_the_activity(union, seminar):
    seminar.ends_on = timezone.localdate() + timedelta(days=1)
    seminar.save()
    with pytest.raises(ValidationError, match="once the activity has ended"):
        activities.reports_request(actor=union.noora, activity=seminar)


def test_another_secretariat_cannot_see_the_activity(client, union, login, seminar):
    login(client, union.other)
    assert client.get(f"/network/activities/{seminar.uuid}/").status_code == 404


def test_reading_the_participants_is_audited(client, union, login, seminar):
    login(client, union.noora)
    page = client.get(f"/network/activities/{seminar.uuid}/").content.decode()
    assert "Jaan" in page
    entry = AuditEntry.objects.get(action="activity.participants_read")
    assert (entry.object_id, entry.actor_membership_id) == (str(seminar.uuid), union.noora.pk)
