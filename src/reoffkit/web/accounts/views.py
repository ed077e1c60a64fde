"""Sign in, sign out, and where each role lands."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.http import HttpResponse
from django.shortcuts import redirect, render
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
