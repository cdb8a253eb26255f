from django.urls import path

from samverkan.cases import access_views

urlpatterns = [
    path("cases/emergency-access/", access_views.break_glass, name="break-glass"),
    path("cases/<uuid:case_uuid>/share/", access_views.case_share, name="case-share"),
    path(
        "cases/<uuid:case_uuid>/shares/<uuid:participation_uuid>/revoke/",
        access_views.case_share_revoke,
        name="case-share-revoke",
    ),
    path("cases/<uuid:case_uuid>/consents/", access_views.case_consent, name="case-consent"),
    path(
        "cases/<uuid:case_uuid>/consents/<uuid:consent_uuid>/withdraw/",
        access_views.case_consent_withdraw,
        name="case-consent-withdraw",
    ),
    path(
        "cases/<uuid:case_uuid>/confidential/",
        access_views.case_confidential,
        name="case-confidential",
    ),
    path(
        "cases/<uuid:case_uuid>/secret-location/",
        access_views.case_secret_location,
        name="case-secret-location",
    ),
    path(
        "cases/<uuid:case_uuid>/secret-location/people/",
        access_views.case_secret_location_name,
        name="case-secret-location-name",
    ),
    path(
        "cases/<uuid:case_uuid>/secret-location/people/<uuid:membership_uuid>/remove/",
        access_views.case_secret_location_remove,
        name="case-secret-location-remove",
    ),
]
