"""Without libyaml, PyYAML's own parser gives the events, in its own words.

`source._Loader` falls back to `yaml.SafeLoader` where PyYAML was installed
without libyaml. Its error messages differ ("expected <block end>" where
libyaml says "did not find expected key"), so the explanations must match
both: a learner is told the same cause, the same hint, at the same place.
"""

from __future__ import annotations

import pytest
import yaml

from k8s_course import source
from k8s_course.source import Source, parse

from .test_source_findings import CONTROL

CANNOT = "YAML cannot read this: "
LINE_UP = ("line up entries of the same mapping at the same column, and list items (`- `) under "
           "their key at one column")
BRACKETS = "close every `[` with `]` and every `{` with `}`, with commas between items"
QUOTES = "put the value in quotes"
QUOTE = "add the closing quote (\" or ') at the end of the value"
SPACE = "put a space after the colon: `key: value`, not `key:value`"
INSIDE = ('quote values that contain `: ` (e.g. `command: "echo a: b"`), and line up keys of the '
          "same mapping at the same column")
COLON = "each field is `key: value`; a long text value needs quotes or a `|` block"
TABS = ("replace the tab with spaces (2 per level is usual); most editors can show tabs and "
        "convert them")


def both(text: str, monkeypatch) -> tuple[list, list]:
    """The findings with libyaml's parser, then with PyYAML's."""
    with_libyaml = parse(Source("f.yaml", text))[1]
    monkeypatch.setattr(source, "_Loader", yaml.SafeLoader)
    return with_libyaml, parse(Source("f.yaml", text))[1]


def explained(finding) -> tuple:
    """What the learner is told, without the parser's own words (which differ)."""
    cause = finding.message.rpartition("; ")[2] if finding.message.startswith(CANNOT) \
        else finding.message
    return finding.rule, finding.line, finding.column, cause, finding.hint


@pytest.mark.parametrize(("text", "line", "column", "cause", "hint"), [
    ("spec:\n  replicas: 1\n selector: x\n", 3, 2, "the indentation is inconsistent", LINE_UP),
    ("key: value\n- item\n", 2, 1, "the indentation is inconsistent", LINE_UP),
    ("a:\n  - b\n  c: d\n", 3, 3, "the indentation is inconsistent", LINE_UP),
    ("key: [a, b\n", 1, 6, "a bracket is not closed, or a comma is missing between items",
     BRACKETS),
    ("key: {a: 1\n", 1, 6, "a bracket is not closed, or a comma is missing between items",
     BRACKETS),
    ("a: @x\n", 1, 4, "values cannot start with @ or ` unless quoted", QUOTES),
    ("a: `x`\n", 1, 4, "values cannot start with @ or ` unless quoted", QUOTES),
    ("metadata:\n  name: 'web\nspec: {}\n", 2, 9, "a quote is opened but never closed", QUOTE),
    ("metadata:\n  name:web\n  labels: x\n", 3, 9,
     "a key is followed by a colon with no space after it", SPACE),
    ("command: echo a: b\n", 1, 16, "a colon followed by a space appears inside a value, or this "
     "line is indented deeper than the key above it", INSIDE),
    ("a: b\nthis is a long sentence\nc: d\n", 3, 1, "a line is missing its colon, or it "
     "continues a value that is indented wrongly", COLON),
    ("metadata:\n\tname: web\n", 2, 1,
     "a tab character is used for indentation; YAML allows only spaces", TABS),
    ("a:\n  b: 1\n\tc: 2\n", 3, 1,
     "a tab character is used for indentation; YAML allows only spaces", TABS),
])
def test_both_parsers_explain_a_mistake_alike(text, line, column, cause, hint, monkeypatch):
    with_libyaml, with_pyyaml = both(text, monkeypatch)
    expected = [("yaml-syntax", line, column, cause, hint)]
    assert [explained(f) for f in with_libyaml] == expected
    assert [explained(f) for f in with_pyyaml] == expected


@pytest.mark.parametrize(("text", "line", "column", "code"), [
    ("a: 😀 \x0b\n", 1, 6, "000B"),  # after a character of four bytes
    ("a: é\nb: \x01\x07\n", 2, 4, "0001"),
    ("a: 1\n---\nname: café\x01\n", 3, 11, "0001"),
])
def test_both_parsers_place_a_control_character_alike(text, line, column, code, monkeypatch):
    for findings in both(text, monkeypatch):
        assert [(f.rule, f.line, f.column, f.message, f.hint) for f in findings] == [
            ("yaml-control-character", line, column, f"the text contains the invisible "
             f"character U+{code}, which YAML does not allow", CONTROL)]


def test_both_parsers_give_the_same_documents(monkeypatch):
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {on: yes}}\n"
            "data:\n  mode: 0755\n  when: 12:30\n  <<: {extra: x}\n---\n- a list\n")
    with_libyaml = parse(Source("f.yaml", text))
    monkeypatch.setattr(source, "_Loader", yaml.SafeLoader)
    with_pyyaml = parse(Source("f.yaml", text))
    assert with_pyyaml == with_libyaml
    assert with_libyaml[0][0].traps == {("metadata", "labels", "on"): "yes",
                                        ("data", "mode"): "0755", ("data", "when"): "12:30"}
