"""Django settings for the reoffkit web application: one module, configured from the environment.

``REOFFKIT_ENV`` is ``production`` (the default: secure cookies, HTTPS, a secret key required),
``demo`` or ``test``. Every setting read from the environment goes through a typed helper that fails
loudly on a value it cannot read. See ``.env.example``.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"environment variable {name} must be set")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a yes/no value: set it to true or false (see .env.example)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number: set it to one, e.g. {name}={default} (see .env.example)") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


ENVIRONMENT = env_str("REOFFKIT_ENV", "production")
if ENVIRONMENT not in ("production", "demo", "test"):
    raise ImproperlyConfigured(f"REOFFKIT_ENV={ENVIRONMENT!r} is not an environment: set it to production, demo or test")
PRODUCTION = ENVIRONMENT == "production"
if PRODUCTION:
    # Every file the service makes (its database and the database's -wal and -shm files, uploads,
    # collected static files) is readable by its own account only.
    os.umask(0o077)

DATA_DIR = Path(env_str("REOFFKIT_DATA_DIR", str(Path.cwd() / "var")))

if PRODUCTION:
    if not os.environ.get("SECRET_KEY"):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set (in the environment) to a long random value kept secret, e.g. the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'` (see .env.example)"
        )
    SECRET_KEY = os.environ["SECRET_KEY"]
else:
    # Demo and test runs get a key for this process only: sessions end when it stops.
    SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)

DEBUG = env_bool("REOFFKIT_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "reoffkit.web.tracker",
    "reoffkit.web.jobs",
    "reoffkit.web.accounts",
    "reoffkit.web.spreadsheets",
    "reoffkit.web.performance",
    "reoffkit.web.analysis",
    "reoffkit.web.disproportionality",
    "reoffkit.web.board",
    "reoffkit.web.compare",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reoffkit.web.tracker.middleware.PrivateNoStoreMiddleware",
    "reoffkit.web.tracker.middleware.IdleTimeoutMiddleware",
    "reoffkit.web.tracker.middleware.OneDataVersionMiddleware",
    "reoffkit.web.accounts.middleware.ForcePasswordChangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reoffkit.web.urls"
WSGI_APPLICATION = "reoffkit.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reoffkit.web.tracker.context.navigation",
            ],
            # intcomma on every page: a count of a thousand or more is written 29,401 (tests/web/test_page_hygiene.py)
            "builtins": ["django.contrib.humanize.templatetags.humanize"],
        },
    }
]

def database_from_url(url: str) -> dict:
    """The database of ``DATABASE_URL``; a scheme reoffkit cannot use is named (never the whole
    URL, which may hold a password)."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in ("postgres", "postgresql", "pgsql", "sqlite"):
        raise ImproperlyConfigured(
            f"DATABASE_URL starts {scheme + '://' if scheme else 'with no scheme'}: reoffkit needs "
            "postgres://USER:PASSWORD@HOST:PORT/NAME or sqlite:////ABSOLUTE/PATH.sqlite3"
        )
    try:
        return dj_database_url.parse(url, conn_max_age=60)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be read ({error.__class__.__name__}): write it as postgres://USER:PASSWORD@HOST:PORT/NAME") from None


DATABASES = {"default": database_from_url(env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'reoffkit.sqlite3'}"))}


def private_sqlite_files(database: Path) -> None:
    """The SQLite database's folder, made 0700 when it is made here; the database and its -wal
    and -shm files 0600 when they exist (files left readable by an older version are narrowed).
    SQLite gives its -wal and -shm files the database file's mode."""
    folder = database.parent
    if not folder.is_dir():
        try:
            folder.mkdir(parents=True, mode=0o700)
        except OSError as error:
            raise ImproperlyConfigured(
                f"cannot make the data folder {folder} ({error.strerror}): set REOFFKIT_DATA_DIR to a folder this account can "
                "write, or DATABASE_URL to the database"
            ) from None
        os.chmod(folder, 0o700)  # whatever the umask
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ImproperlyConfigured(
            f"the data folder {folder} is not writable by this account (SQLite writes its journal beside the database): "
            "give the account the folder (chown, chmod 700) or set REOFFKIT_DATA_DIR to another"
        )
    for path in (database, folder / f"{database.name}-wal", folder / f"{database.name}-shm"):
        if path.is_file() and path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)


