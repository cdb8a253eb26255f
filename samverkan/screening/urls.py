from django.urls import path

from samverkan.screening import views

urlpatterns = [
    path("screening/", views.screening_quick, name="screening-quick"),
    path("screening/checklists/", views.checklist_index, name="screening-checklists"),
    path(
        "screening/checklists/<slug:catalogue_id>/<str:version>/<slug:set_id>/<slug:language>/",
        views.checklist,
        name="screening-checklist",
    ),
    path("cases/<uuid:case_uuid>/screening/", views.case_screening, name="case-screening"),
]
