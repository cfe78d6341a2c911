"""Pages of proposals and decisions (included from collegium.urls)."""

from django.urls import URLPattern, path

from collegium.web.views import boards as b
from collegium.web.views import decisions as v

urlpatterns: list[URLPattern] = [
    path("bodies/<str:code>/decisions/", v.body_decisions, name="body_decisions"),
    path("proposals/<str:public_id>/", v.proposal_detail, name="proposal"),
    path("proposals/<str:public_id>/diff/", v.proposal_diff, name="proposal_diff"),
    *[
        path(
            f"proposals/<str:public_id>/{slug}/",
            v.proposal_action,
            {"action": action},
            name=f"proposal_{action}",
        )
        for slug, action in [
            ("comment", "comment"),
            ("amend", "amend"),
            ("amendment/accept", "accept"),
            ("amendment/decline", "decline"),
            ("revise", "revise"),
            ("withdraw", "withdraw"),
            ("roll-call", "roll_call"),
            ("referendum", "referendum"),
        ]
    ],
    path("bodies/<str:code>/initiatives/", b.body_initiatives, name="body_initiatives"),
    path("initiatives/<str:public_id>/", b.initiative_detail, name="initiative"),
    path("initiatives/<str:public_id>/sign/", b.initiative_sign_view, name="initiative_sign"),
    path("bodies/<str:code>/meetings/", b.body_meetings, name="body_meetings"),
    path("meetings/<str:public_id>/", b.meeting_detail, name="meeting"),
    path("meetings/<str:public_id>/close/", b.meeting_close_view, name="meeting_close"),
    path("meetings/<str:public_id>/minutes.pdf", b.meeting_minutes_pdf, name="meeting_minutes_pdf"),
    path("bodies/<str:code>/contracts/", b.body_contracts, name="body_contracts"),
    path("contracts/<str:public_id>/", b.contract_detail, name="contract"),
    path("bodies/<str:code>/alternatives/", b.alternatives_new, name="alternatives_new"),
    path("waiting/", b.waiting, name="waiting"),
    path("decisions/<str:public_id>/", v.decision_detail, name="decision"),
    path("decisions/<str:public_id>/ballots.csv", v.decision_ballots, name="decision_ballots"),
    path("decisions/<str:public_id>/trackers.txt", v.decision_trackers, name="decision_trackers"),
    *[
        path(
            f"decisions/<str:public_id>/{action}/",
            v.decision_action,
            {"action": action},
            name=f"decision_{action}",
        )
        for action in ["vote", "cast", "sign", "close"]
    ],
]
