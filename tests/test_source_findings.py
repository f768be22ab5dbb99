"""Parsing, told in full: each finding's place, words and file; values; the source map.

tests/test_source.py covers the kinds of findings; this file pins down what a
learner reads in each (line, column, message, hint, lesson, file) and the
edges around the parser's limits.
"""

from __future__ import annotations

import pytest

from k8s_course import source
from k8s_course.findings import Severity
from k8s_course.source import MAX_BYTES, Source, decode, parse, read_path

YAML_LESSON = "01-manifest-anatomy#yaml"
ANATOMY = "01-manifest-anatomy#anatomy"


def findings_of(text: str, name: str = "f.yaml"):
    return parse(Source(name, text))[1]


def told(found) -> tuple:
    return (found.rule, found.severity, found.file, found.line, found.column, found.message,
            found.hint, found.lesson, found.document)


def where(findings) -> list[tuple]:
    return [(f.rule, f.line, f.column) for f in findings]


def at(value, path):
    for part in path:
        value = value[part]
    return value


# --- positions ----------------------------------------------------------------

def test_a_field_never_written_is_located_at_its_nearest_written_ancestor():
    [document] = parse(Source("f.yaml", "metadata:\n  labels:\n    app: web\n"))[0]
    assert document.locate(("metadata", "labels", "tier")) == (2, 3)
    assert document.locate(("metadata", "labels", "tier", "x")) == (2, 3)
    assert document.locate(("spec", "replicas")) == (1, 1)  # nothing written: the document


@pytest.mark.parametrize(("text", "line", "column"), [
    ("apiVersion: v1\n", 1, 1),
    ("# a comment\n\n  kind: Pod\n", 3, 3),
    ("---\n# about it\nkind: Pod\n", 3, 1),
    ("a: 1\n---\n\n{kind: Pod}\n", 4, 1),
])
def test_a_document_is_placed_where_its_mapping_starts(text, line, column):
    document = parse(Source("f.yaml", text))[0][-1]
    assert (document.line, document.column) == (line, column)


def test_the_source_map_holds_only_fields_the_document_has():
    text = ("base: &b {a: 1, b: [x, y]}\nm:\n  <<: [*b, {c: 2}]\n  d: 3\n"
            "? [k, {z: 1}]\n: dropped\nn: {<<: {e: 4}}\nl: [1, {f: 5}]\n")
    [document], _ = parse(Source("f.yaml", text))
    for path in document.spans:
        at(document.value, path)  # a span of a field that does not exist would fail here
    assert set(document.spans) >= {("m", "a"), ("m", "b"), ("m", "c"), ("n", "e"), ("l", 1, "f")}


def test_merged_keys_are_placed_on_the_merge_line():
    text = "a: &a {p: 1}\nb: &b {q: 2}\nm:\n  <<: [*a, *b]\n  z: 3\n"
    [document], findings = parse(Source("f.yaml", text))
    assert findings == []
    assert document.value["m"] == {"p": 1, "q": 2, "z": 3}
    assert document.locate(("m", "p")) == document.locate(("m", "q")) == (4, 3)
    assert document.locate(("m", "z")) == (5, 3)


def test_an_anchored_value_inside_a_mapping_can_be_reused():
    text = "metadata:\n  name: &n web\n  labels: {app: *n, port: &p 8080, again: *p}\n"
    [document], findings = parse(Source("f.yaml", text))
    assert findings == []
    assert document.value["metadata"] == {"name": "web",
                                          "labels": {"app": "web", "port": 8080, "again": 8080}}


# --- values -------------------------------------------------------------------

@pytest.mark.parametrize(("written", "value"), [
    ("! 123", "123"),  # the non-specific tag keeps a scalar as text, as kubectl's reader does
    ("! yes", "yes"),
    ("!!str 8080", "8080"),
    ('!!int "8080"', 8080),
    ("!!bool 'true'", True),
    ('!!float "1.5"', 1.5),
    ("!!null ''", None),
])
def test_tags_kubernetes_understands_decide_the_value(written, value):
    [document], findings = parse(Source("f.yaml", f"a: {written}\n"))
    assert (document.value, document.traps, findings) == ({"a": value}, {}, [])


