"""Forms for referrals. The referral form is the share form (one per consent
or legal basis in force, with what it does not cover greyed out and why)
plus what a referral adds; the service refuses whatever the basis does not
cover, whatever the form sent."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import Membership, Organisation
from samverkan.cases.access_forms import CoveredSelect, ShareForm
from samverkan.directory.models import Service, ServiceKind
from samverkan.referrals.models import DeclineReason, Team, Urgency

TEXT_MAX = 5000


class _RequestFields(forms.Form):
    """What a referral asks for, beside what it shares."""

    needs = forms.MultipleChoiceField(
        label=_("Needs addressed"), choices=ServiceKind.choices, widget=forms.CheckboxSelectMultiple
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The receiver reads it only after accepting."),
    )


class ReferralForm(ShareForm, _RequestFields):
    service = forms.ModelChoiceField(
        label=_("Refer to a service"),
        queryset=Service.objects.none(),
        to_field_name="uuid",
        required=False,
        widget=CoveredSelect,
        help_text=_("Its provider receives the referral. Or choose an organisation below."),
    )

    field_order = ["basis", "service", "organisation", "purpose", "categories", "needs"]

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].required = False
        self.fields["organisation"].label = _("Or refer to an organisation")
        self.fields["service"].queryset = services
        basis = self.chosen_basis
        if basis is not None:
            named = {organisation.pk for organisation in basis.organisations.all()}
            widget = self.fields["service"].widget
            widget.covered = {
                str(service.uuid) for service in services if basis.names(service.provider, named)
            }
            widget.reason = _("not covered by this consent or legal basis")

    def clean(self):
        data = super().clean()
        if not data.get("service") and not data.get("organisation"):
            raise forms.ValidationError(_("Choose a service or an organisation to refer to."))
        return data

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["receiver"] = data.pop("organisation")
        return data


class TeamShareForm(ShareForm, _RequestFields):
    """A share with a team under one basis: each member organisation the basis
    allows gets a referral; the form lists, per team, the members it leaves out."""

    team = forms.ModelChoiceField(
        label=_("Share with the team"),
        queryset=Team.objects.none(),
        to_field_name="uuid",
        error_messages={"invalid_choice": _("Choose a team of the case's country.")},
    )

    field_order = ["basis", "team", "purpose", "categories", "needs"]

    def __init__(self, *args, teams, plan, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["organisation"]
        self.fields["team"].queryset = teams
        # [(team, [TeamMemberPlan, ...])] under the chosen basis, before a purpose is chosen.
        self.plans = (
            [(team, plan(team, self.chosen_basis)) for team in teams]
            if (self.chosen_basis is not None)
            else []
        )

    def service_arguments(self) -> dict:
        return dict(self.cleaned_data)


class TeamMemberForm(forms.Form):
    """One member organisation or one member person, to add or to remove."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        to_field_name="uuid",
        required=False,
        error_messages={"invalid_choice": _("Choose an organisation from the list.")},
    )
    member = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Membership.objects.none(),
        to_field_name="uuid",
        required=False,
        error_messages={"invalid_choice": _("Choose a person from the list.")},
    )

    def __init__(self, *args, organisations, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["member"].queryset = members

    def clean(self):
        data = super().clean()
        if bool(data.get("organisation")) == bool(data.get("member")):
            raise forms.ValidationError(_("Choose one organisation or one person."))
        return data


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=DeclineReason.choices)
    text = forms.CharField(
        label=_("In a few words"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the reason is “Other”."),
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("What do you need to know?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "The receiver has not accepted yet: answer without anything that identifies the person."
        ),
    )
    confirmed = forms.BooleanField(
        label=_("I have checked: this identifies nobody"),
        required=False,
        help_text=_("Only needed when the text was flagged."),
    )


class WithdrawForm(forms.Form):
    text = forms.CharField(
        label=_("Why (optional)"), required=False, max_length=TEXT_MAX, widget=forms.TextInput
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Team.Kind.choices)
    area = forms.CharField(label=_("Municipality or county"), max_length=100)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Member organisations"),
        queryset=Organisation.objects.none(),
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your organisation is always a member."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations


class ConsultationForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Your question"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Describe the situation without anything that identifies the person: no names, "
            "dates of birth, identity numbers, phone numbers, e-mail or street addresses."
        ),
    )
    confirmed = forms.BooleanField(
        label=_("I have checked: this identifies nobody"),
        required=False,
        help_text=_("Only needed when the text was flagged."),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("No names or other identifiers here either."),
    )
    confirmed = forms.BooleanField(
        label=_("I have checked: this identifies nobody"), required=False
    )
