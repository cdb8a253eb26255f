from django.urls import path

from samverkan.cases import views

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/search/", views.case_search, name="case-search"),
    path("cases/new/", views.case_open, name="case-open"),
    path("cases/<uuid:case_uuid>/", views.case_detail, name="case-detail"),
    path("cases/<uuid:case_uuid>/purpose/", views.case_purpose, name="case-purpose"),
    path("cases/<uuid:case_uuid>/milestones/", views.case_milestone, name="case-milestone"),
    path("cases/<uuid:case_uuid>/notes/", views.case_note, name="case-note"),
    path("cases/<uuid:case_uuid>/close/", views.case_close, name="case-close"),
    path("deadlines/", views.deadline_list, name="deadline-list"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path(
        "anonymous-notifications/",
        views.anonymous_notification_list,
        name="anonymous-notification-list",
    ),
    path(
        "anonymous-notifications/new/",
        views.anonymous_notification_new,
        name="anonymous-notification-new",
    ),
    path("configuration/countries/", views.country_configuration, name="country-configuration"),
]
