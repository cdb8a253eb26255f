from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "samverkan.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from samverkan.audit import receivers  # noqa: F401  (connects the auth-event receivers)
