"""The authorization matrix: every URL is in the table, and every cell holds.

Each URL name maps to how it is opened: ``PUBLIC`` (the login flow, password
reset, invitation links), ``OWN_ACCOUNT`` (a person's own account and security
pages, after the second factor) or a policy action from ``ROLE_ACTIONS``.
A new URL fails the completeness test until it is added here.
"""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver

from conftest import make_membership, make_user
from samverkan.accounts.models import ApiToken, Invitation, Role, hash_secret
from samverkan.cases.tests.routes import API_ROUTES, WEB_ROUTES
from samverkan.network.tests.routes import LINK_ROUTES, NETWORK_ROUTES
from samverkan.policy.access import ROLE_ACTIONS
from samverkan.referrals.tests.routes import API_ROUTES as REFERRAL_API_ROUTES
from samverkan.referrals.tests.routes import WEB_ROUTES as REFERRAL_WEB_ROUTES
from samverkan.statistics.tests.routes import STATISTICS_ROUTES

PUBLIC = "public"
OWN_ACCOUNT = "own account"

ROUTES: dict[str, str] = {
    "dashboard": "dashboard.view",
    "account_login": PUBLIC,
    "account_logout": OWN_ACCOUNT,
    "account_inactive": PUBLIC,
    "account_signup": PUBLIC,
    "account_reauthenticate": OWN_ACCOUNT,
    "account_email": OWN_ACCOUNT,
    "account_email_verification_sent": PUBLIC,
    "account_change_password": OWN_ACCOUNT,
    "account_set_password": OWN_ACCOUNT,
    "account_reset_password": PUBLIC,
    "account_confirm_login_code": PUBLIC,
    "account_confirm_email": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "mfa_index": OWN_ACCOUNT,
    "mfa_authenticate": PUBLIC,
    "mfa_reauthenticate": OWN_ACCOUNT,
    "mfa_activate_totp": OWN_ACCOUNT,
    "mfa_deactivate_totp": OWN_ACCOUNT,
    "mfa_view_recovery_codes": OWN_ACCOUNT,
    "mfa_generate_recovery_codes": OWN_ACCOUNT,
    "mfa_download_recovery_codes": OWN_ACCOUNT,
    "mfa_list_webauthn": OWN_ACCOUNT,
    "mfa_add_webauthn": OWN_ACCOUNT,
    "mfa_reauthenticate_webauthn": OWN_ACCOUNT,
    "mfa_remove_webauthn": OWN_ACCOUNT,
    "mfa_edit_webauthn": OWN_ACCOUNT,
    "usersessions_list": OWN_ACCOUNT,
    "set_language": PUBLIC,
    "membership-choose": OWN_ACCOUNT,
    "organisation-list": "organisation.list",
    "organisation-members": "organisation.members.invite",
    "invitation-revoke": "organisation.members.invite",
    "membership-edit": "organisation.members.change",
    "invitation-accept": PUBLIC,
    "api-tokens": "api_token.manage",
    "api-token-revoke": "api_token.manage",
    "audit-log": "audit.view",
    "api-me": "dashboard.view",
    "api-ping": "dashboard.view",
    "api-organisations": "organisation.list",
    "api-members": "organisation.members.view",
    "api-audit-entries": "audit.view",
    "api-schema": OWN_ACCOUNT,
    "api-docs": OWN_ACCOUNT,
    "screening-quick": "screening.use",
    "screening-checklists": "screening.use",
    "screening-checklist": "screening.use",
    "api-screening-catalogues": "screening.use",
    "api-screening-catalogue": "screening.use",
    "api-screening-evaluate": "screening.use",
    **WEB_ROUTES,
    **API_ROUTES,
    # Referrals, sharing and the directory.
    **REFERRAL_WEB_ROUTES,
    **REFERRAL_API_ROUTES,
    # The network's pages are crossed with every role in samverkan/network/tests/test_matrix.py.
    **NETWORK_ROUTES,
    **dict.fromkeys(LINK_ROUTES, PUBLIC),
    # The rapporteur's statistics, crossed with every role in samverkan/statistics/tests.
    **STATISTICS_ROUTES,
}


