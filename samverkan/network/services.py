"""Writes of the network: members and contact persons, surveys and their sending.

Each function checks the policy, changes the rows and records the audit entry
in one transaction; e-mail goes to a background task after the commit. The
respondents' writes (without an account) are in ``responses.py``.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_countries import countries

from samverkan.accounts.models import Membership
from samverkan.audit.services import audit_record
from samverkan.network import tasks
from samverkan.network.models import (
    ContactPerson,
    Network,
    Place,
    Question,
    Response,
    Survey,
    SurveyVersion,
)
from samverkan.network.responses import links_revoke
from samverkan.policy import access

MEMBER_COLUMNS = [
    "place",
    "kind",
    "country",
    "contact_name",
    "contact_organisation",
    "contact_email",
    "contact_language",
]


@transaction.atomic
def network_create(*, actor: Membership, name: str, kind: str, description: str = "") -> Network:
    """A network run by the actor's organisation."""
    access.require(actor, "network.manage")
    network = Network(
        organisation=actor.organisation, name=name.strip(), kind=kind, description=description
    )
    network.full_clean()
    network.save()
    audit_record(action="network.created", actor=actor, target=network)
    return network


@transaction.atomic
def place_create(
    *, actor: Membership, network: Network, name: str, country: str, kind: str = Place.Kind.CITY
) -> Place:
    access.require(actor, "network.manage", network)
    place = Place(network=network, name=name.strip(), country=country, kind=kind)
    place.full_clean()
    place.save()
    audit_record(action="network.place_added", actor=actor, target=place)
    return place


@transaction.atomic
def contact_create(
    *,
    actor: Membership,
    place: Place,
    full_name: str,
    email: str,
    organisation_name: str = "",
    language: str = "en",
) -> ContactPerson:
    access.require(actor, "network.manage", place)
    contact = ContactPerson(
        place=place,
        full_name=full_name.strip(),
        email=email.strip().lower(),
        organisation_name=organisation_name.strip(),
        language=language or "en",
    )
    contact.full_clean()
    contact.save()
    audit_record(action="network.contact_added", actor=actor, target=contact)
    return contact


@transaction.atomic
def contact_remove(*, actor: Membership, contact: ContactPerson) -> None:
    """The person no longer answers for the place; their open links stop working."""
    access.require(actor, "network.manage", contact)
    contact.is_active = False
    contact.save(update_fields=["is_active"])
    links_revoke(contact.links.all())
    audit_record(action="network.contact_removed", actor=actor, target=contact)


def _problems(error: ValidationError, model) -> list[str]:
    """The model's validation messages, each named by its field."""
    return [
        message if field == "__all__" else f"{model._meta.get_field(field).verbose_name}: {message}"
        for field, messages in error.message_dict.items()
        for message in messages
    ]


def _import_row(network: Network, row: dict[str, str], places: dict[str, Place]) -> list[str]:
    """Apply one CSV row; the problems found, in the person's words."""
    values = [value for value in row.values() if isinstance(value, str)]
    if any("\x00" in value for value in values):
        return [_("the line contains a NUL character")]
    name = (row.get("place") or "").strip()
    if not name:
        return [_("the place is missing")]
    place = places.get(name.casefold())
    if place is None:
        country = (row.get("country") or "").strip().upper()
        if not country:
            return [_("unknown place “%(name)s” (give its country to add it)") % {"name": name}]
        if country not in dict(countries):
            return [_("unknown country code “%(code)s”") % {"code": country}]
        kind = (row.get("kind") or Place.Kind.CITY).strip()
        if kind not in Place.Kind.values:
            return [_("unknown kind of place “%(kind)s”") % {"kind": kind}]
        place = Place(network=network, name=name, country=country, kind=kind)
        try:
            place.full_clean()
        except ValidationError as error:
            return _problems(error, Place)
        place.save()
        places[name.casefold()] = place
    email = (row.get("contact_email") or "").strip().lower()
    if not email:
        return []
    try:
        validate_email(email)
    except ValidationError:
        return [_("“%(email)s” is not an e-mail address") % {"email": email[:100]}]
    contact = ContactPerson.objects.filter(place=place, email=email).first() or ContactPerson(
        place=place, email=email
    )
    contact.full_name = (row.get("contact_name") or "").strip() or email
    contact.organisation_name = (row.get("contact_organisation") or "").strip()
    contact.language = (row.get("contact_language") or "en").strip() or "en"
    contact.is_active = True
    try:
        contact.full_clean()
    except ValidationError as error:
        return _problems(error, ContactPerson)
    contact.save()
    return []


