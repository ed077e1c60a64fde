"""Log out a session left idle for ``SESSION_IDLE_MINUTES``; keep signed-in responses out of caches;
read the data version once per request."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse


class IdleTimeoutMiddleware:
    """Signs out a session idle for more than ``SESSION_IDLE_MINUTES``. The time of the last request
    is written to the session at most once every :attr:`refresh_seconds`, not on every request (a
    write of the session row each time): the recorded time is then up to that much older than the
    last request, so an idle session is signed out at the latest after the idle time, at the
    earliest that much before it — never later."""

    key = "reoffkit_last_seen"
    refresh_seconds = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(self.key, now)
            if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                return redirect(f"{reverse('login')}?timed_out=1")
            if self.key not in request.session or not 0 <= now - last_seen < self.refresh_seconds:
                request.session[self.key] = now
        return self.get_response(request)


class PrivateNoStoreMiddleware:
    """Every response to a signed-in user carries ``Cache-Control: no-store, private``: pages and
    downloads show children's records, and neither the browser (its back button, its disk cache on
    a shared office computer) nor a proxy may keep a copy. Static files are served before this
    (WhiteNoise) and stay cacheable."""

    VALUE = "no-store, private"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = self.VALUE
        return response


class OneDataVersionMiddleware:
    """Each request reads the data version of a set of services once (``queries.one_data_version``):
    a page's keys (its quarters to choose from, its report, its kept fragment) name the same data,
    without a read of the audit log for each."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from reoffkit.web.tracker.queries import one_data_version

        with one_data_version():
            return self.get_response(request)
