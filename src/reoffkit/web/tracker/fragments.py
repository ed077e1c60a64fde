"""The report part of a page, rendered once and kept (docs/adr/0020-kept-page-fragments.md).

A report page is two parts: the report (findings, tables, drawings: the same for everyone of one
role looking at the same services, choices, data and day) and the page around it (the header and
menu, forms with their CSRF token, the user's own links and lists of named children). The report
part is most of the HTML and most of the rendering time, so it is rendered once per :func:`key` and
kept in the shared cache (every web process sees it) with a copy in this process.

A key names everything the fragment is made from, so a value under a key never changes; a write to
the data gives a new key (the data version is part of it). Two rules keep a fragment safe to share:

- the key names the user's role, so no role is given what another role sees (suppression,
  links to pages a role may not open, named children);
- a fragment never holds a CSRF token (:func:`kept` refuses to keep one): forms stay in the page.

A part of the report that depends on the user is left as a slot (:func:`slot`) and filled per
request (:func:`fill`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict
from typing import Callable

from django.utils.safestring import SafeString, mark_safe

_LOCAL: OrderedDict[str, tuple[float, object]] = OrderedDict()
_LOCAL_LOCK = threading.Lock()
_LOCAL_ENTRIES = 64
#: What a CSRF token looks like in HTML; never in a kept fragment.
CSRF_MARKS = ("csrfmiddlewaretoken",)


class KeptCsrfToken(ValueError):
    """A fragment to be kept holds a CSRF token: it belongs to one session and must not be shared."""


def key(page: str, *, role: str | None, version: str, choices: dict | None = None, day: dt.date | None = None) -> str:
    """The key of ``page``'s report part: the page, the user's role, the version of what it is made
    from (for report pages, the report's own cache key: its services, choices and data version),
    the day and the page's choices, sorted."""
    day = day or dt.date.today()
    chosen = "&".join(f"{name}={value}" for name, value in sorted((choices or {}).items()))
    digest = hashlib.sha256(f"{version}|{chosen}".encode()).hexdigest()[:40]
    from reoffkit.web.tracker.queries import release_digest  # every file of the release: a new one never serves an older one's fragment

    return f"fragment:{release_digest()}:{page}:{role or '-'}:{day.isoformat()}:{digest}"


def _local_get(key: str):
    with _LOCAL_LOCK:
        found = _LOCAL.get(key)
        if found is not None and found[0] > time.monotonic():
            _LOCAL.move_to_end(key)
            return found[1]
    return None


def _local_set(key: str, value, timeout: float) -> None:
    with _LOCAL_LOCK:
        _LOCAL[key] = (time.monotonic() + timeout, value)
        while len(_LOCAL) > _LOCAL_ENTRIES:
            _LOCAL.popitem(last=False)


def clear_local() -> None:
    """Forget this process's copies (the shared cache keeps its own)."""
    with _LOCAL_LOCK:
        _LOCAL.clear()


def check(html: str) -> str:
    """``html``, if it may be kept; :class:`KeptCsrfToken` if it holds a CSRF token."""
    if any(mark in html for mark in CSRF_MARKS):
        raise KeptCsrfToken("a page fragment to be kept holds a CSRF token; forms belong in the page around it")
    return html


def kept_value(key: str, build: Callable[[], object], *, prepare: Callable[[], object] | None = None):
    """``build(prepare())``-or-``build()``, kept in the shared cache and in this process under
    ``key``. ``prepare`` (reading the cached report the fragment is made from) runs outside the
    build's lock, so the locks of :func:`reoffkit.web.tracker.queries.cached` never nest. Without
    a shared cache (the tests' dummy cache) nothing is kept."""
    from django.core.cache import caches
    from django.core.cache.backends.dummy import DummyCache

    from reoffkit.web.tracker.queries import cached

    shared = caches["default"]
    if isinstance(shared, DummyCache):
        return build(prepare()) if prepare else build()
    value = _local_get(key)
    if value is not None:
        return value
    value = shared.get(key)
    if value is None:
        prepared = prepare() if prepare else None
        value = cached(key, (lambda: build(prepared)) if prepare else build)
    _local_set(key, value, shared.default_timeout or 600)
    return value


def kept(key: str, render: Callable[..., str], *, prepare: Callable[[], object] | None = None) -> SafeString:
    """The HTML ``render`` makes, kept under ``key`` (see :func:`kept_value`); never one holding a
    CSRF token."""
    return mark_safe(kept_value(key, (lambda prepared: check(render(prepared))) if prepare else (lambda: check(render())), prepare=prepare))  # noqa: S308 — rendered by a template


def slot(name: str) -> str:
    """A place in a kept fragment filled per request by :func:`fill` (an HTML comment: data in
    the fragment are escaped, so it cannot make one)."""
    return f"<!--rk-slot:{name}-->"


def fill(html: str, parts: dict[str, str]) -> SafeString:
    """``html`` with each slot replaced by its part (rendered HTML), and the slots left empty."""
    for name, part in parts.items():
        html = html.replace(slot(name), part)
    return mark_safe(html)  # noqa: S308 — kept fragment and rendered parts
