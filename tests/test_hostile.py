"""Hostile and broken input: every one gives a Report with the right finding, nothing breaks.

The small inputs live in tests/hostile/ with the finding each must produce in
tests/hostile/manifest.tsv. The big ones (a 20 MB file, thousands of
documents, megabyte lines, 100,000 brackets) are generated here at test time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from k8s_course.findings import Severity
from k8s_course.pipeline import check
from k8s_course.source import MAX_BYTES, MAX_DEPTH, MAX_NODES_PER_DOCUMENT, split_lines

from .conftest import FIXTURES

HOSTILE = Path(__file__).parent / "hostile"
ROOT = Path(__file__).parent.parent
CLI = [sys.executable, "-m", "k8s_course"]
# A child process that checks hostile input may use this much address space.
MEMORY_LIMIT = 1536 * 1024 * 1024
CHILD_TIMEOUT = 120


@dataclass(frozen=True)
class Expected:
    """One finding a hostile input must produce (rule "" means: the report is ok)."""

    rule: str
    severity: str
    line: int | None
    column: int | None


def read_manifest() -> dict[str, list[Expected]]:
    expected: dict[str, list[Expected]] = {}
    for row in (HOSTILE / "manifest.tsv").read_text().splitlines():
        if not row.strip() or row.startswith("#"):
            continue
        name, rule, severity, line, column = row.split("\t")
        expected.setdefault(name, [])
        if rule != "-":
            expected[name].append(Expected(rule, severity, int(line),
                                           None if column == "-" else int(column)))
    return expected


MANIFEST = read_manifest()

CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings{i}\ndata:\n  a: b\n"


def _twenty_megabytes() -> bytes:
    block = CONFIG_MAP.format(i=0).encode()
    return b"---\n".join([block] * (20 * 1024 * 1024 // len(block) + 1))


def _thousands_of_documents() -> str:
    documents = [CONFIG_MAP.format(i=i) for i in range(5000)]
    documents[4321] = documents[4321].replace("\ndata:", "\ndta:")
    return "---\n".join(documents)


def _largest_accepted() -> str:
    """As many small documents as fit under the size limit (about 130,000), each its own
    object (the same object twice would be a duplicate-object error)."""
    longest = CONFIG_MAP.format(i=999_999)
    count = int(MAX_BYTES * 0.98 / (len(longest) + 4))
    return "---\n".join(CONFIG_MAP.format(i=i) for i in range(count))


def _wide_list() -> str:
    return "apiVersion: v1\nkind: ConfigMap\ndata: [" + ", ".join(
        ["x"] * (MAX_NODES_PER_DOCUMENT + 10)) + "]\n"


def _deep_block(depth: int) -> str:
    return "".join("  " * level + f"k{level}:\n" for level in range(depth))


# name -> (make the input, expected findings); built at test time, never committed.
GENERATED: dict[str, tuple[Callable[[], str | bytes], list[Expected]]] = {
    "twenty-megabytes": (_twenty_megabytes, [Expected("yaml-too-large", "error", 1, 1)]),
    "thousands-of-documents": (_thousands_of_documents, [
        # document 4321 starts on line 4321 * 7 + 1; `dta:` is its 5th line
        Expected("schema-unknown-field", "error", 4321 * 7 + 5, 1)]),
    "megabyte-line": (lambda: CONFIG_MAP.format(i=0).replace("a: b", "a: " + "x" * 5_000_000),
                      []),
    "megabyte-key": (lambda: "k" * 2_000_000 + ": 1\n",
                     [Expected("yaml-syntax", "error", 1, None)]),
    "flow-brackets-100k": (lambda: "a: " + "[" * 100_000 + "]" * 100_000,
                           [Expected("yaml-too-deep", "error", 1, MAX_DEPTH + 3)]),
    "flow-brackets-unclosed": (lambda: "a: " + "{a: " * 50_000,
                               [Expected("yaml-too-deep", "error", 1, None)]),
    "block-nesting-2000": (lambda: _deep_block(2000), [
        Expected("yaml-too-deep", "error", MAX_DEPTH + 1, None)]),
    "sequence-nesting-2000": (lambda: "".join("  " * n + "-\n" for n in range(2000)),
                              [Expected("yaml-too-deep", "error", None, None)]),
    "wide-list": (_wide_list, [Expected("yaml-too-large", "error", 3, None)]),
    "largest-accepted": (_largest_accepted, []),
    "binary": (lambda: bytes(range(256)) * 64, [Expected("yaml-binary", "error", 1, 1)]),
    "png-header": (lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(4096),
                   [Expected("yaml-binary", "error", 3, 1)]),
    "lone-surrogate": (lambda: "apiVersion: v1\nkind: \ud800\n",
                       [Expected("yaml-invalid-utf8", "error", 2, 7)]),
}
# `Expected.line` None means: any line that exists in the text.


def _matches(finding, want: Expected) -> bool:
    return (finding.rule == want.rule and str(finding.severity) == want.severity
            and (want.line is None or finding.line == want.line)
            and (want.column is None or finding.column == want.column))


def assert_report(report, expected: list[Expected], lines: list[str] | None) -> None:
    for want in expected:
        found = [f for f in report.findings if _matches(f, want)]
        got = [(f.rule, f.line, f.column) for f in report.findings]
        assert found, f"expected {want}, got {got}"
    if not any(want.severity == "error" for want in expected):
        assert report.ok, [f.rule for f in report.errors]
    if lines is not None:
        for finding in report.findings:
            assert 1 <= finding.line <= len(lines), finding
            assert 1 <= finding.column <= len(lines[finding.line - 1]) + 1, finding
    # every rendering works on hostile input too
    assert report.summary()
    json.loads(report.to_json())
    report.to_text()
    report._repr_html_()


def lines_of(data: str | bytes) -> list[str] | None:
    """The text's lines as findings count them, or None when it is not text."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
    return split_lines(data)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_each_file_in_the_corpus_gives_its_finding(name):
    path = HOSTILE / name
    report = check(path)
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16")
    assert_report(report, MANIFEST[name], lines_of(data))


