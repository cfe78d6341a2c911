"""Pages of the criticism app (included from collegium.urls)."""

from django.urls import URLPattern, path

from collegium.web.views import criticism as v

urlpatterns: list[URLPattern] = [
    path("bodies/<str:code>/criticism/", v.body_criticism, name="body_criticism"),
    path("criticism/mine/", v.my_criticism, name="my_criticism"),
    path("criticism/<str:public_id>/", v.criticism_detail, name="criticism"),
    *[
        path(
            f"criticism/<str:public_id>/{action}/",
            v.criticism_action,
            {"action": action},
            name=f"criticism_{action}",
        )
        for action in ["cosign", "edit", "add", "respond", "mark", "hide", "reveal", "appeal"]
    ],
]
