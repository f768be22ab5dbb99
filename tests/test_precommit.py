"""The pre-commit hook this repository offers, run by pre-commit itself on a throwaway repository.

The hook's own definition (.pre-commit-hooks.yaml) is read and run as a local
hook with `language: system`, so pre-commit calls the `k8s-course` of this
checkout instead of building a virtualenv from the package index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parent.parent
HOOKS = ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent
GOOD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (BIN / "pre-commit").exists()
    or not (BIN / "k8s-course").exists(),
    reason="needs git, pre-commit and the k8s-course command in this virtualenv")


def _pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(ROOT), "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([str(BIN / "pre-commit"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_hooks_file_is_a_valid_pre_commit_manifest(tmp_path):
    result = _pre_commit("validate-manifest", str(HOOKS), cwd=ROOT, home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_hook_fails_a_broken_manifest_passes_a_fixed_one_and_skips_kustomize(tmp_path):
    repository = tmp_path / "repo"
    repository.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repository, check=True)
    [hook] = yaml.safe_load(HOOKS.read_text())
    local = {**hook, "language": "system"}
    (repository / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}))
    app = repository / "app.yaml"
    app.write_text(GOOD.replace('"nginx:1.27"', '"nginx:1.27", ports: [{containerPort: 99999}]'))
    (repository / "kustomization.yaml").write_text("resources: [app.yaml]\n")
    (repository / "notes.txt").write_text("not YAML at all: {{\n")
    subprocess.run(["git", "add", "-A"], cwd=repository, check=True)

    broken = _pre_commit("run", hook["id"], "--all-files", cwd=repository,
                         home=tmp_path / "cache")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "app.yaml:9:" in broken.stdout and "container-port-range" in broken.stdout
    assert "kustomization" not in broken.stdout

    app.write_text(GOOD)
    subprocess.run(["git", "add", "-A"], cwd=repository, check=True)
    fixed = _pre_commit("run", hook["id"], "--all-files", cwd=repository,
                        home=tmp_path / "cache")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Passed" in fixed.stdout

    # a commit that touches only a Kustomize file has nothing to check, and passes
    only = _pre_commit("run", hook["id"], "--files", "kustomization.yaml", cwd=repository,
                       home=tmp_path / "cache")
    assert only.returncode == 0, only.stdout + only.stderr
