from django.urls import path

from samverkan.cases import access_api, api

urlpatterns = [
    path("cases/", api.CaseListView.as_view(), name="api-cases"),
    path("cases/search/", api.CaseSearchView.as_view(), name="api-case-search"),
    path("cases/<uuid:case_uuid>/", api.CaseDetailView.as_view(), name="api-case-detail"),
    path(
        "cases/<uuid:case_uuid>/milestones/",
        api.CaseMilestoneView.as_view(),
        name="api-case-milestones",
    ),
    path("cases/<uuid:case_uuid>/notes/", api.CaseNoteView.as_view(), name="api-case-notes"),
    path(
        "cases/<uuid:case_uuid>/consents/",
        access_api.CaseConsentListView.as_view(),
        name="api-case-consents",
    ),
    path(
        "cases/<uuid:case_uuid>/consents/<uuid:consent_uuid>/withdraw/",
        access_api.CaseConsentWithdrawView.as_view(),
        name="api-case-consent-withdraw",
    ),
    path(
        "cases/<uuid:case_uuid>/shares/",
        access_api.CaseShareListView.as_view(),
        name="api-case-shares",
    ),
    path(
        "cases/<uuid:case_uuid>/shares/<uuid:participation_uuid>/revoke/",
        access_api.CaseShareRevokeView.as_view(),
        name="api-case-share-revoke",
    ),
    path("deadlines/", api.DeadlineListView.as_view(), name="api-deadlines"),
    path(
        "anonymous-notifications/",
        api.AnonymousNotificationListView.as_view(),
        name="api-anonymous-notifications",
    ),
]
