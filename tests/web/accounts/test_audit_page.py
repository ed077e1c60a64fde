"""The audit log page as a manager reads it: each change with its old and new values in words, and
the child named (resolved when the page is shown: the log itself holds ids, never names, ADR 13);
an administrator, who may not see children's records, sees ids only."""

from __future__ import annotations

import html

from django.urls import reverse

from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent, Outcome


def _corrections(world):
    mandy, ned, nia = world.users["mandy"], world.ned, world.nia
    actions.update_young_person(by=mandy, person=ned, caseworker=world.users["pat"])
    fine = Outcome.objects.get(person=ned, outcome_type="fine")
    actions.update_outcome(by=mandy, outcome=fine, outcome_type="youth_caution")
    actions.update_review_action(by=mandy, review_action=world.ned_action, owner=mandy)
    world.ned_action.refresh_from_db()
    actions.change_action_status(by=mandy, action=world.ned_action, status="completed", completed_on=world.ned_action.raised_on, expected_version=world.ned_action.version)
    actions.delete_outcome(by=mandy, outcome=Outcome.objects.get(person=nia), reason="Entered for the wrong child")
    actions.update_service_settings(by=mandy, service=world.northmoor, include_breaches=True)


def _page(client, **params) -> str:
    return html.unescape(client.get(reverse("audit"), params).content.decode())


def test_a_manager_sees_each_change_old_and_new_naming_the_child(world):
    _corrections(world)
    page = _page(world.client("mandy"), verb="update")
    assert "Ned Testchild" in page
    for pk in (world.ned.pk, world.nia.pk):
        assert f"young person {pk}" not in page.lower()
    assert "Caseworker: none → pat" in page  # a person not yet chosen is "none", not "blank"
    assert "Outcome type: Fine → Youth caution" in page
    assert "Owner: pat → mandy" in page
    assert "Status: Action required – not completed → Completed" in page
    assert "Include breaches: no → yes" in page
    # the settings change is said once, in words: not again in field names and Python values, and
    # not as "Service settings 1" (the service's own id) beside the service's name
    assert "include_breaches False to True" not in page and "Changed settings: Include breaches" in page
    assert "Service settings 1" not in page and f"Service settings {world.northmoor.pk}" not in page
    deleted = _page(world.client("mandy"), verb="delete")
    assert "Nia Testchild" in deleted and "Entered for the wrong child" in deleted
    assert "Outcome type: Youth caution" in deleted  # what the deleted record was


def test_showing_names_on_the_audit_page_is_itself_audited(world):
    _corrections(world)
    _page(world.client("mandy"), verb="update")
    viewed = AuditEvent.objects.filter(verb="view", username="mandy").latest("id")
    assert viewed.summary.startswith("Viewed the audit log") and str(world.ned.pk) in viewed.object_ids


def test_an_administrator_sees_ids_and_changes_but_no_child_named(world):
    _corrections(world)
    page = _page(world.client("ada"), verb="update")
    assert "Ned Testchild" not in page and f"young person {world.ned.pk}" in page.lower()
    assert "Outcome type: Fine → Youth caution" in page
