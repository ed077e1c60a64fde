"""Constants and helpers the web tests share."""

import datetime as dt

from reoffkit.engine.rules import quarter_start

PASSWORD = "correct-horse-battery-staple"
TODAY = dt.date.today()


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def add_quarter(world, key: int, size: int, reoffending: int, *, prefix: str) -> None:
    """``size`` children entering in quarter ``key``; the first ``reoffending`` commit one further offence each."""
    index_on = quarter_start(key) + dt.timedelta(days=10)
    for number in range(size):
        from reoffkit.web.tracker import actions

        person, _ = actions.add_cohort_member(
            by=world.users["pat"],
            service=world.northmoor,
            new_person=dict(local_id=f"{prefix}{number:02d}", first_name=f"Kid{prefix}{number}", last_name="Quartermember", date_of_birth=index_on - dt.timedelta(days=15 * 365), sex="male", ethnicity="White"),
            index_outcome=dict(outcome_type="youth_caution", offence_date=index_on - dt.timedelta(days=5), outcome_date=index_on),
        )
        if number < reoffending:
            actions.add_outcome(
                by=world.users["pat"], person=person, outcome_type="conditional_discharge", offence_date=index_on + dt.timedelta(days=30), outcome_date=index_on + dt.timedelta(days=50)
            )
