"""Checks made when a production server starts: it refuses to serve if they fail."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_unsafe_production_start() -> None:
    if not settings.PRODUCTION:
        return
    from samverkan.accounts.models import User

    if User.objects.filter(is_demo=True).exists():
        raise ImproperlyConfigured(
            "Demo users exist in this database; production refuses to start. "
            "Use a database without demo data."
        )
