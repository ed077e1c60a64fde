"""`reoffkit demo` deletes and remakes only folders it made itself: pointed at a real data folder it
refuses, names the folder and deletes nothing."""

from __future__ import annotations

import pytest

from reoffkit.cli import main
from reoffkit.demo import MARKER, NotADemoFolder, fresh_folder


def test_a_new_folder_is_made_and_marked(tmp_path):
    folder = tmp_path / "new" / "demo"
    fresh_folder(folder)
    assert [p.name for p in folder.iterdir()] == [MARKER]


def test_a_folder_the_demo_made_is_emptied_and_an_empty_one_is_used(tmp_path):
    made = tmp_path / "made"
    fresh_folder(made)
    (made / "reoffkit.sqlite3").write_bytes(b"demo data")
    fresh_folder(made)
    assert [p.name for p in made.iterdir()] == [MARKER]
    empty = tmp_path / "empty"
    empty.mkdir()
    fresh_folder(empty)
    assert (empty / MARKER).is_file()


def test_a_folder_the_demo_did_not_make_is_refused(tmp_path):
    production = tmp_path / "production"
    production.mkdir()
    (production / "reoffkit.sqlite3").write_bytes(b"children's records")
    with pytest.raises(NotADemoFolder, match=f"has no {MARKER} file"):
        fresh_folder(production)
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADemoFolder, match="is a file or a link"):
        fresh_folder(tmp_path / "file")
    (tmp_path / "link").symlink_to(tmp_path / "made-elsewhere", target_is_directory=True)
    (tmp_path / "made-elsewhere").mkdir()
    (tmp_path / "made-elsewhere" / MARKER).write_text("")
    with pytest.raises(NotADemoFolder):
        fresh_folder(tmp_path / "link")
    assert (production / "reoffkit.sqlite3").read_bytes() == b"children's records"


def test_reoffkit_demo_pointed_at_a_data_folder_refuses_and_deletes_nothing(tmp_path, capsys):
    production = tmp_path / "var"
    production.mkdir()
    (production / "reoffkit.sqlite3").write_bytes(b"children's records")
    out = tmp_path / "out"
    code = main(["demo", "--data-dir", str(production), "--out", str(out), "--no-serve"])
    assert code == 2
    assert f"{production} holds files and was not made by `reoffkit demo`" in capsys.readouterr().err
    assert (production / "reoffkit.sqlite3").read_bytes() == b"children's records"
    assert [p.name for p in tmp_path.iterdir()] == ["var"]  # nothing made either
