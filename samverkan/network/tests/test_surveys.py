"""A survey from writing to the compiled answers, through the e-mail outbox, the
personal links and the real task worker."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.db import connection
from django.test import Client
from django.utils import timezone

from samverkan.accounts.tests.test_authentication import json_log  # noqa: F401, F811  (fixture)
from samverkan.audit.models import AuditEntry
from samverkan.network import respond_views, services, tasks
from samverkan.network.models import Question, Response, Survey, SurveyLink
from samverkan.network.tests.conftest import answer, links_in_outbox, make_survey

ACTION = "q1"
PLAN = "q2"


def test_survey_lifecycle_from_sending_to_the_coordinators_response_rate(
    client, union, login, send
):
    survey = make_survey(union)
    send(survey, [union.vaxjo, union.gdynia])

    assert sorted(message.to[0] for message in mail.outbox) == [
        "anna@vaxjo.example",
        "piotr@gdynia.example",
    ]
    to_vaxjo = next(message for message in mail.outbox if message.to == ["anna@vaxjo.example"])
    assert "Union of the Baltic Cities asks you to answer a survey for Växjö" in to_vaxjo.body
    vaxjo_token = links_in_outbox("anna@vaxjo.example")[0]

    # A draft, kept and found again on the next visit.
    saved = answer(client, vaxjo_token, {ACTION: "A mapping was conducted."}, submit=False)
    assert saved.status_code == 302
    page = client.get("/respond/")
    assert "A mapping was conducted." in page.content.decode()
    assert Response.objects.get(place=union.vaxjo).status == Response.Status.DRAFT

    # Submitting without a required answer keeps the draft and says which is missing.
    missing = client.post(
        "/respond/", {ACTION: "A mapping was conducted.", "respondent_name": "Anna", "submit": "1"}
    )
    assert missing.status_code == 400
    assert "This question must be answered." in missing.content.decode()
    assert Response.objects.get(place=union.vaxjo).status == Response.Status.DRAFT

    done = client.post(
        "/respond/",
        {ACTION: "A mapping was conducted.", PLAN: "yes", "respondent_name": "Anna", "submit": "1"},
    )
    assert done.status_code == 302
    response = Response.objects.get(place=union.vaxjo)
    assert response.status == Response.Status.SUBMITTED
    assert response.answers == {ACTION: "A mapping was conducted.", PLAN: "yes"}
    assert response.submitted_by_name == "Anna"

    # The link is used up: another post changes nothing and says why.
    again = client.post("/respond/", {ACTION: "Changed", PLAN: "no", "submit": "1"})
    assert again.status_code == 409
    assert "can no longer be changed" in again.content.decode()
    assert Response.objects.get(place=union.vaxjo).answers[ACTION] == "A mapping was conducted."

    login(client, union.noora)
    detail = client.get(f"/network/surveys/{survey.uuid}/")
    assert "1 of 2 places answered (50 %)." in detail.content.decode()
    assert "Gdynia (Not started)" in detail.content.decode()


def test_the_reminder_reaches_only_the_places_that_have_not_answered(
    client, union, run_tasks, send
):
    survey = make_survey(union, reminder_days_before=3)
    send(survey, [union.vaxjo, union.gdynia, union.umea])
    vaxjo = links_in_outbox("anna@vaxjo.example")[0]
    answer(client, vaxjo, {ACTION: "Training.", PLAN: "no", "respondent_name": "A"}, submit=True)
    umea = links_in_outbox("ulla@umea.example")[0]
    answer(client, umea, {ACTION: "A campaign."}, submit=False)
    mail.outbox.clear()

    run_tasks()  # the reminder's time has not come
    assert mail.outbox == []
    reminder_day = survey.deadline - timedelta(days=3)
    with time_machine.travel(timezone.make_aware(datetime.combine(reminder_day, time(9)))):
        run_tasks()
        assert tasks.remind_survey.call(survey.pk) == 0  # each place once
    assert sorted(message.to[0] for message in mail.outbox) == [
        "piotr@gdynia.example",
        "ulla@umea.example",
    ]
    assert mail.outbox[0].subject == "Reminder: " + survey.title
    # The reminder's fresh link opens the same draft.
    client.cookies.clear()
    fresh = links_in_outbox("ulla@umea.example")[0]
    assert fresh != umea
    client.get(f"/respond/{fresh}/")
    assert "A campaign." in client.get("/respond/").content.decode()


def test_after_the_deadline_the_link_says_so_and_takes_no_answer(client, union, send):
    survey = make_survey(union)
    send(survey, [union.vaxjo])
    token = links_in_outbox()[0]
    last_minute = datetime.combine(survey.deadline, time(23, 59))
    with time_machine.travel(timezone.make_aware(last_minute), tick=False) as clock:
        assert client.get(f"/respond/{token}/").status_code == 302
        clock.shift(timedelta(minutes=2))
        late = client.post("/respond/", {ACTION: "Late", PLAN: "yes", "submit": "1"})
        assert late.status_code == 404
        assert "The deadline of this survey has passed" in late.content.decode()
        reopened = client.get(f"/respond/{token}/")
        assert "The deadline of this survey has passed" in reopened.content.decode()
    assert Response.objects.get(place=union.vaxjo).answers == {}


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        ("revoke", "This link no longer works."),
        ("close", "This survey is closed"),
        ("garble", "This link is not valid."),
    ],
)
def test_a_revoked_garbled_or_closed_link_explains_itself(client, union, send, spoil, message):
    survey = make_survey(union)
    send(survey, [union.vaxjo])
    token = links_in_outbox()[0]
    if spoil == "revoke":
        services.contact_remove(actor=union.noora, contact=union.vaxjo.contacts.get())
    elif spoil == "close":
        services.survey_close(actor=union.noora, survey=survey)
    else:
        token = token[:-2] + ("aa" if token[-2:] != "aa" else "bb")
    opened = client.get(f"/respond/{token}/")
    assert opened.status_code == 404
    assert message in opened.content.decode()


def test_a_survey_changed_after_sending_keeps_submitted_answers_on_their_version(
    client, union, send, login
):
    survey = make_survey(union)
    send(survey, [union.vaxjo, union.gdynia])
    answer(
        client,
        links_in_outbox("anna@vaxjo.example")[0],
        {ACTION: "Training.", PLAN: "yes", "respondent_name": "Anna"},
        submit=True,
    )
    services.question_add(
        actor=union.noora,
        survey=survey,
        kind=Question.Kind.NUMBER,
        text="How many staff were trained?",
        required=True,
    )
    vaxjo = Response.objects.get(place=union.vaxjo)
    gdynia = Response.objects.get(place=union.gdynia)
    assert (vaxjo.version.number, gdynia.version.number) == (1, 2)
    assert [q["name"] for q in vaxjo.version.definition["questions"]] == [ACTION, PLAN]

    client.cookies.clear()
    client.get(f"/respond/{links_in_outbox('piotr@gdynia.example')[0]}/")
    page = client.get("/respond/").content.decode()
    assert "How many staff were trained?" in page
    login(client, union.noora)
    report = client.get(f"/network/surveys/{survey.uuid}/report/").content.decode()
    assert "How many staff were trained?" not in report  # Växjö answered version 1


def test_a_respondent_may_answer_in_swedish(client, union, send):
    survey = make_survey(union)
    send(survey, [union.vaxjo])
    client.get(f"/respond/{links_in_outbox()[0]}/")
    page = client.get("/respond/?language=sv").content.decode()
    assert "Vilka åtgärder har er stad vidtagit mot människohandel sedan 2006?" in page
    client.post(
        "/respond/",
        {
            ACTION: "Utbildning.",
            PLAN: "yes",
            "respondent_name": "Anna",
            "answer_language": "sv",
            "submit": "1",
        },
    )
    assert Response.objects.get(place=union.vaxjo).language == "sv"


def test_forwarding_stays_within_the_organisation(client, union, send):
    survey = make_survey(union)
    send(survey, [union.vaxjo])
    client.get(f"/respond/{links_in_outbox()[0]}/")
    mail.outbox.clear()
    outside = client.post("/respond/forward/", {"email": "friend@elsewhere.example"}, follow=True)
    assert "only within your organisation (an address at vaxjo.example)" in outside.content.decode()
    assert mail.outbox == []
    client.post("/respond/forward/", {"email": "Bertil@vaxjo.example"})
    assert [message.to for message in mail.outbox] == [["bertil@vaxjo.example"]]
    forwarded = links_in_outbox()[0]
    colleague = client.__class__()
    colleague.get(f"/respond/{forwarded}/")
    answer(colleague, forwarded, {ACTION: "From Bertil"}, submit=False)
    client_page = client.get("/respond/").content.decode()
    assert "From Bertil" in client_page  # one answer for the place, shared


def _forward(token: str, email: str):
    holder = Client()
    holder.get(f"/respond/{token}/")
    mail.outbox.clear()
    page = holder.post("/respond/forward/", {"email": email}, follow=True)
    return page, (links_in_outbox()[0] if mail.outbox else None)


def test_forwarded_links_end_with_the_contact_and_are_capped_per_place(union, send, settings):
    settings.NETWORK_MAX_FORWARDS_PER_RESPONSE = 2
    survey = make_survey(union)
    send(survey, [union.vaxjo])
    _, first = _forward(links_in_outbox()[0], "bertil@vaxjo.example")
    # A forwarded link forwards again, but the place's allowance is shared.
    _, second = _forward(first, "cecilia@vaxjo.example")
    refused, third = _forward(second, "david@vaxjo.example")
    assert third is None
    assert "forwarded as often as they can be" in refused.content.decode()

    services.contact_remove(actor=union.noora, contact=union.vaxjo.contacts.get())
    for token in (first, second):
        opened = Client().get(f"/respond/{token}/")
        assert opened.status_code == 404
        assert "This link no longer works." in opened.content.decode()
    assert not SurveyLink.objects.filter(revoked_at__isnull=True).exists()
    forwarded = AuditEntry.objects.filter(action="survey.link_forwarded")
    assert [entry.reason for entry in forwarded] == ["forwarded to an address at vaxjo.example"] * 2


def test_a_link_at_a_webmail_address_is_not_forwarded(union, send):
    contact = union.vaxjo.contacts.get()
    contact.email = "anna.vaxjo@gmail.com"
    contact.save()
    send(make_survey(union), [union.vaxjo])
    refused, forwarded = _forward(links_in_outbox()[0], "someone@gmail.com")
    assert forwarded is None
    assert "personal webmail address cannot be forwarded" in refused.content.decode()


def test_opening_a_link_and_reading_the_draft_are_audited(client, union, send):
    send(make_survey(union), [union.vaxjo])
    token = links_in_outbox()[0]
    client.get(f"/respond/{token}/")
    client.get("/respond/")
    response = Response.objects.get(place=union.vaxjo)
    link = SurveyLink.objects.get()
    entries = AuditEntry.objects.filter(action__in=["survey.link_opened", "survey.response_read"])
    assert [(entry.action, entry.object_id, entry.reason) for entry in entries.order_by("pk")] == [
        ("survey.link_opened", str(response.uuid), f"link {link.uuid}"),
        ("survey.response_read", str(response.uuid), f"link {link.uuid}"),
    ]
    assert token not in str(list(entries.values()))


@pytest.mark.parametrize(
    ("path", "failing"),
    [("/respond/", "access_survey_link"), ("/activity-report/", "access_participant_report")],
)
def test_a_server_error_on_a_personal_link_logs_no_token(
    union,
    json_log,  # noqa: F811  (the imported fixture)
    monkeypatch,
    path,
    failing,
):
    buffer, _records = json_log

    def broken(token):
        raise RuntimeError("the database went away")

    # The fault is injected: a real 500 on these pages has no reproducible cause.
    monkeypatch.setattr(respond_views, failing, broken)
    token = "Secret-token-for-the-log-test-0123456789ab"
    response = Client(raise_request_exception=False).get(f"{path}{token}/")
    assert response.status_code == 500
    output = buffer.getvalue()
    assert f"{path}<token>" in output
    assert token not in output


UPLOAD_SURVEY_FILE = "q3"


def _survey_with_upload(union, send):
    survey = make_survey(union)
    services.question_add(
        actor=union.noora, survey=survey, kind=Question.Kind.FILE, text="Your action plan"
    )
    send(survey, [union.vaxjo])
    return survey


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.exe", b"MZ\x90\x00", "This type of file is not accepted."),
        ("plan.pdf", b"MZ\x90\x00 not a pdf", "The file&#x27;s content does not match its type."),
        ("plan.pdf", b"%PDF-1.4" + b"x" * 2048, "The file is too large: at most 0 MB."),
    ],
)
def test_uploads_of_the_wrong_type_or_too_large_are_refused_clearly(
    client, union, send, settings, name, content, message
):
    settings.NETWORK_UPLOAD_MAX_BYTES = 1024
    _survey_with_upload(union, send)
    client.get(f"/respond/{links_in_outbox()[0]}/")
    refused = client.post(
        "/respond/",
        {ACTION: "x", "save": "1", UPLOAD_SURVEY_FILE: SimpleUploadedFile(name, content)},
    )
    assert refused.status_code == 400
    assert message in refused.content.decode()
    response = Response.objects.get(place=union.vaxjo)
    assert (response.answers, response.files.count()) == ({}, 0)


RECEIVED: list[int] = []


class RecordingUploadHandler(MemoryFileUploadHandler):
    """Keeps the file as Django's own handler does, noting how much reached it."""

    def receive_data_chunk(self, raw_data, start):
        RECEIVED.append(len(raw_data))
        return super().receive_data_chunk(raw_data, start)


