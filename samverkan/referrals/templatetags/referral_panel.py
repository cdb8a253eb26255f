"""The case page's referrals panel, for the lead organisation."""

from django import template

from samverkan.referrals import selectors

register = template.Library()


@register.inclusion_tag("referrals/_case_panel.html", takes_context=True)
def case_referrals(context, detail):
    actor = context["request"].membership
    allowed = detail.allowed_actions
    return {
        "case": detail.case,
        "may_refer": "case.refer" in allowed,
        "may_show_sharing": "case.consent.manage" in allowed,
        "referrals": selectors.referrals_of_case(actor, detail.case) if detail.access.lead else [],
        "team_shares": (
            selectors.team_shares_of_case(actor, detail.case) if detail.access.lead else []
        ),
    }
