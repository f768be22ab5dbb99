"""A team's settings (.k8s-course.yaml, pyproject.toml), inline suppressions, and folder walks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from k8s_course.config import SettingsError, apply, find_settings, suppressions
from k8s_course.discover import manifest_files
from k8s_course.pipeline import check
from k8s_course.source import Source

ROOT = Path(__file__).parent.parent
CLI = [sys.executable, "-m", "k8s_course"]
# `latest` is a warning (image-latest); no requests is an info (no-resources).
POD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:latest
"""


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "check", *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd)


def test_the_settings_file_is_found_upward_and_turns_rules_off_and_up(tmp_path):
    (tmp_path / ".k8s-course.yaml").write_text(
        "kube-version: '1.33'\nrules:\n  image-latest: off\n  no-resources: error\n")
    pod = tmp_path / "apps" / "web" / "pod.yaml"
    pod.parent.mkdir(parents=True)
    pod.write_text(POD)
    before = run("--format", "json", str(pod), cwd=tmp_path.parent)
    assert '"image-latest"' not in before.stdout
    assert '"rule": "no-resources",\n    "severity": "error"' in before.stdout
    assert before.returncode == 1
    text = run(str(pod))
    assert "Kubernetes 1.33" in text.stdout
    # the command line's version wins over the file's
    assert "Kubernetes 1.36" in run("--kube-version", "1.36", str(pod)).stdout


def test_pyproject_settings_are_read_too(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n[tool.k8s-course]\nkube-version = '1.34'\n\n"
        "[tool.k8s-course.rules]\nimage-latest = 'error'\n")
    (tmp_path / "pod.yaml").write_text(POD)
    result = run(str(tmp_path / "pod.yaml"))
    assert "error[image-latest]" in result.stdout and "Kubernetes 1.34" in result.stdout
    assert result.returncode == 1


@pytest.mark.parametrize("name, text, line", [
    (".k8s-course.yaml", "kube-version: '1.36'\nrules:\n  image-latest: off\n"
                         "  image-lastest: error\n", 4),
    ("pyproject.toml", "[tool.k8s-course.rules]\nno-resources = 'off'\nimagelatest = 'off'\n", 3),
])
def test_an_unknown_rule_id_in_the_settings_names_the_file_and_line(tmp_path, name, text, line):
    (tmp_path / name).write_text(text)
    (tmp_path / "pod.yaml").write_text(POD)
    result = run(str(tmp_path / "pod.yaml"))
    assert result.returncode == 2
    assert f"{tmp_path / name}:{line}: no rule" in result.stderr
    assert "did you mean image-latest" in result.stderr
    with pytest.raises(SettingsError):
        find_settings(tmp_path / "pod.yaml")


def test_a_bad_level_or_setting_is_refused_with_its_line(tmp_path):
    (tmp_path / ".k8s-course.yaml").write_text("rules:\n  image-latest: loud\n")
    with pytest.raises(SettingsError, match=r"\.k8s-course\.yaml:2: image-latest: 'loud'"):
        find_settings(tmp_path)
    (tmp_path / ".k8s-course.yaml").write_text("kube-version: '1.36'\nrulez: {}\n")
    with pytest.raises(SettingsError, match=r":2: unknown setting 'rulez'"):
        find_settings(tmp_path)


@pytest.mark.parametrize("name, text", [
    (".k8s-course.yaml", "kube-version: 1.30\n"),
    ("pyproject.toml", "[tool.k8s-course]\nkube-version = 1.30\n")])
