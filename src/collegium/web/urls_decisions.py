"""Pages of proposals and decisions (included from collegium.urls)."""

from django.urls import URLPattern, path

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
            ("roll-call", "roll_call"),
            ("referendum", "referendum"),
        ]
    ],
    path("decisions/<str:public_id>/", v.decision_detail, name="decision"),
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
