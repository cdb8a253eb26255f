"""Forms for who may see a case: sharing, consent, confidentiality, the secret
location and emergency access.

They check shapes only; what may be shared with whom is the services' call,
and their messages are what a refused request shows.
"""

from __future__ import annotations

import uuid

from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import Organisation
from samverkan.cases.models import BreakGlassAccess, Category, Consent, LegalBasis, Purpose

# Metadata always goes with a share and the secret location never does.
SHAREABLE_CATEGORIES = [
    (value, label)
    for value, label in Category.choices
    if value not in {Category.METADATA, Category.SECRET_LOCATION}
]
# The secret location is given to named people, never by consent.
CONSENT_CATEGORIES = [
    (value, label) for value, label in Category.choices if value != Category.SECRET_LOCATION
]


class _CoveredOnly:
    """Shows every choice but disables those outside ``covered``, saying why.

    Only presentation: the service refuses what the basis does not cover.
    """

    def __init__(self, *args, covered=None, reason="", **kwargs):
        super().__init__(*args, **kwargs)
        self.covered = covered
        self.reason = reason

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if self.covered is not None and value != "" and str(value) not in self.covered:
            option["attrs"]["disabled"] = True
            option["label"] = f"{label} ({self.reason})"
        return option


class CoveredCheckboxes(_CoveredOnly, forms.CheckboxSelectMultiple):
    pass


class CoveredSelect(_CoveredOnly, forms.Select):
    pass


class ShareForm(forms.Form):
    """A share under one consent or legal basis; the page shows one form per basis in force."""

    basis = forms.ModelChoiceField(
        queryset=Consent.objects.none(),
        to_field_name="uuid",
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("That consent or legal basis is not in force.")},
    )
    organisation = forms.ModelChoiceField(
        label=_("Share with"),
        queryset=Organisation.objects.none(),
        to_field_name="uuid",
        widget=CoveredSelect,
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=BLANK_CHOICE_DASH + Purpose.choices, widget=CoveredSelect
    )
    categories = forms.MultipleChoiceField(
        label=_("Data categories"),
        choices=SHAREABLE_CATEGORIES,
        required=False,
        widget=CoveredCheckboxes,
        help_text=_(
            "The case metadata is always shared. The secret location is given to named people only."
        ),
    )

    def __init__(self, *args, recipients, consents, basis: Consent | None = None, **kwargs):
        if basis is not None:
            kwargs.setdefault("initial", {"basis": basis.uuid})
            kwargs.setdefault("auto_id", f"share-{basis.uuid}-%s")
        super().__init__(*args, **kwargs)
        self.fields["basis"].queryset = consents
        self.fields["organisation"].queryset = recipients
        # Not ``basis``: a template would find the field of that name first.
        self.chosen_basis = basis or self._posted_basis(consents)
        if self.chosen_basis is not None:
            self._grey_out(recipients, self.chosen_basis)

    def _posted_basis(self, consents) -> Consent | None:
        try:
            basis_uuid = uuid.UUID(str(self.data.get("basis", "")))
        except ValueError:
            return None  # the field reports it
        return consents.filter(uuid=basis_uuid).first()

    def _grey_out(self, recipients, basis: Consent) -> None:
        named = {organisation.pk for organisation in basis.organisations.all()}
        covered = {
            # Consent.covers without the purpose, which is chosen separately.
            "organisation": {
                str(organisation.uuid)
                for organisation in recipients
                if basis.names(organisation, named)
            },
            "purpose": set(basis.purposes),
            "categories": set(basis.categories),
        }
        for name, values in covered.items():
            self.fields[name].widget.covered = values
            self.fields[name].widget.reason = _("not covered by this consent or legal basis")


class ConsentForm(forms.Form):
    basis = forms.ChoiceField(label=_("Basis"), choices=LegalBasis.choices)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=200,
        required=False,
        help_text=_("For a court order or a child-protection duty: the decision's number."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Data categories"),
        choices=CONSENT_CATEGORIES,
        initial=[Category.METADATA],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The secret location is never shared by consent; name people for it instead."),
    )
    organisation_kinds = forms.MultipleChoiceField(
        label=_("Kinds of organisation"),
        choices=Organisation.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Named organisations"),
        queryset=Organisation.objects.none(),
        to_field_name="uuid",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Name kinds of organisation, organisations, or both."),
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"), choices=Purpose.choices, widget=forms.CheckboxSelectMultiple
    )
    manner = forms.ChoiceField(label=_("Given"), choices=Consent.Manner.choices)
    given_on = forms.DateField(
        label=_("Given on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, organisations, **kwargs):
        kwargs.setdefault("auto_id", "consent-%s")
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations
        self.fields["given_on"].initial = timezone.localdate
        self.fields["organisations"].label_from_instance = lambda organisation: (
            f"{organisation.name} ({organisation.get_kind_display()})"
        )


class ConfidentialForm(forms.Form):
    # An explicit choice: an empty request must not lift the confidentiality.
    confidential = forms.TypedChoiceField(
        choices=[("on", _("Keep from law enforcement")), ("off", _("Stop keeping it"))],
        coerce=lambda value: value == "on",
    )


class SecretLocationForm(forms.Form):
    secret_location = forms.CharField(
        label=_("Secret location"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The shelter address or witness-protection details."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "secret-location-%s")
        super().__init__(*args, **kwargs)


class NameForSecretLocationForm(forms.Form):
    membership = forms.ModelChoiceField(
        label=_("Person"),
        queryset=None,
        to_field_name="uuid",
        error_messages={"invalid_choice": _("Choose someone who can see this case.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        kwargs.setdefault("auto_id", "secret-location-name-%s")
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = candidates
        self.fields["membership"].label_from_instance = lambda membership: (
            f"{membership.user.full_name} — {membership.organisation.name}, "
            f"{membership.get_role_display()}"
        )


class BreakGlassForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=32)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why you need the case now, in a full sentence (at least 20 characters)."),
    )
    minutes = forms.IntegerField(
        label=_("For how many minutes"),
        min_value=1,
        max_value=BreakGlassAccess.MAX_MINUTES,
        initial=30,
    )
