from django.urls import path

from samverkan.cases import api

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
    path("deadlines/", api.DeadlineListView.as_view(), name="api-deadlines"),
    path(
        "anonymous-notifications/",
        api.AnonymousNotificationListView.as_view(),
        name="api-anonymous-notifications",
    ),
]
