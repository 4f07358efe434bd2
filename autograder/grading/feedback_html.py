"""The HTML feedback pages: self-contained (one small inlined stylesheet, no script, no external asset), so they
work offline, attached to an email and inside Gradescope's and an LMS's viewers.

Pass, fail and skip are told by colour and by text (a badge that says "Failed", an icon, a border
style), so a page reads in black and white and with a screen reader. Long messages wrap; nothing is
wider than the window, down to a phone's 360 px.
"""
from __future__ import annotations

import html
import re

from autograder.grading import feedback_text
from autograder.grading.feedback import STATUS_TEXT, STOPPED_NOTE, ExerciseView, Report, status_line, unit

FONTS = ('system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", '
         '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", '
         '"WenQuanYi Micro Hei", sans-serif')
MONO = ('ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", '
        '"Noto Sans Mono CJK SC", monospace')

CSS = """
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--pass:#116329;--pass-bg:#dafbe1;
--fail:#b3261e;--fail-bg:#ffebe9;--skip:#59636e;--skip-bg:#eff2f5;--hint:#fff8c5;--hint-line:#9a6700;--link:#0550ae}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--ink);background:#fff;font:15px/1.55 FONTS}
main{max-width:980px;margin:0 auto;padding:20px 18px 48px}
a{color:var(--link)}
code,pre,kbd{font-family:MONO;font-size:.9em}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.4rem 0}
p,li,dd,dt,h1,h2,h3,summary,figcaption,td{overflow-wrap:anywhere}
img{max-width:100%;height:auto}
h1{font-size:1.6rem;line-height:1.25;margin:.2rem 0 .4rem}
h2{font-size:1.2rem;margin:1.8rem 0 .5rem}
h3{font-size:1rem;margin:0}
.eyebrow{color:var(--muted);font-size:.85rem;margin:0}
.crumbs{font-size:.9rem;color:var(--muted);margin-bottom:.6rem}
.score{display:flex;flex-wrap:wrap;align-items:baseline;gap:.2rem .8rem;margin:.3rem 0}
.score .big{font-size:2.2rem;font-weight:700;letter-spacing:-.01em}
.score .pct{color:var(--muted)}
.bar{height:10px;background:var(--skip-bg);border:1px solid var(--line);border-radius:5px;overflow:hidden;
max-width:520px}
.bar>span{display:block;height:100%;background:var(--pass)}
.bar.small{height:7px;width:120px;flex:none}
.summary{margin:.6rem 0 0}
.stopped{border:2px solid var(--fail);background:var(--fail-bg);padding:.5rem .8rem;border-radius:6px;font-weight:600}
.overview{list-style:none;padding:0;margin:1rem 0;border-top:1px solid var(--line)}
.overview li{display:flex;flex-wrap:wrap;align-items:center;gap:.2rem .8rem;padding:.3rem 0;
border-bottom:1px solid var(--line)}
.overview .name{flex:1 1 16rem;min-width:0}
.overview .pts{font-variant-numeric:tabular-nums;min-width:5.5rem;text-align:right}
.overview .todo{flex:1 1 100%;font-size:.88rem;color:var(--muted);margin:-.1rem 0 .1rem}
.chapter-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:.2rem .8rem;border-bottom:2px solid var(--ink);
padding-bottom:.25rem;margin-top:2rem}
.chapter-head h2{margin:0;flex:1 1 18rem}
.chapter-head .pts{font-weight:600;font-variant-numeric:tabular-nums}
.en{color:var(--muted);font-weight:400}
.label{font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);margin:1rem 0 .3rem}
ul.fails{list-style:none;padding:0;margin:0}
ul.fails>li{border:1px solid var(--line);border-left:6px solid var(--fail);border-radius:6px;
padding:.45rem .7rem;margin:.45rem 0}
.ex-head{display:flex;flex-wrap:wrap;align-items:center;gap:.2rem .6rem}
.ex-head .pts{margin-left:auto;font-variant-numeric:tabular-nums}
details{margin-top:.25rem}
details>summary{cursor:pointer;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;color:var(--ink)}
details[open]>summary{white-space:normal}
details>.msg{margin:.4rem 0 .2rem 1rem}
ul.chips{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.35rem}
ul.chips a{display:inline-block;border:1px solid var(--pass);background:var(--pass-bg);color:var(--pass);
border-radius:4px;padding:.05rem .45rem;text-decoration:none;font-size:.9rem}
ul.chips a:hover,ul.chips a:focus{text-decoration:underline}
ul.skips{padding-left:1.2rem;margin:.2rem 0;color:var(--muted)}
.badge{display:inline-flex;align-items:center;gap:.25em;font-size:.78rem;font-weight:700;text-transform:uppercase;
letter-spacing:.04em;border:1.5px solid;border-radius:4px;padding:0 .4em;white-space:nowrap}
.badge.failed{color:var(--fail);background:var(--fail-bg)}
.badge.passed{color:var(--pass);background:var(--pass-bg)}
.badge.skipped{color:var(--skip);background:var(--skip-bg);border-style:dashed}
.book{margin:.4rem 0}
.contract{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:.7rem 1rem}
.contract h2{margin-top:0}
.contract .sig{font-weight:600;margin:.2rem 0 .6rem}
.contract .doc p{margin:.45rem 0}
.contract .doc pre{background:#fff;border:1px solid var(--line);border-radius:4px;padding:.4rem .6rem}
.contract .where{font-size:.85rem;color:var(--muted);margin:.4rem 0 0}
.card{border:1px solid var(--line);border-left:6px solid;border-radius:6px;padding:.6rem .9rem;margin:.8rem 0}
.card.failed{border-left-color:var(--fail)}
.card.passed{border-left-color:var(--pass)}
.card.skipped{border-left-style:dashed;border-left-color:var(--skip)}
.card-head{display:flex;flex-wrap:wrap;align-items:center;gap:.2rem .6rem}
.card-head .tags{color:var(--muted);font-size:.88rem;margin-left:auto}
.clause{margin:.3rem 0 0;color:var(--muted);font-size:.92rem}
.msg{margin-top:.35rem}
.msg p{margin:.35rem 0}
.msg-pre{background:var(--soft);border-radius:4px;padding:.3rem .6rem}
dl.pairs{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.1rem .8rem;background:var(--soft);
border:1px solid var(--line);border-radius:4px;padding:.4rem .7rem;margin:.45rem 0}
dl.pairs dt{font-weight:700;color:var(--muted)}
dl.pairs dd{margin:0;min-width:0}
dl.pairs dd code{white-space:pre-wrap;overflow-wrap:anywhere}
aside.hint{border-left:4px solid var(--hint-line);background:var(--hint);padding:.4rem .7rem;
border-radius:0 4px 4px 0;
margin:.45rem 0}
aside.hint strong{margin-right:.3rem}
.msg-book{font-size:.88rem;color:var(--muted)}
figure{margin:.7rem 0 .2rem}
figure img{display:block;border:1px solid var(--line);border-radius:4px;background:#fff}
figcaption{font-size:.88rem;color:var(--muted);margin-top:.3rem}
.noplot{border:1px dashed var(--line);border-radius:4px;padding:.5rem .7rem;color:var(--muted)}
.printed{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:.5rem .7rem;
max-height:24rem;overflow:auto}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
footer{margin-top:2.5rem;font-size:.85rem;color:var(--muted)}
@media (max-width:560px){body{font-size:14.5px}main{padding:12px 10px 32px}.score .big{font-size:1.8rem}
.card-head .tags,.ex-head .pts{margin-left:0;flex-basis:100%}}
@media print{details>summary{white-space:normal}a{color:inherit}}
""".replace("FONTS", FONTS).replace("MONO", MONO).strip()

