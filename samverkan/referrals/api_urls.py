from django.urls import path

from samverkan.referrals import api

urlpatterns = [
    path("referrals/", api.ReferralListView.as_view(), name="api-referrals"),
    path(
        "referrals/<uuid:referral_uuid>/",
        api.ReferralDetailView.as_view(),
        name="api-referral-detail",
    ),
    path(
        "referrals/<uuid:referral_uuid>/<slug:action>/",
        api.ReferralActionView.as_view(),
        name="api-referral-action",
    ),
    path("cases/<uuid:case_uuid>/sharing/", api.CaseSharingView.as_view(), name="api-case-sharing"),
    path("teams/", api.TeamListView.as_view(), name="api-teams"),
    path("teams/<uuid:team_uuid>/", api.TeamDetailView.as_view(), name="api-team-detail"),
    path(
        "teams/<uuid:team_uuid>/members/",
        api.TeamMembersView.as_view(),
        name="api-team-members",
    ),
    path(
        "teams/<uuid:team_uuid>/members/remove/",
        api.TeamMembersRemoveView.as_view(),
        name="api-team-members-remove",
    ),
    path("team-shares/", api.TeamShareListView.as_view(), name="api-team-shares"),
    path(
        "team-shares/<uuid:share_uuid>/",
        api.TeamShareDetailView.as_view(),
        name="api-team-share-detail",
    ),
    path(
        "team-shares/<uuid:share_uuid>/withdraw/",
        api.TeamShareWithdrawView.as_view(),
        name="api-team-share-withdraw",
    ),
    path("consultations/", api.ConsultationListView.as_view(), name="api-consultations"),
    path(
        "consultations/<uuid:consultation_uuid>/",
        api.ConsultationDetailView.as_view(),
        name="api-consultation-detail",
    ),
    path("mappings/", api.MappingListView.as_view(), name="api-mappings"),
    path("services/", api.ServiceListView.as_view(), name="api-services"),
    path("services/hsds/", api.ServiceHsdsView.as_view(), name="api-services-hsds"),
    path(
        "services/<uuid:service_uuid>/availability/",
        api.ServiceAvailabilityView.as_view(),
        name="api-service-availability",
    ),
]
