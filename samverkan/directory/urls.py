from django.urls import path

from samverkan.directory import help_views, views

urlpatterns = [
    path("help/", help_views.help_index, name="help"),
    path("help/<str:country>/", help_views.help_country, name="help-country"),
    path("directory/", views.service_list, name="service-list"),
    path("directory/new/", views.service_new, name="service-new"),
    path(
        "directory/<uuid:service_uuid>/availability/",
        views.service_availability,
        name="service-availability",
    ),
]
