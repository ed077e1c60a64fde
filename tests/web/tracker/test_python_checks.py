"""The check constraints evaluated in Python by ``full_clean`` agree with the database's own."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reoffkit.web.tracker.models import Outcome, ReviewAction

DAY = dt.date(2024, 1, 10)
near = st.one_of(st.none(), st.integers(min_value=-3, max_value=3).map(lambda n: DAY + dt.timedelta(days=n)))


def python_says(record) -> bool:
    try:
        record.validate_constraints()
    except ValidationError:
        return False
    return True


def database_says(record) -> bool:
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(outcome_date=near, release_date=near, gravity=st.one_of(st.none(), st.integers(min_value=0, max_value=10)))
def test_outcome_checks_agree_with_the_database(world, outcome_date, release_date, gravity):
    record = Outcome(person=world.ned, offence_date=DAY, outcome_date=outcome_date, release_date=release_date, gravity=gravity,
                     outcome_type="dto", recorded_on=DAY)
    assert python_says(record) == database_says(record)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(due_on=near, completed_on=near)
def test_review_action_checks_agree_with_the_database(world, due_on, completed_on):
    record = ReviewAction(person=world.ned, raised_by=world.users["pat"], raised_on=DAY, trigger="further_offence", action="review",
                          status="completed" if completed_on else "required", due_on=due_on, completed_on=completed_on)
    assert python_says(record) == database_says(record)