if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    private_sqlite_files(Path(DATABASES["default"]["NAME"]))
    # WAL lets readers go on while one process writes; a writer waits up to the timeout for
    # another's write to finish instead of failing at once ("database is locked").
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("REOFFKIT_SQLITE_TIMEOUT_SECONDS", 30),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's sign-in; a request's user is read with their profile and password state in one query.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "reoffkit.web.accounts.backends.StaffBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes): by user name and address together, so that
# nobody can lock a manager out from elsewhere by mistyping their user name, and one council NAT
# address is locked only for the user names tried from it. An administrator unlocks an account on
# its user page or with `reoffkit user unlock` (docs/adr/0014-accounts-and-operations.md).
AXES_FAILURE_LIMIT = env_int("REOFFKIT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("REOFFKIT_LOCKOUT_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# One-time set-password links expire after this many hours (and once used or replaced).
PASSWORD_RESET_TIMEOUT = env_int("REOFFKIT_SET_PASSWORD_HOURS", 72) * 3600
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

SECURE_HTTPS = env_bool("REOFFKIT_HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_IDLE_MINUTES = env_int("REOFFKIT_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = 12 * 60 * 60
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("REOFFKIT_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("REOFFKIT_BEHIND_PROXY", False) else None
# Behind a reverse proxy (docs/deployment.md): `reoffkit serve` (waitress) believes the forwarded
# headers named here only from this proxy's address (or addresses matching it, e.g. "*" in a
# container whose only way in is the proxy); any other WSGI server: REOFFKIT_BEHIND_PROXY.
WAITRESS_PROXY_HEADERS = {"x-forwarded-proto", "x-forwarded-for", "x-forwarded-host", "x-forwarded-port", "x-forwarded-by", "forwarded"}
TRUSTED_PROXY = os.environ.get("REOFFKIT_TRUSTED_PROXY", "").strip()
TRUSTED_PROXY_HEADERS = [h.lower() for h in env_list("REOFFKIT_TRUSTED_PROXY_HEADERS", ["x-forwarded-proto", "x-forwarded-for", "x-forwarded-host"])]
if set(TRUSTED_PROXY_HEADERS) - WAITRESS_PROXY_HEADERS:
    raise ImproperlyConfigured(
        f"REOFFKIT_TRUSTED_PROXY_HEADERS names {', '.join(sorted(set(TRUSTED_PROXY_HEADERS) - WAITRESS_PROXY_HEADERS))}: "
        f"use a comma-separated list of {', '.join(sorted(WAITRESS_PROXY_HEADERS))}"
    )
SECURE_HSTS_SECONDS = env_int("REOFFKIT_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    "security.W021",  # HSTS preload is the domain owner's choice, not the application's
]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Computed reports (never children's records) are cached where every web process and worker sees
# them: in the database by default, in Redis when REOFFKIT_REDIS_URL is set. Keys carry the newest
# data-changing audit event of their services, so any write makes them stale.
REDIS_URL = os.environ.get("REOFFKIT_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "TIMEOUT": 600}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "reoffkit_cache",
            "TIMEOUT": 600,
            "OPTIONS": {"MAX_ENTRIES": 500},
        }
    }

# Background jobs (imports, previews, analyses, reports) wait in the database for a worker:
# `reoffkit worker`, or the one `reoffkit serve` starts beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
REOFFKIT_JOB_HEARTBEAT = True
REOFFKIT_UPLOAD_HOURS = float(env_int("REOFFKIT_UPLOAD_HOURS", 24))
# Each upload is read in a process of its own with these limits (docs/case-file.md).
REOFFKIT_UPLOAD_MEMORY_MB = env_int("REOFFKIT_UPLOAD_MEMORY_MB", 2048)
REOFFKIT_UPLOAD_CPU_SECONDS = env_int("REOFFKIT_UPLOAD_CPU_SECONDS", 600)

if ENVIRONMENT == "test":
    # Each test rolls its data back, so audit ids repeat between tests: no cache (tests of the
    # cache turn it on themselves).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    # Jobs run at once, in the test's own thread and transaction (tests of the worker start one).
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    REOFFKIT_JOB_HEARTBEAT = False
    # Tests serve static files straight from the package (no collectstatic step).
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    STATIC_ROOT = None
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
    PASSWORD_HASHERS = ["reoffkit.web.tracker.hashers.TestArgon2PasswordHasher"]

# No personal data in logs: requests are not logged with their query strings or bodies, and the
# application logs only ids and counts.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
