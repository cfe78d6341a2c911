"""Pages of the housing app (included from collegium.urls)."""

from django.urls import URLPattern, path

from collegium.web.views import housing as v

urlpatterns: list[URLPattern] = [
    path("bodies/<str:code>/housing/", v.body_housing, name="body_housing"),
    path("bodies/<str:code>/housing/import/", v.dwellings_import_page, name="housing_import"),
    path("bodies/<str:code>/housing/list/", v.waiting_list, name="housing_list"),
    path("bodies/<str:code>/housing/apply/", v.apply, name="housing_apply"),
    path("bodies/<str:code>/housing/withdraw/", v.withdraw, name="housing_withdraw"),
    path("bodies/<str:code>/housing/policy/", v.policy, name="housing_policy"),
    path("bodies/<str:code>/housing/allocate/", v.allocate, name="housing_allocate"),
    path("dwellings/<str:code>/", v.dwelling_detail, name="dwelling"),
    path("housing/allocations/<str:public_id>/", v.allocation_detail, name="housing_allocation"),
]