@transaction.atomic
def members_import(*, actor: Membership, network: Network, text: str) -> int:
    """Places and contact persons from CSV (the columns of ``MEMBER_COLUMNS``).

    All or nothing: any problem is reported with its line number and nothing
    is imported. Returns the number of rows imported.
    """
    access.require(actor, "network.manage", network)
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as error:
        raise ValidationError(_("The file could not be read as CSV.")) from error
    missing = {"place"} - set(fieldnames)
    if missing:
        raise ValidationError(_("The file needs a header line with at least a “place” column."))
    places = {place.name.casefold(): place for place in network.places.all()}
    problems = []
    count = 0
    try:
        for row in reader:
            for problem in _import_row(network, row, places):
                problems.append(
                    _("Line %(line)d: %(problem)s.") % {"line": reader.line_num, "problem": problem}
                )
            count += 1
    except csv.Error:
        # The reader cannot go on past a line it cannot read (a field too long, say);
        # it has not counted that line yet.
        problems.append(
            _("Line %(line)d: %(problem)s.")
            % {"line": reader.line_num + 1, "problem": _("the line could not be read as CSV")}
        )
    if problems:
        transaction.set_rollback(True)
        raise ValidationError(problems)
    audit_record(action="network.members_imported", actor=actor, target=network)
    return count


def members_export(*, actor: Membership, network: Network) -> str:
    """The members as CSV, in the format ``members_import`` reads back."""
    access.require(actor, "network.view", network)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MEMBER_COLUMNS)
    writer.writeheader()
    for place in network.places.prefetch_related("contacts"):
        base = {"place": place.name, "kind": place.kind, "country": place.country.code}
        contacts = [contact for contact in place.contacts.all() if contact.is_active]
        if not contacts:
            writer.writerow(base)
        for contact in contacts:
            writer.writerow(
                base
                | {
                    "contact_name": contact.full_name,
                    "contact_organisation": contact.organisation_name,
                    "contact_email": contact.email,
                    "contact_language": contact.language,
                }
            )
    with transaction.atomic():
        audit_record(action="network.members_exported", actor=actor, target=network)
    return out.getvalue()


# Surveys


@transaction.atomic
def survey_create(
    *,
    actor: Membership,
    network: Network,
    title: str,
    deadline: date,
    introduction: str = "",
    reminder_days_before: int = 3,
) -> Survey:
    access.require(actor, "survey.manage", network)
    survey = Survey(
        network=network,
        title=title.strip(),
        introduction=introduction,
        deadline=deadline,
        reminder_days_before=reminder_days_before,
        created_by=actor,
    )
    survey.full_clean()
    survey.save()
    audit_record(action="survey.created", actor=actor, target=survey)
    return survey


def survey_definition(survey: Survey) -> dict:
    """The survey's questions as a version keeps them."""
    return {
        "title": survey.title,
        "introduction": survey.introduction,
        "questions": [
            {
                "name": question.name,
                "section": question.section,
                "kind": question.kind,
                "text": question.text,
                "translations": question.translations,
                "help_text": question.help_text,
                "required": question.required,
                "choices": question.choices,
            }
            for question in survey.questions.all()
        ],
    }


def _new_version(survey: Survey) -> SurveyVersion:
    last = survey.versions.order_by("-number").first()
    return SurveyVersion.objects.create(
        survey=survey,
        number=(last.number + 1) if last else 1,
        definition=survey_definition(survey),
    )