ICON = {"failed": "✗", "passed": "✓", "skipped": "–"}


def h(s) -> str:
    return html.escape(str(s), quote=True)


def _pts(earned: float, worth: float) -> str:
    return f"{earned:g} / {worth:g}"


def badge(outcome: str) -> str:
    return (f"<span class='badge {outcome}'><span aria-hidden='true'>{ICON[outcome]}</span>"
            f"{STATUS_TEXT[outcome]}</span>")


def bar(earned: float, worth: float, small: bool = False) -> str:
    pct = 100.0 * earned / worth if worth else 0.0
    return (f"<div class='bar{' small' if small else ''}' aria-hidden='true'><span style='width:{pct:.1f}%'></span>"
            "</div>")


def page(title: str, body: str, lang: str = "en") -> str:
    return (f"<!doctype html>\n<html lang='{lang}'>\n<head>\n<meta charset='utf-8'>\n"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
            f"<title>{h(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n"
            "</body>\n</html>\n")


def zh(text: str) -> str:
    return f"<span lang='zh-Hans'>{h(text)}</span>"


def _chapter_title(ch) -> str:
    return f"{h(ch.chapter)} {zh(ch.zh_title)} <span class='en'>{h(ch.en_title)}</span>"


# --- the index ----------------------------------------------------------------------------------------------------