def test_an_unquoted_version_keeps_its_spelling(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    assert find_settings(tmp_path).kube_version == "1.30"


def test_no_settings_file_means_the_defaults(tmp_path):
    assert find_settings(tmp_path).levels == {}


def _rules_after_suppression(text: str) -> list[tuple[str, int]]:
    report = check(text)
    findings = apply(report.findings, report.bundle.sources, find_settings(Path("/")))
    return [(f.rule, f.line) for f in findings]


def test_a_comment_suppresses_a_rule_on_its_line_or_the_next():
    plain = _rules_after_suppression(POD)
    assert ("image-latest", 11) in plain
    trailing = POD.replace("nginx:latest", "nginx:latest  # k8s-course: disable-line image-latest")
    assert ("image-latest", 11) not in _rules_after_suppression(trailing)
    alone = POD.replace("          image:", "          # k8s-course: disable-line image-latest\n"
                                           "          image:")
    assert ("image-latest", 12) not in _rules_after_suppression(alone)
    # another rule on the same line is not suppressed
    other = POD.replace("nginx:latest", "nginx:latest  # k8s-course: disable-line no-resources")
    assert ("image-latest", 11) in _rules_after_suppression(other)


def test_a_comment_suppresses_rules_for_its_whole_document_only():
    two = POD + "---\n" + POD.replace("name: web}", "name: api}")
    comment = "# k8s-course: disable image-latest, no-resources\n"
    marked = two.replace("kind: Deployment\n", "kind: Deployment\n" + comment, 1)
    found = _rules_after_suppression(marked)
    assert [rule for rule, line in found if line < 13] == []
    assert {rule for rule, line in found if line > 13} >= {"image-latest", "no-resources"}


def test_an_unknown_rule_id_in_a_comment_is_an_error_at_its_place():
    text = POD.replace("nginx:latest", "nginx:latest  # k8s-course: disable-line image-lates")
    found, problems = suppressions(Source("pod.yaml", text))
    assert found == []
    [problem] = problems
    assert problem.rule == "suppression-unknown-rule" and problem.line == 11
    assert text.splitlines()[10][problem.column - 1:].startswith("image-lates")
    assert "did you mean image-latest" in problem.message


def _repository(root: Path) -> None:
    files = {
        "apps/pod.yaml": POD,
        "apps/kustomization.yaml": "resources: [pod.yaml]\n",
        "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
        "chart/values.yaml": "replicas: 2\n",
        "chart/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\n"
                                           "metadata: {name: web}\n",
        "raw/templated.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                              "  name: {{ .Values.name }}\n",
        ".github/workflows/ci.yaml": "on: push\njobs: {}\n",
        ".gitlab-ci.yml": "stages: [test]\n",
        "docs/mkdocs.yml": "nav: [index.md]\n",
        ".git/config.yaml": "kind: Pod\n",  # never walked
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_a_folder_walk_checks_manifests_and_skips_the_rest(tmp_path):
    _repository(tmp_path)
    files, skipped = manifest_files([tmp_path])
    assert files == [tmp_path / "apps" / "pod.yaml"]
    reasons = {entry.path.relative_to(tmp_path).as_posix(): entry.reason for entry in skipped}
    assert set(reasons) == {"apps/kustomization.yaml", "chart/Chart.yaml", "chart/values.yaml",
                            "chart/templates/deployment.yaml", "raw/templated.yaml",
                            ".github/workflows/ci.yaml", ".gitlab-ci.yml",
                            "docs/mkdocs.yml"}
    assert "Kustomize" in reasons["apps/kustomization.yaml"]
    assert "Helm" in reasons["chart/templates/deployment.yaml"]
    assert "template" in reasons["raw/templated.yaml"]
    # a file named on the command line is checked whatever it is
    named, none = manifest_files([tmp_path / "apps" / "kustomization.yaml"])
    assert named and not none
    _, kept_out = manifest_files([tmp_path / "apps" / "kustomization.yaml"], skip_named=True)
    assert kept_out


def test_the_cli_walks_a_folder_and_says_what_it_skipped_when_verbose(tmp_path):
    _repository(tmp_path)
    quiet = run(str(tmp_path))
    assert "skipped" not in quiet.stderr
    assert "image-latest" in quiet.stdout and "kustomization" not in quiet.stdout
    verbose = run("--verbose", str(tmp_path))
    assert "1 files to check, 8 skipped" in verbose.stderr
    assert "kustomization.yaml: a Kustomize file" in verbose.stderr
    assert verbose.stdout == quiet.stdout
    chart = run(str(tmp_path / "chart"))  # only Helm files: nothing to check, nothing wrong
    assert chart.returncode == 0 and "no manifests to check; 3 files skipped" in chart.stderr
    (tmp_path / "empty").mkdir()
    empty = run(str(tmp_path / "empty"))
    assert empty.returncode == 2 and "no .yaml, .yml or .json file" in empty.stderr


def test_check_of_a_folder_in_python_reads_what_the_cli_reads(tmp_path):
    _repository(tmp_path)
    report = check(tmp_path)
    assert {f.file for f in report.findings} == {str(tmp_path / "apps" / "pod.yaml")}
    assert [r.ref for r in report.bundle] == ["Deployment/web"]


def test_braces_inside_text_are_no_template_but_braces_as_markup_are(tmp_path):
    files = {
        "alerts.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts}\n'
                       'data: {alert.tmpl: "{{ .Labels.alertname }}"}\n',
        "block.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: block}\ndata:\n"
                      '  t: |\n    {{ define "x" }}{{ end }}\n',
        "typo.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typo}\n'
                     'data: {t: "{{ x }}"}\nspec: [\n',  # a syntax error far from the braces
        "helm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n",
        "range.yaml": "spec:\n  ports:\n  {{- range .Values.ports }}\n  - port: {{ . }}\n"
                      "  {{- end }}\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    found, skipped = manifest_files([tmp_path])
    assert [p.name for p in found] == ["alerts.yaml", "block.yaml", "typo.yaml"]
    assert sorted(s.path.name for s in skipped) == ["helm.yaml", "range.yaml"]
    report = check(tmp_path)
    assert {Path(f.file).name for f in report.findings} == {"typo.yaml"}


def test_a_one_line_answer_that_names_a_folder_is_text_not_the_folder(tmp_path, monkeypatch):
    _repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    for answer in (".", "apps"):
        [finding] = check(answer).findings
        assert finding.rule == "yaml-not-a-mapping" and finding.file == "<answer>"
