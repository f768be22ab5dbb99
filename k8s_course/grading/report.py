"""The class at a glance: the gradebook as one HTML page, for the instructor.

A grid of learners x exercises coloured by score (red to green; grey: not
handed in), each exercise's most common failing checks, and under the grid
every learner's feedback, one click away from their cells. The page is
self-contained (no script, no fetch), so it can be mailed or opened offline.
Everything a learner wrote (names, messages) is escaped.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from pathlib import Path

from .batch import GRADED

TOP_FAILURES = 3
# scoped to the report's own element, so it can sit inside a notebook's page too
_STYLE = """<style>
.k8sc-book{font-family:system-ui,sans-serif;color:#222}
.k8sc-book table{border-collapse:collapse;font-size:13px}
.k8sc-book th,.k8sc-book td{border:1px solid #ccc;padding:3px 6px;text-align:center}
.k8sc-book th.ex{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap}
.k8sc-book td.name{text-align:left;white-space:nowrap}
.k8sc-book td a{color:inherit;text-decoration:none;display:block}
.k8sc-book .missing{background:#eee;color:#999}
.k8sc-book pre{background:#f6f6f6;padding:6px;white-space:pre-wrap}
.k8sc-book .problem{color:#b00020}
</style>"""


def _colour(score: int, maximum: int) -> str:
    """Red (0) through yellow to green (full marks), light enough to read text on."""
    hue = 120 * score // maximum if maximum else 0
    return f"hsl({hue},70%,80%)"


def common_failures(book: dict) -> dict[str, list[tuple[str, int]]]:
    """exercise -> its most often failed checks, with how many learners failed each."""
    counts: dict[str, Counter] = {exercise: Counter() for exercise in book["exercises"]}
    for record in book["learners"].values():
        best: dict[str, tuple[int, list[str]]] = {}
        for sub in record["submissions"]:
            # of hand-ins that tie, the first counts: the one the learner's cell links to
            if sub["status"] == GRADED and sub["score"] > best.get(sub["exercise"], (-1, []))[0]:
                best[sub["exercise"]] = (sub["score"], sub["failed"])
        for exercise, (_, failed) in best.items():
            counts[exercise].update(failed)
    return {exercise: count.most_common(TOP_FAILURES) for exercise, count in counts.items()}


def render_report(book: dict, title: str = "Gradebook") -> str:
    """The gradebook's HTML page."""
    return (f"<!doctype html><meta charset='utf-8'><title>{escape(title)}</title>\n"
            f"<h1>{escape(title)}</h1>\n{render_book(book)}")


def render_book(book: dict) -> str:
    """The report itself, an HTML fragment (a notebook shows it with IPython's HTML)."""
    exercises = list(book["exercises"])
    learners = list(book["learners"].items())
    parts = [f"{_STYLE}<div class='k8sc-book'>",
             f"<p>{len(learners)} learners, {len(exercises)} exercises, "
             f"{sum(book['exercises'].values())} points.</p>", "<table><tr><th>learner</th>"]
    parts += [f"<th class='ex' title='{escape(e)}'>{escape(e)}</th>" for e in exercises]
    parts.append("<th>total</th></tr>")
    for number, (learner, record) in enumerate(learners):
        row = [f"<tr><td class='name'><a href='#l{number}'>{escape(learner)}</a></td>"]
        for column, exercise in enumerate(exercises):
            maximum = book["exercises"][exercise]
            score = record["scores"].get(exercise)
            if score is None:
                row.append("<td class='missing'>–</td>")
            else:
                row.append(f"<td style='background:{_colour(score, maximum)}'>"
                           f"<a href='#l{number}-{column}'>{score}</a></td>")
        row.append(f"<td>{record['total']}/{record['maximum']}</td></tr>")
        parts.append("".join(row))
    parts.append("</table><h2>Most common failing checks</h2><ul>")
    for exercise, failures in common_failures(book).items():
        said = ", ".join(f"<code>{escape(check)}</code> ({count})" for check, count in failures)
        parts.append(f"<li><b>{escape(exercise)}</b>: {said or 'none'}</li>")
    parts.append("</ul><h2>Feedback</h2>")
    columns = {exercise: column for column, exercise in enumerate(exercises)}
    for number, (learner, record) in enumerate(learners):
        parts.append(f"<h3 id='l{number}'>{escape(learner)}: {record['total']}/"
                     f"{record['maximum']}</h3>")
        parts += [f"<p class='problem'>{escape(problem)}</p>" for problem in record["problems"]]
        anchored = set()
        for sub in record["submissions"]:
            exercise = sub["exercise"]
            if sub["status"] != GRADED:
                continue
            anchor = ""
            if exercise not in anchored and sub["score"] == record["scores"].get(exercise):
                anchored.add(exercise)  # the cell links to the submission that counted
                anchor = f" id='l{number}-{columns[exercise]}'"
            # open unless full marks: what to talk to the learner about is on show
            opened = "" if sub["score"] == sub["maximum"] else " open"
            parts.append(f"<details{anchor}{opened}><summary>{escape(sub['exercise'])}: "
                         f"{sub['score']}/{sub['maximum']} ({escape(sub['file'])})</summary>"
                         f"<pre>{escape(sub['feedback'])}</pre></details>")
    return "\n".join(parts) + "</div>\n"


def write_report(book: dict, out: Path) -> Path:
    """OUT/gradebook.html."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "gradebook.html"
    path.write_text(render_report(book), encoding="utf-8", errors="backslashreplace")
    return path
