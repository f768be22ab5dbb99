"""Secret values never appear in any rendering of a report."""

from __future__ import annotations

import json

from k8s_course import check

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