@pytest.mark.parametrize(("spelling", "value", "trap"), [
    ("True", True, False), ("FALSE", False, False), ("Yes", True, True), ("OFF", False, True),
    ("~", None, False), ("0x1f", 31, True), ("1_000", 1000, True), (".inf", float("inf"), True),
    ("1.5", 1.5, False), ("-7", -7, False),
    ("12", 12, False), ("2001-12-14", "2001-12-14", False), ("0x_", "0x_", False),
])
def test_plain_spellings_and_which_ones_are_yaml_1_1_traps(spelling, value, trap):
    # a mapping's value and a list item take the parser's fast path; an anchored one does not
    for text, path in ((f"a: {spelling}\n", ("a",)), (f"a: [{spelling}]\n", ("a", 0)),
                       (f"a: &x {spelling}\n", ("a",))):
        [document], _ = parse(Source("f.yaml", text))
        got = at(document.value, path)
        assert got == value and type(got) is type(value), text
        assert document.traps == ({path: spelling} if trap else {}), text


# --- findings told in full -------------------------------------------------------

def test_an_empty_text_is_told_to_write_a_manifest():
    for text in ("", "# just a comment\n", "\n\n"):
        assert [told(f) for f in findings_of(text, "empty.yaml")] == [
            ("empty-file", Severity.ERROR, "empty.yaml", 1, 1, "there is no Kubernetes object "
             "here: the text is empty or only comments", "write a manifest: apiVersion, kind, "
             "metadata and spec", ANATOMY, 0)]


def test_a_duplicate_key_names_its_full_path_and_both_lines():
    text = "metadata:\n  labels:\n    app: web\n    tier: back\n    app: api\n"
    assert [(*told(f), f.path) for f in findings_of(text)] == [
        ("yaml-duplicate-key", Severity.ERROR, "f.yaml", 5, 5, "metadata.labels.app is written "
         "twice: first on line 3, again on line 5; kubectl silently keeps only the last one",
         "delete one of the two; if both were meant, one of them is probably indented wrongly",
         YAML_LESSON, 0, ("metadata", "labels", "app"))]
    text = "items:\n- name: a\n  name: b\n"
    assert [(f.message[:30], f.path) for f in findings_of(text)] == [
        ("items.0.name is written twice:", ("items", 0, "name"))]


def test_a_key_from_an_alias_is_told_by_its_value():
    text = "port: &p 8080\nlabels:\n  *p : web\n"
    [found] = findings_of(text)
    assert (found.rule, found.line, found.column, found.path) == (
        "yaml-non-string-key", 3, 3, ("labels",))
    assert found.message == "the key 8080 is read as a number, not as text"


def test_what_is_found_inside_a_merged_mapping_is_told_on_the_mapping_it_merges_into():
    [found] = findings_of("m:\n  <<: {1: x}\n")
    assert (found.rule, found.line, found.column, found.path) == (
        "yaml-non-string-key", 2, 8, ("m",))
    [found] = [f for f in findings_of("? {1: a}\n: b\n") if f.rule == "yaml-non-string-key"]
    assert found.path == ()


def test_a_mapping_used_as_a_key_is_one_finding_whatever_it_holds():
    assert where(findings_of("? {a: 1, a: 2}\n: z\nb: 1\n")) == [("yaml-complex-key", 1, 3)]


