"""Markdown notes: front matter a YAML parser reads back, safe names, and the user's text kept."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papercli.cli import app
from papercli.formats.notes import is_note_of, note_name, render_note, slug
from papercli.models import Paper

PAPER = Paper(
    id="2611.00001",
    title="Attention Is All You Need",
    authors=("Ashish Vaswani", "Noam Shazeer"),
    abstract="We propose the #Transformer, [[a link]] and <b>bold</b>.",
    published="2026-11-20",
)
HOSTILE_TITLES = [
    'Evil"\nevil: true\n---\nbody',
    "Break\u2028out: yes\u2029- item",
    "back\\slash \\\" quote ' single",
    "--- \n...\n# comment",
    "key: value",
    "\x1b]0;title\x07\x00nul",
    "&anchor *alias !tag {flow: map} [flow, seq] | > %",
    "\ud800 lone surrogate",
]


def front(text: str) -> dict:
    """The front matter, read by a real YAML parser."""
    yaml = pytest.importorskip("yaml", reason="PyYAML (the test extra) reads the front matter")
    assert text.startswith("---\n")
    head, _, _ = text[4:].partition("\n---\n")
    return yaml.safe_load(head)


def stdin_of(*papers: Paper) -> str:
    return "".join(json.dumps(p.to_dict()) + "\n" for p in papers)


def export(runner: CliRunner, directory: Path, *papers: Paper):
    return runner.invoke(
        app, ["export", "-", "--format", "note", "--dir", str(directory)], input=stdin_of(*papers)
    )


def test_a_new_note_has_front_matter_and_the_abstract() -> None:
    text = render_note(PAPER, ["to-read", "transformers"])
    assert front(text) == {
        "id": "2611.00001",
        "title": "Attention Is All You Need",
        "authors": ["Ashish Vaswani", "Noam Shazeer"],
        "published": "2026-11-20",
        "tags": ["to-read", "transformers"],
        "url": "https://arxiv.org/abs/2611.00001",
        "pdf": "https://arxiv.org/pdf/2611.00001",
    }
    body = text.split("\n---\n", 1)[1]
    assert "# Attention Is All You Need" in body
    # Upstream text cannot tag the note, link into the vault or add HTML.
    assert r"the \#Transformer, \[\[a link\]\] and \<b\>bold\</b\>." in body


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_a_hostile_title_is_one_yaml_string(title: str) -> None:
    paper = PAPER.with_changes(title=title, authors=(title,))
    for text in (render_note(paper, [title]), render_note(paper, [], render_note(PAPER, []))):
        data = front(text)
        assert set(data) == {"id", "title", "authors", "published", "tags", "url", "pdf"}
        assert isinstance(data["title"], str) and data["id"] == "2611.00001"
        assert len(data["authors"]) == 1
        assert not any(ord(c) < 32 for c in data["title"])
        assert text.count("\n---\n") >= 1 and front(text)["title"] == data["title"]


@pytest.mark.parametrize(
    ("title", "paper_id", "name"),
    [
        ("Attention Is All You Need", "2611.00001", "attention-is-all-you-need-2611.00001.md"),
        ("../../etc/passwd", "2611.00001", "etc-passwd-2611.00001.md"),
        (".hidden \\ C:\\con <>|?*", "2611.00001", "hidden-c-con-2611.00001.md"),
        ("Über Ñandú: café", "2611.00001", "uber-nandu-cafe-2611.00001.md"),
        ("深度学习 模型", "2611.00001", "深度学习-模型-2611.00001.md"),
        ("!!!", "2611.00001", "2611.00001.md"),
        ("Old Style", "hep-th/9901001", "old-style-hep-th_9901001.md"),
    ],
)
def test_note_names_are_safe_and_readable(title: str, paper_id: str, name: str) -> None:
    assert note_name(Paper(id=paper_id, title=title)) == name


def test_note_names_are_bounded_and_stable() -> None:
    title = "word " * 200
    name = note_name(Paper(id="2611.00001", title=title))
    assert name == note_name(Paper(id="2611.00001", title=title))
    assert len(slug(title)) <= 60 and not slug(title).endswith("-")
    assert len(name.encode()) < 255 and name.endswith("-2611.00001.md")
    assert len(slug("x" * 500)) == 60


def test_run_twice_the_users_edits_survive(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "vault"
    other = PAPER.with_changes(id="2611.00002", title="Second Paper")
    first = export(runner, notes, PAPER, other)
    assert first.exit_code == 0, first.stderr
    assert "2 created, 0 updated, 0 unchanged" in first.stderr
    path = notes / "attention-is-all-you-need-2611.00001.md"
    assert sorted(p.name for p in notes.iterdir()) == [
        path.name,
        "second-paper-2611.00002.md",
    ]
    edited = path.read_text().replace("---\n", "---\nstatus: reading  # my key\n", 1)
    edited = edited.replace("## Notes\n", "## Notes\n\nMy own thoughts: *great*.\n")
    path.write_text(edited)
    again = export(runner, notes, PAPER, other)
    assert again.exit_code == 0, again.stderr
    assert "0 created, 0 updated, 2 unchanged" in again.stderr
    assert path.read_text() == edited

    renamed = PAPER.with_changes(title="Attention Is Still All You Need", authors=("A. V.",))
    third = export(runner, notes, renamed)
    assert "0 created, 1 updated" in third.stderr, third.stderr
    text = path.read_text()  # the same file: links to the note keep working
    assert front(text)["title"] == "Attention Is Still All You Need"
    assert front(text)["authors"] == ["A. V."]
    assert front(text)["status"] == "reading"
    assert "status: reading  # my key\n" in text
    assert text.split("\n---\n", 1)[1] == edited.split("\n---\n", 1)[1]  # body untouched
    assert len(list(notes.iterdir())) == 2


def test_tags_come_from_the_reading_list(runner: CliRunner, tmp_path: Path) -> None:
    saved = runner.invoke(app, ["save", "-", "--tag", "to-read"], input=stdin_of(PAPER))
    assert saved.exit_code == 0, saved.stderr
    result = runner.invoke(app, ["export", "--saved", "-f", "note", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    (path,) = tmp_path.glob("*.md")
    assert front(path.read_text())["tags"] == ["to-read"]
    runner.invoke(app, ["save", "-", "--tag", "transformers"], input=stdin_of(PAPER))
    again = runner.invoke(app, ["export", "--saved", "-f", "note", "--dir", str(tmp_path)])
    assert "0 created, 1 updated" in again.stderr
    assert front(path.read_text())["tags"] == ["to-read", "transformers"]


def test_only_papercli_keys_change_in_a_users_front_matter() -> None:
    text = render_note(PAPER, ["a"])
    user = (
        "---\n# my comment\naliases:\n  - AIAYN\ntitle: 'My own title'\ntags:\n- x\n- y\n"
        'rating: 5\nauthors: [old]\nid: "2611.00001"\n---\nMy body\n'
    )
    updated = render_note(PAPER, ["a"], user)
    assert updated.endswith("\n---\nMy body\n")
    data = front(updated)
    assert data["aliases"] == ["AIAYN"] and data["rating"] == 5
    assert data["title"] == PAPER.title and data["tags"] == ["a"]
    assert data["authors"] == list(PAPER.authors)
    assert "# my comment\n" in updated
    assert render_note(PAPER, ["a"], updated) == updated  # stable
    assert is_note_of(PAPER, updated) and is_note_of(PAPER, text)
    assert not is_note_of(PAPER.with_changes(id="2611.00002"), updated)


def test_a_note_without_front_matter_gets_it_on_top() -> None:
    updated = render_note(PAPER, [], "just my text\n---\n")
    assert updated.endswith("---\njust my text\n---\n")
    assert front(updated)["id"] == "2611.00001"


def test_a_users_own_file_ending_in_the_id_is_not_taken_over(
    runner: CliRunner, tmp_path: Path
) -> None:
    mine = tmp_path / "reading-2611.00001.md"
    mine.write_text("my notes about it\n")
    result = export(runner, tmp_path, PAPER)
    assert result.exit_code == 0, result.stderr
    assert mine.read_text() == "my notes about it\n"
    assert (tmp_path / "attention-is-all-you-need-2611.00001.md").exists()


def test_an_unreadable_note_is_left_alone(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / note_name(PAPER)
    path.write_bytes(b'---\nid: "2611.00001"\n---\n\xff\xfe not utf-8\n')
    other = PAPER.with_changes(id="2611.00002", title="Other")
    result = export(runner, tmp_path, PAPER, other)
    assert result.exit_code == 11
    assert "skipped" in result.stderr and "not UTF-8" in result.stderr
    assert path.read_bytes().endswith(b"\xff\xfe not utf-8\n")
    assert (tmp_path / "other-2611.00002.md").exists()  # the others were written


def test_modes_and_symlinks_are_kept(runner: CliRunner, tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.md"
    real.write_text('---\nid: "2611.00001"\n---\nmine\n')
    real.chmod(0o640)
    link = tmp_path / "vault" / note_name(PAPER)
    link.parent.mkdir()
    link.symlink_to(real)
    result = export(runner, link.parent, PAPER)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and real.read_text().endswith("\n---\nmine\n")
    assert front(real.read_text())["title"] == PAPER.title
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    new = export(runner, tmp_path / "fresh", PAPER)
    assert new.exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    (made,) = (tmp_path / "fresh").iterdir()
    assert stat.S_IMODE(made.stat().st_mode) == 0o666 & ~umask
    assert not [p for p in (tmp_path / "fresh").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "note"], "--format note writes files: give the folder with --dir DIR"),
        (["-f", "ris", "--dir", "x"], "--dir is for --format note"),
        (["-f", "note", "--dir", "x", "--fields", "id"], "shape stdout, not notes"),
    ],
)
def test_note_options_are_checked(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["export", "-", *args], input=stdin_of(PAPER))
    assert result.exit_code == 2 and message in result.stderr


def test_a_file_where_the_folder_should_be_is_exit_11(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "notes"
    blocker.write_text("not a folder")
    result = export(runner, blocker, PAPER)
    assert result.exit_code == 11, result.stderr
    assert "Not a directory" in result.stderr
