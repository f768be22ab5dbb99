"""The parser's inlined scalar path gives exactly what its general path gives.

Untagged scalars inside a mapping or list take an inlined copy of the general
path (the event walk's hot spot); every other event takes the general one.
Both must agree on every document (values, spans, YAML 1.1 traps) and every
finding, or a speed-up would change what a learner is told.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.realistic import documents
from k8s_course import source

ROOT = Path(__file__).parent.parent
FEATURES = """\
base: &base {a: 1, b: [x, z]}
merged:
  <<: *base
  a: 2
odd: {1: one, true: yes, null: ~, 0755: octal, 12:30: clock}
tagged: !!str 123
quoted: ["no", 'off', "0x1f"]
traps: [no, off, y, 0755, 1e3, .inf, 0x1f, 12:30:45, 2001-12-14]
same: 1
same: 2
nested: [[1, [2, {deep: [3]}]], {k: v}]
? [complex, key]
: value
empty:
unknown: !custom thing
alias: *base
""" + "---\n- a list\n---\nplain\n---\n"


def _inputs() -> list[tuple[str, bytes]]:
    found = [(str(path.relative_to(ROOT)), path.read_bytes())
             for folder in ("tests/corpus", "tests/hostile", "exercises")
             for path in sorted((ROOT / folder).rglob("*"))
             if path.suffix in (".yaml", ".yml", ".json")]
    found.append(("features", FEATURES.encode()))
    found.append(("realistic", "---\n".join(documents(300)).encode()))
    return found


def _parse(name: str, data: bytes) -> tuple:
    text, problems = source.decode(name, data)
    if text is None:
        return (), problems
    docs, findings = source.parse(text)
    return ([(d.index, repr(d.value), d.line, d.column, d.spans, d.traps) for d in docs],
            problems + findings)


# Named by file: an id made from the bytes would be escaped anew by each pytest session
# in one process, and mutmut's workers could then not find the tests by name.
@pytest.mark.parametrize("name, data", [pytest.param(*case, id=case[0]) for case in _inputs()])
def test_the_inlined_path_matches_the_general_one(name, data, monkeypatch):
    inlined = _parse(name, data)
    monkeypatch.setattr(source, "INLINE_SCALARS", False)
    assert _parse(name, data) == inlined


def test_the_features_input_takes_both_paths():
    """The comparison above means something only if both paths really run."""
    text = source.Source("features", FEATURES)
    docs, findings = source.parse(text)
    rules = {f.rule for f in findings}
    assert {"yaml-duplicate-key", "yaml-non-string-key", "yaml-complex-key"} <= rules
    assert docs[0].value["merged"] == {"a": 2, "b": ["x", "z"]}
    assert docs[0].traps  # YAML 1.1 spellings were recorded
