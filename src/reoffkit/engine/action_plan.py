"""The improvement action plan's red/amber/green rating (docs/rules.md §16).

Nobody sets a rating: it follows from an item's status, its due date and the day it is read on.

- **done**: green (complete); **dropped**: no rating (shown as dropped, with its reason);
- otherwise (not started or in progress): **red** when the due date has passed (overdue),
  **amber** when it falls within ``DUE_SOON_DAYS`` days (due soon) or when the item has not
  started and half its time has gone, **green** otherwise (on track).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

STATUSES: dict[str, str] = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "dropped": "Dropped",
}
OPEN = frozenset({"not_started", "in_progress"})
#: An open item due within this many days is amber ("due soon").
DUE_SOON_DAYS = 14
RATINGS = ("red", "amber", "green", "none")


@dataclass(frozen=True)
class Rating:
    rag: str  # red, amber, green or none
    words: str  # why, in words a board member reads

    @property
    def overdue(self) -> bool:
        return self.words.startswith("Overdue")

    @property
    def due_soon(self) -> bool:
        return self.words.startswith("Due soon")


def rating(status: str, due_on: dt.date, today: dt.date, *, raised_on: dt.date | None = None) -> Rating:
    """The rating of an item with ``status`` due on ``due_on``, as at ``today``."""
    if status not in STATUSES:
        raise ValueError(f"{status!r} is not a status of an action plan item ({', '.join(STATUSES)})")
    if status == "done":
        return Rating("green", "Done")
    if status == "dropped":
        return Rating("none", "Dropped")
    days = (due_on - today).days
    if days < 0:
        return Rating("red", f"Overdue by {-days} day{'s' if days != -1 else ''}")
    if days <= DUE_SOON_DAYS:
        return Rating("amber", "Due soon: " + ("today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"))
    if status == "not_started" and raised_on is not None and raised_on < due_on and (today - raised_on) * 2 >= (due_on - raised_on):
        return Rating("amber", "Not started with half its time gone")
    return Rating("green", "On track")


def summary(ratings: list[Rating]) -> dict[str, int]:
    """How many items of each rating, and how many overdue or due soon."""
    counts = {rag: sum(r.rag == rag for r in ratings) for rag in RATINGS}
    counts["overdue"] = sum(r.overdue for r in ratings)
    counts["due_soon"] = sum(r.due_soon for r in ratings)
    return counts
