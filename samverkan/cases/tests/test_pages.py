"""The case pages as a person uses them: lists, opening a case, the case page
and its forms, deadlines, notifications, anonymous notifications and the
countries' configuration.

Who may reach which page for which role is the authorization matrix's
(samverkan/policy/tests/test_matrix.py); these follow the flows.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from samverkan.audit.models import AuditEntry
from samverkan.cases import services
from samverkan.cases.models import (
    AnonymousNotification,
    Case,
    CaseNote,
    Category,
    CountryConfiguration,
    Deadline,
    Milestone,
    Notification,
    Participation,
    Purpose,
)
from samverkan.cases.tasks import send_due_reminders
from samverkan.cases.workflow import DeadlineKind, IdentificationStatus, MilestoneKind

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def open_form(**overrides) -> dict:
    data = {
        "given_names": "Maria Elena",
        "family_name": "Testdottir",
        "aliases": "Mia\nElena T",
        "date_of_birth": "1994-03-02",
        "sex": "female",
        "gender": "woman",
        "citizenships": ["RO"],
        "languages": "Romanian, English",
        "identity_documents": "Passport RO-111",
        "contact": "+46 70 123 45 67",
        "secret_location": "Shelter at Hemliggatan 4",
        "health": "Needs a dentist",
        "immigration": "Visa expired",
        "municipality": "Malmö",
        "exploitation_forms": ["labour", "domestic_servitude"],
        "countries_of_origin": ["RO"],
        "countries_of_exploitation": ["SE"],
        "exploitation_details": "Cleaning company, passport withheld",
        "social_needs": "Housing",
        "detected_on": TODAY().isoformat(),
        "consent_manner": "signed_form",
    }
    data.update(overrides)
    return data


def open_case(client, **overrides) -> Case:
    response = client.post("/cases/new/", open_form(**overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.latest("opened_at")
    assert response["Location"] == f"/cases/{case.uuid}/"
    client.get(response["Location"])  # shows (and so clears) the "opened" message
    return case


def milestone(client, case, kind, **extra):
    data = {"milestone-kind": kind, "milestone-occurred_on": TODAY().isoformat(), **extra}
    return client.post(f"/cases/{case.uuid}/milestones/", data)


def notify_coordination(client, world, case):
    response = milestone(
        client,
        case,
        MilestoneKind.COORDINATION_NOTIFIED,
        **{"milestone-competent_authority": str(world.coordination.uuid)},
    )
    assert response.status_code == 302, response.content.decode()[:3000]


# --- Opening a case and reading it back ---


def test_a_case_opened_on_the_page_shows_its_values(client, world, login):
    login(client, world.cecilia)
    assert client.get("/cases/new/").status_code == 200

    page = client.post("/cases/new/", open_form(), follow=True)

    case = Case.objects.get()
    assert page.redirect_chain == [(f"/cases/{case.uuid}/", 302)]
    assert page.status_code == 200
    text = page.text
    for value in [
        case.number,
        "Maria Elena",
        "Testdottir",
        "Mia, Elena T",
        "1994-03-02",
        "Romania",
        "Romanian, English",
        "+46 70 123 45 67",
        "Shelter at Hemliggatan 4",  # the person who wrote it is named for it
        "Needs a dentist",
        "Visa expired",
        "Cleaning company, passport withheld",
        "Labour exploitation, Domestic servitude",
        "Detection",
        "The person&#x27;s consent",
        "Presumed victim",
        "Adult, 25–34",
    ]:
        assert value in text, value
    assert f"Case {case.number} opened." in text


def test_a_child_by_estimated_age_is_opened_under_the_child_protection_duty(client, world, login):
    login(client, world.cecilia)
    case = open_case(client, date_of_birth="", estimated_age="15")

    page = client.get(f"/cases/{case.uuid}/")

    assert "Child-protection duty" in page.text
    assert "Child, 12–17" in page.text


def test_the_child_protection_flag_explains_and_insists_on_a_child(client, world, login):
    login(client, world.cecilia)
    page = client.get("/cases/new/", {"basis": "child_protection"})
    assert "This case is for a child." in page.text
    assert 'name="basis" value="child_protection"' in page.text

    response = client.post("/cases/new/", open_form(basis="child_protection"))

    assert response.status_code == 400
    assert "give a date of birth or an estimated age under 18" in response.text
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"exploitation_forms": []}, "Name at least one form of exploitation."),
        ({"given_names": ""}, "This field is required."),
        ({"detected_on": "2099-01-01"}, "The date of detection cannot be in the future."),
        ({"date_of_birth": "1994-02-30"}, "Enter a valid date."),
        ({"citizenships": ["XX"]}, "Select a valid choice."),
    ],
)
def test_bad_input_when_opening_writes_nothing(client, world, login, overrides, message):
    login(client, world.cecilia)

    response = client.post("/cases/new/", open_form(**overrides))

    assert response.status_code == 400
    assert message in response.text
    assert not Case.objects.exists()
    assert not AuditEntry.objects.filter(action="case.opened").exists()


# --- The list and the search ---


def test_the_list_shows_metadata_and_filters(client, world, login):
    login(client, world.cecilia)
    labour = open_case(client)
    sexual = open_case(client, exploitation_forms=["sexual"], municipality="Lund")

    page = client.get("/cases/")
    assert page.status_code == 200
    assert labour.number in page.text and sexual.number in page.text
    assert "Maria" not in page.text  # metadata only

    page = client.get("/cases/", {"exploitation_form": "sexual"})
    assert sexual.number in page.text and labour.number not in page.text
    page = client.get("/cases/", {"municipality": "malmö", "status": "open"})
    assert labour.number in page.text and sexual.number not in page.text
    page = client.get("/cases/", {"status": "closed"})
    assert labour.number not in page.text and "No cases match." in page.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"opened_from": "2026-02-30"}, "Enter a valid date."),
        ({"stage": "nonsense"}, "Select a valid choice."),
        ({"opened_from": "2026-05-02", "opened_to": "2026-05-01"}, "The start date is after"),
    ],
)
def test_a_bad_filter_is_a_form_error_and_an_empty_list(client, world, login, params, message):
    login(client, world.cecilia)
    case = open_case(client)

    page = client.get("/cases/", params)

    assert page.status_code == 200
    assert message in page.text
    assert case.number not in page.text


def test_the_search_is_posted_and_finds_by_exact_name_or_date_of_birth(client, world, login):
    login(client, world.cecilia)
    case = open_case(client)
    other = open_case(client, given_names="Ana", family_name="Other", date_of_birth="2001-01-01")

    by_name = client.post("/cases/search/", {"name": "Maria Elena Testdottir"})
    by_alias = client.post("/cases/search/", {"name": "Mia"})
    by_birth = client.post("/cases/search/", {"date_of_birth": "2001-01-01"})
    partial = client.post("/cases/search/", {"name": "Maria"})

    assert by_name.status_code == 200
    assert case.number in by_name.text and other.number not in by_name.text
    assert case.number in by_alias.text
    assert other.number in by_birth.text and case.number not in by_birth.text
    assert case.number not in partial.text and "No cases match." in partial.text
    assert AuditEntry.objects.filter(action="case.searched").count() == 4
    assert not AuditEntry.objects.filter(reason__icontains="Maria").exists()


def test_an_empty_search_is_refused(client, world, login):
    login(client, world.cecilia)
    response = client.post("/cases/search/", {"name": " "})
    assert response.status_code == 400
    assert "Give a name or a date of birth." in response.text
    assert client.get("/cases/search/").status_code == 405


def test_police_state_the_purpose_of_a_search(client, world, login):
    login(client, world.alice)
    page = client.get("/cases/")
    assert 'name="purpose"' in page.text

    refused = client.post("/cases/search/", {"name": "Someone"})
    assert refused.status_code == 400
    assert "State the purpose of the search" in refused.text
    assert not AuditEntry.objects.filter(action="case.searched").exists()

    answered = client.post("/cases/search/", {"name": "Someone", "purpose": "Case 2026/17"})
    assert answered.status_code == 200
    assert AuditEntry.objects.get(action="case.searched").reason == "Case 2026/17"


# --- The case page: milestones, notes, closing ---


def test_a_milestone_the_workflow_forbids_is_refused_with_its_reason(client, world, login):
    login(client, world.cecilia)
    case = open_case(client)

    early = milestone(client, case, MilestoneKind.REFERRED_TO_ASSISTANCE)
    not_ours = milestone(client, case, MilestoneKind.IDENTIFICATION_CONFIRMED)
    unknown = milestone(client, case, "detected")

    assert early.status_code == 400
    assert "This milestone needs these first: Needs assessed." in early.text
    assert not_ours.status_code == 400
    assert "Your organisation or role does not record this milestone." in not_ours.text
    assert unknown.status_code == 400
    assert list(case.milestones.values_list("kind", flat=True)) == [MilestoneKind.DETECTED]

    recorded = milestone(
        client, case, MilestoneKind.NEEDS_ASSESSED, **{"milestone-evidence": "Housing first"}
    )
    assert recorded.status_code == 302
    page = client.get(f"/cases/{case.uuid}/")
    assert "Needs assessed" in page.text and "Housing first" in page.text
    # The form offers what may follow now, not what was just done.
    assert 'value="referred_to_assistance"' in page.text
    assert 'value="needs_assessed"' not in page.text


def test_notifying_the_coordination_agency_needs_consent(client, world, login):
    login(client, world.cecilia)
    case = open_case(client)

    response = milestone(
        client,
        case,
        MilestoneKind.COORDINATION_NOTIFIED,
        **{"milestone-competent_authority": str(world.coordination.uuid)},
    )

    assert response.status_code == 400
    assert "Record the person&#x27;s consent (or a legal basis)" in response.text
    assert not Participation.objects.exists()
    assert case.milestones.count() == 1


def test_the_coordinator_sees_what_was_consented_and_confirms_identification(client, world, login):
    login(client, world.cecilia)
    case = open_case(client, coordination_consent=["identity", "notes"])
    page = client.get(f"/cases/{case.uuid}/")
    assert "Coordination SE" in page.text  # offered as the competent authority
    notify_coordination(client, world, case)

    login(client, world.karl)
    page = client.get(f"/cases/{case.uuid}/")
    assert page.status_code == 200
    assert "Maria Elena" in page.text
    assert "Needs a dentist" not in page.text
    assert "Withheld: you do not have access to Health." in page.text
    assert "Withheld: you do not have access to Secret location." in page.text
    assert "Shelter at Hemliggatan" not in page.text
    assert 'value="identification_confirmed"' in page.text
    assert "Close the case" not in page.text

    confirmed = milestone(client, case, MilestoneKind.IDENTIFICATION_CONFIRMED)
    assert confirmed.status_code == 302
    case.refresh_from_db()
    assert case.identification_status == IdentificationStatus.IDENTIFIED
    due = TODAY() + timedelta(days=30)
    page = client.get(f"/cases/{case.uuid}/")
    assert "Reflection and recovery period ends" in page.text
    assert due.isoformat() in page.text


def test_the_deadlines_page_shows_the_reflection_period_after_identification(client, world, login):
    login(client, world.cecilia)
    case = open_case(client, coordination_consent=["identity"])
    notify_coordination(client, world, case)
    login(client, world.karl)
    milestone(client, case, MilestoneKind.IDENTIFICATION_CONFIRMED)

    login(client, world.cecilia)
    page = client.get("/deadlines/")

    assert page.status_code == 200
    assert "Reflection and recovery period ends" in page.text
    assert (TODAY() + timedelta(days=30)).isoformat() in page.text
    assert f'href="/cases/{case.uuid}/">{case.number}</a>' in page.text
    assert "Nothing is overdue." in page.text
    # The deadline is the lead organisation's, not the coordinator's.
    login(client, world.karl)
    assert case.number not in client.get("/deadlines/").text


def test_an_overdue_deadline_is_highlighted(client, world, login):
    login(client, world.cecilia)
    case = open_case(client, detected_on=(TODAY() - timedelta(days=60)).isoformat())
    deadline = Deadline.objects.create(
        case=case,
        kind=DeadlineKind.REFLECTION_PERIOD_ENDS,
        due_on=TODAY() - timedelta(days=2),
        responsible_organisation=world.ngo,
    )

    page = client.get("/deadlines/")

    assert "Nothing is overdue." not in page.text
    overdue = page.text.split('data-testid="overdue-deadlines"')[1].split("</table>")[0]
    assert 'class="flagged"' in overdue and deadline.due_on.isoformat() in overdue
    assert "No upcoming deadlines." in page.text


def test_a_note_reaches_only_its_audience(client, world, login):
    login(client, world.cecilia)
    case = open_case(client, coordination_consent=["identity", "notes"])
    notify_coordination(client, world, case)
    for body, audience in [
        ("For everyone on the case", CaseNote.Audience.EVERYONE),
        ("For the NGO alone", CaseNote.Audience.OWN_ORGANISATION),
    ]:
        response = client.post(
            f"/cases/{case.uuid}/notes/", {"note-body": body, "note-audience": audience}
        )
        assert response.status_code == 302

    own = client.get(f"/cases/{case.uuid}/")
    login(client, world.karl)
    other = client.get(f"/cases/{case.uuid}/")

    assert "For everyone on the case" in own.text and "For the NGO alone" in own.text
    assert "For everyone on the case" in other.text
    assert "For the NGO alone" not in other.text


def test_an_empty_note_is_refused(client, world, login):
    login(client, world.cecilia)
    case = open_case(client)
    response = client.post(
        f"/cases/{case.uuid}/notes/", {"note-body": "", "note-audience": "everyone"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert not CaseNote.objects.exists()


def test_closing_a_case_needs_the_country_of_return(client, world, login):
    login(client, world.cecilia)
    case = open_case(client)

    refused = client.post(f"/cases/{case.uuid}/close/", {"close-outcome": "return"})
    assert refused.status_code == 400
    assert "Name the country of return." in refused.text
    case.refresh_from_db()
    assert not case.is_closed

    closed = client.post(
        f"/cases/{case.uuid}/close/", {"close-outcome": "return", "close-outcome_country": "RO"}
    )
    assert closed.status_code == 302
    page = client.get(f"/cases/{case.uuid}/")
    assert "Return and reintegration · Romania" in page.text
    assert "Retention period ends" in page.text
    assert "Close the case" not in page.text
    assert "Record a milestone" not in page.text
    again = client.post(f"/cases/{case.uuid}/close/", {"close-outcome": "other"})
    assert again.status_code == 400
    assert "The case is closed." in again.text


def test_writes_on_a_case_one_cannot_see_are_404(client, world, login):
    login(client, world.cecilia)
    case = open_case(client)
    login(client, world.karl)  # not notified: the case does not exist for him

    for path, data in [
        ("milestones/", {"milestone-kind": "needs_assessed"}),
        ("notes/", {"note-body": "x", "note-audience": "everyone"}),
        ("close/", {"close-outcome": "other"}),
        ("purpose/", {"purpose": "Checking something"}),
    ]:
        assert client.post(f"/cases/{case.uuid}/{path}", data).status_code == 404
    assert case.milestones.count() == 1
    assert not CaseNote.objects.exists()


def test_the_coordinator_cannot_close_a_case_they_only_take_part_in(client, world, login):
    login(client, world.cecilia)
    case = open_case(client, coordination_consent=["identity"])
    notify_coordination(client, world, case)
    login(client, world.karl)

    response = client.post(f"/cases/{case.uuid}/close/", {"close-outcome": "other"})

    assert response.status_code == 404
    case.refresh_from_db()
    assert not case.is_closed


# --- Police and prosecution: the purpose of each consultation ---


def share_with_police(world, case):
    consent = services.record_consent(
        actor=world.cecilia,
        case=case,
        basis="consent",
        categories=[Category.IDENTITY],
        purposes=[Purpose.LAW_ENFORCEMENT],
        organisation_kinds=["police"],
    )
    services.share_case(
        actor=world.cecilia,
        case=case,
        organisation=world.police,
        purpose=Purpose.LAW_ENFORCEMENT,
        categories=[Category.IDENTITY],
        basis=consent,
    )


def test_police_state_a_purpose_before_reading_a_shared_case(client, world, login):
    login(client, world.cecilia)
    case = open_case(client)
    share_with_police(world, case)
    login(client, world.alice)

    asked = client.get(f"/cases/{case.uuid}/")
    assert asked.status_code == 200
    assert "Purpose of this consultation" in asked.text
    assert "Maria Elena" not in asked.text and case.number not in asked.text

    too_short = client.post(f"/cases/{case.uuid}/purpose/", {"purpose": "x"})
    assert too_short.status_code == 400
    assert not AuditEntry.objects.filter(action="case.viewed", actor_membership_id=world.alice.pk)

    stated = client.post(f"/cases/{case.uuid}/purpose/", {"purpose": "Investigation 2026/44"})
    assert stated.status_code == 302 and stated["Location"] == f"/cases/{case.uuid}/"
    assert "Investigation" not in stated["Location"]
    page = client.get(f"/cases/{case.uuid}/")
    assert page.status_code == 200
    assert "Maria Elena" in page.text
    assert "Withheld: you do not have access to Health." in page.text
    viewed = AuditEntry.objects.filter(action="case.viewed", actor_membership_id=world.alice.pk)
    assert [entry.reason for entry in viewed] == ["Investigation 2026/44"]


def test_a_stated_purpose_lapses_after_30_minutes(client, world, login, monkeypatch):
    login(client, world.cecilia)
    case = open_case(client)
    share_with_police(world, case)
    login(client, world.alice)
    client.post(f"/cases/{case.uuid}/purpose/", {"purpose": "Investigation 2026/44"})
    assert "Maria Elena" in client.get(f"/cases/{case.uuid}/").text

    import time

    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)

    assert "Purpose of this consultation" in client.get(f"/cases/{case.uuid}/").text


def test_refused_and_missing_cases_are_the_same_404(client, world, login):
    login(client, world.cecilia)
    case = open_case(client)
    login(client, world.alice)  # police: not shared with them

    absent = uuid.uuid4()
    refused = client.get(f"/cases/{case.uuid}/")
    missing = client.get(f"/cases/{absent}/")

    assert refused.status_code == missing.status_code == 404
    # The same page but for the address the language switcher returns to.
    assert without_tokens(refused.text).replace(str(case.uuid), "?") == without_tokens(
        missing.text
    ).replace(str(absent), "?")
    assert case.number not in refused.text


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


# --- Notifications ---


def test_notifications_show_on_the_dashboard_and_can_be_marked_read(client, world, login):
    login(client, world.cecilia)
    case = open_case(client, detected_on=(TODAY() - timedelta(days=30)).isoformat())
    deadline = Deadline.objects.create(
        case=case,
        kind=DeadlineKind.REFLECTION_PERIOD_ENDS,
        due_on=TODAY(),
        responsible_organisation=world.ngo,
    )
    assert send_due_reminders(deadline.pk) == 1

    dashboard = client.get("/")
    assert "1 unread notification" in dashboard.text
    assert case.number in dashboard.text
    listing = client.get("/notifications/")
    assert listing.status_code == 200
    assert "Deadline due" in listing.text and case.number in listing.text
    assert "Maria" not in listing.text
    assert "Unread" in listing.text

    assert client.post("/notifications/read/").status_code == 302
    assert not Notification.objects.filter(recipient=world.cecilia, read_at__isnull=True)
    assert "unread" not in client.get("/").text
    assert client.get("/notifications/read/").status_code == 405


# --- Anonymous notifications ---


def anonymous_form(**overrides) -> dict:
    data = {
        "notified_on": TODAY().isoformat(),
        "municipality": "Göteborg",
        "sex": "male",
        "age_group": "25-34",
        "citizenship": "UA",
        "exploitation_forms": ["labour"],
        "indicators": ["exploitative_conditions"],
    }
    data.update(overrides)
    return data


def test_an_anonymous_notification_is_recorded_and_counted(client, world, login):
    login(client, world.cecilia)
    assert client.get("/anonymous-notifications/new/").status_code == 200

    response = client.post("/anonymous-notifications/new/", anonymous_form())
    assert response.status_code == 302
    client.post(
        "/anonymous-notifications/new/",
        anonymous_form(exploitation_forms=["labour", "sexual"], indicators=[]),
    )

    page = client.get("/anonymous-notifications/")
    assert page.status_code == 200
    assert "Göteborg" in page.text and "Ukraine" in page.text
    counts = page.text.split('data-testid="anonymous-counts"')[1].split("</table>")[0]
    year = TODAY().year
    assert '<th scope="col">Sexual exploitation</th>' in counts
    assert f'<th scope="row">{year}</th><td>1</td><td>2</td>' in counts.replace("\n", "")


def test_a_child_is_refused_with_a_way_to_open_a_case(client, world, login):
    login(client, world.cecilia)

    response = client.post("/anonymous-notifications/new/", anonymous_form(age_group="12-17"))

    assert response.status_code == 400
    assert "A child cannot be notified anonymously" in response.text
    assert 'href="/cases/new/?basis=child_protection"' in response.text
    assert not AnonymousNotification.objects.exists()


def test_an_anonymous_notification_without_a_form_of_exploitation_is_refused(client, world, login):
    login(client, world.cecilia)
    response = client.post("/anonymous-notifications/new/", anonymous_form(exploitation_forms=[]))
    assert response.status_code == 400
    assert "Name at least one form of exploitation." in response.text
    assert "child-protection duty" not in response.text
    assert not AnonymousNotification.objects.exists()


# --- Countries ---


def test_the_platform_admin_sets_a_country_and_the_minimum_holds(client, world, login):
    login(client, world.per)
    page = client.get("/configuration/countries/")
    assert page.status_code == 200
    assert "Sweden" in page.text and "Norway" in page.text

    row = {
        "country": "SE",
        "SE-competent_authority_kind": "coordination_agency",
        "SE-reflection_period_days": "20",
        "SE-residence_permit_renewal_days": "180",
        "SE-retention_days": "1825",
        "SE-reminder_days_before": "7",
    }
    refused = client.post("/configuration/countries/", row)
    assert refused.status_code == 400
    assert "reflection period of at least 30 days" in refused.text
    assert CountryConfiguration.for_country("SE").reflection_period_days == 30

    saved = client.post("/configuration/countries/", {**row, "SE-reflection_period_days": "45"})
    assert saved.status_code == 302
    assert CountryConfiguration.for_country("SE").reflection_period_days == 45
    assert client.post("/configuration/countries/", {"country": "XX"}).status_code == 400


# --- The menu ---


def test_the_menu_follows_the_policy(client, world, login):
    login(client, world.cecilia)
    page = client.get("/")
    for link in ["/cases/", "/deadlines/", "/anonymous-notifications/", "/notifications/"]:
        assert f'href="{link}"' in page.text
    assert 'href="/configuration/countries/"' not in page.text
    assert 'href="/cases/emergency-access/"' not in page.text

    login(client, world.karl)
    assert 'href="/cases/emergency-access/"' in client.get("/").text

    login(client, world.olle)
    page = client.get("/")
    assert 'href="/cases/"' not in page.text and 'href="/deadlines/"' not in page.text
    assert 'href="/notifications/"' in page.text

    login(client, world.per)
    assert 'href="/configuration/countries/"' in client.get("/").text


def test_milestones_are_listed_by_track(client, world, login):
    login(client, world.cecilia)
    case = open_case(client)
    milestone(client, case, MilestoneKind.NEEDS_ASSESSED)

    page = client.get(f"/cases/{case.uuid}/")

    tracks = page.text.split('id="tracks-heading"')[1].split("</section>")[0]
    assistance = tracks.split("<h3>Assistance</h3>")[1].split("</div>")[0]
    identification = tracks.split("<h3>Identification</h3>")[1].split("</div>")[0]
    assert "Needs assessed" in assistance and "Detected" not in assistance
    assert "Detected" in identification
    assert Milestone.objects.filter(case=case).count() == 2
