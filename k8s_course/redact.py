"""Hide Secret values wherever the learner's own lines are shown back to them.

Reports print the source line a finding points at; in a Secret's `data` or
`stringData` that line may hold a password. Every line inside those sections
is shown with its value replaced, so no rendering can leak one.
"""

from __future__ import annotations

import re

from .bundle import Bundle
from .source import split_lines

MASK = "••••••"
SECRET_SECTIONS = ("data", "stringData")
_KEY = re.compile(r"^(\s*(?:-\s+)?[^\s:#][^:]*?:)(\s+|$)")


def is_secret_value(kind: str, path: tuple) -> bool:
    """Is this field of this kind a Secret value that must never be shown?

    The whole section counts: `data: c2VjcmV0`, a value pasted where the map
    of keys belongs, is still a secret.
    """
    return kind == "Secret" and bool(path) and path[0] in SECRET_SECTIONS


def _mask_line(line: str) -> str:
    match = _KEY.match(line)
    if match and line[match.end():].strip():
        return f"{match.group(1)} {MASK}"
    if match:
        return line
    indent = len(line) - len(line.lstrip())
    return line[:indent] + MASK if line.strip() else line


def _secret_lines(bundle: Bundle, lines_of: dict[str, list[str]]) -> dict[str, set[int]]:
    """1-based numbers of the lines, per file, that hold Secret values."""
    hidden: dict[str, set[int]] = {}
    for secret in bundle.of_kind("Secret"):
        document = secret.document
        all_lines = lines_of.get(document.file, [])
        for section in SECRET_SECTIONS:
            span = document.spans.get((section,))
            if span is None:
                continue
            key_line, key_column = span[0], span[1]
            numbers = hidden.setdefault(document.file, set())
            numbers.add(key_line)  # `data: {password: x}` keeps its values on this line
            for number in range(key_line + 1, len(all_lines) + 1):
                line = all_lines[number - 1]
                indent = len(line) - len(line.lstrip())
                if line.strip() and indent < key_column:  # `---` and `...` stand at column 0
                    break
                numbers.add(number)
    return hidden


def shown_lines(bundle: Bundle) -> dict[str, list[str]]:
    """Every source's lines as they may be shown: Secret values masked."""
    shown = {source.name: split_lines(source.text) for source in bundle.sources}
    for name, numbers in _secret_lines(bundle, shown).items():
        lines = shown[name]
        for number in numbers:
            if 0 < number <= len(lines):
                lines[number - 1] = _mask_line(lines[number - 1])
    return shown
