from django.urls import path

from samverkan.directory import help_views, mapping_views, views

urlpatterns = [
    path("mapping/", mapping_views.mapping_compare, name="mapping-compare"),
    path("mapping/new/", mapping_views.mapping_new, name="mapping-new"),
    path("mapping/<uuid:mapping_uuid>/", mapping_views.mapping_detail, name="mapping-detail"),
    path("help/", help_views.help_index, name="help"),
    path("help/<str:country>/", help_views.help_country, name="help-country"),
    path("directory/", views.service_list, name="service-list"),
    path("directory/new/", views.service_new, name="service-new"),
    path("directory/hsds.json", views.service_export_hsds, name="service-export-hsds"),
    path(
        "directory/<uuid:service_uuid>/availability/",
        views.service_availability,
        name="service-availability",
    ),
]
