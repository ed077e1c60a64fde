"""Log out a session left idle for ``SESSION_IDLE_MINUTES``."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse


class IdleTimeoutMiddleware:
    key = "reoffkit_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(self.key, now)
            if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                return redirect(f"{reverse('login')}?timed_out=1")
            request.session[self.key] = now
        return self.get_response(request)