def url_names(patterns=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from url_names(pattern.url_patterns)
        else:
            yield pattern.name


def test_every_url_is_in_the_matrix():
    assert set(url_names()) == set(ROUTES)


def test_every_action_in_the_matrix_exists_in_the_policy():
    actions = {value for value in ROUTES.values() if value not in {PUBLIC, OWN_ACCOUNT}}
    assert actions <= set(ROLE_ACTIONS)


@pytest.fixture
def member_of_ngo(world):
    """One person per role in the NGO, plus the objects the pages are about."""

    def make(role: str):
        user = make_user(f"{role}@matrix.example", role)
        membership = make_membership(user, world.ngo, role)
        colleague = world.cecilia
        invitation = Invitation.objects.create(
            organisation=world.ngo,
            email="invited@matrix.example",
            role=Role.FRONTLINE,
            token_hash=hash_secret(f"matrix-{role}"),
            invited_by=world.olle,
            expires_at="2999-01-01T00:00:00Z",
        )
        token = ApiToken.objects.create(
            membership=membership, name="matrix", key_hash=hash_secret(f"token-{role}")
        )
        urls = {
            "dashboard": "/",
            "organisation-list": "/organisations/",
            "organisation-members": f"/organisations/{world.ngo.uuid}/members/",
            "invitation-revoke": (
                f"/organisations/{world.ngo.uuid}/invitations/{invitation.uuid}/revoke/"
            ),
            "membership-edit": f"/members/{colleague.uuid}/",
            "api-tokens": "/api-tokens/",
            "api-token-revoke": f"/api-tokens/{token.uuid}/revoke/",
            "audit-log": "/audit/",
            "api-me": "/api/v1/me/",
            "api-ping": "/api/v1/ping/",
            "api-organisations": "/api/v1/organisations/",
            "api-members": "/api/v1/members/",
            "api-audit-entries": "/api/v1/audit-entries/",
            "screening-quick": "/screening/",
            "screening-checklists": "/screening/checklists/",
            "screening-checklist": "/screening/checklists/ilo-ec-delphi/2009.1/adults_sexual/sv/",
            "api-screening-catalogues": "/api/v1/screening/catalogues/",
            "api-screening-catalogue": "/api/v1/screening/catalogues/ilo-ec-delphi/2009.1/",
            "api-screening-evaluate": "/api/v1/screening/evaluate",
        }
        return membership, urls

    return make


POST_ONLY = {"invitation-revoke", "api-token-revoke", "api-screening-evaluate"}
# Case pages are crossed with every relation to a case in samverkan/cases/tests/test_case_matrix.py.
POLICY_ROUTES = sorted(
    name
    for name, value in ROUTES.items()
    if value not in {PUBLIC, OWN_ACCOUNT}
    and name not in WEB_ROUTES | API_ROUTES | STATISTICS_ROUTES
    # Crossed with each relation to a referral in referrals/tests/test_referral_matrix.py.
    and name not in REFERRAL_WEB_ROUTES | REFERRAL_API_ROUTES
    and name not in NETWORK_ROUTES
)


@pytest.mark.parametrize("role", Role.values)
def test_each_role_reaches_exactly_the_pages_the_policy_opens(client, member_of_ngo, login, role):
    membership, urls = member_of_ngo(role)
    login(client, membership)
    outcomes = {}
    for name in POLICY_ROUTES:
        allowed = role in ROLE_ACTIONS[ROUTES[name]]
        response = client.get(urls[name])
        if not allowed:
            expected = 403 if name.startswith("api-") else 404
        elif name in POST_ONLY:
            expected = 405
        else:
            expected = 200
        outcomes[name] = (response.status_code, expected)
    assert {name: got for name, (got, _) in outcomes.items()} == {
        name: expected for name, (_, expected) in outcomes.items()
    }


@pytest.mark.parametrize(
    "name", sorted(name for name, value in ROUTES.items() if value == OWN_ACCOUNT)
)
def test_own_account_pages_need_a_login(client, db, name):
    from django.urls import reverse

    kwargs = {"pk": 1} if name in {"mfa_remove_webauthn", "mfa_edit_webauthn"} else {}
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code in {302, 401, 403, 405}
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_nobody_signs_up_without_an_invitation(client, db):
    from samverkan.accounts.models import User

    client.post(
        "/accounts/signup/",
        {"email": "walk-in@test.example", "password1": "a long enough walk-in passphrase"},
    )
    assert not User.objects.filter(email="walk-in@test.example").exists()
