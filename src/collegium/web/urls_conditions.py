"""Pages of the conditions app (included from collegium.urls)."""

from django.urls import URLPattern, path

from collegium.web.views import conditions as v

urlpatterns: list[URLPattern] = [
    path("bodies/<str:code>/conditions/", v.body_conditions, name="body_conditions"),
    path("bodies/<str:code>/conditions/new/", v.report_new, name="condition_report_new"),
    path("conditions/<str:public_id>/", v.report_detail, name="condition_report"),
    path(
        "conditions/<str:public_id>/photos/<int:number>/",
        v.report_photo,
        {"size": "full"},
        name="condition_photo",
    ),
    path(
        "conditions/<str:public_id>/photos/<int:number>/thumb/",
        v.report_photo,
        {"size": "thumb"},
        name="condition_photo_thumb",
    ),
    *[
        path(
            f"conditions/<str:public_id>/{action}/",
            v.report_action,
            {"action": action},
            name=f"condition_{action}",
        )
        for action in [
            "confirm",
            "photos",
            "remedy",
            "escalate",
            "done",
            "fixed",
            "reject",
            "hide",
            "unhide",
        ]
    ],
]
