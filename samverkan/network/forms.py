from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from samverkan.network.library import LIBRARY_LANGUAGES
from samverkan.network.models import (
    ActionPoint,
    Activity,
    Document,
    Measure,
    Network,
    Place,
    Question,
)


class NetworkForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Network.Kind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)


class PlaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Place.Kind.choices)
    country = CountryField().formfield(label=_("Country"))


class ContactForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=200)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class MembersImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.NETWORK_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("The file must be CSV in UTF-8.")) from error


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    introduction = forms.CharField(label=_("Introduction"), widget=forms.Textarea, required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    reminder_days_before = forms.IntegerField(
        label=_("Reminder, days before the deadline"), min_value=0, max_value=60, initial=3
    )


class QuestionForm(forms.Form):
    section = forms.CharField(label=_("Section"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    text_sv = forms.CharField(
        label=_("Question in Swedish"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    help_text = forms.CharField(label=_("Help text"), max_length=500, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices, one per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class XlsFormImportForm(forms.Form):
    file = forms.FileField(label=_("XLSForm (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.NETWORK_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        content = upload.read()
        if not content.startswith(b"PK\x03\x04"):
            raise forms.ValidationError(_("The file must be an .xlsx workbook."))
        return content


class SendForm(forms.Form):
    places = forms.ModelMultipleChoiceField(
        label=_("Places"), queryset=Place.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["places"].queryset = places


class ForwardForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail"))


class ActionPlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.IntegerField(label=_("From year"), min_value=1990, max_value=2100)
    period_end = forms.IntegerField(label=_("To year"), min_value=1990, max_value=2100)
    adopted_by = forms.CharField(label=_("Adopted by"), max_length=200, required=False)
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")


class MeasureForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    responsible = forms.CharField(label=_("Responsible actors"), max_length=300, required=False)
    target_groups = forms.CharField(label=_("Target groups"), max_length=300, required=False)
    starts_on = forms.DateField(
        label=_("Start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("End"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("Status"), choices=Measure.Status.choices)
    budget = forms.CharField(label=_("Budget"), max_length=100, required=False)
    indicator = forms.CharField(label=_("Indicator of success"), max_length=300, required=False)
    action_points = forms.ModelMultipleChoiceField(
        label=_("Action points"),
        queryset=ActionPoint.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, action_points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_points"].queryset = action_points


class DocumentSearchForm(forms.Form):
    words = forms.CharField(label=_("Search the library"), max_length=200)


class DocumentForm(forms.Form):
    network = forms.ModelChoiceField(label=_("Network"), queryset=Network.objects.none())
    file = forms.FileField(label=_("File (PDF, Word or text)"))
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices)
    language = forms.ChoiceField(
        label=_("Language"), choices=[(code, name) for code, name, _config in LIBRARY_LANGUAGES]
    )
    published_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    themes = forms.CharField(label=_("Themes"), max_length=300, required=False)

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.CharField(label=_("Where"), max_length=200, required=False)
    organisers = forms.CharField(label=_("Organisers"), max_length=300, required=False)
    target_group = forms.CharField(label=_("Target group"), max_length=300, required=False)
    capacity_min = forms.IntegerField(label=_("Participants at least"), min_value=1, required=False)
    capacity_max = forms.IntegerField(label=_("Participants at most"), min_value=1, required=False)
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea, required=False)
    materials = forms.CharField(label=_("Materials"), widget=forms.Textarea, required=False)


class ParticipantForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=200)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    country = CountryField(blank=True).formfield(label=_("Country"), required=False)
    role = forms.CharField(label=_("Role"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"))


class ReportForm(forms.Form):
    report = forms.CharField(
        label=_("What did you learn, and how will you use it in your work?"),
        widget=forms.Textarea,
        max_length=20000,
    )


class PracticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    what = forms.CharField(label=_("What was done"), widget=forms.Textarea)
    where = forms.CharField(label=_("Where"), max_length=200, required=False)
    who = forms.CharField(label=_("Who took part"), max_length=300, required=False)
    results = forms.CharField(label=_("Results"), widget=forms.Textarea, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    themes = forms.CharField(label=_("Themes"), max_length=300, required=False)


class PracticeSearchForm(forms.Form):
    words = forms.CharField(label=_("Words"), max_length=200, required=False)
    theme = forms.CharField(label=_("Theme"), max_length=100, required=False)


class AssessmentForm(forms.Form):
    """A finding and a mitigation for each question of the assessment."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for key, text in questions:
            self.fields[f"{key}_finding"] = forms.CharField(
                label=text, widget=forms.Textarea(attrs={"rows": 2}), required=False
            )
            self.fields[f"{key}_mitigation"] = forms.CharField(
                label=_("Mitigation"), widget=forms.Textarea(attrs={"rows": 2}), required=False
            )

    def answers(self) -> dict[str, dict[str, str]]:
        return {
            key: {
                "finding": self.cleaned_data[f"{key}_finding"],
                "mitigation": self.cleaned_data[f"{key}_mitigation"],
            }
            for key, _text in self.questions
        }
