"""Settings for the test suite: the production module in its ``test`` environment."""

import os

os.environ["REOFFKIT_ENV"] = "test"
os.environ.setdefault("REOFFKIT_HTTPS", "false")

from reoffkit.web.settings import *  # noqa: E402,F401,F403
