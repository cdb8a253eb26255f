"""Background work for referrals: telling the receiver, and one reminder when
a referral stays unanswered for ``REFERRAL_REMINDER_HOURS``.

The e-mails name no person and no case: only that a referral waits in the
organisation's inbox, with its urgency.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task

from samverkan.policy.access import CASE_ROLES


def _mail_receiver(referral, *, reminder: bool) -> None:
    from samverkan.accounts.models import Membership

    addresses = sorted(
        Membership.objects.active()
        .filter(organisation_id=referral.receiver_id, role__in=CASE_ROLES)
        .values_list("user__email", flat=True)
    )
    if not addresses:
        return
    context = {
        "reminder": reminder,
        "urgency": referral.get_urgency_display(),
        "hours": settings.REFERRAL_REMINDER_HOURS,
        "link": settings.SITE_URL.rstrip("/") + "/referrals/",
    }
    subject = render_to_string("referrals/email/referral_subject.txt", context).strip()
    body = render_to_string("referrals/email/referral_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)


@task()
def tell_receiver(referral_id: int, reminder: bool) -> None:
    from samverkan.policy.referrals import may_reach_receiver
    from samverkan.referrals.models import Referral

    referral = Referral.objects.select_related("receiver").filter(pk=referral_id).first()
    if referral is not None and may_reach_receiver(referral):
        _mail_receiver(referral, reminder=reminder)


@task()
def remind_unanswered(referral_id: int) -> bool:
    """Remind once; a referral answered, withdrawn, ended or already reminded gets nothing."""
    from samverkan.referrals.services import claim_reminder

    # Claimed and committed first: a reminder is sent at most once.
    with transaction.atomic():
        referral = claim_reminder(referral_id)
    if referral is None:
        return False
    _mail_receiver(referral, reminder=True)
    return True
