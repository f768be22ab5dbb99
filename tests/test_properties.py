"""Properties that hold for any input: check() never raises, positions are real, results repeat.

Hypothesis generates YAML-like text, YAML dumped from random values, raw bytes,
and valid manifests mutated the way learners break them (a line deleted or
duplicated, a value of the wrong type, indentation shifted, a key misspelled).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8s_course.pipeline import check
from k8s_course.source import split_lines

from .conftest import FIXTURES
from .test_hostile import HOSTILE, MANIFEST

SEED = (FIXTURES / "seed" / "mlops.yaml").read_text()
ROOT = Path(__file__).parent.parent
# Modest example counts: the whole file runs in well under a minute on two cores.
FAST = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def findings_as_json(text: str | bytes) -> list[dict]:
    return [f.to_json() for f in check(text).findings]


def assert_sane(answer: str | bytes) -> None:
    """The three properties: no exception, positions inside the text, same result twice."""
    report = check(answer)
    text = answer
    if isinstance(answer, bytes):
        utf16 = answer.startswith((b"\xff\xfe", b"\xfe\xff"))
        text = answer.decode("utf-16" if utf16 else "utf-8-sig", errors="replace")
    lines = split_lines(text)
    for finding in report.findings:
        assert finding.line >= 1 and finding.column >= 1, finding
        assert finding.line <= len(lines), (finding, len(lines))
        assert finding.column <= len(lines[finding.line - 1]) + 1, (
            finding, lines[finding.line - 1])
    assert findings_as_json(answer) == [f.to_json() for f in report.findings]


# --- generated text ---------------------------------------------------------------

YAML_ALPHABET = st.sampled_from([
        *"  \n\n\t\r-:?,[]{}#&*!|>'\"%@`abcxyz01279.~\\",
        "\r\n", "---\n", "...\n", "- ", ": ", "key: ", "  ", "    ", "&a ", "*a", "<<: ",
        "!!str ", "!!int ", "!!python/object:os.system ", "yes", "0755", "12:30", "null",
        "\x85", "\u2028", "\ufeff", "é", "\x07", "apiVersion: v1\n", "kind: Pod\n",
        "metadata:\n  name: web\n"])
yaml_like_text = st.lists(YAML_ALPHABET, max_size=60).map("".join)


@FAST
@given(yaml_like_text)
def test_any_yaml_like_text(text):
    assert_sane(text)


@FAST
@given(st.binary(max_size=300))
def test_any_bytes(data):
    assert_sane(data)


scalars = (st.none() | st.booleans() | st.integers() | st.floats()
           | st.text(max_size=20) | st.sampled_from(["no", "on", "0755", "12:30", "~", ""]))
keys = st.text(min_size=1, max_size=12) | st.integers() | st.booleans()
values = st.recursive(scalars, lambda children: st.lists(children, max_size=4)
                      | st.dictionaries(keys, children, max_size=4), max_leaves=25)


@FAST
@given(values, st.booleans(), st.integers(min_value=0, max_value=2))
def test_any_dumped_yaml(value, flow, documents):
    style = {"default_flow_style": flow, "allow_unicode": True}
    text = yaml.safe_dump_all([value] * (documents + 1), **style)
    assert_sane(text)


@settings(max_examples=40, deadline=None)
@given(values)
def test_any_json(value):
    assert_sane(json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "data": value}, indent=1))


# --- valid manifests, broken the way learners break them ---------------------------

def _delete(lines: list[str], at: int, _: str) -> list[str]:
    return lines[:at] + lines[at + 1:]


def _duplicate(lines: list[str], at: int, _: str) -> list[str]:
    return lines[:at + 1] + lines[at:]


def _retype(lines: list[str], at: int, new_value: str) -> list[str]:
    key, colon, _ = lines[at].partition(":")
    changed = f"{key}: {new_value}" if colon else f"{lines[at]} {new_value}"
    return [*lines[:at], changed, *lines[at + 1:]]


def _reindent(lines: list[str], at: int, how: str) -> list[str]:
    line = lines[at]
    shifted = {"deeper": "  " + line, "shallower": line[2:] if line.startswith("  ") else line,
               "odd": " " + line, "tab": "\t" + line.lstrip(" ")}[how]
    return [*lines[:at], shifted, *lines[at + 1:]]


def _rename(lines: list[str], at: int, new_key: str) -> list[str]:
    line = lines[at]
    stripped = line.lstrip(" -")
    _, colon, rest = stripped.partition(":")
    if not colon:
        return lines
    renamed = line[: len(line) - len(stripped)] + new_key + colon + rest
    return [*lines[:at], renamed, *lines[at + 1:]]


new_values = st.sampled_from([
    "3", "three", "'3'", "yes", "no", "on", "0755", "12:30", "~", "[]", "{}", "[a, b]",
    "{a: 1}", "-1", "1.5", "*x", "&x", "!!binary aGk=", "|", ">", "\"unclosed", "a: b",
    "- item", "{a: [b, {c: d}]}", "2e3", ".inf", "null"])
new_keys = st.sampled_from([
    "replica", "Spec", "contianers", "metdata", "kind", "apiVersion", "name", "<<", "1",
    "true", "? a", "\"quoted\"", "image", "selector", "labels", "status", "--", "a b"])
mutation = st.one_of(
    st.tuples(st.just(_delete), st.just("")),
    st.tuples(st.just(_duplicate), st.just("")),
    st.tuples(st.just(_retype), new_values),
    st.tuples(st.just(_reindent), st.sampled_from(["deeper", "shallower", "odd", "tab"])),
    st.tuples(st.just(_rename), new_keys),
)


@FAST
@given(st.lists(st.tuples(mutation, st.integers(min_value=0)), min_size=1, max_size=4),
       st.sampled_from(["\n", "\r\n"]))
def test_mutated_manifests(mutations, newline):
    lines = SEED.splitlines()
    for (apply, argument), where in mutations:
        if not lines:
            break
        lines = apply(lines, where % len(lines), argument)
    assert_sane(newline.join(lines) + newline)


def test_the_unmutated_seed_is_clean():
    """The baseline the mutations start from: without them, nothing is wrong."""
    assert check(SEED).ok


# --- the same findings in every process, whatever the hash seed ---------------------

_PRINT_FINDINGS = """
import json, sys
from pathlib import Path
from k8s_course.pipeline import check
print(json.dumps({name: [f.to_json() for f in check(Path(sys.argv[1]) / name).findings]
                  for name in sys.argv[2:]}))
"""


def test_findings_do_not_depend_on_the_hash_seed():
    def run(seed: str) -> dict:
        result = subprocess.run(
            [sys.executable, "-c", _PRINT_FINDINGS, str(HOSTILE), *sorted(MANIFEST)],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr[-2000:]
        return json.loads(result.stdout)

    assert run("1") == run("2")
