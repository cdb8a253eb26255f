"""Screening forms: choosing the set, and answering its indicators."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samverkan.screening import registry
from samverkan.screening.catalogue import (
    REGION_LANGUAGES,
    Catalogue,
    SetChoiceError,
    audience_of,
)
from samverkan.screening.rule import Answer
from samverkan.screening.services import NOTE_MAX
from samverkan.web.languages import LANGUAGE_NAMES

ANSWER_CHOICES = [
    (Answer.YES.value, _("Yes")),
    (Answer.NO.value, _("No")),
    (Answer.UNKNOWN.value, _("Unknown")),
]
SET_CHOICE_ERRORS = {
    "age_negative": _("The age cannot be negative."),
    "age_contradicts_estimate": _(
        "The age and the estimate contradict each other: give one, or make them agree."
    ),
    "no_set_for_form": _("This catalogue has no set for that form of exploitation."),
}


def _languages() -> list[tuple[str, str]]:
    offered = {language for c in registry.current() for language in c.languages}
    return [(code, LANGUAGE_NAMES[code]) for code in REGION_LANGUAGES if code in offered]


def _default_language() -> str:
    language = (get_language() or "en").split("-")[0]
    return language if language in dict(_languages()) else "en"


class StartForm(forms.Form):
    """Which catalogue, and the facts about the person that choose its set."""

    catalogue = forms.ChoiceField(label=_("Indicators"))
    form = forms.ChoiceField(
        label=_("Form of exploitation suspected"),
        choices=[
            ("labour", _("Labour or services (also begging, criminality, domestic work)")),
            ("sexual", _("Sexual exploitation")),
        ],
        initial="labour",
        help_text=_("Used for the ILO/EC indicators; the forced-labour checklist has one list."),
    )
    age = forms.IntegerField(label=_("Age, if known"), required=False, min_value=0, max_value=120)
    age_estimate = forms.ChoiceField(
        label=_("Otherwise, an estimate"),
        required=False,
        choices=[
            ("", _("Not known")),
            ("child", _("Probably under 18")),
            ("adult", _("Probably 18 or older")),
        ],
        help_text=_(
            "If there are reasons to believe the person is a child, choose "
            "“Probably under 18”: the person is then treated as a child."
        ),
    )
    language = forms.ChoiceField(label=_("Language of the indicators"))

    def __init__(self, *args, audience: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.audience = audience
        self.fields["catalogue"].choices = [
            (c.id, c.texts_for(_default_language()).title) for c in registry.current()
        ]
        self.fields["language"].choices = _languages()
        self.fields["language"].initial = _default_language()
        if audience is not None:
            # In a case the person's age group is known: it chooses the set.
            del self.fields["age"], self.fields["age_estimate"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        catalogue = next(c for c in registry.current() if c.id == data["catalogue"])
        if data["language"] not in catalogue.texts:
            self.add_error("language", _("These indicators are not available in that language."))
            return data
        try:
            if self.audience is not None:
                data["set"] = catalogue.choose_set(form=data["form"], age_estimate=self.audience)
            else:
                data["set"] = catalogue.choose_set(
                    form=data["form"],
                    age=data.get("age"),
                    age_estimate=data.get("age_estimate") or None,
                )
        except SetChoiceError as error:
            raise forms.ValidationError(SET_CHOICE_ERRORS[str(error)]) from error
        data["catalogue"] = catalogue
        data["audience"] = self.audience or audience_of(
            age=data.get("age"), age_estimate=data.get("age_estimate") or None
        )
        return data


class ScreeningKeyForm(forms.Form):
    """What the answers belong to, carried between the steps of one screening."""

    catalogue = forms.CharField(widget=forms.HiddenInput, max_length=40)
    version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    set = forms.CharField(widget=forms.HiddenInput, max_length=40)
    audience = forms.ChoiceField(
        widget=forms.HiddenInput, choices=[("adult", "adult"), ("child", "child")]
    )
    language = forms.CharField(widget=forms.HiddenInput, max_length=10)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        catalogue = registry.get(data["catalogue"], data["version"])
        if catalogue is None or data["set"] not in catalogue.sets:
            raise forms.ValidationError(_("Start the screening again: its set is unknown."))
        if data["language"] not in catalogue.texts:
            raise forms.ValidationError(_("Start the screening again: its language is unknown."))
        indicator_set = catalogue.sets[data["set"]]
        if indicator_set.audience not in (data["audience"], "any"):
            raise forms.ValidationError(_("Start the screening again: the set does not fit."))
        data["catalogue"] = catalogue
        data["set"] = indicator_set
        return data

    @classmethod
    def for_screening(cls, catalogue: Catalogue, indicator_set, audience: str, language: str):
        return cls(
            initial={
                "catalogue": catalogue.id,
                "version": catalogue.version,
                "set": indicator_set.id,
                "audience": audience,
                "language": language,
            }
        )


class AnswersForm(forms.Form):
    """One question per indicator, grouped by dimension; unanswered means unknown."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you saw or were told. Write no names or other identifying details."),
    )

    def __init__(
        self,
        *args,
        catalogue: Catalogue,
        indicator_set,
        language: str,
        with_note: bool,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        self.indicator_set = indicator_set
        self.texts = catalogue.texts_for(language)
        # A quick screening keeps nothing, so it asks for no note.
        note = self.fields.pop("note")
        for indicator in indicator_set.indicators:
            self.fields[indicator.id] = forms.ChoiceField(
                label=self.texts.indicator(indicator),
                choices=ANSWER_CHOICES,
                required=False,
                widget=forms.RadioSelect,
            )
        if with_note:
            self.fields["note"] = note

    def clean(self):
        data = super().clean()
        # A field sent twice (yes and no) is a contradiction, not "the last one wins".
        twice = sorted(
            indicator.id
            for indicator in self.indicator_set.indicators
            if len(self.data.getlist(indicator.id)) > 1
        )
        if twice:
            raise forms.ValidationError(
                _("Each indicator takes one answer; these were answered twice: %(ids)s.")
                % {"ids": ", ".join(twice)}
            )
        return data

    def dimensions(self):
        """(dimension name, [(bound field, indicator, doubt or None)]) in the catalogue's order."""
        groups = []
        for dimension in self.catalogue.dimensions:
            rows = [
                (self[indicator.id], indicator, self.texts.uncertain.get(indicator.uncertain))
                for indicator in self.indicator_set.indicators
                if indicator.dimension == dimension
            ]
            groups.append((self.texts.dimensions[dimension], rows))
        return groups

    def answers(self) -> dict[str, str]:
        return {
            indicator.id: self.cleaned_data[indicator.id]
            for indicator in self.indicator_set.indicators
            if self.cleaned_data.get(indicator.id)
        }
