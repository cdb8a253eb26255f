from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "samverkan.referrals"
    verbose_name = _("Referrals to assistance")
