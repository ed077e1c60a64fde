"""``reoffkit import --by USER`` asks for no password, so the audit entry names the
operating-system account that ran it beside the officer it was run as, and says so."""

from __future__ import annotations

import os
import pwd

from web_helpers import TODAY

from reoffkit.casefile import write_case_file
from reoffkit.cli import main
from reoffkit.synthetic import generate
from reoffkit.web.tracker.models import AuditEvent


def test_the_audit_entry_of_a_command_line_import_names_the_os_account_beside_the_user(world, tmp_path, capsys, monkeypatch):
    frames = generate(["Northmoor"], first_quarter="2023Q1", quarters=2, children_per_quarter=4, as_at=TODAY, seed=7)
    case = write_case_file(frames, tmp_path / "case")
    monkeypatch.setenv("USER", "someone-else")  # the environment cannot change who ran it
    monkeypatch.setenv("LOGNAME", "someone-else")
    assert main(["import", str(case), "--service", "Northmoor", "--by", "percy"]) == 0
    account = pwd.getpwuid(os.getuid()).pw_name
    assert f"audited as percy via command line (os user {account})" in capsys.readouterr().out
    event = AuditEvent.objects.filter(verb=AuditEvent.Verb.IMPORT).latest("id")
    assert event.username == "percy"
    assert f"by percy via command line (os user {account}):" in event.summary
    assert event.changes["via"] == f"command line (os user {account})"


def test_an_import_through_the_pages_says_nothing_of_the_command_line(world, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.DATA_DIR = tmp_path / "data"
    frames = generate(["Northmoor"], first_quarter="2023Q1", quarters=2, children_per_quarter=4, as_at=TODAY, seed=7)
    workbook = write_case_file(frames, tmp_path / "case.xlsx")
    client = world.client("percy")
    preview = client.post(reverse("import", args=[world.northmoor.pk]), {"case_file": SimpleUploadedFile("case.xlsx", workbook.read_bytes())})
    client.post(reverse("import-commit", args=[world.northmoor.pk]), {"token": preview.context["token"], "original": "case.xlsx", "fingerprint": preview.context["fingerprint"]})
    event = AuditEvent.objects.filter(verb=AuditEvent.Verb.IMPORT).latest("id")
    assert event.summary.startswith("Imported case.xlsx: ") and "via" not in event.changes
