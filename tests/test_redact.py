"""Secret values never appear in any rendering of a report."""

from __future__ import annotations

import json

from k8s_course import check, load
from k8s_course.redact import shown_lines

from .conftest import yaml_text

SECRET = yaml_text("""
    apiVersion: v1
    kind: Secret
    metadata:
      name: db
      labelz: {}
    data:
      password: aHVudGVyMg==!!
      pin: 12345
      inline: {nested: x}
    stringData:
      cert: |
        hunter2-certificate
    type: Opaque
    ---
    apiVersion: v1
    kind: Secret
    metadata: {name: flow}
    stringData: {token: hunter2-token, other: 1}
    """)
VALUES = ("aHVudGVyMg", "12345", "hunter2")


def test_no_rendering_shows_a_secret_value():
    report = check(SECRET)
    rules = {f.rule for f in report.findings}
    assert {"schema-unknown-field", "secret-not-base64", "schema-type"} <= rules
    for rendering in (report.to_text(), report.to_json(), report._repr_html_()):
        for value in VALUES:
            assert value not in rendering
    assert "labelz: {}" in report.to_text()  # other lines are shown as written


def test_masked_lines_keep_their_keys():
    report = check(SECRET)
    pin = next(f for f in report.findings if f.dotted_path == "data.pin")
    assert report.source_line(pin) == "  pin: ••••••"
    assert "a Secret's values are text" in pin.hint
    entries = json.loads(report.to_json())
    assert all("12345" not in entry["message"] for entry in entries)


def test_a_secret_value_on_the_very_last_line_is_hidden_too():
    """A notebook cell often ends on the value itself, with no newline after it."""
    text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  pin: 12345"
    report = check(text)
    [finding] = [f for f in report.findings if f.line == 6]
    assert report.source_line(finding) == "  pin: ••••••"
    renderings = {"text": report.to_text(), "json": report.to_json(),
                  "html": report._repr_html_()}
    for name, rendering in renderings.items():
        assert "12345" not in rendering, name
    assert "pin: ••••••" in renderings["text"]


def _shown(text: str) -> list[str]:
    report = check(text)
    return [f"{f.line}: {report.source_line(f)}" for f in report.findings]


def test_a_value_pasted_where_the_map_of_keys_belongs_is_hidden():
    report = check("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata: c2VjcmV0LXBpbg==\n")
    assert report.findings
    assert "c2VjcmV0" not in report.to_text() + report.to_json() + report._repr_html_()


def test_a_one_line_secret_is_hidden_on_line_one():
    shown = _shown("{apiVersion: v1, kind: Secret, metadata: {name: db}, data: {pin: 12345}}")
    assert shown and all("12345" not in line for line in shown)


def test_one_space_indentation_still_hides_the_values():
    shown = _shown("apiVersion: v1\nkind: Secret\nmetadata:\n name: db\ndata:\n pin: 12345\n")
    assert "6:  pin: ••••••" in shown


def test_lines_after_the_secret_sections_are_shown_as_written():
    text = ("apiVersion: v1\nkind: Secret\ndata:\n  pin: MTIzNDU=\n"
            "metadata:\n  name: Bad_Name\n")
    assert "6:   name: Bad_Name" in _shown(text)


def test_a_value_without_a_key_keeps_its_indent_and_blank_lines_stay_blank():
    text = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  pin:\n"
            "    - 12345\n\n  other: MTIz\n")
    bundle, _ = load(text)
    lines = shown_lines(bundle)["<answer>"]
    assert lines[6] == "    ••••••"
    assert lines[7] == ""


def test_only_a_secrets_own_values_are_hidden_in_messages():
    """A ConfigMap's data and a Secret's labels are no secret: the message repeats them."""
    report = check(yaml_text("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {port: 8080}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: db, labels: {tier: 4711}}
        data: {pin: 12345}
        """))
    messages = {f.line: f.message for f in report.findings if f.rule == "schema-type"}
    assert messages[4] == "data.port must be text; you wrote 8080"
    assert messages[8] == "metadata.labels.tier must be text; you wrote 4711"
    assert "12345" not in messages[9] and "hidden" in messages[9]
