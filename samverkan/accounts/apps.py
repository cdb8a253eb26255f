from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "samverkan.accounts"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from samverkan.accounts.middleware import mark_authenticated

        user_logged_in.connect(
            lambda sender, request, user, **kwargs: mark_authenticated(request),
            weak=False,
            dispatch_uid="samverkan_mark_authenticated",
        )
