"""What goes wrong outside a command's own checks, said in one line with how to put it right.

Exit codes: 3 the configuration (the environment, the database, the data folder); 2 the
arguments (a folder that cannot be written, a port in use, a question with no terminal to answer
it on). ``reoffkit manage create_administrator`` without a terminal says so itself (exit code 2)."""

from __future__ import annotations

import errno
import re
import sys

EXIT_CONFIGURATION = 3
EXIT_ARGUMENTS = 2


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def database_problem(error: Exception) -> str:
    """Which database could not be used, and what to check (never the password)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    detail = one_line(error)
    if database["ENGINE"].endswith("sqlite3"):
        return (
            f"cannot use the SQLite database {database['NAME']} ({detail}): make its folder and file writable by this account, "
            "or set REOFFKIT_DATA_DIR (or DATABASE_URL) to a place that is"
        )
    where = f"{database.get('NAME')!s} on {database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432} as {database.get('USER')!s}"
    if "does not exist" in detail:
        hint = "create it (createdb) or correct the name or user in DATABASE_URL"
    elif "password" in detail or "authentication" in detail:
        hint = "check the user and password in DATABASE_URL"
    else:
        hint = "check that PostgreSQL is running and that DATABASE_URL has the right host and port"
    return f"cannot connect to the database {where} ({detail}): {hint}"


def explain(error: BaseException) -> tuple[int, str] | None:
    """(exit code, one line) for an error that a user can put right, or ``None`` for a fault."""
    from reoffkit.web.server import PortInUse

    if isinstance(error, PortInUse):
        return EXIT_ARGUMENTS, one_line(error)
    if isinstance(error, EOFError) and not sys.stdin.isatty():
        return EXIT_ARGUMENTS, "this command asks a question and there is no terminal to answer it on: run it in a terminal, or give the answer as an option (e.g. --no-input where the command has one)"
    if "django" in sys.modules:  # only a command that set Django up can fail in Django's ways
        explained = _django_problem(error)
        if explained:
            return explained
    if isinstance(error, OSError) and error.filename and error.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ENOSPC):
        return EXIT_ARGUMENTS, f"cannot write or read {error.filename} ({error.strerror}): choose a path this account can use"
    return None


def _django_problem(error: BaseException) -> tuple[int, str] | None:
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError, InterfaceError, OperationalError

    if isinstance(error, ImproperlyConfigured):
        return EXIT_CONFIGURATION, f"configuration: {one_line(error)}"
    if isinstance(error, DatabaseError) and re.search(r"no such table|relation .* does not exist", str(error)):
        return EXIT_CONFIGURATION, f"the database has no reoffkit tables yet ({one_line(error)}): run `reoffkit manage migrate` (or `reoffkit serve`, which migrates) first"
    if isinstance(error, (OperationalError, InterfaceError)):
        return EXIT_CONFIGURATION, database_problem(error)
    return None