@pytest.mark.parametrize(("text", "cuts"), [
    ("apiVersion: v1\nmetadata: {name: a}\napiVersion: v1\nkind: Secret\n", [3]),  # no kind
    ("kind: ConfigMap\nmetadata: {name: a}\nkind: Secret\napiVersion: v1\n", [3]),  # no apiVersion
    ("apiVersion: v1\nkind: A\napiVersion: v1\nkind: B\napiVersion: v1\nkind: C\n", [3, 5]),
    ("kind: A\napiVersion: v1\n\n\nkind: B\napiVersion: v1\nkind: C\napiVersion: v1\n", [5, 7]),
])
def test_each_object_run_into_the_one_above_is_told_on_its_first_line(text, cuts):
    found = findings_of(text, "run.yaml")
    assert [f.line for f in found if f.rule == "yaml-missing-separator"] == cuts
    first = next(f for f in found if f.rule == "yaml-missing-separator")
    key = text.splitlines()[cuts[0] - 1].split(":")[0]
    assert told(first) == (
        "yaml-missing-separator", Severity.ERROR, "run.yaml", cuts[0], 1,
        f"a second `{key}:` starts another object on line {cuts[0]}, but no `---` line separates "
        "it from the one above, so YAML reads both as one object",
        f"put a line with `---` above line {cuts[0]}", ANATOMY, 1)
    assert not [f for f in found if f.rule == "yaml-duplicate-key"]


def test_runaway_nesting_left_open_is_one_finding_and_the_next_document_keeps_its_number():
    text = "kind: A\n---\na: " + "[" * 150 + "\n---\n- x\n"
    assert [told(f) for f in findings_of(text, "deep.yaml")] == [
        ("yaml-too-deep", Severity.ERROR, "deep.yaml", 3, 103, "the nesting here is more than "
         "100 levels deep", "a manifest is rarely more than 15 levels deep; look for runaway "
         "brackets or indentation", YAML_LESSON, 1),
        ("yaml-not-a-mapping", Severity.ERROR, "deep.yaml", 5, 1, "document 3 is a list, not a "
         "Kubernetes object", "a manifest is a mapping that starts with `apiVersion:` and "
         "`kind:`; to write several objects, separate them with `---` lines", YAML_LESSON, 2)]


# --- the value cap, at its edge ------------------------------------------------

CAP = 20
TOO_LARGE = ("yaml-too-large", f"this document has more than {CAP} values",
             "split it into smaller documents")
BOMB = ("yaml-alias-bomb", f"aliases here expand to more than {CAP} values (a 'billion laughs' "
        "file)", "write the values out instead of nesting aliases of aliases")


# (text with n repeats, the most n that fits, the finding one more gives: line, column, kind)
@pytest.mark.parametrize(("make", "most", "line", "column", "kind"), [
    # root, key, list, n items: the last item is value number CAP
    (lambda n: "items:\n" + "- x\n" * n, 17, 19, 3, TOO_LARGE),
    (lambda n: "items:\n- *nope\n" + "- x\n" * (n - 1), 17, 19, 3, TOO_LARGE),  # undefined: one
    (lambda n: "a: [x]\n" + "".join(f"k{i}: v\n" for i in range(n)), 8, 10, 1, TOO_LARGE),
    (lambda n: "a: x\n" + "".join(f"k{i}: v\n" for i in range(n)), 8, 10, 5, TOO_LARGE),
    (lambda n: "a:\n" + "- []\n" * n, 17, 19, 3, TOO_LARGE),
    (lambda n: "a:\n- &s x\n" + "- *s\n" * n, 16, 19, 3, BOMB),  # an alias of a scalar is one
    (lambda n: "a:\n- &m {k: 1}\n" + "- *m\n" * n, 4, 7, 3, BOMB),  # of {k: 1}: three
])
def test_a_document_of_exactly_the_most_values_is_read_and_one_more_is_refused(
        make, most, line, column, kind, monkeypatch):
    monkeypatch.setattr(source, "MAX_NODES_PER_DOCUMENT", CAP)
    documents, findings = parse(Source("big.yaml", make(most)))
    assert len(documents) == 1 and not [f for f in findings if f.rule in (
        "yaml-too-large", "yaml-alias-bomb")]
    documents, findings = parse(Source("big.yaml", make(most + 1)))
    rule, message, hint = kind
    assert documents == []
    assert [told(f) for f in findings if f.rule == rule] == [
        (rule, Severity.ERROR, "big.yaml", line, column, message, hint, YAML_LESSON, 0)]


