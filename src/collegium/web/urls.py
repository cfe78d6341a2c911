from django.urls import path, re_path

from collegium.web.views import accounts, federation, imports, record

urlpatterns = [
    path("", federation.home, name="home"),
    path("bodies/", federation.body_tree, name="body_tree"),
    path("bodies/<str:code>/", federation.body_detail, name="body"),
    path("bodies/<str:code>/charter/", federation.charter, name="charter"),
    path("charter/", federation.charter, name="charter_default"),
    path("members/<str:public_id>/", federation.member_detail, name="member"),
    path("record/", record.record_list, name="record"),
    path("record/<int:index>/", record.record_entry, name="record_entry"),
    path("record/checkpoints/", record.checkpoint_list, name="checkpoints"),
    path("record/checkpoints/<int:size>.txt", record.checkpoint_text, name="checkpoint_text"),
    path("record/checkpoint.txt", record.checkpoint_latest_text, name="checkpoint_latest"),
    path("record/verifier.txt", record.verifier_text, name="verifier"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        accounts.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    re_path(
        r"^invitation/(?P<uidb64>[0-9A-Za-z_\-]+)/(?P<token>[0-9A-Za-z\-]+)/$",
        accounts.InvitationView.as_view(),
        name="invitation",
    ),
    path("import/", imports.import_upload, name="import"),
    path("import/confirm/", imports.import_confirm, name="import_confirm"),
    path("import/invite/", imports.invite, name="invite"),
]
