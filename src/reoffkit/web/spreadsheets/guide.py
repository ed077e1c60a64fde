"""The case-file guide inside the application: the guide shipped in the package
(``reoffkit/casefile/guide.md``, the same text as ``docs/case-file.md``, which a test keeps equal)
rendered as a page, so that whoever imports can read the format where they import, with nothing
fetched from elsewhere.

The guide is written in a small part of Markdown, and only that part is rendered: headings (with
the anchors its own links use), paragraphs, bullet lists (nested by two spaces), tables, fenced
code, and inline code, bold, italics and links. Everything is escaped first; a link to a file of
the repository (not shipped) is shown as its words only.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from importlib import resources

from django.shortcuts import render
from django.utils.safestring import mark_safe

from reoffkit.web.tracker.permissions import require

LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)")
INLINE = re.compile(r"\*\*(?P<bold>.+?)\*\*|\*(?P<em>[^*\s][^*]*?)\*")
BLOCK_START = ("#", "|", "- ", "```")


def guide_text() -> str:
    return resources.files("reoffkit.casefile").joinpath("guide.md").read_text(encoding="utf-8")


def anchor(title: str) -> str:
    """The anchor a heading gets, as GitHub makes it (so the guide's own links work in both)."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def _inline(text: str) -> str:
    out, last = [], 0
    for match in LINK.finditer(text):
        out.append(_spans(text[last : match.start()]))
        words, href = _spans(match.group("text")), match.group("href")
        if href.startswith("#"):
            out.append(f'<a class="govuk-link" href="{html.escape(href)}">{words}</a>')
        else:  # a file of the repository, not shipped with the application
            out.append(words)
        last = match.end()
    out.append(_spans(text[last:]))
    return "".join(out)


def _spans(text: str) -> str:
    """Code spans, bold and italics (bold may hold code: **`outcome_id`.**)."""
    spans: list[str] = []

    def hold(match: re.Match) -> str:
        spans.append(match.group(1))
        return f"\0{len(spans) - 1}\0"

    held = re.sub(r"`([^`]+)`", hold, text)
    out, last = [], 0
    for match in INLINE.finditer(held):
        out.append(html.escape(held[last : match.start()]))
        if match.group("bold") is not None:
            out.append(f"<strong>{html.escape(match.group('bold'))}</strong>")
        else:
            out.append(f"<em>{html.escape(match.group('em'))}</em>")
        last = match.end()
    out.append(html.escape(held[last:]))
    return re.sub(r"\0(\d+)\0", lambda m: f"<code>{html.escape(spans[int(m.group(1))])}</code>", "".join(out))


def _table(lines: list[str]) -> str:
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    head, body = rows[0], [row for row in rows[2:]]
    cells = "".join(f'<th scope="col" class="govuk-table__header">{_inline(c)}</th>' for c in head)
    out = [f'<table class="govuk-table rk-table-compact"><thead class="govuk-table__head"><tr class="govuk-table__row">{cells}</tr></thead>']
    out.append('<tbody class="govuk-table__body">')
    for row in body:
        out.append('<tr class="govuk-table__row">' + "".join(f'<td class="govuk-table__cell">{_inline(c)}</td>' for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _list(lines: list[str]) -> str:
    items: list[list[str]] = []
    for line in lines:
        if line.startswith("- "):
            items.append([line[2:]])
        else:
            items[-1].append(line[2:] if line.startswith("  ") else line.strip())
    out = ['<ul class="govuk-list govuk-list--bullet">']
    for item in items:
        inner = _blocks(item)
        tight = inner.startswith('<p class="govuk-body">') and inner.count("<p ") == 1 and inner.endswith("</p>")
        out.append("<li>" + (inner[len('<p class="govuk-body">') : -len("</p>")] if tight else inner) + "</li>")
    out.append("</ul>")
    return "".join(out)


def _blocks(lines: list[str]) -> str:
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), len(lines))
            out.append(f'<pre class="rk-guide-code"><code>{html.escape(chr(10).join(lines[i + 1 : end]))}</code></pre>')
            i = end + 1
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            title = line[level:].strip()
            size = {1: "l", 2: "m", 3: "s"}.get(level, "s")
            out.append(f'<h{level} class="govuk-heading-{size}" id="{anchor(title)}">{_inline(title)}</h{level}>')
            i += 1
        elif line.startswith("|"):
            end = i
            while end < len(lines) and lines[end].startswith("|"):
                end += 1
            out.append(_table(lines[i:end]))
            i = end
        elif line.startswith("- "):
            end = i + 1
            while end < len(lines):
                following = lines[end]
                if following.startswith(("- ", " ")) and following.strip():
                    end += 1
                elif not following.strip():
                    nxt = next((lines[j] for j in range(end, len(lines)) if lines[j].strip()), "")
                    if not nxt.startswith(("- ", " ")):
                        break
                    end += 1
                else:
                    break
            out.append(_list(lines[i:end]))
            i = end
        else:
            end = i + 1
            while end < len(lines) and lines[end].strip() and not lines[end].startswith(BLOCK_START):
                end += 1
            out.append(f'<p class="govuk-body">{_inline(" ".join(part.strip() for part in lines[i:end]))}</p>')
            i = end
    return "".join(out)


@lru_cache(maxsize=1)
def guide_html() -> str:
    return _blocks(guide_text().splitlines())


@require("import")
def case_file_guide(request, service):
    """The case-file guide, with the import page's own words on getting a case file."""
    return render(request, "spreadsheets/guide.html", {"service": service, "section": "import", "guide": mark_safe(guide_html())})  # noqa: S308 — every text escaped above