def _failing_item(e: ExerciseView) -> str:
    first = e.failed[0]
    more = (f"<p class='more'>{len(e.failed) - 1} more failing check{'s' if len(e.failed) > 2 else ''}: "
            + ", ".join(f"<code>{h(c.name)}</code>" for c in e.failed[1:]) + "</p>") if len(e.failed) > 1 else ""
    return (f"<li class='ex failed' id='{h(e.chapter)}-{h(e.label)}'>"
            f"<div class='ex-head'>{badge('failed')} <a href='{h(e.page)}.html'><code>{h(e.label)}</code></a>"
            f"<span class='sec'>§{h(e.section)} {zh(e.book['zh']['title']) if e.book else ''}</span>"
            f"<span class='pts'>{_pts(e.earned, e.worth)} {unit(e.worth)}</span></div>"
            f"<details><summary><code>{h(first.name)}</code>: {h(first.message.first_line)}</summary>"
            f"<div class='msg'>{feedback_text.html(first.message, book=False)}{more}"
            f"<p><a href='{h(e.page)}.html'>Every check of <code>{h(e.label)}</code>, with its contract →</a></p>"
            "</div></details></li>")


def _chapter_section(ch) -> str:
    out = [f"<section id='{h(ch.chapter)}' aria-labelledby='{h(ch.chapter)}-title'>",
           f"<div class='chapter-head'><h2 id='{h(ch.chapter)}-title'>{_chapter_title(ch)}</h2>"
           f"{bar(ch.earned, ch.worth, small=True)}<span class='pts'>{_pts(ch.earned, ch.worth)} points</span></div>"]
    if ch.failing:
        out += [f"<p class='label'>To fix ({len(ch.failing)})</p>", "<ul class='fails'>",
                *[_failing_item(e) for e in ch.failing], "</ul>"]
    if ch.passing:
        out += [f"<p class='label'>Passing ({len(ch.passing)})</p>", "<ul class='chips'>"]
        out += [f"<li><a href='{h(e.page)}.html'><span aria-hidden='true'>✓</span> <code>{h(e.label)}</code> "
                f"{_pts(e.earned, e.worth)}<span class='visually-hidden'> passed</span></a></li>" for e in ch.passing]
        out.append("</ul>")
    if ch.skipped_checks:
        out += ["<p class='label'>Not counted</p>", "<ul class='skips'>"]
        out += [f"<li>{badge('skipped')} <a href='{h(e.page)}.html'><code>{h(e.label)}</code></a> "
                f"<code>{h(c.name)}</code>: {h(c.message.first_line)}</li>" for e, c in ch.skipped_checks]
        out.append("</ul>")
    out.append("</section>")
    return "\n".join(out)


def index_page(report: Report) -> str:
    body = [f"<header><p class='eyebrow'>d2l-exercises · feedback</p><h1>{h(report.student)}</h1>",
            f"<p class='score'><span class='big'>{_pts(report.score, report.max_score)}</span> "
            f"<span>points</span><span class='pct'>{report.percent:.0f} %</span></p>",
            bar(report.score, report.max_score),
            f"<p class='summary'>{h(status_line(report))}.</p></header>"]
    if report.stopped:
        body.append(f"<p class='stopped' role='alert'>{h(STOPPED_NOTE)}</p>")
    body.append("<nav aria-label='Chapters'><ol class='overview'>")
    for ch in report.chapters:
        todo = ("<span class='todo'>to fix: " + ", ".join(f"<a href='#{h(e.chapter)}-{h(e.label)}'><code>{h(e.label)}"
                                                           "</code></a>" for e in ch.failing) + "</span>"
                if ch.failing else "")
        skipped = len(ch.skipped_checks)
        if skipped:
            todo += f"<span class='todo'>{skipped} check{'s' if skipped != 1 else ''} not counted (skipped)</span>"
        body.append(f"<li><a class='name' href='#{h(ch.chapter)}'>{h(ch.chapter)} {zh(ch.zh_title)}</a>"
                    f"{bar(ch.earned, ch.worth, small=True)}<span class='pts'>{_pts(ch.earned, ch.worth)}</span>"
                    f"{todo}</li>")
    body.append("</ol></nav>")
    body += [_chapter_section(ch) for ch in report.chapters]
    if report.notes:
        body.append(f"<section aria-labelledby='notes'><h2 id='notes'>Grader notes</h2><details><summary>"
                    f"{len(report.notes)} note{'s' if len(report.notes) != 1 else ''} on how the submission was read "
                    "and run</summary><ul>" + "".join(f"<li>{h(n)}</li>" for n in report.notes) +
                    "</ul></details></section>")
    if report.output.strip():
        body.append("<section aria-labelledby='printed'><h2 id='printed'>What your code printed</h2>"
                    f"<pre class='printed'>{h(report.output[:2000])}</pre>"
                    "<p class='eyebrow'>The start; all of it is in output.txt.</p></section>")
    return page(f"{report.student}: {_pts(report.score, report.max_score)} points", "\n".join(body))


# --- an exercise --------------------------------------------------------------------------------------------------

_CODE = re.compile(r"``(.+?)``|`([^`]+)`")


