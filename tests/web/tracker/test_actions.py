"""Actions on a real database: validation, audit, concurrency, append-only audit log."""

from __future__ import annotations

import pytest
from audit_triggers import ensure_append_only
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from web_helpers import days_ago

from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent, Outcome, YoungPerson


def test_every_write_is_audited(world):
    verbs = list(AuditEvent.objects.filter(service=world.northmoor).values_list("verb", "object_type"))
    assert ("create", "young_person") in verbs and ("create", "outcome") in verbs and ("create", "review_action") in verbs
    assert all("Ned" not in e.summary and "Testchild" not in e.summary for e in AuditEvent.objects.all())


def test_cohort_member_must_qualify_and_nothing_is_half_saved(world):
    before = (YoungPerson.objects.count(), Outcome.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as error:
        actions.add_cohort_member(
            by=world.users["pat"],
            service=world.northmoor,
            new_person=dict(local_id="N009", first_name="A", last_name="B", date_of_birth=days_ago(15 * 365), sex="male", ethnicity="White"),
            index_outcome=dict(outcome_type="community_resolution", offence_date=days_ago(10), outcome_date=days_ago(5)),
        )
    assert "outcome_type" in error.value.message_dict
    assert (YoungPerson.objects.count(), Outcome.objects.count(), AuditEvent.objects.count()) == before


def test_cohort_member_age_and_future_dates_are_checked(world):
    with pytest.raises(ValidationError) as error:
        actions.add_cohort_member(
            by=world.users["pat"],
            service=world.northmoor,
            new_person=dict(local_id="N010", first_name="A", last_name="B", date_of_birth=days_ago(19 * 365), sex="male", ethnicity="White"),
            index_outcome=dict(outcome_type="youth_caution", offence_date=days_ago(10), outcome_date=days_ago(-3)),
        )
    assert set(error.value.message_dict) >= {"outcome_date", "date_of_birth"}


def test_concurrent_status_change_is_refused_not_overwritten(world):
    action = world.ned_action
    actions.change_action_status(by=world.users["mandy"], action=action, status="pending", expected_version=1)
    with pytest.raises(actions.StaleEdit):
        actions.change_action_status(by=world.users["pat"], action=action, status="completed", completed_on=days_ago(0), expected_version=1)
    action.refresh_from_db()
    assert (action.status, action.version) == ("pending", 2)


def test_database_rejects_an_outcome_before_its_offence(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.create(person=world.ned, offence_date=days_ago(1), outcome_date=days_ago(10), outcome_type="fine", recorded_on=days_ago(0))


def test_audit_log_is_append_only_in_the_database(world):
    ensure_append_only()  # browser tests lift the triggers to empty their live database
    event = AuditEvent.objects.first()
    with pytest.raises(Exception), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="changed")
    with pytest.raises(Exception), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(ValidationError):
        event.save()


def test_records_created_together_link_to_each_other_and_are_audited_on_one_chain(world):
    """A child, its outcome, a district and an assessment made in one call (as an import's batch
    makes them): each is validated before anything is written, the outcome and assessment link to
    the child saved with them, and each record has its own audit event on an unbroken chain."""
    from reoffkit.web.tracker import auditchain

    percy = world.users["percy"]
    district = actions.new_district(service=world.northmoor, name="Moorside")
    child = actions.new_young_person(
        service=world.northmoor, local_id="N050", first_name="A", last_name="B", date_of_birth=days_ago(15 * 365), sex="male",
        ethnicity="White", district=district.instance,
    )
    outcome = actions.new_outcome(person=child.instance, outcome_type="youth_caution", offence_date=days_ago(20), outcome_date=days_ago(10), gravity=2)
    assessment = actions.new_assessment(person=child.instance, assessment_date=days_ago(9), tool="asset", score=12, likelihood_band="low", intervention_level="standard")
    assert child.instance.pk is None  # nothing written yet
    head = auditchain.head()[0]
    made = actions.create_records(by=percy, records=[district, child, outcome, assessment])
    saved = Outcome.objects.select_related("person__district").get(pk=made[2].pk)
    assert saved.person.local_id == "N050" and saved.person.district.name == "Moorside"
    assert made[3].person_id == made[1].pk and made[1].district_id == made[0].pk
    events = list(AuditEvent.objects.filter(seq__gt=head).order_by("seq"))
    assert [(e.object_type, e.object_ids) for e in events] == [
        ("district", [str(made[0].pk)]), ("young_person", [str(made[1].pk)]), ("outcome", [str(made[2].pk)]), ("assessment", [str(made[3].pk)]),
    ]
    assert events[1].summary == f"Added young person {made[1].pk}" and all(e.username == "percy" for e in events)
    assert auditchain.verify().ok


def test_a_record_that_fails_validation_stops_the_whole_call_before_anything_is_written(world):
    before = (YoungPerson.objects.count(), Outcome.objects.count(), AuditEvent.objects.count())
    child = actions.new_young_person(
        service=world.northmoor, local_id="N051", first_name="A", last_name="B", date_of_birth=days_ago(15 * 365), sex="male", ethnicity="White"
    )
    with pytest.raises(ValidationError):
        actions.new_outcome(person=child.instance, outcome_type="youth_caution", offence_date=days_ago(2), outcome_date=days_ago(10))
    with pytest.raises(ValidationError):
        actions.add_outcome(by=world.users["pat"], person=world.ned, outcome_type="youth_caution", offence_date=days_ago(2), outcome_date=days_ago(10))
    assert (YoungPerson.objects.count(), Outcome.objects.count(), AuditEvent.objects.count()) == before


def test_records_inserted_together_are_stored_as_django_stores_them(world):
    """The import's INSERT (``insert_new``, which skips Django's query compiler) stores every value
    — text, numbers, true/false, empty, dates, times, decimals, JSON, choices, links to records
    made in the same call — exactly as ``bulk_create`` does, and reads back the same."""
    import datetime as dt
    from decimal import Decimal

    from django.db import connection

    from reoffkit.web.tracker.models import Assessment, ReviewAction

    pat = world.users["pat"]
    at = dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=dt.timezone.utc)

    def records(n):
        district = actions.new_district(service=world.northmoor, name=f"Moorside {n}").instance
        child = actions.new_young_person(
            service=world.northmoor, local_id=f"N06{n}", first_name="Zoë", last_name="O'Brien", date_of_birth=days_ago(15 * 365), sex="female",
            ethnicity="Mixed", looked_after=True, district=district, caseworker=pat,
        ).instance
        return [
            district, child,
            actions.new_outcome(person=child, outcome_type="dto", offence_date=days_ago(200), outcome_date=days_ago(100), release_date=days_ago(50), gravity=5, breach=True).instance,
            actions.new_assessment(person=child, assessment_date=days_ago(9), tool="asset", score=Decimal("12.5"), likelihood_band="low", intervention_level="standard").instance,
            actions.new_review_action(by=pat, person=child, raised_on=days_ago(3), trigger="periodic_review", action="review", status="pending", notes="=HYPERLINK(\"x\")", due_on=days_ago(-7)).instance,
            AuditEvent(at=at, user=pat, username="pat", service=world.northmoor, verb=AuditEvent.Verb.CREATE, object_ids=["1", 2],
                       summary="Made", changes={"score": [None, "12.5"], "nested": {"b": [1.5, True]}}, seq=None),
        ]

    def stored(instance):
        model = type(instance)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {model._meta.db_table} WHERE id = %s", [instance.pk])
            columns = [c[0] for c in cursor.description]
            raw = {c: v for c, v in zip(columns, cursor.fetchone()) if c not in ("id", "created_at", "updated_at")}
        read = {k: v for k, v in model.objects.filter(pk=instance.pk).values().get().items() if k not in ("id", "created_at", "updated_at")}
        return raw, read

    def links(instance):
        return {f.attname for f in type(instance)._meta.concrete_fields if f.many_to_one or f.one_to_one}

    by_django, ours = records(1), records(2)
    for instance in by_django:
        type(instance).objects.bulk_create([instance])
    for instance in ours:
        actions.insert_new(type(instance), [instance])
    for theirs, mine in zip(by_django, ours):
        assert mine.pk is not None and not mine._state.adding
        same_links = links(mine) - {"service_id", "user_id", "caseworker_id"}  # links to the records each call made: different ids
        (raw_theirs, read_theirs), (raw_mine, read_mine) = stored(theirs), stored(mine)
        for name in same_links | {"name", "local_id"}:  # and the two names each call must make different
            for values in (raw_theirs, raw_mine, read_theirs, read_mine):
                values.pop(name, None)
        assert raw_mine == raw_theirs and read_mine == read_theirs
    assert ours[2].person_id == ours[1].pk and ours[1].district_id == ours[0].pk and ours[4].person_id == ours[1].pk


def test_a_record_linked_to_one_not_yet_inserted_is_refused(world):
    child = actions.new_young_person(
        service=world.northmoor, local_id="N061", first_name="A", last_name="B", date_of_birth=days_ago(15 * 365), sex="male", ethnicity="White"
    ).instance
    outcome = actions.new_outcome(person=child, outcome_type="youth_caution", offence_date=days_ago(20), outcome_date=days_ago(10), gravity=2).instance
    with pytest.raises(ValueError, match="unsaved related object"):
        actions.insert_new(Outcome, [outcome])
    assert not Outcome.objects.filter(person__local_id="N061").exists()