# --- syntax errors ------------------------------------------------------------

GENERIC = ("compare the line with a working example of the same kind; indentation and colons are "
           "the usual suspects")
TAB = ("a tab character is used for indentation; YAML allows only spaces",
       "replace the tab with spaces (2 per level is usual); most editors can show tabs and "
       "convert them")
NO_SPACE = "a key is followed by a colon with no space after it"
INSIDE = "a colon followed by a space appears inside a value"


@pytest.mark.parametrize(("text", "line", "column", "said"), [
    # a tab at or just before where YAML stopped is the likely cause
    ("a: b\t: c\n", 1, 6, TAB[0]),
    ('a: "x"\tb\n', 1, 8, TAB[0]),
    ("a: b:\tc\n", 1, 5, INSIDE),  # a tab after it is not
    # `key:value` on the line of the error or the one above, not further away
    ("name:web\nlabels: x\n", 2, 7, NO_SPACE),
    ("args:\n- a:b\n- c\nd: e: f\n", 4, 5, INSIDE),
    ("a: b: c\nd:e\n", 1, 5, INSIDE),
])
def test_a_syntax_error_blames_what_sits_where_yaml_stopped(text, line, column, said):
    [found] = findings_of(text)
    assert (found.rule, found.file, found.line, found.column) == (
        "yaml-syntax", "f.yaml", line, column)
    assert said in found.message


def test_only_a_value_that_starts_with_at_or_backtick_is_told_to_be_quoted():
    for text in ("a: &@x\n", "a: *@x\n"):  # an anchor or alias named badly: not that
        [found] = findings_of(text)
        assert (found.rule, found.column, found.hint) == ("yaml-syntax", 5, GENERIC)


def test_an_escape_error_in_double_quotes_points_at_the_opening_quote():
    [found] = findings_of('path: "C:\\Users\\me"\nnext: x\n')
    assert (found.rule, found.line, found.column) == ("yaml-syntax", 1, 7)


def test_a_bracket_left_open_before_an_end_marker_and_comments_points_at_the_bracket():
    for text in ("data: [a, b\n...\n# a note\n", "data: [a, b\n...\n  # an indented note\n"):
        [found] = findings_of(text)
        assert (found.rule, found.line, found.column) == ("yaml-syntax", 1, 7)
    [found] = findings_of("data: [a, b\n...\nmore: x\n")  # text after it: where YAML stopped
    assert (found.rule, found.line) == ("yaml-syntax", 2)


@pytest.mark.parametrize(("text", "rule", "line"), [
    ("a: [b,", "yaml-syntax", 1),  # libyaml says "line 2": the end of a text without a line break
    ("a: 1\nb: {c:", "yaml-syntax", 2),
    ("a: 1\n---", "yaml-empty-document", 2),
])
def test_a_finding_at_the_end_of_the_text_stays_on_its_last_line(text, rule, line):
    [found] = findings_of(text)
    assert (found.rule, found.line, found.column) == (rule, line, 1)


# --- characters that are not YAML ------------------------------------------------

CONTROL = ("delete it and retype the text around it; such characters come from pasting out of a "
           "web page, a PDF or a terminal")


@pytest.mark.parametrize(("text", "line", "column", "code"), [
    ("a: x\x07y\x01\n", 1, 5, "0007"),  # the first of two
    ("a: \x07\nb: \x07\n", 1, 4, "0007"),
    ("a: é\nb: \x01\x07\n", 2, 4, "0001"),
    ("\ufeffa: x\x07\n", 1, 5, "0007"),  # a byte order mark is no column
    ("a: 1\n---\n\u00e9: \x08\n", 3, 4, "0008"),
])
def test_a_control_character_is_told_in_full(text, line, column, code):
    assert [told(f) for f in findings_of(text, "c.yaml")] == [
        ("yaml-control-character", Severity.ERROR, "c.yaml", line, column,
         f"the text contains the invisible character U+{code}, which YAML does not allow",
         CONTROL, YAML_LESSON, 0)]