def _inline(text: str) -> str:
    out, last = [], 0
    for m in _CODE.finditer(text):
        out.append(h(text[last:m.start()]))
        out.append(f"<code>{h(m.group(1) or m.group(2))}</code>")
        last = m.end()
    out.append(h(text[last:]))
    return "".join(out)


def docstring_html(doc: str) -> str:
    """The docstring as paragraphs, lists and literal blocks (the reStructuredText it is written in, simply)."""
    out = []
    for para in re.split(r"\n\s*\n", doc.strip()):
        lines = para.split("\n")
        if all(line.startswith((" ", "\t")) or not line.strip() for line in lines):
            out.append(f"<pre><code>{h(chr(10).join(line[4:] if line.startswith('    ') else line for line in lines))}"
                       "</code></pre>")
        elif lines[0].lstrip().startswith(("- ", "* ")):
            items: list = []
            for line in lines:
                if line.lstrip().startswith(("- ", "* ")):
                    items.append(line.lstrip()[2:])
                elif items:
                    items[-1] += " " + line.strip()
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
        else:
            text = " ".join(line.strip() for line in lines)
            out.append(f"<p>{_inline(text[:-1] if text.endswith('::') else text)}</p>")
    return "\n".join(out)


def _check_card(e: ExerciseView, c, i: int) -> str:
    cid = f"check-{i}"
    parts = [f"<article class='card {c.outcome}' aria-labelledby='{cid}'>",
             f"<div class='card-head'>{badge(c.outcome)} <h3 id='{cid}'><code>{h(c.name)}</code></h3>"
             f"<span class='tags'>{h(c.tags)}</span></div>"]
    if c.clauses:
        said = "; ".join(_inline(text) for _, text in c.clauses)
        parts.append(f"<p class='clause'>Clause of the contract: {said}</p>")
    message = feedback_text.html(c.message, book=False)
    if message:
        parts.append(f"<div class='msg'>{message}</div>")
    if c.plot:
        parts.append(f"<figure><img src='{h(c.plot)}' alt='{h(c.plot_summary.alt)}' width='760'>"
                     "<figcaption>" + " ".join(h(line) for line in c.plot_summary.lines) + "</figcaption></figure>")
    elif c.plot_missing:
        parts.append(f"<p class='noplot'>{h(c.plot_missing)}</p>")
    parts.append("</article>")
    return "\n".join(parts)


def _book_links(e: ExerciseView) -> str:
    if not e.book:
        return f"<p class='book'>Book: §{h(e.section)}</p>"
    zh_link, en_link = e.book["zh"], e.book["en"]
    return (f"<p class='book'>Book: <a href='{h(zh_link['url'])}'>§{h(e.section)} {zh(zh_link['title'])}</a> "
            f"(zh.d2l.ai) · <a href='{h(en_link['url'])}'>§{h(en_link['number'])} {h(en_link['title'])}</a> "
            "(d2l.ai)</p>")


def exercise_page(report: Report, e: ExerciseView) -> str:
    chapter = next(ch for ch in report.chapters if ch.chapter == e.chapter)
    failed, counted = len(e.failed), len(e.counted)
    tally = (f"{failed} of {counted} checks failed" if failed else f"all {counted} checks passed" if counted
             else "no check counted")
    if e.skipped:
        tally += f"; {len(e.skipped)} skipped, not counted"
    body = [f"<nav class='crumbs' aria-label='Breadcrumb'><a href='../index.html'>← {h(report.student)}: all "
            f"exercises</a> · <a href='../index.html#{h(e.chapter)}'>{_chapter_title(chapter)}</a></nav>",
            f"<header><h1><code>{h(e.label)}</code> {badge(e.status)}</h1>",
            f"<p class='score'><span class='big'>{_pts(e.earned, e.worth)}</span><span>{unit(e.worth)}</span>"
            f"<span class='pct'>{h(tally)}</span></p>",
            _book_links(e) + "</header>"]
    if e.contract:
        methods = "".join(f"\n    def {m}" for m in e.contract.methods)
        body.append("<section class='contract' aria-labelledby='contract'><h2 id='contract'>Contract</h2>"
                    f"<pre class='sig'><code>{h(e.contract.signature + methods)}</code></pre>"
                    f"<div class='doc'>{docstring_html(e.contract.docstring)}</div>"
                    f"<p class='where'>In <code>{h(e.contract.path)}</code>.</p></section>")
    body.append("<section aria-labelledby='checks'><h2 id='checks'>Checks</h2>")
    body += [_check_card(e, c, i) for i, c in enumerate(e.checks, start=1)]
    body.append("</section>")
    body.append("<footer>Messages of hidden checks are shown; their code is not. "
                "<a href='../index.html'>Back to all exercises</a>.</footer>")
    return page(f"{e.chapter} {e.label}: {_pts(e.earned, e.worth)} points", "\n".join(body))
