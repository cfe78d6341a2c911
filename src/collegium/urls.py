from django.urls import include, path

urlpatterns = [
    path("api/", include("collegium.api.urls")),
    path("", include("collegium.web.urls_elections")),
    path("", include("collegium.web.urls_notifications")),
    path("", include("collegium.web.urls_decisions")),
    path("", include("collegium.web.urls_criticism")),
    path("", include("collegium.web.urls_conditions")),
    path("", include("collegium.web.urls_housing")),
    path("", include("collegium.web.urls")),
]
