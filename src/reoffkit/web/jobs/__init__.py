"""Background jobs: imports, previews, analyses and reports run outside the web request, on the
django-tasks framework with its database backend, so that their state and progress are in the
database (seen by every web process) and one bad file costs one job, never the service.

Each app declares the kinds of job it runs in its own ``jobs.py`` with :func:`handles`; the
worker (``reoffkit worker``, or the one ``reoffkit serve`` starts) runs them.
"""
