"""A screening recorded on a case: which catalogue, set and answers, sealed.

The answers and the note say what happened to the person, so they are
sealed as exploitation details and shown only to those who see that
category of the case. The assessment is recomputed from the answers and the
catalogue version the screening used, never stored apart from them.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import Membership, Organisation
from samverkan.cases.models import Case, Category, EncryptedField, Sealed


class Screening(Sealed):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="screenings")
    catalogue = models.CharField(_("catalogue"), max_length=40)
    catalogue_version = models.CharField(_("catalogue version"), max_length=20)
    indicator_set = models.CharField(_("set of indicators"), max_length=40)
    audience = models.CharField(max_length=10)
    language = models.CharField(_("language"), max_length=10)
    # {"answers": {indicator id: "yes" | "no" | "unknown"}, "note": "..."}
    answers = EncryptedField(category=Category.EXPLOITATION)
    recorded_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")

    def __str__(self) -> str:
        return f"screening {self.uuid}"