BINARY = ("this looks like a binary file, not YAML text (it contains a NUL byte)",
          "open the manifest you wrote (a .yaml file), not an image, archive or program")


@pytest.mark.parametrize(("text", "line", "column"), [
    ("a: ü\nb: x\x00\n", 2, 5),
    ("a: ééééé\nb: ééééé\x00 \x00\n", 2, 9),  # the first NUL, after characters of two bytes
    ("\ufeffa: x\x00\n", 1, 5),
])
def test_a_nul_in_text_is_found_on_its_own_column(text, line, column):
    assert [told(f) for f in findings_of(text, "n.yaml")] == [
        ("yaml-binary", Severity.ERROR, "n.yaml", line, column, *BINARY, YAML_LESSON, 0)]


def test_invalid_utf8_after_a_byte_order_mark_names_the_right_byte_and_column():
    source_, [found] = decode("u.yaml", b"\xef\xbb\xbfname: caf\xe9\n")
    assert source_ is None
    assert (found.rule, found.file, found.line, found.column, found.message) == (
        "yaml-invalid-utf8", "u.yaml", 1, 10, "byte 0xe9 at offset 12 is not valid UTF-8 text")


def test_a_broken_utf16_half_in_a_later_document_is_found_on_its_line():
    [found] = findings_of("a: 1\n---\nb: 2\nc: x\ud83dy\n", "s.yaml")
    assert (found.rule, found.file, found.line, found.column) == (
        "yaml-invalid-utf8", "s.yaml", 4, 5)


def test_a_byte_order_mark_in_a_cell_is_not_part_of_the_first_key():
    [document], findings = parse(Source("cell", "\ufeffapiVersion: v1\nkind: Pod\n"))
    assert findings == [] and document.value == {"apiVersion": "v1", "kind": "Pod"}


# --- sizes and files ------------------------------------------------------------

def test_the_size_told_is_rounded_to_a_tenth_of_a_megabyte():
    size = 10_538_189  # 10.05 MB and a little: 10.1, not 10.0
    [found] = decode("big.yaml", b"#" * size)[1]
    assert found.message == "the input is 10.1 MB; the checker reads at most 10 MB"


def test_a_text_of_exactly_the_largest_size_is_read():
    assert [f.rule for f in findings_of("#" * MAX_BYTES)] == ["empty-file"]
    assert [f.rule for f in findings_of("#" * (MAX_BYTES + 1))] == ["yaml-too-large"]


def test_a_file_the_system_cannot_read_without_saying_why_is_named_by_its_error(tmp_path):
    class Unreachable(type(tmp_path)):
        def open(self, *args, **kwargs):
            raise TimeoutError  # e.g. a network drive: no errno, no words

    (tmp_path / "a.yaml").write_text("kind: Pod\n")
    path = Unreachable(tmp_path / "a.yaml")
    source_, [found] = read_path(path)
    assert (source_, found.rule, found.message) == (
        None, "file-unreadable", f"cannot read {path}: TimeoutError")


def test_file_names_reach_every_finding(tmp_path):
    texts = ["a: 'x\n", "a: \x07\n", "a: [\n", "- x\n", "---\n", "a: 1\nb: 2\nb: 3\n",
             "apiVersion: v1\nkind: A\napiVersion: v1\nkind: B\n", "a: " + "[" * 120 + "]" * 120]
    for text in texts:
        for found in findings_of(text, "named.yaml"):
            assert found.file == "named.yaml", (text, found.rule)


def test_a_document_stopped_at_the_cap_keeps_the_numbers_of_the_next(monkeypatch):
    monkeypatch.setattr(source, "MAX_NODES_PER_DOCUMENT", CAP)
    text = "kind: A\n---\nitems:\n" + "- x\n" * CAP + "---\n- a list\n"
    assert [(f.rule, f.line, f.document, f.message) for f in findings_of(text)] == [
        ("yaml-too-large", 21, 1, f"this document has more than {CAP} values"),
        ("yaml-not-a-mapping", 25, 2, "document 3 is a list, not a Kubernetes object")]
