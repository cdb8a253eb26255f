"""The network's pages, and the personal-link pages contact persons use without an account."""

from django.urls import path

from samverkan.network import respond_views, views

urlpatterns = [
    path("network/", views.network_list, name="network-list"),
    path("network/<uuid:network_uuid>/", views.network_detail, name="network-detail"),
    path(
        "network/<uuid:network_uuid>/members/import/",
        views.members_import,
        name="network-members-import",
    ),
    path(
        "network/<uuid:network_uuid>/members.csv",
        views.members_export,
        name="network-members-export",
    ),
    path("network/places/<uuid:place_uuid>/", views.place_detail, name="place-detail"),
    path(
        "network/contacts/<uuid:contact_uuid>/remove/",
        views.contact_remove,
        name="contact-remove",
    ),
    path("network/surveys/<uuid:survey_uuid>/", views.survey_detail, name="survey-detail"),
    path(
        "network/surveys/<uuid:survey_uuid>/questions/<slug:question_name>/remove/",
        views.question_remove,
        name="survey-question-remove",
    ),
    path(
        "network/surveys/<uuid:survey_uuid>/preview/",
        views.survey_preview,
        name="survey-preview",
    ),
    path(
        "network/surveys/<uuid:survey_uuid>/xlsform.xlsx",
        views.survey_xlsform_export,
        name="survey-xlsform-export",
    ),
    path(
        "network/surveys/<uuid:survey_uuid>/xlsform/",
        views.survey_xlsform_import,
        name="survey-xlsform-import",
    ),
    path("network/surveys/<uuid:survey_uuid>/report/", views.survey_report, name="survey-report"),
    path(
        "network/surveys/<uuid:survey_uuid>/report.docx",
        views.survey_report,
        {"format": "docx"},
        name="survey-report-docx",
    ),
    path(
        "network/surveys/<uuid:survey_uuid>/report.pptx",
        views.survey_report,
        {"format": "pptx"},
        name="survey-report-pptx",
    ),
    path("network/files/<uuid:file_uuid>/", views.response_file, name="survey-response-file"),
    path("network/plans/<uuid:plan_uuid>/", views.action_plan_detail, name="action-plan-detail"),
    path(
        "network/frameworks/<uuid:framework_uuid>/",
        views.framework_comparison,
        name="framework-comparison",
    ),
    path(
        "network/frameworks/<uuid:framework_uuid>/side-by-side.xlsx",
        views.framework_comparison,
        {"format": "xlsx"},
        name="framework-comparison-xlsx",
    ),
    path("network/library/", views.library, name="library"),
    path("network/library/<uuid:document_uuid>/", views.library_document, name="library-document"),
    path("network/activities/<uuid:activity_uuid>/", views.activity_detail, name="activity-detail"),
    path("network/practices/", views.practice_list, name="practice-list"),
    path(
        "network/practices/<uuid:practice_uuid>/review/",
        views.practice_review,
        name="practice-review",
    ),
    path(
        "network/measures/<uuid:measure_uuid>/assessment/",
        views.measure_assessment,
        name="measure-assessment",
    ),
    # Contact persons and participants, through their personal links.
    path("respond/", respond_views.survey_respond, name="survey-respond"),
    path("respond/forward/", respond_views.survey_forward, name="survey-forward"),
    path("respond/practice/", respond_views.practice_share, name="practice-share"),
    path("respond/<str:token>/", respond_views.survey_link, name="survey-link"),
    path("activity-report/", respond_views.activity_report, name="activity-report"),
    path(
        "activity-report/<str:token>/",
        respond_views.activity_report_link,
        name="activity-report-link",
    ),
]
