"""Signing in and out, accepting an invitation (setting a first password), changing it."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign out by POST only (Django refuses GET)."""


class InvitationView(auth_views.PasswordResetConfirmView):
    """The link in an invitation: the member sets their password and is signed in."""

    template_name = "registration/invitation.html"
    post_reset_login = True
    success_url = reverse_lazy("home")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        from django.contrib import messages

        response = super().form_valid(form)
        messages.success(self.request, "Your password is set and you are signed in.")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
