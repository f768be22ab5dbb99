"""Parsing: positions, duplicate keys, syntax errors, YAML-1.1 traps, hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8s_course.findings import Severity
from k8s_course.source import MAX_DEPTH, Source, decode, parse

from .conftest import yaml_text

YAML_LESSON = "01-manifest-anatomy#yaml"


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


CANNOT = "YAML cannot read this: "
TAB = ("a tab character is used for indentation; YAML allows only spaces",
       "replace the tab with spaces (2 per level is usual); most editors can show tabs and "
       "convert them")
QUOTE = ("a quote is opened but never closed",
         "add the closing quote (\" or ') at the end of the value")
INSIDE = (CANNOT + "mapping values are not allowed in this context; a colon followed by a "
          "space appears inside a value, or this line is indented deeper than the key above it",
          'quote values that contain `: ` (e.g. `command: "echo a: b"`), and line up keys of '
          "the same mapping at the same column")
LINE_UP = "line up entries of the same mapping at the same column, and list items (`- `) " \
    "under their key at one column"
BRACKETS = "close every `[` with `]` and every `{` with `}`, with commas between items"
OPEN_BRACKET = (CANNOT + "did not find expected ',' or ']' (while parsing a flow sequence); a "
                "bracket is not closed, or a comma is missing between items", BRACKETS)
OPEN_MAPPING = (CANNOT + "did not find expected ',' or '}' (while parsing a flow mapping); a "
                "bracket is not closed, or a comma is missing between items", BRACKETS)
RESERVED = (CANNOT + "found character that cannot start any token (while scanning for the next "
            "token); values cannot start with @ or ` unless quoted", "put the value in quotes")
GENERIC = "compare the line with a working example of the same kind; indentation and colons " \
    "are the usual suspects"


@pytest.mark.parametrize(("text", "line", "column", "message", "hint"), [
    ("metadata:\n\tname: web\n", 2, 1, *TAB),
    ("metadata:\n  name: web\n  x: a\tb: c\n", 3, 9, *TAB),
    ("metadata:\n  name:web\n  labels: x\n", 3, 9,
     CANNOT + "mapping values are not allowed in this context; a key is followed by a colon "
     "with no space after it", "put a space after the colon: `key: value`, not `key:value`"),
    ("metadata:\n  name: 'web\nspec: {}\n", 2, 9, *QUOTE),
    ('metadata:\n  name: "web\n', 2, 9, *QUOTE),
    ("spec:\n  replicas: 1\n selector: x\n", 3, 2,
     CANNOT + "did not find expected key (while parsing a block mapping); the indentation is "
     "inconsistent", LINE_UP),
    ("spec:\n  replicas: 1\n    selector: x\n", 3, 13, *INSIDE),
    ("command: echo a: b\n", 1, 16, *INSIDE),
    ("a: b\nthis is a long sentence\nc: d\n", 3, 1,
     CANNOT + "could not find expected ':' (while scanning a simple key); a line is missing its "
     "colon, or it continues a value that is indented wrongly",
     "each field is `key: value`; a long text value needs quotes or a `|` block"),
    ("key: [a, b\n", 1, 6, *OPEN_BRACKET),
    ("key: {a: 1\n", 1, 6, *OPEN_MAPPING),
    ("a:\n  - b\n  c: d\n", 3, 3, CANNOT + "did not find expected '-' indicator (while "
     "parsing a block collection); the indentation is inconsistent", LINE_UP),
    ("a: @x\n", 1, 4, *RESERVED),
    ("a: `x`\n", 1, 4, *RESERVED),
    ("%YAML 1.1\n%YAML 1.1\n---\na: 1\n", 2, 1, CANNOT + "found duplicate %YAML directive",
     GENERIC),
    # found only at the end of the file: point at the bracket left open
    ("data: [a, b\n", 1, 7, *OPEN_BRACKET),
    ("metadata: {name: web\n\n", 1, 11, *OPEN_MAPPING),
    ("data: [a, b\n# a comment after it\n...\n", 1, 7, *OPEN_BRACKET),
])
def test_syntax_errors_are_explained_with_their_position(text, line, column, message, hint):
    found = only(findings_of(text), "yaml-syntax")
    assert (found.severity, found.line, found.column) == (Severity.ERROR, line, column)
    assert (found.message, found.hint, found.lesson) == (message, hint, YAML_LESSON)


def test_a_syntax_error_does_not_hide_the_next_document():
    text = "a: 'open\n---\nkind: [\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"
    documents, findings = parse(Source("a.yaml", text))
    assert [f.line for f in findings if f.rule == "yaml-syntax"] == [1, 4]
    assert len(documents) == 1 and documents[0].value["kind"] == "Namespace"


@pytest.mark.parametrize(("spelling", "value"), [
    ("no", False), ("yes", True), ("on", True), ("off", False), ("0755", 493),
    ("y", True), ("N", False),  # booleans to kubectl's reader, though not to PyYAML
    ("12:30", "12:30"),  # base 60 is YAML 1.1 only: kubectl's reader keeps it as text
    ("1e3", 1000), ("2.5E2", 250), ("1E+2", 100), (".5e1", 5),  # numbers to kubectl, not PyYAML
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



def test_a_broken_utf16_half_is_found_where_it_sits():
    [found] = findings_of("a: 1\nb: x\ud800y\n")
    assert (found.rule, found.severity, found.file, found.line, found.column) == (
        "yaml-invalid-utf8", Severity.ERROR, "a.yaml", 2, 5)
    assert found.message == ("the text contains a broken character (half of a UTF-16 pair) "
                             "that no file can hold")
    assert found.hint == ("delete the character and type it again; it usually comes from a "
                          "bad copy and paste")
    assert found.lesson == YAML_LESSON


def test_too_large_an_input_is_refused_with_its_size():
    from k8s_course.source import MAX_BYTES

    hint = "split it into smaller files; a manifest is rarely more than a few kilobytes"
    for size, said in ((MAX_BYTES + 1, "10.0"), (MAX_BYTES * 3 // 2, "15.0")):
        source, [found] = decode("b.yaml", b"#" * size)
        assert source is None
        assert (found.rule, found.severity, found.file, found.line, found.column) == (
            "yaml-too-large", Severity.ERROR, "b.yaml", 1, 1)
        assert found.message == f"the input is {said} MB; the checker reads at most 10 MB"
        assert (found.hint, found.lesson) == (hint, YAML_LESSON)
    [found] = findings_of("#" * (MAX_BYTES + 1))
    assert (found.rule, found.file) == ("yaml-too-large", "a.yaml")
    assert decode("c.yaml", b"#" * MAX_BYTES)[0] is not None


def test_an_empty_document_is_an_info_on_the_separator_that_closes_it():
    found = findings_of("a: 1\n---\n---\nb: 2\n")
    assert [(f.rule, f.severity, f.line, f.column, f.document, f.message, f.hint)
            for f in found] == [
        ("yaml-empty-document", Severity.INFO, 3, 1, 1, "document 2 is empty; kubectl skips it",
         "remove the extra `---`, or write an object under it")]


@pytest.mark.parametrize(("text", "line", "column", "code"), [
    ("a: 1\nb: x\x07y\n", 2, 5, "0007"),
    ("a: 1\n---\nname: café\x01\n", 3, 11, "0001"),  # in the second document
    ("\x1b[0m\n", 1, 1, "001B"),  # a terminal colour code pasted at the start
    ("a: ü\nb: ü\x7f\n", 2, 5, "007F"),  # characters of two bytes before it
    ("a: 😀 \x0b\n", 1, 6, "000B"),  # and of four
])
def test_a_control_character_is_found_on_its_own_column(text, line, column, code):
    [found] = findings_of(text)
    assert (found.rule, found.severity, found.line, found.column) == (
        "yaml-control-character", Severity.ERROR, line, column)
    assert found.message == (f"the text contains the invisible character U+{code}, which YAML "
                             "does not allow")
    assert found.hint == ("delete it and retype the text around it; such characters come from "
                          "pasting out of a web page, a PDF or a terminal")
    assert found.lesson == YAML_LESSON


def as_told(found) -> tuple:
    return (found.rule, found.severity, found.line, found.column, found.message, found.hint,
            found.lesson, found.document)


BINARY = ("this looks like a binary file, not YAML text (it contains a NUL byte)",
          "open the manifest you wrote (a .yaml file), not an image, archive or program")


def test_a_nul_byte_means_a_binary_file_found_where_it_sits():
    assert [as_told(f) for f in decode("a.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00")[1]] == [
        ("yaml-binary", Severity.ERROR, 3, 1, *BINARY, YAML_LESSON, 0)]
    assert [as_told(f) for f in decode("a.yaml", b"a: 1\nb: caf\xc3\xa9 \x00x\n")[1]] == [
        ("yaml-binary", Severity.ERROR, 2, 9, *BINARY, YAML_LESSON, 0)]
    assert [as_told(f) for f in findings_of("a: 1\nb: x\x00\n")] == [
        ("yaml-binary", Severity.ERROR, 2, 5, *BINARY, YAML_LESSON, 0)]


def test_runaway_nesting_is_one_finding_where_it_goes_too_deep():
    deep = "{x: " * (MAX_DEPTH + 2) + "1" + "}" * (MAX_DEPTH + 2)
    assert [as_told(f) for f in findings_of(f"a: 1\n---\nb: {deep}\n")] == [
        ("yaml-too-deep", Severity.ERROR, 3, 400, f"the nesting here is more than {MAX_DEPTH} "
         "levels deep", "a manifest is rarely more than 15 levels deep; look for runaway "
         "brackets or indentation", YAML_LESSON, 1)]


def test_a_second_object_without_its_separator_is_told_on_its_first_line():
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
            "apiVersion: v1\nkind: Secret\nmetadata: {name: b}\n")
    assert [as_told(f) for f in findings_of(text)] == [
        ("yaml-missing-separator", Severity.ERROR, 4, 1, "a second `apiVersion:` starts another "
         "object on line 4, but no `---` line separates it from the one above, so YAML reads "
         "both as one object", "put a line with `---` above line 4",
         "01-manifest-anatomy#anatomy", 1)]


def test_keys_that_are_not_text_are_told_with_how_yaml_reads_them():
    text = "metadata:\n  name: a\n  labels:\n    on: x\n    1: y\n    1.5: z\n    ~: w\n" \
           "    [a]: v\n"
    quote = "quote it: \"{}\": ... (Kubernetes field names and data keys are text)"
    warned = [("yaml-non-string-key", Severity.WARNING, line, 5,
               f"the key {key} is read as {what}, not as text", quote.format(key))
              for line, key, what in ((4, "on", "true/false"), (5, "1", "a number"),
                                      (6, "1.5", "a number"), (7, "~", "an empty value"))]
    found = findings_of(text)
    assert [(f.rule, f.severity, f.line, f.column, f.message, f.hint) for f in found] == [
        *warned, ("yaml-complex-key", Severity.ERROR, 8, 5, "a list or mapping is used as a key; "
                  "Kubernetes keys are plain text", "write the key as plain text followed by a "
                  "colon, e.g. `name: web`")]
    assert {f.path for f in found} == {("metadata", "labels")}
    assert {f.lesson for f in found} == {YAML_LESSON}


def test_anchors_tags_and_merges_that_kubernetes_cannot_use_are_told_in_full():
    text = ("a: *nope\nx: &x\n  z: *x\nt: !!python/object x\nu: !custom y\n"
            "base: &b [1]\nm:\n  <<: *b\n  <<: [*b]\n")
    alias = ("yaml-undefined-alias", Severity.ERROR, "*{0} refers to an anchor &{0} that is not "
             "defined before it (or is still being defined)", "define `&{0}` earlier in the same "
             "document, or write the value out in full")
    tag = ("yaml-unsafe-tag", Severity.ERROR, "the tag {0} is not part of Kubernetes YAML; it is "
           "ignored here", "remove the tag: Kubernetes reads plain YAML values only")
    merge = ("yaml-bad-merge", Severity.ERROR, "`<<` merges a mapping (usually `<<: *anchor`), "
             "but this value is not one", "point `<<` at an anchored mapping, or remove it")

    def told(kind, line, column, name=""):
        rule, severity, message, hint = kind
        return (rule, severity, "a.yaml", line, column, message.format(name),
                hint.format(name), YAML_LESSON)

    assert [(f.rule, f.severity, f.file, f.line, f.column, f.message, f.hint, f.lesson)
            for f in findings_of(text)] == [
        told(alias, 1, 4, "nope"), told(alias, 3, 6, "x"), told(tag, 4, 4, "!!python/object"),
        told(tag, 5, 4, "!custom"), told(merge, 8, 3), told(merge, 9, 3)]


def test_positions_count_from_one():
    from k8s_course.source import position_of

    assert [position_of("abc", 0), position_of("abc", 2), position_of("a\nbc", 3)] == [
        (1, 1), (1, 3), (2, 2)]


def test_utf16_with_either_byte_order_mark_is_read_and_without_one_is_binary():
    text = "kind: Pod\n"
    for data in (b"\xfe\xff" + text.encode("utf-16-be"), b"\xff\xfe" + text.encode("utf-16-le")):
        source, findings = decode("a.yaml", data)
        assert (source.name, source.text, findings) == ("a.yaml", text, [])
    source, [found] = decode("a.yaml", text.encode("utf-16-be"))
    assert (source, found.rule, found.file, found.line, found.column) == (
        None, "yaml-binary", "a.yaml", 1, 1)


def test_the_first_nul_byte_is_the_one_reported_and_only_the_first_8_kib_are_sniffed():
    [found] = decode("a.yaml", b"\x00a\x00b")[1]
    assert (found.line, found.column) == (1, 1)
    late = b"a" * 8192 + b"\x00"
    assert decode("a.yaml", late)[0] is not None  # parse() finds it, on its line
    assert decode("a.yaml", late[1:])[0] is None


def test_invalid_utf8_names_the_byte_and_its_place():
    source, [found] = decode("a.yaml", b"kind: Pod\nname: caf\xe9\n")
    assert source is None
    assert (found.rule, found.severity, found.file, found.line, found.column) == (
        "yaml-invalid-utf8", Severity.ERROR, "a.yaml", 2, 10)
    assert found.message == "byte 0xe9 at offset 19 is not valid UTF-8 text"
    assert found.hint == ("save the file as UTF-8 (most editors have it under 'Save with "
                          "encoding'); if this is not a YAML file, check that you picked the "
                          "right one")
    assert found.lesson == YAML_LESSON


def test_a_file_that_cannot_be_read_says_why_and_an_endless_one_stops_at_the_cap(tmp_path):
    from k8s_course.source import MAX_BYTES, read_path

    for path, reason in ((tmp_path / "missing.yaml", "No such file or directory"),
                         (tmp_path, "Is a directory")):
        source, [found] = read_path(path)
        assert (source, found.rule, found.severity, found.file, found.line) == (
            None, "file-unreadable", Severity.ERROR, str(path), 1)
        assert found.message == f"cannot read {path}: {reason}"
        assert found.hint == "check the file name and that the file exists"
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_BYTES + 1))
    [found] = read_path(big)[1]
    assert (found.rule, found.file, found.message) == (
        "yaml-too-large", str(big), "the input is 10.0 MB; the checker reads at most 10 MB")
    big.write_bytes(b"#" * MAX_BYTES)
    assert len(read_path(big)[0].text) == MAX_BYTES
    [found] = read_path(Path("/dev/zero"))[1]  # no size to stat: read one byte past the cap
    assert found.message == "the input is 10.0 MB; the checker reads at most 10 MB"


def test_a_document_that_is_not_a_mapping_says_what_it_is():
    hint = ("a manifest is a mapping that starts with `apiVersion:` and `kind:`; to write "
            "several objects, separate them with `---` lines")
    assert [as_told(f) for f in findings_of("a: 1\n---\n- x\n- y\n---\nhello\n")] == [
        ("yaml-not-a-mapping", Severity.ERROR, 3, 1, "document 2 is a list, not a Kubernetes "
         "object", hint, YAML_LESSON, 1),
        ("yaml-not-a-mapping", Severity.ERROR, 6, 1, "document 3 is the plain value 'hello', "
         "not a Kubernetes object", hint, YAML_LESSON, 2)]


def test_a_billion_laughs_and_a_huge_document_stop_at_the_value_cap():
    from k8s_course.source import MAX_NODES_PER_DOCUMENT

    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"] + [
        f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]"
        for previous, name in zip("abcde", "bcdef", strict=True)]
    assert [as_told(f) for f in findings_of("\n".join(levels) + "\n")] == [
        ("yaml-alias-bomb", Severity.ERROR, 5, 36, "aliases here expand to more than 100,000 "
         "values (a 'billion laughs' file)", "write the values out instead of nesting aliases "
         "of aliases", YAML_LESSON, 0)]
    huge = "a: [" + ", ".join(["1"] * (MAX_NODES_PER_DOCUMENT + 5)) + "]\n"
    assert [as_told(f) for f in findings_of(huge)] == [
        ("yaml-too-large", Severity.ERROR, 1, 299996, "this document has more than 100,000 "
         "values", "split it into smaller documents", YAML_LESSON, 0)]


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
    assert documents[0].traps == {}  # and not a YAML 1.1 trap: "<<" is what kubectl reads too
