"""Pages of elections, recall, delegates and mandates (included from collegium.urls)."""

from django.urls import URLPattern, path

from collegium.web.views import elections as v

urlpatterns: list[URLPattern] = [
    path("bodies/<str:code>/elections/", v.body_elections, name="body_elections"),
    path("bodies/<str:code>/delegates/", v.delegates, name="delegates"),
    path("bodies/<str:code>/mandates/", v.mandate_adopt, name="mandate_adopt"),
    path("elections/<str:public_id>/", v.election_detail, name="election"),
    path("elections/<str:public_id>/nominate/", v.nominate, name="election_nominate"),
    path("elections/<str:public_id>/open/", v.election_open, name="election_open"),
    path("elections/<str:public_id>/cancel/", v.election_cancel, name="election_cancel"),
    path("elections/<str:public_id>/count/", v.election_count, name="election_count"),
    path("elections/<str:public_id>/vote/", v.ballot, name="election_vote"),
    path("elections/<str:public_id>/results/", v.results, name="election_results"),
    path("elections/<str:public_id>/results/chart.svg", v.results_chart, name="election_chart"),
    path("elections/<str:public_id>/ballots.blt", v.download_ballots, name="election_ballots"),
    path("elections/<str:public_id>/trackers.txt", v.download_trackers, name="election_trackers"),
    path("elections/<str:public_id>/count-sheet.json", v.download_sheet, name="election_sheet"),
    path("elections/<str:public_id>/roll.csv", v.download_roll, name="election_roll"),
    path("nominations/<int:pk>/cosign/", v.nomination_cosign, name="nomination_cosign"),
    path("nominations/<int:pk>/accept/", v.nomination_accept, name="nomination_accept"),
    path("seats/<int:seat_id>/recall/", v.recall_start, name="recall_start"),
    path("seats/<int:seat_id>/time-away/", v.time_away, name="time_away"),
    path("recalls/<str:public_id>/", v.recall_detail, name="recall"),
    path("recalls/<str:public_id>/sign/", v.recall_sign, name="recall_sign"),
    path("recalls/<str:public_id>/vote/", v.recall_vote, name="recall_vote"),
    path("recalls/<str:public_id>/count/", v.recall_count, name="recall_count"),
    path("mandates/<str:public_id>/vote/", v.delegate_vote, name="delegate_vote"),
]
