"""Forms of the case pages. They parse and check the shape of the input; the
services decide whether the change is allowed and say why not."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from samverkan.accounts.models import Organisation
from samverkan.cases import workflow
from samverkan.cases.models import (
    CHILD_AGE_GROUPS,
    AgeGroup,
    AnonymousNotification,
    CaseNote,
    Category,
    Consent,
    CountryConfiguration,
    ExploitationForm,
    LegalBasis,
    Sex,
)
from samverkan.cases.selectors import MIN_PURPOSE_LENGTH
from samverkan.cases.services import Identity

CHILD_PROTECTION = LegalBasis.CHILD_PROTECTION.value


def _country_choices():
    # A callable, so that the names follow the language of each request.
    return list(countries)


ANY = _("Any")


def _blank(choices, label=ANY):
    return [("", label), *choices]


def _date_field(label, **kwargs):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def _text(label, *, rows=3, **kwargs):
    kwargs.setdefault("required", False)
    kwargs.setdefault("max_length", 4000)
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _countries_field(label):
    return forms.MultipleChoiceField(
        label=label,
        choices=_country_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _items(value: str) -> list[str]:
    return [item.strip() for item in value.replace("\n", ",").split(",") if item.strip()]


class CaseFilterForm(forms.Form):
    """The list's filters: metadata only, so they may travel in the address."""

    number = forms.CharField(label=_("Case number"), max_length=32, required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=_blank(workflow.Step.choices), required=False
    )
    exploitation_form = forms.ChoiceField(
        label=_("Form of exploitation"), choices=_blank(ExploitationForm.choices), required=False
    )
    municipality = forms.CharField(label=_("Municipality"), max_length=100, required=False)
    opened_from = _date_field(_("Opened from"), required=False)
    opened_to = _date_field(_("Opened to"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=_blank([("open", _("Open")), ("closed", _("Closed"))], _("Open and closed")),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("opened_from"), cleaned.get("opened_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."))
        return cleaned


class CaseSearchForm(forms.Form):
    """Exact search on the person: posted, never put in an address."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("The exact full name, family name or alias."),
    )
    date_of_birth = _date_field(_("Date of birth"), required=False)
    purpose = forms.CharField(
        label=_("Purpose of the search"),
        max_length=500,
        required=False,
        help_text=_("Police and prosecution state why they search; it is kept in the audit log."),
    )

    def __init__(self, *args, purpose_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not purpose_required:
            del self.fields["purpose"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("name", "").strip() and cleaned.get("date_of_birth") is None:
            if not self.errors:
                raise ValidationError(_("Give a name or a date of birth."))
        return cleaned


class PurposeForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose of this consultation"),
        min_length=MIN_PURPOSE_LENGTH,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For example the investigation or proceedings it serves. It is kept in the "
            "audit log with every read of this case for the next 30 minutes."
        ),
    )


# What an adult may agree to pass to the competent authority: everything
# but the secret location, which goes to named people only.
CONSENT_CATEGORIES = [
    (value, label)
    for value, label in Category.choices
    if value not in {Category.METADATA, Category.SECRET_LOCATION}
]


class CaseOpenForm(forms.Form):
    basis = forms.CharField(widget=forms.HiddenInput, required=False)
    given_names = forms.CharField(label=_("Given names"), max_length=200)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    aliases = _text(_("Other names and aliases"), help_text=_("One per line."))
    date_of_birth = _date_field(_("Date of birth"), required=False)
    estimated_age = forms.IntegerField(
        label=_("Estimated age"),
        min_value=0,
        max_value=120,
        required=False,
        help_text=_("If the date of birth is not known. A date of birth takes precedence."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    gender = forms.CharField(
        label=_("Gender"),
        max_length=100,
        required=False,
        help_text=_("In the person's own words."),
    )
    citizenships = _countries_field(_("Citizenships"))
    languages = forms.CharField(
        label=_("Languages"), max_length=500, required=False, help_text=_("Separated by commas.")
    )
    identity_documents = _text(_("Identity documents"))
    contact = _text(_("Contact details"))
    secret_location = _text(
        _("Secret location"),
        help_text=_(
            "Shelter address or witness-protection details. Only people named for this "
            "case's secret location will see it; you are named when you write it."
        ),
    )
    health = _text(_("Health needs"))
    immigration = _text(_("Immigration status"))
    municipality = forms.CharField(
        label=_("Municipality"),
        max_length=100,
        required=False,
        help_text=_("Your organisation's municipality if left empty."),
    )
    exploitation_forms = forms.MultipleChoiceField(
        label=_("Forms of exploitation"),
        choices=ExploitationForm.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Name at least one form of exploitation.")},
    )
    countries_of_origin = _countries_field(_("Countries of origin"))
    countries_of_transit = _countries_field(_("Countries of transit"))
    countries_of_exploitation = _countries_field(_("Countries of exploitation"))
    exploitation_details = _text(_("Exploitation details"), rows=5)
    social_needs = _text(_("Social needs"))
    detected_on = _date_field(_("Date of detection"), initial=timezone.localdate)
    coordination_consent = forms.MultipleChoiceField(
        label=_("The person agrees that these may go to the competent authority"),
        choices=CONSENT_CATEGORIES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "For an adult: what the competent authority may see to identify the person and "
            "arrange assistance. Leave empty if the person has not agreed."
        ),
    )
    consent_manner = forms.ChoiceField(
        label=_("How the consent was given"),
        choices=[
            (value, label)
            for value, label in Consent.Manner.choices
            if value != Consent.Manner.NOT_APPLICABLE
        ],
        initial=Consent.Manner.SIGNED_FORM,
    )
    child_protection_reference = forms.CharField(
        label=_("Child-protection reference"),
        max_length=200,
        required=False,
        help_text=_("For a child: the social services' reference or decision number, if any."),
    )

    def identity(self) -> Identity:
        data = self.cleaned_data
        return Identity(
            given_names=data["given_names"].strip(),
            family_name=data["family_name"].strip(),
            aliases=_lines(data["aliases"]),
            date_of_birth=data["date_of_birth"],
            estimated_age=data["estimated_age"],
            gender=data["gender"].strip(),
            citizenships=list(data["citizenships"]),
            languages=_items(data["languages"]),
            identity_documents=data["identity_documents"].strip(),
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("basis") != CHILD_PROTECTION:
            return cleaned
        age = self.identity().age_on(cleaned["detected_on"])
        if AgeGroup.for_age(age) not in CHILD_AGE_GROUPS:
            raise ValidationError(
                _(
                    "A case under the child-protection duty is for a child: give a date of "
                    "birth or an estimated age under 18."
                )
            )
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "identity": self.identity(),
            "sex": data["sex"],
            "municipality": data["municipality"].strip(),
            "exploitation_forms": list(data["exploitation_forms"]),
            "countries_of_origin": list(data["countries_of_origin"]),
            "countries_of_transit": list(data["countries_of_transit"]),
            "countries_of_exploitation": list(data["countries_of_exploitation"]),
            "contact": data["contact"].strip(),
            "secret_location": data["secret_location"].strip(),
            "health": data["health"].strip(),
            "immigration": data["immigration"].strip(),
            "exploitation_details": data["exploitation_details"].strip(),
            "social_needs": data["social_needs"].strip(),
            "detected_on": data["detected_on"],
            "child_protection_reference": data["child_protection_reference"].strip(),
            "coordination_consent": list(data["coordination_consent"]),
            "consent_manner": data["consent_manner"],
        }


RECORDABLE_BY_FORM = workflow.RECORDABLE_CHOICES


class MilestoneForm(forms.Form):
    """Accepts any milestone a person may record, so that the workflow's own
    refusal ("needs these first") reaches them rather than a bare "invalid"."""

    kind = forms.ChoiceField(label=_("Milestone"), choices=RECORDABLE_BY_FORM)
    occurred_on = _date_field(_("Date"), initial=timezone.localdate)
    competent_authority = forms.ModelChoiceField(
        label=_("Competent authority to notify"),
        queryset=Organisation.objects.none(),
        required=False,
        to_field_name="uuid",
        help_text=_("Only for “Coordination agency notified”."),
    )
    evidence = _text(_("Evidence or remarks"), rows=2)

    def __init__(self, *args, authorities=None, **kwargs):
        super().__init__(*args, prefix="milestone", **kwargs)
        if authorities is not None:
            self.fields["competent_authority"].queryset = authorities

    def offer(self, kinds: list[str]) -> None:
        """Show only the milestones the person can record now."""
        self.fields["kind"].choices = [
            (value, label) for value, label in RECORDABLE_BY_FORM if value in kinds
        ]


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    audience = forms.ChoiceField(
        label=_("Who may read it"),
        choices=CaseNote.Audience.choices,
        initial=CaseNote.Audience.EVERYONE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="note", **kwargs)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=workflow.Outcome.choices)
    outcome_country = forms.ChoiceField(
        label=_("Country of return"),
        choices=lambda: _blank(_country_choices(), "—"),
        required=False,
        help_text=_("For a return."),
    )
    closed_on = _date_field(_("Date of closing"), initial=timezone.localdate, required=False)
    evidence = _text(_("Closing remarks"), rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="close", **kwargs)


class AnonymousNotificationForm(forms.Form):
    notified_on = _date_field(_("Date"), initial=timezone.localdate)
    municipality = forms.CharField(label=_("Municipality"), max_length=100)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    age_group = forms.ChoiceField(label=_("Age group"), choices=AgeGroup.choices)
    citizenship = forms.ChoiceField(
        label=_("Citizenship"),
        choices=lambda: _blank(_country_choices(), _("Unknown")),
        required=False,
    )
    exploitation_forms = forms.MultipleChoiceField(
        label=_("Forms of exploitation"),
        choices=ExploitationForm.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Name at least one form of exploitation.")},
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators seen"),
        choices=AnonymousNotification.Indicator.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    # Optional: only encoded for counting the person once, then discarded.
    given_names = forms.CharField(
        label=_("Given names (for counting only)"),
        max_length=200,
        required=False,
        help_text=_(
            "Names and date of birth, if the person gives them, are turned into a linkage "
            "encoding so that the person is counted once across agencies, and then "
            "discarded: they are never stored."
        ),
    )
    family_name = forms.CharField(
        label=_("Family name (for counting only)"), max_length=200, required=False
    )
    date_of_birth = _date_field(_("Date of birth (for counting only)"), required=False)

    @property
    def is_child(self) -> bool:
        return getattr(self, "cleaned_data", {}).get("age_group") in CHILD_AGE_GROUPS

    def clean(self):
        """The identity fields become one ``identity`` argument (or None) for the service."""
        cleaned = super().clean()
        given = cleaned.pop("given_names", "").strip()
        family = cleaned.pop("family_name", "").strip()
        born = cleaned.pop("date_of_birth", None)
        has_identity = given or family or born
        cleaned["identity"] = (
            Identity(given_names=given, family_name=family, date_of_birth=born)
            if has_identity
            else None
        )
        return cleaned


CONFIGURATION_FIELDS = [
    "competent_authority_kind",
    "reflection_period_days",
    "residence_permit_renewal_days",
    "retention_days",
    "reminder_days_before",
]


class CountryConfigurationForm(forms.Form):
    """One country's row; its inputs name the row's form so that a table can hold them."""

    def __init__(self, *args, country: str, **kwargs):
        super().__init__(*args, prefix=country, **kwargs)
        self.country = country
        self.fields.update(
            forms.fields_for_model(CountryConfiguration, fields=CONFIGURATION_FIELDS)
        )
        for field in self.fields.values():
            field.widget.attrs["form"] = self.form_id

    @property
    def form_id(self) -> str:
        return f"country-{self.country}"
