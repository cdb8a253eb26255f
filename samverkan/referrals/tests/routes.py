"""The referral, sharing and directory pages and endpoints in the authorization
matrix (samverkan/policy/tests/test_matrix.py): URL name -> the role-level
policy action that opens it. Which referral, case or service, and what of
it, is then decided per object (samverkan/referrals/tests/test_referral_matrix.py).
"""

WEB_ROUTES: dict[str, str] = {
    "referral-inbox": "referral.inbox",
    "referral-detail": "referral.inbox",
    "referral-accept": "referral.inbox",
    "referral-decline": "referral.inbox",
    "referral-request-information": "referral.inbox",
    "referral-answer": "referral.inbox",
    "referral-withdraw": "referral.inbox",
    "referral-new": "case.list",
    "case-sharing": "case.list",
    "service-list": "directory.view",
    "service-new": "directory.manage",
    "service-export-hsds": "directory.view",
    "service-availability": "directory.manage",
    "team-list": "team.list",
    "team-new": "team.create",
    "team-detail": "team.list",
    "team-member-add": "team.manage",
    "team-member-remove": "team.manage",
    "team-share-new": "case.list",
    "team-share-withdraw": "case.list",
    "consultation-new": "consultation.ask",
    "consultation-detail": "consultation.ask",
    "mapping-compare": "mapping.view",
    "mapping-new": "mapping.record",
    "mapping-detail": "mapping.view",
    # The public help pages: no login.
    "help": "public",
    "help-country": "public",
}

# GET's action where a URL takes GET; POST on api-services needs "directory.manage".
API_ROUTES: dict[str, str] = {
    "api-referrals": "referral.inbox",
    "api-referral-detail": "referral.inbox",
    "api-referral-action": "referral.inbox",
    "api-case-sharing": "case.list",
    "api-teams": "team.list",
    "api-team-detail": "team.list",
    "api-team-members": "team.manage",
    "api-team-members-remove": "team.manage",
    "api-team-shares": "referral.inbox",
    "api-team-share-detail": "referral.inbox",
    "api-team-share-withdraw": "referral.inbox",
    "api-consultations": "consultation.ask",
    "api-consultation-detail": "consultation.ask",
    "api-mappings": "mapping.view",
    "api-services": "directory.view",
    "api-services-hsds": "directory.view",
    "api-service-availability": "directory.manage",
}
