from django.urls import path

from samverkan.screening import api

urlpatterns = [
    path(
        "screening/catalogues/",
        api.CatalogueListView.as_view(),
        name="api-screening-catalogues",
    ),
    path(
        "screening/catalogues/<slug:catalogue_id>/<str:version>/",
        api.CatalogueDetailView.as_view(),
        name="api-screening-catalogue",
    ),
    path("screening/evaluate", api.EvaluateView.as_view(), name="api-screening-evaluate"),
    path(
        "cases/<uuid:case_uuid>/screenings/",
        api.CaseScreeningsView.as_view(),
        name="api-case-screenings",
    ),
]
