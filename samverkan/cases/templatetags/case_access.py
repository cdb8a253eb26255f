"""The access panel of the case page: its forms, built for what the acting
membership may do on the case, and labels for stored choice values."""

from __future__ import annotations

from django import template

from samverkan.accounts.models import Organisation
from samverkan.cases import selectors
from samverkan.cases.access_forms import (
    ConsentForm,
    NameForSecretLocationForm,
    SecretLocationForm,
    ShareForm,
)
from samverkan.cases.models import Category, Purpose

register = template.Library()


@register.simple_tag(takes_context=True)
def access_forms(context, detail: selectors.CaseDetail) -> dict:
    """Only the forms ``detail.allowed_actions`` open; the services decide again on submit.

    Also which of ``detail.consents`` are in force, for their status.
    """
    actor = context["request"].membership
    case = detail.case
    allowed = detail.allowed_actions
    forms: dict = {}
    consents = selectors.consents_in_force(case)
    if detail.consents:
        forms["consents_in_force"] = {consent.pk for consent in consents}
    if "case.share" in allowed:
        recipients = selectors.share_recipients(actor, case)
        forms["share"] = [
            ShareForm(recipients=recipients, consents=consents, basis=basis) for basis in consents
        ]
    if "case.consent.manage" in allowed:
        forms["consent"] = ConsentForm(organisations=selectors.share_recipients(actor, case))
    if "case.secret_location.manage" in allowed:
        forms["name"] = NameForSecretLocationForm(
            candidates=selectors.secret_location_candidates(case)
        )
    if Category.SECRET_LOCATION in detail.values:
        forms["secret_location"] = SecretLocationForm(
            initial={"secret_location": detail.values[Category.SECRET_LOCATION] or ""}
        )
    return forms


def _labels(choices, values) -> str:
    """The labels in the choices' order (stored lists are sorted by value)."""
    return ", ".join(str(label) for value, label in choices if value in values)


@register.filter
def category_labels(values) -> str:
    return _labels(Category.choices, values)


@register.filter
def purpose_labels(values) -> str:
    return _labels(Purpose.choices, values)


@register.filter
def kind_labels(values) -> str:
    return _labels(Organisation.Kind.choices, values)
