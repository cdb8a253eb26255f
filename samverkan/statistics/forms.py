"""Forms of the statistics pages: the shape of the input; the services check the rest."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.statistics.disclosure import DEFAULT_MINIMUM
from samverkan.statistics.models import DEFAULT_MATCH_THRESHOLD


def _date_field(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


def _last_year():
    year = timezone.localdate().year - 1
    return date(year, 1, 1), date(year, 12, 31)


class BuildForm(forms.Form):
    period_start = _date_field(_("From"))
    period_end = _date_field(_("To"))
    minimum_cell = forms.IntegerField(
        label=_("Smallest published count"),
        initial=DEFAULT_MINIMUM,
        help_text=_("Smaller counts are suppressed, with as many others as it takes to hide them."),
    )
    match_threshold = forms.FloatField(
        label=_("Match threshold"),
        initial=DEFAULT_MATCH_THRESHOLD,
        help_text=_(
            "How likely two records must be of one person to count once (above 0, at most 1)."
        ),
    )

    epsilon = forms.FloatField(
        label=_("Differential privacy: epsilon"),
        required=False,
        help_text=_(
            "Optional. Adds noise to the counts of persons, spent from each year's privacy budget; "
            "smaller is more private and less exact."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        start, end = _last_year()
        self.fields["period_start"].initial = start
        self.fields["period_end"].initial = end


class SourceUploadForm(forms.Form):
    MAX_BYTES = 50 * 1024 * 1024
    TOO_LARGE = _("The file is larger than 50 MB.")

    name = forms.CharField(label=_("Name of the source"), max_length=200)
    file = forms.FileField(
        label=_("Encodings file"),
        help_text=_(
            "As “samverkan linkage encode” writes it; it names its agency kind and period."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(self.TOO_LARGE)
        return upload
