"""The little Markdown that hints, messages and feedback use: `code` and **bold**.

Course texts are written once, with Markdown marks, and shown two ways: as
HTML in a notebook (`html`) and as plain text in a terminal or nbval output
(`plain`), where the marks would only be noise.
"""

from __future__ import annotations

import re
from html import escape

# `code` first, so that ** inside code stays as typed
_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")


def html(text: str) -> str:
    """`replicas: 3` -> <code>replicas: 3</code>; **not** -> <b>not</b>; the rest escaped."""
    out, last = [], 0
    for match in _CODE.finditer(text):
        out.append(_bold_html(text[last:match.start()]))
        out.append(f"<code>{escape(match[1])}</code>")
        last = match.end()
    out.append(_bold_html(text[last:]))
    return "".join(out)


def _bold_html(text: str) -> str:
    return _BOLD.sub(lambda m: f"<b>{m[1]}</b>", escape(text))


def plain(text: str) -> str:
    """The text without its marks: `replicas: 3` -> replicas: 3, **not** -> not."""
    out, last = [], 0
    for match in _CODE.finditer(text):
        out.append(_BOLD.sub(r"\1", text[last:match.start()]))
        out.append(match[1])
        last = match.end()
    out.append(_BOLD.sub(r"\1", text[last:]))
    return "".join(out)
