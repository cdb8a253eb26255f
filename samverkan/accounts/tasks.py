"""Background work for accounts: invitation e-mails, sent by the database-backed worker."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from samverkan import crypto


def invitation_context(invitation_id: int) -> str:
    # The token travels through the task table sealed, bound to its invitation.
    return f"accounts.invitation.token:{invitation_id}"


@task()
def send_invitation_email(*, invitation_id: int, sealed_token: str, language: str) -> None:
    """Sent in the language the inviting admin was using."""
    from samverkan.accounts.models import Invitation

    invitation = Invitation.objects.select_related("organisation").get(pk=invitation_id)
    if not invitation.is_pending:
        return
    token = crypto.decrypt(sealed_token, context=invitation_context(invitation_id))
    link = settings.SITE_URL.rstrip("/") + reverse("invitation-accept", args=[token])
    context = {"invitation": invitation, "link": link}
    with translation.override(language):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
