from django.urls import path

from samverkan.statistics import api

urlpatterns = [
    path("statistics/runs/", api.RunListView.as_view(), name="api-statistics-runs"),
    path(
        "statistics/runs/<uuid:run_uuid>/",
        api.RunDetailView.as_view(),
        name="api-statistics-run",
    ),
    path("statistics/sources/", api.SourceListView.as_view(), name="api-statistics-sources"),
]
