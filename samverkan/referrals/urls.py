from django.urls import path

from samverkan.referrals import team_views, views

urlpatterns = [
    path("referrals/", views.referral_inbox, name="referral-inbox"),
    path("referrals/<uuid:referral_uuid>/", views.referral_detail, name="referral-detail"),
    *(
        path(
            f"referrals/<uuid:referral_uuid>/{segment}/",
            views.referral_respond,
            {"response": response},
            name=name,
        )
        for segment, response, name in (
            ("accept", "accept", "referral-accept"),
            ("decline", "decline", "referral-decline"),
            ("ask", "question", "referral-request-information"),
            ("answer", "answer", "referral-answer"),
            ("withdraw", "withdraw", "referral-withdraw"),
        )
    ),
    path("cases/<uuid:case_uuid>/referrals/new/", views.referral_new, name="referral-new"),
    path("cases/<uuid:case_uuid>/sharing/", views.case_sharing, name="case-sharing"),
    path("teams/", team_views.team_list, name="team-list"),
    path("teams/new/", team_views.team_new, name="team-new"),
    path("teams/<uuid:team_uuid>/", team_views.team_detail, name="team-detail"),
    path("teams/<uuid:team_uuid>/members/", team_views.team_member_add, name="team-member-add"),
    path(
        "teams/<uuid:team_uuid>/members/remove/",
        team_views.team_member_remove,
        name="team-member-remove",
    ),
    path(
        "cases/<uuid:case_uuid>/team-shares/new/",
        team_views.team_share_new,
        name="team-share-new",
    ),
    path(
        "team-shares/<uuid:share_uuid>/withdraw/",
        team_views.team_share_withdraw,
        name="team-share-withdraw",
    ),
    path(
        "teams/<uuid:team_uuid>/consultations/new/",
        team_views.consultation_new,
        name="consultation-new",
    ),
    path(
        "consultations/<uuid:consultation_uuid>/",
        team_views.consultation_detail,
        name="consultation-detail",
    ),
]
