"""A check's message, read once and written for every place a student sees it.

The harness writes messages as lines: the verdict first (``softmax(X) for X float32 (4, 5) is
wrong: ...``), then, where they help, ``  expected ...`` / ``  got ...``, ``  hint: ...`` and the
book section ``  [§3.6.2 ...]``. :func:`parse` splits a message into those parts; :func:`text`,
:func:`markdown` and :func:`html` write the same parts for the nbgrader feedback, the Markdown pages
and results.json, and the HTML pages. Nothing else formats a message.

Pure text: this module imports nothing heavy (the nbgrader kernel imports it).
"""
from __future__ import annotations

import dataclasses
import html as _html
import re
import textwrap

WIDTH = 100          # plain text is wrapped at this width (the nbgrader feedback, terminals)

_HINT = re.compile(r"^\s*hint:\s*(.*)$", re.I)
_PAIR = re.compile(r"^\s+(expected|got)\b:?\s?(.*)$")
_CITE = re.compile(r"^\s*\[(§[^\]]*)\]\s*$")
_SECTION = re.compile(r"§(\d+(?:\.\d+)+)")


@dataclasses.dataclass(frozen=True)
class Part:
    kind: str          # "text", "pair" (expected / got), "hint", "cite"
    text: str
    label: str = ""    # "expected" or "got" for a pair
    indented: bool = False


@dataclasses.dataclass
class Message:
    parts: list

    @property
    def first_line(self) -> str:
        """The verdict: the first line of text (what the index shows)."""
        return next((p.text for p in self.parts if p.kind == "text" and p.text.strip()), "")

    @property
    def hints(self) -> list[str]:
        return [p.text for p in self.parts if p.kind == "hint"]

    @property
    def cite(self) -> str:
        return next((p.text for p in self.parts if p.kind == "cite"), "")

    @property
    def section(self) -> str:
        """The book section the message names (``"3.6.2"``), or ``""``."""
        found = _SECTION.search(self.cite) or _SECTION.search(self.first_line)
        return found.group(1) if found else ""

    def blocks(self):
        """Parts grouped for writing: ``("text", [parts])``, ``("pairs", [parts])``, ``("hint", part)``, ``("cite",
        part)``; consecutive expected/got lines form one aligned block, consecutive lines one paragraph."""
        out: list = []
        for p in self.parts:
            group = {"text": "text", "pair": "pairs"}.get(p.kind)
            if group and out and out[-1][0] == group and not (group == "text" and not p.text.strip()):
                out[-1][1].append(p)
            elif group == "text" and not p.text.strip():
                continue
            elif group:
                out.append((group, [p]))
            else:
                out.append((p.kind, p))
        return out


def parse(message: str) -> Message:
    parts = []
    for line in str(message or "").replace("\r\n", "\n").split("\n"):
        if m := _HINT.match(line):
            parts.append(Part("hint", m.group(1).strip()))
        elif m := _CITE.match(line):
            parts.append(Part("cite", m.group(1).strip()))
        elif m := _PAIR.match(line):
            parts.append(Part("pair", m.group(2).strip(), label=m.group(1)))
        else:
            parts.append(Part("text", line.strip(), indented=line[:1].isspace()))
    while parts and parts[-1].kind == "text" and not parts[-1].text:
        parts.pop()
    return Message(parts)


def first_line(message: str) -> str:
    return parse(message).first_line


def _book_line(cite: str, links: dict | None) -> list[str]:
    if not links:
        return [f"book: {cite}"]
    zh, en = links["zh"], links["en"]
    return [f"book: §{zh['number']} {zh['title']}  {zh['url']}",
            f"      d2l.ai §{en['number']} {en['title']}  {en['url']}"]


def section_links(message: Message) -> dict | None:
    if not message.section:
        return None
    from autograder.grading.booklinks import links
    try:
        return links(message.section)
    except (KeyError, IndexError, ValueError):
        return None


