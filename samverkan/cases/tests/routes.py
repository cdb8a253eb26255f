"""The case pages and endpoints in the authorization matrix (see
samverkan/policy/tests/test_matrix.py): URL name -> the role-level policy
action that opens it. Which cases, and what of them, is then decided per case.
"""

WEB_ROUTES: dict[str, str] = {
    "case-list": "case.list",
    "case-search": "case.list",
    "case-open": "case.open",
    "case-detail": "case.list",
    "case-purpose": "case.list",
    "case-milestone": "case.list",
    "case-note": "case.list",
    "case-close": "case.list",
    "deadline-list": "deadline.view",
    "notification-list": "notification.view",
    "notifications-read": "notification.view",
    "anonymous-notification-list": "anonymous_notification.list",
    "anonymous-notification-new": "anonymous_notification.record",
    "country-configuration": "country_configuration.manage",
    # Who may see a case (samverkan/cases/access_urls.py).
    "case-share": "case.list",
    "case-share-revoke": "case.list",
    "case-consent": "case.list",
    "case-consent-withdraw": "case.list",
    "case-confidential": "case.list",
    "case-secret-location": "case.list",
    "case-secret-location-name": "case.list",
    "case-secret-location-remove": "case.list",
    "break-glass": "case.break_glass",
    # A screening recorded on a case (samverkan/screening/urls.py).
    "case-screening": "case.list",
}

# GET's action where a URL takes GET; POST opens a case with "case.open" and
# records an anonymous notification with "anonymous_notification.record".
API_ROUTES: dict[str, str] = {
    "api-cases": "case.list",
    "api-case-search": "case.list",
    "api-case-detail": "case.list",
    "api-case-milestones": "case.list",
    "api-case-notes": "case.list",
    "api-deadlines": "deadline.view",
    "api-anonymous-notifications": "anonymous_notification.list",
    "api-case-screenings": "case.list",
    # Who may see a case (samverkan/cases/access_api.py).
    "api-case-shares": "case.list",
    "api-case-share-revoke": "case.list",
    "api-case-consents": "case.list",
    "api-case-consent-withdraw": "case.list",
}
