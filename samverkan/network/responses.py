"""Answering a survey through a personal link, without an account.

Everything here starts from a ``SurveyLink`` the policy resolved from a token
(``samverkan.policy.network.access_survey_link``), and reaches only that
link's response: one place, one survey.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samverkan.accounts.models import hash_secret
from samverkan.audit.services import audit_record
from samverkan.network.models import Question, Response, ResponseFile, SurveyLink
from samverkan.network.text import xml_safe

# What an upload's first bytes must be, by file extension.
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".txt": (),
}


def link_expiry(survey) -> datetime:
    """A link works until the end of the deadline day."""
    return timezone.make_aware(datetime.combine(survey.deadline + timedelta(days=1), time.min))


def link_issue(*, response: Response, email: str, contact=None, forwarded_from=None):
    """A new personal link to ``response``; returns it with its token, shown only once."""
    token = secrets.token_urlsafe(32)
    link = SurveyLink.objects.create(
        response=response,
        contact=contact,
        email=email,
        token_hash=hash_secret(token),
        forwarded_from=forwarded_from,
        expires_at=link_expiry(response.survey),
    )
    return link, token


def validate_upload(upload) -> None:
    """Type and size limits from the settings, with a message that says which."""
    limit = settings.NETWORK_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large: at most %(size)d MB.") % {"size": limit // (1024 * 1024)}
        )
    extension = Path(upload.name).suffix.lower()
    allowed = settings.NETWORK_UPLOAD_EXTENSIONS
    if extension not in allowed or extension not in SIGNATURES:
        raise ValidationError(
            _("This type of file is not accepted. Accepted: %(types)s.")
            % {"types": ", ".join(sorted(allowed))}
        )
    head = upload.read(8)
    upload.seek(0)
    signatures = SIGNATURES[extension]
    if signatures and not head.startswith(signatures):
        raise ValidationError(_("The file's content does not match its type."))
    if not signatures and b"\x00" in upload.read(4096):
        raise ValidationError(_("The file's content does not match its type."))
    upload.seek(0)


class UploadField(forms.FileField):
    def validate(self, value):
        super().validate(value)
        if value:
            validate_upload(value)


def question_text(question: dict, language: str) -> str:
    return question.get("translations", {}).get(language) or question["text"]


YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


def _field(question: dict, language: str, existing_file: bool) -> forms.Field:
    kind = question["kind"]
    options = {
        "label": question_text(question, language),
        "help_text": question.get("help_text", ""),
        "required": False,
    }
    choices = [(choice["value"], choice["label"]) for choice in question.get("choices", [])]
    if kind == Question.Kind.SHORT_TEXT:
        return forms.CharField(max_length=500, **options)
    if kind == Question.Kind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea, max_length=20000, **options)
    if kind == Question.Kind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **options)
    if kind == Question.Kind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **options
        )
    if kind == Question.Kind.YES_NO:
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **options)
    if kind == Question.Kind.NUMBER:
        return forms.DecimalField(max_digits=15, decimal_places=2, **options)
    if kind == Question.Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **options)
    if kind == Question.Kind.FILE:
        if existing_file:
            options["help_text"] = _("A file was uploaded; a new one replaces it.")
        return UploadField(**options)
    raise ValueError(kind)


class AnswerForm(forms.Form):
    """The questions of one survey version; "required" holds only on submitting."""

    respondent_name = forms.CharField(label=gettext_lazy("Your name"), max_length=200)

    def __init__(
        self, *args, definition: dict, language: str, uploaded: frozenset = frozenset(), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.sections: list[tuple[str, list[str]]] = []
        for question in definition["questions"]:
            name = question["name"]
            self.fields[name] = _field(question, language, name in uploaded)
            self.fields[name].required_on_submit = question["required"]
            if not self.sections or self.sections[-1][0] != question["section"]:
                self.sections.append((question["section"], []))
            self.sections[-1][1].append(name)
        self.fields["respondent_name"].required = False
        self.uploaded = uploaded

    def section_fields(self):
        return [(title, [self[name] for name in names]) for title, names in self.sections]

    def check_required(self) -> None:
        for question in self.definition["questions"]:
            name = question["name"]
            value = self.cleaned_data.get(name)
            missing = value in (None, "", [])
            if question["kind"] == Question.Kind.FILE:
                missing = missing and name not in self.uploaded
            if question["required"] and missing:
                self.add_error(name, _("This question must be answered."))
        if not self.cleaned_data.get("respondent_name"):
            self.add_error("respondent_name", _("Say who answers for the place."))


def _serialise(value):
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list):
        return [xml_safe(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    return value


def _files_delete(files) -> None:
    """Delete the rows now and their stored files once the deletion commits."""
    for stored in files:
        transaction.on_commit(lambda file=stored.file: file.storage.delete(file.name))
        stored.delete()


class ResponseClosed(Exception):
    """The response was already submitted: a link cannot change it."""


def response_for_link(link: SurveyLink) -> Response:
    """The link's own response, and nothing else."""
    return Response.objects.select_related("survey", "place", "version").get(pk=link.response_id)