def text(message: str | Message, *, heading: str = "", width: int = WIDTH) -> str:
    """Plain text: the verdict wrapped, expected/got aligned, hints and the book's pages on lines of their own
    (what the nbgrader feedback and a terminal show)."""
    msg = message if isinstance(message, Message) else parse(message)
    lines = [heading] if heading else []
    wrap = lambda s, first="", rest="": textwrap.wrap(s, width, initial_indent=first, subsequent_indent=rest,  # noqa
                                                      break_long_words=False, break_on_hyphens=False) or [first]
    for kind, block in msg.blocks():
        if kind == "text":
            for p in block:
                lines += wrap(p.text, "  " if p.indented else "", "  " if p.indented else "")
        elif kind == "pairs":
            pad = max(len(p.label) for p in block)
            lines += [f"  {p.label:<{pad}} {p.text}" for p in block]
        elif kind == "hint":
            lines += wrap(block.text, "  hint: ", "        ")
        elif kind == "cite":
            lines += ["  " + line for line in _book_line(block.text, section_links(msg))]
    return "\n".join(lines)


_MD_SPECIAL = re.compile(r"([\\`*<>])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|^#")


def md_escape(s: str) -> str:
    """Escape what Markdown would read as markup, and only that, so that the text stays readable as it is:
    intraword underscores (``init_rnn_state``) and brackets (``[[1, 2], [3, 4]]``) stay, unless brackets could
    make a link."""
    s = _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), s)
    return re.sub(r"([\[\]])", r"\\\1", s) if "](" in s or "][" in s else s


def fence(lines: list[str]) -> list[str]:
    ticks = "```"
    while any(ticks in line for line in lines):
        ticks += "`"
    return [ticks + "text", *lines, ticks]


def markdown(message: str | Message, *, book: bool = True) -> str:
    """Markdown (the feedback pages and Gradescope's results.json): the verdict as a paragraph, expected/got in an
    aligned block, the hint as a quote, the book's pages as links (``book=False``: left out, where the page shows
    them already)."""
    msg = message if isinstance(message, Message) else parse(message)
    out: list[str] = []
    for kind, block in msg.blocks():
        if kind == "text":
            if any(p.indented for p in block[1:]) or (len(block) > 1 and block[0].indented):
                out += fence([("  " if p.indented else "") + p.text for p in block])
            else:
                out.append("  \n".join(md_escape(p.text) for p in block))
        elif kind == "pairs":
            pad = max(len(p.label) for p in block)
            out += fence([f"{p.label:<{pad}} {p.text}" for p in block])
        elif kind == "hint":
            out.append(f"> **Hint:** {md_escape(block.text)}")
        elif kind == "cite" and not book:
            continue
        elif kind == "cite":
            links = section_links(msg)
            if links:
                zh, en = links["zh"], links["en"]
                out.append(f"Book: [§{zh['number']} {md_escape(zh['title'])}]({zh['url']}) · "
                           f"[d2l.ai §{en['number']} {md_escape(en['title'])}]({en['url']})")
            else:
                out.append(f"Book: {md_escape(block.text)}")
        out.append("")
    return "\n".join(out).strip()


def _h(s: str) -> str:
    return _html.escape(s, quote=True)


def html(message: str | Message, *, book: bool = True) -> str:
    """HTML (the feedback pages): a paragraph per run of lines, expected/got as an aligned two-column block, the
    hint in an aside, the book's pages as links (``book=False``: left out, where the page shows them already)."""
    msg = message if isinstance(message, Message) else parse(message)
    out = []
    for kind, block in msg.blocks():
        if kind == "text":
            if any(p.indented for p in block):
                out.append("<pre class='msg-pre'>" + _h("\n".join(("  " if p.indented else "") + p.text
                                                                  for p in block)) + "</pre>")
            else:
                out.append("<p class='msg-text'>" + "<br>".join(_h(p.text) for p in block) + "</p>")
        elif kind == "pairs":
            rows = "".join(f"<dt class='pair-{_h(p.label)}'>{_h(p.label)}</dt><dd><code>{_h(p.text)}</code></dd>"
                           for p in block)
            out.append(f"<dl class='pairs'>{rows}</dl>")
        elif kind == "hint":
            out.append(f"<aside class='hint'><strong>Hint</strong> {_h(block.text)}</aside>")
        elif kind == "cite" and book:
            links = section_links(msg)
            if links:
                zh, en = links["zh"], links["en"]
                out.append(f"<p class='msg-book'>Book: <a href='{_h(zh['url'])}'>§{_h(zh['number'])} "
                           f"<span lang='zh-Hans'>{_h(zh['title'])}</span></a> · <a href='{_h(en['url'])}'>d2l.ai "
                           f"§{_h(en['number'])} {_h(en['title'])}</a></p>")
            else:
                out.append(f"<p class='msg-book'>Book: {_h(block.text)}</p>")
    return "\n".join(out)