def test_the_corpus_manifest_lists_every_file():
    on_disk = {p.name for p in HOSTILE.iterdir() if p.name != "manifest.tsv"}
    assert on_disk == set(MANIFEST)


# The largest accepted input takes seconds; it runs once, in the memory-limited child.
@pytest.mark.parametrize("name", sorted(set(GENERATED) - {"largest-accepted"}))
def test_each_generated_input_gives_its_finding(name):
    make, expected = GENERATED[name]
    data = make()
    report = check(data)
    assert_report(report, expected, lines_of(data))


def test_twenty_megabytes_is_refused_from_a_file_and_from_text(tmp_path):
    data = _twenty_megabytes()
    assert len(data) > MAX_BYTES
    path = tmp_path / "big.yaml"
    path.write_bytes(data)
    for answer in (path, data.decode()):
        report = check(answer)
        assert [f.rule for f in report.findings] == ["yaml-too-large"]


def test_a_lost_document_does_not_hide_the_others():
    text = _thousands_of_documents()
    report = check(text)
    assert len(report.bundle) == 5000
    assert [f.document for f in report.errors] == [4321]


@pytest.mark.parametrize("name", ["python-object.yaml", "python-object-root.yaml"])
def test_object_building_tags_execute_nothing(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the corpus files `touch hostile-marker` here
    check(HOSTILE / name)
    marker = tmp_path / "marked"
    for tag in ("!!python/object/apply:os.system", "!!python/object/new:os.system",
                "!!python/object/apply:subprocess.call"):
        report = check(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
                       f"data:\n  a: {tag} [\"touch {marker}\"]\n")
        assert "yaml-unsafe-tag" in report.rules()
    assert not marker.exists()
    assert not (tmp_path / "hostile-marker").exists()


def test_merge_keys_and_anchors_give_the_merged_values():
    report = check(HOSTILE / "merge-keys.yaml")
    body = report.bundle.resources[0].body
    assert body["metadata"]["annotations"] == {"app": "web", "tier": "front", "note": "merged"}
    assert body["data"]["extra"] == "1"
    anchors = check(HOSTILE / "anchors.yaml").bundle.resources[0].body
    assert anchors["spec"]["containers"][0] == anchors["spec"]["containers"][1]
    assert anchors["spec"]["nodeSelector"] == {"app": "web"}


def test_a_bom_is_read_in_utf8_and_both_utf16_orders():
    for name in ("bom-utf8.yaml", "bom-utf16le.yaml", "bom-utf16be.yaml"):
        report = check(HOSTILE / name)
        assert report.bundle.resources[0].name == "settings", name


# --- bounded time and memory: the worst inputs in a child process with limits -------

_CHILD = """
import json, resource, sys
from tests.test_hostile import GENERATED
from k8s_course.pipeline import check
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
out = {{}}
for name in sys.argv[1:]:
    report = check(GENERATED[name][0]())
    out[name] = sorted(report.rules()), report.ok
# VmHWM is this program's peak RSS (ru_maxrss would include the parent's)
out["peak_kb"] = int(next(line.split()[1] for line in open("/proc/self/status")
                          if line.startswith("VmHWM")))
print(json.dumps(out))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="address-space limits are Linux-only")
def test_the_worst_inputs_stay_within_a_memory_limit():
    worst = ["twenty-megabytes", "largest-accepted", "thousands-of-documents", "megabyte-line",
             "megabyte-key", "flow-brackets-100k", "block-nesting-2000", "wide-list"]
    result = subprocess.run(
        [sys.executable, "-c", _CHILD.format(limit=MEMORY_LIMIT), *worst],
        capture_output=True, text=True, cwd=ROOT, timeout=CHILD_TIMEOUT)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    for name in worst:
        rules, ok = out[name]
        expected = GENERATED[name][1]
        assert all(want.rule in rules for want in expected), (name, rules)
        assert ok == (not expected), (name, rules)
    assert out["peak_kb"] * 1024 < MEMORY_LIMIT


# --- the same through the command line -------------------------------------------

@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_the_cli_reports_each_file_without_a_traceback(name):
    result = subprocess.run([*CLI, "check", "--format", "json", str(HOSTILE / name)],
                            capture_output=True, text=True, cwd=ROOT, timeout=CHILD_TIMEOUT)
    assert "Traceback" not in result.stderr, result.stderr
    findings = json.loads(result.stdout)
    errors = [f for f in findings if f["severity"] == str(Severity.ERROR)]
    assert result.returncode == (1 if errors else 0)
    for want in MANIFEST[name]:
        assert any(f["rule"] == want.rule and f["line"] == want.line for f in findings), want


def test_the_cli_survives_every_file_at_once_and_binary_on_stdin():
    files = [str(HOSTILE / name) for name in sorted(MANIFEST)]
    # two worker processes, whatever this machine has: the pool must survive it too
    result = subprocess.run([*CLI, "check", "--jobs", "2", *files], capture_output=True,
                            text=True, cwd=ROOT, timeout=CHILD_TIMEOUT)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for name in MANIFEST:
        if MANIFEST[name]:
            assert name in result.stdout

    program = b"\x7fELF\x02\x01\x01\x00" + os.urandom(2048)
    binary = subprocess.run([*CLI, "check", "-"], input=program,
                            capture_output=True, cwd=ROOT, timeout=CHILD_TIMEOUT)
    assert binary.returncode == 1
    assert b"yaml-binary" in binary.stdout
    assert b"Traceback" not in binary.stderr


def test_the_cli_exits_2_for_a_missing_file_and_still_checks_the_rest():
    result = subprocess.run([*CLI, "check", "no-such-file.yaml", str(HOSTILE / "valid.json")],
                            capture_output=True, text=True, cwd=ROOT, timeout=CHILD_TIMEOUT)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "file-unreadable" in result.stdout


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_the_cli_reads_no_more_than_the_cap_from_an_endless_file_or_stdin():
    endless = subprocess.run([*CLI, "check", "/dev/zero"], capture_output=True, text=True,
                             cwd=ROOT, timeout=CHILD_TIMEOUT)
    assert endless.returncode == 1 and "yaml-too-large" in endless.stdout
    flood = subprocess.run([*CLI, "check", "-"], input=b"a: b\n" * (3 * MAX_BYTES // 5),
                           capture_output=True, cwd=ROOT, timeout=CHILD_TIMEOUT)
    assert flood.returncode == 1 and b"yaml-too-large" in flood.stdout
    assert b"Traceback" not in endless.stderr.encode() + flood.stderr


def test_a_command_line_name_is_always_a_file_never_yaml_text(tmp_path):
    missing = subprocess.run([*CLI, "check", "notes.txt"], capture_output=True, text=True,
                             cwd=tmp_path, timeout=CHILD_TIMEOUT)
    assert missing.returncode == 2 and "file-unreadable" in missing.stdout
    folder = subprocess.run([*CLI, "check", str(HOSTILE)], capture_output=True, text=True,
                            cwd=ROOT, timeout=CHILD_TIMEOUT)
    assert folder.returncode == 1 and "alias-bomb.yaml" in folder.stdout


def test_the_cli_handles_a_twenty_megabyte_file(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(_twenty_megabytes())
    result = subprocess.run([*CLI, "check", str(path)], capture_output=True, text=True,
                            cwd=ROOT, timeout=CHILD_TIMEOUT)
    assert result.returncode == 1
    assert "yaml-too-large" in result.stdout
    assert "Traceback" not in result.stderr


# --- the same through k8s_course.batch, the grader's batch mode and the notebook magic ----

def _hostile_answers() -> dict[str, bytes]:
    """Every corpus file and the worst generated inputs, as the bytes a learner hands in."""
    answers = {name: (HOSTILE / name).read_bytes() for name in sorted(MANIFEST)}
    for name in ("twenty-megabytes", "thousands-of-documents", "flow-brackets-100k",
                 "block-nesting-2000", "binary", "wide-list"):
        data = GENERATED[name][0]()
        answers[f"{name}.yaml"] = data if isinstance(data, bytes) else data.encode()
    return answers


def test_check_many_gives_each_answer_its_own_report_in_order():
    from k8s_course.batch import check_many

    answers = list(_hostile_answers().values())
    answers += [(FIXTURES / "seed" / "mlops.yaml").read_text()] * 40  # enough for a pool
    reports = list(check_many(answers, jobs=2))
    assert len(reports) == len(answers)
    for answer, report in zip(answers, reports, strict=True):
        assert [f.to_json() for f in report.findings] == \
            [f.to_json() for f in check(answer).findings]
    assert reports[-1].ok


def test_check_many_survives_a_checker_failure_on_one_answer(monkeypatch):
    from k8s_course import batch

    def flaky(answer, **options):
        if answer == "boom":
            raise RuntimeError("a bug")
        return check(answer, **options)

    monkeypatch.setattr(batch, "check", flaky)
    first, broken, last = batch.check_many(["a: b", "boom", "c: d"], jobs=1)
    assert [f.rule for f in broken.findings] == ["checker-bug"]
    assert "missing-kind" in first.rules() and "missing-kind" in last.rules()


def _class_of_hostile_submissions(root: Path, exercise_id: str) -> dict[str, bytes]:
    """submissions/<learner>/<exercise>.yaml, one hostile answer per learner."""
    answers = _hostile_answers()
    for number, data in enumerate(answers.values()):
        target = root / f"learner-{number:03d}" / f"{exercise_id}.yaml"
        target.parent.mkdir(parents=True)
        target.write_bytes(data)
    return answers


def test_the_grader_batch_grades_every_hostile_submission(tmp_path):
    grading = pytest.importorskip("k8s_course.grading")
    from k8s_course.grading.batch import GRADED, grade_folder

    exercise = grading.load_exercise("03-deployments/pin-the-image")
    answers = _class_of_hostile_submissions(tmp_path, exercise.id)
    good = tmp_path / "zz-good-learner" / f"{exercise.id}.yaml"
    good.parent.mkdir(parents=True)
    good.write_text(exercise.solution_file.read_text())

    entries = grade_folder(tmp_path, [exercise])
    assert len(entries) == len(answers) + 1
    assert all(entry.status == GRADED for entry in entries), \
        [(e.file, e.status, e.problem) for e in entries if e.status != GRADED]
    *hostile, best = entries
    assert best.learner == "zz-good-learner" and best.score == best.maximum
    assert all(entry.score < entry.maximum for entry in hostile)


def test_the_grade_command_batch_mode_survives_hostile_submissions(tmp_path):
    pytest.importorskip("k8s_course.grading")
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    _class_of_hostile_submissions(submissions, "03-deployments/pin-the-image")
    result = subprocess.run([*CLI, "grade", "--batch", str(submissions), "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT, timeout=CHILD_TIMEOUT)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert any(out.iterdir())


def test_the_notebook_magic_shows_a_report_for_every_hostile_cell():
    notebook = pytest.importorskip("k8s_course.notebook.magic")
    namespace: dict = {}
    for name, data in _hostile_answers().items():
        try:
            cell = data.decode("utf-8")
        except UnicodeDecodeError:
            cell = data.decode("latin-1")  # what a cell holds after pasting binary junk
        shown = notebook.manifest("answer", cell, namespace)
        report = shown[0]
        assert report._repr_html_(), name
        assert namespace["answer"] is report.bundle


def test_a_hostile_cell_does_not_break_a_real_ipython_kernel():
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactiveshell.InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "k8s_course")
        for cell in ("a: &a [*a]\n", "\t- ]{", "!!python/object/apply:os.system ['true']\n",
                     "a: " + "[" * 50_000, "x" * 100_000, "\x00\x01"):
            result = shell.run_cell(f"%%manifest parsed\n{cell}", silent=True)
            assert result.error_in_exec is None, cell[:40]
            assert result.error_before_exec is None, cell[:40]
            assert shell.user_ns.pop("parsed") is not None, cell[:40]
        assert shell.run_cell("1 + 1").result == 2  # the kernel lives on
    finally:
        interactiveshell.InteractiveShell.clear_instance()


def test_check_many_still_hides_secret_values():
    from k8s_course.batch import check_many

    from .test_redact import SECRET, VALUES

    reports = list(check_many([SECRET] * 70, jobs=2))
    for report in (reports[0], reports[-1]):
        assert "schema-type" in report.rules()
        for rendering in (report.to_text(), report.to_json(), report._repr_html_()):
            assert not any(value in rendering for value in VALUES)


def test_check_many_refuses_an_unknown_kube_version_before_checking_anything():
    from k8s_course.batch import check_many

    with pytest.raises(ValueError, match=r"no schemas for Kubernetes 0\.1"):
        next(check_many(["a: b"], kube_version="0.1"))
