from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.cases.models import ExploitationForm
from samverkan.directory.models import CAPACITY_MAX, ServiceKind, TargetGroup

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class LanguagesField(forms.CharField):
    """ISO 639 codes separated by commas or spaces: "sv, en, ro"."""

    def to_python(self, value):
        codes = [code.lower() for code in re.split(r"[\s,]+", super().to_python(value)) if code]
        bad = [code for code in codes if not LANGUAGE_CODE.match(code)]
        if bad:
            raise forms.ValidationError(
                _("Write language codes such as “sv”, “en” or “ro”, separated by commas.")
            )
        return sorted(set(codes))


class ServiceSearchForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Need"), choices=[("", _("Any"))] + ServiceKind.choices, required=False
    )
    municipality = forms.CharField(label=_("Municipality"), max_length=100, required=False)
    language = forms.CharField(
        label=_("Language"), max_length=3, required=False, help_text=_("A code: sv, en, ro…")
    )
    serves = forms.ChoiceField(
        label=_("Serves"), choices=[("", _("Anyone"))] + TargetGroup.choices, required=False
    )
    available_only = forms.BooleanField(label=_("With a free place now"), required=False)


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceKind.choices)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    municipality = forms.CharField(label=_("Municipality"), max_length=100)
    serves = forms.MultipleChoiceField(
        label=_("Serves"),
        choices=TargetGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = LanguagesField(label=_("Languages"), max_length=200, required=False)
    hours = forms.CharField(label=_("Opening hours"), max_length=200, required=False)
    accessibility = forms.CharField(label=_("Accessibility"), max_length=300, required=False)
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=0,
        max_value=CAPACITY_MAX,
        help_text=_("Leave empty for a service without places."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    website = forms.URLField(
        label=_("Website"), max_length=200, required=False, assume_scheme="https"
    )
    is_public = forms.BooleanField(
        label=_("Show on the public help pages"),
        required=False,
        help_text=_(
            "Only services people may contact themselves. Never a shelter or safe house: "
            "publish its intake helpline."
        ),
    )


class AvailabilityForm(forms.Form):
    free_places = forms.IntegerField(
        label=_("Free places now"),
        error_messages={"invalid": _("Write a whole number.")},
    )


class MappingForm(forms.Form):
    municipality = forms.CharField(label=_("Municipality"), max_length=100)
    mapped_on = forms.DateField(
        label=_("Mapped on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    vulnerable_groups = forms.CharField(
        label=_("Who are the vulnerable groups?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    locations = forms.CharField(
        label=_("What are the relevant locations?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Kinds of places (harbour, berry farms, massage parlours), never a person's address."
        ),
    )
    sectors = forms.CharField(
        label=_("Which sectors of work are concerned?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    identifying_actors = forms.CharField(
        label=_("Who can identify victims?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    exploitation_forms = forms.MultipleChoiceField(
        label=_("Forms of exploitation seen"),
        choices=ExploitationForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    existing_services = forms.CharField(
        label=_("Which services exist?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    needed_services = forms.MultipleChoiceField(
        label=_("Services the municipality needs"),
        choices=ServiceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Compared with the directory: a need no service meets there is a gap."),
    )
    gaps = forms.CharField(
        label=_("What is missing?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    priorities = forms.CharField(
        label=_("What are the local priorities?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
