from django.urls import path

from samverkan.statistics import views

urlpatterns = [
    path("statistics/", views.statistics_overview, name="statistics-overview"),
    path("statistics/build/", views.statistics_build, name="statistics-build"),
    path("statistics/runs/<uuid:run_uuid>/", views.statistics_run, name="statistics-run"),
    path(
        "statistics/runs/<uuid:run_uuid>/report/",
        views.statistics_report,
        name="statistics-report",
    ),
    path(
        "statistics/runs/<uuid:run_uuid>/export/<str:export_format>/",
        views.statistics_export,
        name="statistics-export",
    ),
    path("statistics/sources/", views.statistics_sources, name="statistics-sources"),
]
