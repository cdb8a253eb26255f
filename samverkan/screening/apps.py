from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "samverkan.screening"
    verbose_name = _("Screening with indicators")

    def ready(self):
        # A broken catalogue stops the start, naming the file and the fault,
        # rather than failing on the first screening.
        from samverkan.screening import registry

        registry.catalogues()
