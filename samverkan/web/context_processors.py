from django.conf import settings

from samverkan.accounts import demo
from samverkan.accounts.models import Membership
from samverkan.cases.selectors import unread_notification_count
from samverkan.policy import access
from samverkan.policy.cases import may_break_glass


def shell(request):
    """What the base layout needs: who is acting, and which menu entries the policy opens."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    memberships = []
    if user is not None and user.is_authenticated:
        memberships = list(
            Membership.objects.active().filter(user=user).select_related("organisation")
        )
    return {
        "demo_mode": settings.DEMO_MODE,
        "demo_totp_code": demo.pending_demo_code(request) if settings.DEMO_MODE else None,
        "demo_password": demo.DEMO_PASSWORD if settings.DEMO_MODE else None,
        "acting_membership": membership,
        "user_memberships": memberships,
        "nav": {
            "organisations": access.can(membership, "organisation.list"),
            "members": access.can(membership, "organisation.members.view"),
            "audit": access.can(membership, "audit.view"),
            "tokens": access.can(membership, "api_token.manage"),
            "cases": access.can(membership, "case.list"),
            "case_open": access.can(membership, "case.open"),
            "deadlines": access.can(membership, "deadline.view"),
            "anonymous_notifications": access.can(membership, "anonymous_notification.list"),
            "notifications": access.can(membership, "notification.view"),
            "countries": access.can(membership, "country_configuration.manage"),
            "screening": access.can(membership, "screening.use"),
            "emergency_access": access.can(membership, "case.break_glass")
            and may_break_glass(membership),
            # Referrals and the service directory.
            "referrals": access.can(membership, "referral.inbox"),
            "directory": access.can(membership, "directory.view"),
            "teams": access.can(membership, "team.list"),
            "mapping": access.can(membership, "mapping.view"),
            "network": access.can(membership, "network.view"),
            # The rapporteur's statistics.
            "statistics": access.can(membership, "statistics.view"),
        },
        "unread_notifications": unread_notification_count(membership),
    }