def test_an_oversized_upload_is_stopped_while_it_arrives(client, union, send, settings):
    settings.NETWORK_UPLOAD_MAX_BYTES = 1024 * 1024
    settings.FILE_UPLOAD_HANDLERS = [
        settings.FILE_UPLOAD_HANDLERS[0],
        f"{__name__}.RecordingUploadHandler",
    ]
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100 * 1024 * 1024
    _survey_with_upload(union, send)
    client.get(f"/respond/{links_in_outbox()[0]}/")
    RECEIVED.clear()
    big = SimpleUploadedFile("plan.pdf", b"%PDF-1.4" + b"x" * (20 * 1024 * 1024))
    refused = client.post("/respond/", {ACTION: "x", "save": "1", UPLOAD_SURVEY_FILE: big})
    assert refused.status_code == 400
    assert "The file is too large: at most 1 MB." in refused.content.decode()
    assert Response.objects.get(place=union.vaxjo).files.count() == 0
    # The handler stopped the upload at the limit: the rest was never stored.
    assert 0 < sum(RECEIVED) <= 1024 * 1024


def test_a_replaced_upload_is_deleted_from_disk(client, union, send, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _survey_with_upload(union, send)
    client.get(f"/respond/{links_in_outbox()[0]}/")
    for name in ["first.pdf", "second.pdf"]:
        saved = client.post(
            "/respond/",
            {
                ACTION: "x",
                "save": "1",
                UPLOAD_SURVEY_FILE: SimpleUploadedFile(name, b"%PDF-1.4 " + name.encode()),
            },
        )
        assert saved.status_code == 302
    stored = [path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()]
    assert stored == [b"%PDF-1.4 second.pdf"]


def test_an_accepted_upload_reaches_the_coordinator_only(
    client, union, send, login, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    survey = _survey_with_upload(union, send)
    client.get(f"/respond/{links_in_outbox()[0]}/")
    client.post(
        "/respond/",
        {
            ACTION: "x",
            "save": "1",
            UPLOAD_SURVEY_FILE: SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan"),
        },
    )
    upload = Response.objects.get(place=union.vaxjo).files.get()
    assert client.get(f"/network/files/{upload.uuid}/").status_code == 302  # to the login
    login(client, union.other)
    assert client.get(f"/network/files/{upload.uuid}/").status_code == 404
    login(client, union.noora)
    report = client.get(f"/network/surveys/{survey.uuid}/report/").content.decode()
    assert report.count(f'href="/network/files/{upload.uuid}/"') == 0  # a draft is not reported
    download = client.get(f"/network/files/{upload.uuid}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 plan"
    assert AuditEntry.objects.filter(action="survey.file_downloaded").count() == 1

    respondent = client.__class__()
    respondent.get(f"/respond/{links_in_outbox()[0]}/")
    respondent.post("/respond/", {ACTION: "x", PLAN: "no", "respondent_name": "A", "submit": "1"})
    report = client.get(f"/network/surveys/{survey.uuid}/report/").content.decode()
    assert report.count(f'href="/network/files/{upload.uuid}/"') == 1


def test_failed_link_openings_are_rate_limited(client, union, settings):
    settings.NETWORK_LINK_RATE_LIMIT = "3/10m/ip"
    codes = [client.get(f"/respond/guess{n:040d}/").status_code for n in range(5)]
    assert codes == [404, 404, 404, 429, 429]


def test_the_token_is_stored_only_hashed_and_never_logged(client, union, send, caplog):
    caplog.set_level(logging.DEBUG)
    survey = make_survey(union)
    send(survey, [union.vaxjo])
    token = links_in_outbox()[0]
    answer(client, token, {ACTION: "x", PLAN: "no", "respondent_name": "A"}, submit=True)
    client.get(f"/respond/{token}x/")
    assert token not in caplog.text
    link = SurveyLink.objects.get()
    assert token not in link.token_hash
    with connection.cursor() as cursor:
        cursor.execute("SELECT args_kwargs::text FROM django_tasks_database_dbtaskresult")
        assert all(token not in row[0] for row in cursor.fetchall())
    assert all(token not in entry.object_id for entry in AuditEntry.objects.all())


def test_sending_needs_questions_a_future_deadline_and_contact_persons(union):
    survey = services.survey_create(
        actor=union.noora,
        network=union.network,
        title="Empty",
        deadline=timezone.localdate() + timedelta(days=3),
    )
    with pytest.raises(services.ValidationError, match="Add at least one question"):
        services.survey_send(actor=union.noora, survey=survey, places=[union.vaxjo])
    survey = make_survey(union)
    union.gdynia.contacts.update(is_active=False)
    with pytest.raises(services.ValidationError, match="Gdynia has no contact person"):
        services.survey_send(actor=union.noora, survey=survey, places=[union.vaxjo, union.gdynia])
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.DRAFT
    assert not Response.objects.filter(survey=survey).exists()


def test_a_far_future_deadline_is_refused_with_a_reason(client, union, login):
    login(client, union.noora)
    page = client.post(
        f"/network/{union.network.uuid}/",
        {
            "add_survey": "1",
            "title": "Forever",
            "deadline": "9999-12-31",
            "reminder_days_before": 3,
        },
    )
    assert page.status_code == 400
    assert "The deadline can be at most 730 days from today." in page.content.decode()
    assert not Survey.objects.filter(title="Forever").exists()
    # A survey stored with such a deadline earlier is not sent either.
    survey = make_survey(union)
    Survey.objects.filter(pk=survey.pk).update(deadline=date(9999, 12, 31))
    survey.refresh_from_db()
    with pytest.raises(services.ValidationError, match="at most 730 days"):
        services.survey_send(actor=union.noora, survey=survey, places=[union.vaxjo])
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.DRAFT


def test_after_the_idle_timeout_the_respondent_is_told_to_reopen_the_link(client, union, send):
    send(make_survey(union), [union.vaxjo])
    token = links_in_outbox()[0]
    answer(client, token, {ACTION: "Saved before the pause"}, submit=False)
    with time_machine.travel(timezone.now() + timedelta(minutes=45)):
        late = client.post("/respond/", {ACTION: "Typed after the pause", "save": "1"})
        assert "Your session ended after a while without activity" in late.content.decode()
        assert "This link is not valid" not in late.content.decode()
        client.get(f"/respond/{token}/")
        page = client.get("/respond/").content.decode()
    assert "Saved before the pause" in page


def test_another_secretariats_coordinator_cannot_send_or_see_the_survey(client, union, login):
    survey = make_survey(union)
    with pytest.raises(services.access.PolicyDenied):
        services.survey_send(actor=union.other, survey=survey, places=[union.vaxjo])
    login(client, union.other)
    assert client.get(f"/network/surveys/{survey.uuid}/").status_code == 404
    assert client.post(f"/network/surveys/{survey.uuid}/", {"close": "1"}).status_code == 404
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.DRAFT


def test_a_link_reaches_only_its_own_places_response(client, union, send):
    """Link scoping: Växjö's link neither reads nor writes Gdynia's response, nor
    another survey's, and nothing on its pages names another place."""
    first = make_survey(union)
    second = make_survey(union)
    send(first, [union.vaxjo, union.gdynia])
    send(second, [union.vaxjo])
    gdynia_link = links_in_outbox("piotr@gdynia.example")[0]
    vaxjo_first, vaxjo_second = links_in_outbox("anna@vaxjo.example")
    gdynia = client.__class__()
    answer(gdynia, gdynia_link, {ACTION: "GDYNIA-CANARY"}, submit=False)

    answer(client, vaxjo_first, {ACTION: "Växjö's own answer"}, submit=False)
    pages = (
        client.get("/respond/").content.decode()
        + client.get("/respond/?language=sv").content.decode()
    )
    assert "GDYNIA-CANARY" not in pages
    assert "Gdynia" not in pages
    assert "Umeå" not in pages
    # Answering again through Växjö's session changes Växjö's response only.
    client.post(
        "/respond/", {ACTION: "Changed", PLAN: "yes", "respondent_name": "A", "submit": "1"}
    )
    by_place = {
        (r.survey_id, r.place.name): (r.status, r.answers.get(ACTION))
        for r in Response.objects.select_related("place")
    }
    assert by_place == {
        (first.pk, "Växjö"): (Response.Status.SUBMITTED, "Changed"),
        (first.pk, "Gdynia"): (Response.Status.DRAFT, "GDYNIA-CANARY"),
        (second.pk, "Växjö"): (Response.Status.PENDING, None),
    }
    # The coordinator's pages stay closed to a respondent's session.
    for url in [
        f"/network/surveys/{first.uuid}/report/",
        f"/network/{union.network.uuid}/",
        "/network/",
    ]:
        assert client.get(url).status_code == 302  # to the login page
    # The other survey's link opens that survey's response, not the first.
    client.get(f"/respond/{vaxjo_second}/")
    assert "Changed" not in client.get("/respond/").content.decode()
