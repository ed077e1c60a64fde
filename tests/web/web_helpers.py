"""Constants and helpers the web tests share."""

import datetime as dt

PASSWORD = "correct-horse-battery-staple"
TODAY = dt.date.today()


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)