def _after_change(survey: Survey) -> None:
    """A survey changed after sending gets a new version; answers keep theirs."""
    if survey.status != Survey.Status.DRAFT:
        version = _new_version(survey)
        # Drafts and untouched responses move on to the new questions.
        survey.responses.exclude(status=Response.Status.SUBMITTED).update(version=version)


def parse_choices(text: str) -> list[dict[str, str]]:
    """One choice per line, as {"value", "label"}."""
    labels = [line.strip() for line in text.splitlines() if line.strip()]
    choices, seen = [], set()
    for label in labels:
        value = slugify(label)[:40] or f"choice_{len(choices) + 1}"
        while value in seen:
            value = f"{value}_{len(choices) + 1}"
        seen.add(value)
        choices.append({"value": value, "label": label})
    return choices


@transaction.atomic
def question_add(
    *,
    actor: Membership,
    survey: Survey,
    kind: str,
    text: str,
    section: str = "",
    required: bool = False,
    help_text: str = "",
    choices: list[dict[str, str]] | None = None,
    translations: dict[str, str] | None = None,
    name: str = "",
) -> Question:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    access.require(actor, "survey.manage", survey)
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("A closed survey cannot be changed."))
    choices = choices or []
    if kind in {Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE} and len(choices) < 2:
        raise ValidationError({"choices": _("A choice question needs at least two choices.")})
    position = survey.questions.count() + 1
    question = Question(
        survey=survey,
        name=name or f"q{position}",
        kind=kind,
        text=text.strip(),
        section=section.strip(),
        required=required,
        help_text=help_text,
        choices=choices if kind in {"single_choice", "multiple_choice"} else [],
        translations=translations or {},
        position=position,
    )
    while survey.questions.filter(name=question.name).exists():
        question.name = f"{question.name}_{position}"
    question.full_clean()
    question.save()
    _after_change(survey)
    audit_record(action="survey.question_added", actor=actor, target=survey)
    return question


@transaction.atomic
def question_remove(*, actor: Membership, question: Question) -> None:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    access.require(actor, "survey.manage", survey)
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("A closed survey cannot be changed."))
    question.delete()
    _after_change(survey)
    audit_record(action="survey.question_removed", actor=actor, target=survey)


@transaction.atomic
def survey_send(*, actor: Membership, survey: Survey, places: list[Place]) -> int:
    """Send the survey to the chosen places' contact persons.

    Each place gets one response and each of its contact persons a personal
    link by e-mail (a background task). Sending again to more places adds
    them; a place already sent to is not sent to twice. Returns how many
    places were added.
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    access.require(actor, "survey.manage", survey)
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("A closed survey cannot be sent."))
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before sending."))
    if survey.deadline <= timezone.localdate():
        raise ValidationError({"deadline": _("The deadline must be after today.")})
    survey.clean()
    places = [place for place in places if place.network_id == survey.network_id]
    if not places:
        raise ValidationError({"places": _("Choose at least one place of the network.")})
    version = survey.current_version or _new_version(survey)
    already = set(survey.responses.values_list("place_id", flat=True))
    added = 0
    for place in places:
        if place.pk in already:
            continue
        if not place.contacts.filter(is_active=True).exists():
            raise ValidationError(
                {"places": _("%(place)s has no contact person.") % {"place": place.name}}
            )
        Response.objects.create(survey=survey, place=place, version=version)
        added += 1
    first_sending = survey.status == Survey.Status.DRAFT
    survey.status = Survey.Status.SENT
    survey.sent_at = survey.sent_at or timezone.now()
    survey.save(update_fields=["status", "sent_at"])
    audit_record(action="survey.sent", actor=actor, target=survey)
    transaction.on_commit(lambda: tasks.send_survey_links.enqueue(survey.pk))
    if first_sending:
        tasks.schedule_reminder(survey)
    return added


@transaction.atomic
def survey_close(*, actor: Membership, survey: Survey) -> Survey:
    """No more answers; every link stops working."""
    access.require(actor, "survey.manage", survey)
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status"])
    audit_record(action="survey.closed", actor=actor, target=survey)
    return survey
