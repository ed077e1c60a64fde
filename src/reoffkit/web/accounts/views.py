"""Sign in, sign out, where each role lands, and passwords: change one's own, set one with a link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from reoffkit.web.tracker.models import Role
from reoffkit.web.tracker.permissions import role_of, services_of


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct user name and password. After repeated failures the account is locked for a while.",
        "inactive": "This account is not active. Ask an administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "User name"
        for field in self.fields.values():
            field.widget.attrs["class"] = "govuk-input govuk-!-width-one-half"


class LoginView(DjangoLoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timed_out"] = self.request.GET.get("timed_out") == "1"
        return context


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


def home(request):
    """Send each role to the page it uses most."""
    if not request.user.is_authenticated:
        return redirect("login")
    role = role_of(request.user)
    if role == Role.ADMINISTRATOR:
        return redirect("users")
    services = list(services_of(request.user))
    if role is None or not services:
        return render(request, "accounts/no_access.html", status=403)
    if role == Role.BOARD:
        return redirect("summary", service_id=services[0].pk)
    if role == Role.PRACTITIONER:
        return redirect("my-work", service_id=services[0].pk)
    return redirect("cohort", service_id=services[0].pk)


def health(request):
    return HttpResponse("ok", content_type="text/plain")


# Passwords -------------------------------------------------------------------------------------


def _govuk(form):
    for name, field in form.fields.items():
        field.widget.attrs["class"] = "govuk-input govuk-!-width-one-half" + (" govuk-input--error" if name in form.errors else "")
    return form


@login_required
def change_password(request):
    """Change one's own password (the old one first); the page every other page sends a user to
    while their password must change."""
    from reoffkit.web.accounts import passwords

    form = _govuk(PasswordChangeForm(request.user, request.POST or None))
    if request.method == "POST" and form.is_valid():
        passwords.set_password(by=request.user, user=request.user, password=form.cleaned_data["new_password1"], how="Changed own password")
        update_session_auth_hash(request, request.user)
        messages.success(request, "Your password has been changed.")
        return redirect("home")
    _govuk(form)
    context = {"form": form, "forced": passwords.must_change(request.user), "title": "Change your password"}
    return render(request, "accounts/password_form.html", context, status=400 if form.errors else 200)


@never_cache
def set_password_from_link(request, uidb64: str, token: str):
    """A one-time set-password link: choose a password, then sign in with it."""
    from reoffkit.web.accounts import passwords

    user = passwords.user_for_link(uidb64, token)
    if user is None:
        return render(request, "accounts/link_invalid.html", status=400)
    form = _govuk(SetPasswordForm(user, request.POST or None))
    if request.method == "POST" and form.is_valid():
        passwords.set_password(by=user, user=user, password=form.cleaned_data["new_password1"], how="Set password with a one-time link")
        if request.user.is_authenticated:
            logout(request)
        messages.success(request, "Your password is set. Sign in with it.")
        return redirect("login")
    _govuk(form)
    context = {"form": form, "title": f"Choose a password for {user.get_username()}", "for_user": user}
    return render(request, "accounts/password_form.html", context, status=400 if form.errors else 200)
