from django.urls import path

from samverkan.directory import views

urlpatterns = [
    path("directory/", views.service_list, name="service-list"),
    path("directory/new/", views.service_new, name="service-new"),
    path(
        "directory/<uuid:service_uuid>/availability/",
        views.service_availability,
        name="service-availability",
    ),
]