@transaction.atomic
def response_save(*, link: SurveyLink, form: AnswerForm, submit: bool, language: str) -> Response:
    """Keep a draft or submit. The form must be valid; on submit every required
    question must be answered (``form.errors`` says which, nothing is saved)."""
    response = Response.objects.select_for_update().get(pk=link.response_id)
    if response.status == Response.Status.SUBMITTED:
        raise ResponseClosed
    if submit:
        form.check_required()
        if form.errors:
            transaction.set_rollback(True)
            raise ValidationError(_("Some questions need an answer."))
    answers = dict(response.answers)
    for question in form.definition["questions"]:
        name = question["name"]
        value = form.cleaned_data.get(name)
        if question["kind"] == Question.Kind.FILE:
            # Without a new upload the field gives back its initial value (the earlier file's name).
            if isinstance(value, UploadedFile):
                _files_delete(response.files.filter(question_name=name))
                ResponseFile.objects.create(
                    response=response,
                    question_name=name,
                    file=value,
                    original_name=Path(value.name).name[:255],
                    content_type=(value.content_type or "")[:100],
                    size=value.size,
                )
                answers[name] = Path(value.name).name
            continue
        answers[name] = _serialise(value)
    response.answers = {name: value for name, value in answers.items() if name in form.fields}
    response.language = language
    response.submitted_by_name = xml_safe(form.cleaned_data.get("respondent_name") or "")
    response.updated_at = timezone.now()
    if submit:
        response.status = Response.Status.SUBMITTED
        response.submitted_at = response.updated_at
    elif response.status == Response.Status.PENDING:
        response.status = Response.Status.DRAFT
    response.save()
    link.last_used_at = response.updated_at
    link.save(update_fields=["last_used_at"])
    audit_record(
        action="survey.response_submitted" if submit else "survey.response_saved",
        target=response,
    )
    return response


def link_tree(link: SurveyLink) -> list[int]:
    """The link and every link forwarded from it, at any depth."""
    found = [link.pk]
    frontier = [link.pk]
    while frontier:
        frontier = list(
            SurveyLink.objects.filter(forwarded_from__in=frontier).values_list("pk", flat=True)
        )
        found.extend(frontier)
    return found


def links_revoke(links) -> int:
    """Revoke the links and everything forwarded from them; the number revoked."""
    pks = [pk for link in links for pk in link_tree(link)]
    return SurveyLink.objects.filter(pk__in=pks, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _domain(email: str) -> str:
    return email.rpartition("@")[2]


@transaction.atomic
def link_forward(*, link: SurveyLink, email: str) -> tuple[SurveyLink, str]:
    """A colleague in the same organisation (the same e-mail domain, not a webmail
    service) gets a link of their own; it belongs to the same contact person, so
    removing them or revoking the link ends it too."""
    from samverkan.network.tasks import mail_link

    email = email.strip().lower()
    domain = _domain(link.email)
    if domain in settings.NETWORK_WEBMAIL_DOMAINS:
        raise ValidationError(
            _(
                "A link sent to a personal webmail address cannot be forwarded; "
                "ask the secretariat to send your colleague a link."
            )
        )
    if _domain(email) != domain:
        raise ValidationError(
            _("A link can be forwarded only within your organisation (an address at %(domain)s).")
            % {"domain": domain}
        )
    response = (
        Response.objects.select_for_update()
        .select_related("survey", "place")
        .get(pk=link.response_id)
    )
    if response.status == Response.Status.SUBMITTED:
        raise ResponseClosed
    if (
        response.links.filter(forwarded_from__isnull=False).count()
        >= settings.NETWORK_MAX_FORWARDS_PER_RESPONSE
    ):
        raise ValidationError(
            _("The links for this place have been forwarded as often as they can be.")
        )
    new_link, token = link_issue(
        response=response, email=email, contact=link.contact, forwarded_from=link
    )
    audit_record(
        action="survey.link_forwarded",
        target=response,
        reason=f"forwarded to an address at {_domain(email)}",
    )
    language = link.contact.language if link.contact else settings.LANGUAGE_CODE
    transaction.on_commit(
        lambda: mail_link(link=new_link, token=token, language=language, kind="forward")
    )
    return new_link, token
