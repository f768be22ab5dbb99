"""Parsing: positions, duplicate keys, syntax errors, YAML-1.1 traps, hostile input."""

from __future__ import annotations

import pytest

from k8s_course.findings import Severity
from k8s_course.source import MAX_DEPTH, Source, decode, parse

from .conftest import yaml_text


def findings_of(text: str):
    return parse(Source("a.yaml", text))[1]


def only(findings, rule):
    matching = [f for f in findings if f.rule == rule]
    assert matching, f"expected {rule}, got {[f.rule for f in findings]}"
    return matching[0]


def test_multi_document_positions_point_at_the_right_line():
    text = yaml_text("""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: mlops
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: mlops
        data:
          color: blue
        """)
    documents, findings = parse(Source("a.yaml", text))
    assert findings == []
    assert [d.index for d in documents] == [0, 1]
    second = documents[1]
    assert second.value["data"] == {"color": "blue"}
    assert second.locate(("metadata", "namespace")) == (10, 3)
    assert second.locate(("data", "color"), key=False) == (12, 10)
    # a path that was never written falls back to its nearest written ancestor
    assert second.locate(("data", "missing")) == (11, 1)


def test_json_input_is_read_with_positions():
    text = '{"apiVersion": "v1",\n "kind": "Namespace",\n "metadata": {"name": "x"}}\n'
    documents, findings = parse(Source("a.json", text))
    assert findings == []
    assert documents[0].value["metadata"] == {"name": "x"}
    assert documents[0].locate(("kind",)) == (2, 2)


def test_duplicate_key_is_an_error_naming_both_lines():
    text = "metadata:\n  name: a\n  labels: {}\n  name: b\n"
    found = only(findings_of(text), "yaml-duplicate-key")
    assert found.severity is Severity.ERROR
    assert (found.line, found.column) == (4, 3)
    assert "line 2" in found.message and "line 4" in found.message


def test_keys_merged_with_anchor_are_not_duplicates():
    text = "base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  b: 3\n"
    documents, findings = parse(Source("a.yaml", text))
    assert findings == []
    assert documents[0].value["m"] == {"a": 1, "b": 3}


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ("metadata:\n\tname: web\n", 2, 1, "tab"),
    ("metadata:\n  name:web\n  labels: x\n", 3, 9, "no space after"),
    ("metadata:\n  name: 'web\nspec: {}\n", 2, 9, "quote is opened but never closed"),
    ("spec:\n  replicas: 1\n selector: x\n", 3, 2, "indentation"),
    ("spec:\n  replicas: 1\n    selector: x\n", 3, 13, "indented deeper"),
    # found only at the end of the file: point at the bracket left open
    ("data: [a, b\n", 1, 7, "bracket is not closed"),
    ("metadata: {name: web\n\n", 1, 11, "bracket is not closed"),
    ("data: [a, b\n# a comment after it\n...\n", 1, 7, "bracket is not closed"),
])
def test_syntax_errors_are_explained_with_their_position(text, line, column, words):
    found = only(findings_of(text), "yaml-syntax")
    assert (found.line, found.column) == (line, column)
    assert words in found.message


def test_a_syntax_error_does_not_hide_the_next_document():
    text = "a: 'open\n---\nkind: [\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"
    documents, findings = parse(Source("a.yaml", text))
    assert [f.line for f in findings if f.rule == "yaml-syntax"] == [1, 4]
    assert len(documents) == 1 and documents[0].value["kind"] == "Namespace"


@pytest.mark.parametrize(("spelling", "value"), [
    ("no", False), ("yes", True), ("on", True), ("off", False), ("0755", 493),
    ("y", True), ("N", False),  # booleans to kubectl's reader, though not to PyYAML
    ("12:30", "12:30"),  # base 60 is YAML 1.1 only: kubectl's reader keeps it as text
])
def test_yaml_1_1_traps_are_remembered_with_their_spelling(spelling, value):
    documents, _ = parse(Source("a.yaml", f"data:\n  key: {spelling}\n"))
    assert documents[0].value["data"]["key"] == value
    assert documents[0].traps[("data", "key")] == spelling


