from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView

from samverkan.accounts import api as accounts_api
from samverkan.accounts import views as accounts_views
from samverkan.audit import api as audit_api
from samverkan.audit import views as audit_views
from samverkan.web import api as web_api
from samverkan.web import views as web_views

api_v1 = [
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("ping/", web_api.PingView.as_view(), name="api-ping"),
    path("organisations/", accounts_api.OrganisationListView.as_view(), name="api-organisations"),
    path("members/", accounts_api.MemberListView.as_view(), name="api-members"),
    path("audit-entries/", audit_api.AuditEntryListView.as_view(), name="api-audit-entries"),
    path("", include("samverkan.cases.api_urls")),
    path("", include("samverkan.screening.api_urls")),
    # Referrals and the service directory.
    path("", include("samverkan.referrals.api_urls")),
    # The rapporteur's statistics.
    path("", include("samverkan.statistics.api_urls")),
]

urlpatterns = [
    path("", web_views.dashboard, name="dashboard"),
    path("accounts/login/", accounts_views.LoginView.as_view(), name="account_login"),
    path("accounts/email/", accounts_views.email_address, name="account_email"),
    path(
        "accounts/2fa/webauthn/keys/<int:pk>/remove/",
        login_required(accounts_views.RemoveWebAuthnView.as_view()),
        name="mfa_remove_webauthn",
    ),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("organisation/choose/", accounts_views.membership_choose, name="membership-choose"),
    path("organisations/", accounts_views.organisation_list, name="organisation-list"),
    path(
        "organisations/<uuid:organisation_uuid>/members/",
        accounts_views.organisation_members,
        name="organisation-members",
    ),
    path(
        "organisations/<uuid:organisation_uuid>/invitations/<uuid:invitation_uuid>/revoke/",
        accounts_views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("members/<uuid:membership_uuid>/", accounts_views.membership_edit, name="membership-edit"),
    path("invitations/<str:token>/", accounts_views.invitation_accept, name="invitation-accept"),
    path("api-tokens/", accounts_views.api_tokens, name="api-tokens"),
    path(
        "api-tokens/<uuid:token_uuid>/revoke/",
        accounts_views.api_token_revoke,
        name="api-token-revoke",
    ),
    path("audit/", audit_views.audit_log, name="audit-log"),
    path("", include("samverkan.cases.urls")),
    path("", include("samverkan.cases.access_urls")),
    path("", include("samverkan.screening.urls")),
    # Referrals and the service directory.
    path("", include("samverkan.referrals.urls")),
    path("", include("samverkan.directory.urls")),
    path("", include("samverkan.network.urls")),
    # The rapporteur's statistics.
    path("", include("samverkan.statistics.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", web_api.ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "samverkan.web.views.bad_request"
handler403 = "samverkan.web.views.permission_denied"
handler404 = "samverkan.web.views.page_not_found"
handler500 = "samverkan.web.views.server_error"