def test_quoted_and_plain_ordinary_values_are_not_traps():
    documents, _ = parse(Source("a.yaml", 'a: "no"\nb: true\nc: 8080\nd: 1.5\n'))
    assert documents[0].traps == {}
    assert documents[0].value == {"a": "no", "b": True, "c": 8080, "d": 1.5}


@pytest.mark.parametrize(("text", "rule", "severity"), [
    ("- a\n- b\n", "yaml-not-a-mapping", Severity.ERROR),
    ("just words\n", "yaml-not-a-mapping", Severity.ERROR),
    ("# only a comment\n", "empty-file", Severity.ERROR),
    ("", "empty-file", Severity.ERROR),
    ("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n", "yaml-empty-document",
     Severity.INFO),
])
def test_documents_that_are_not_objects_get_clear_findings(text, rule, severity):
    found = only(findings_of(text), rule)
    assert found.severity is severity


def test_unsafe_tags_are_reported_and_never_constructed(tmp_path):
    marker = tmp_path / "pwned"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    documents, findings = parse(Source("a.yaml", text))
    found = only(findings, "yaml-unsafe-tag")
    assert (found.line, found.column) == (1, 4)
    assert not marker.exists()
    assert documents[0].value == {"a": [f"touch {marker}"]}


def test_alias_bomb_is_stopped_with_a_finding():
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
    documents, findings = parse(Source("a.yaml", text))
    assert only(findings, "yaml-alias-bomb").severity is Severity.ERROR
    assert documents == []


@pytest.mark.parametrize("text", ["[" * 50_000, "- " * 50_000 + "x", "a:\n" + "".join(
    " " * i + f"k{i}:\n" for i in range(1, 300))])
def test_deep_nesting_is_a_finding_not_a_crash(text):
    found = only(findings_of(text), "yaml-too-deep")
    assert str(MAX_DEPTH) in found.message


def test_binary_and_invalid_utf8_are_findings():
    source, findings = decode("a.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert source is None and findings[0].rule == "yaml-binary"
    source, findings = decode("a.yaml", b"kind: Pod\nname: caf\xe9\n")
    assert source is None
    assert findings[0].rule == "yaml-invalid-utf8"
    assert (findings[0].line, findings[0].column) == (2, 10)


def test_byte_order_marks_and_crlf_are_accepted():
    source, findings = decode("a.yaml", b"\xef\xbb\xbfkind: Namespace\r\nx: 1\r\n")
    assert findings == []
    documents, findings = parse(source)
    assert findings == [] and documents[0].value == {"kind": "Namespace", "x": 1}
    assert documents[0].locate(("x",)) == (2, 1)
    source, findings = decode("a.yaml", "kind: Namespace\n".encode("utf-16"))
    assert findings == [] and parse(source)[0][0].value == {"kind": "Namespace"}


def test_keys_that_are_not_text_are_flagged():
    findings = findings_of("8080: x\non: y\n? [a]\n: z\n")
    rules = [(f.rule, f.line) for f in findings]
    assert ("yaml-non-string-key", 1) in rules
    assert ("yaml-non-string-key", 2) in rules
    assert ("yaml-complex-key", 3) in rules


@pytest.mark.parametrize("text, expected", [
    ("a: <<\n", {"a": "<<"}),            # a value, not a merge
    ("a: [<<, b]\n", {"a": ["<<", "b"]}),  # a list item
    ("a: &x <<\nb: *x\n", {"a": "<<", "b": "<<"}),
])
def test_merge_key_spelling_outside_a_key_is_plain_text(text, expected):
    # YAML 1.1 reads `<<` as the merge key; anywhere but a key, kubectl's reader
    # keeps it as the text "<<" (this once crashed the schema stage)
    documents, findings = parse(Source("x.yaml", text))
    assert documents[0].value == expected and not findings
