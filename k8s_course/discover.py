"""Which files of a folder are Kubernetes manifests, and why the others are left out.

A repository holds YAML that is not a manifest: Kustomize files, Helm charts
and templates (`{{ ... }}` is Go templating, not YAML yet), CI and tool
settings. Checking them would bury the real findings under false ones. A
file named on the command line is always checked; only a folder's walk skips.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .source import MAX_BYTES

SUFFIXES = (".yaml", ".yml", ".json")
KUSTOMIZE = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
HELM = frozenset({"Chart.yaml", "Chart.lock", "values.yaml", "values.yml",
                  "values.schema.json"})
TOOL_FILES = frozenset({
    ".gitlab-ci.yml", ".travis.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml",
    "cloudbuild.yaml", "appveyor.yml", "codecov.yml", ".pre-commit-config.yaml",
    ".pre-commit-hooks.yaml", ".k8s-course.yaml", ".k8s-course.yml", ".yamllint",
    ".yamllint.yaml", ".yamllint.yml", "mkdocs.yml", "docker-compose.yml",
    "docker-compose.yaml", "compose.yaml", "compose.yml", "skaffold.yaml",
    "package.json", "package-lock.json", "tsconfig.json", "renovate.json",
})
CI_FOLDERS = frozenset({".github", ".gitlab", ".circleci", ".buildkite"})
# Folders that hold no one's manifests: version control, environments, caches.
PRUNED = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__",
                    ".tox", ".mypy_cache", ".pytest_cache", ".ruff_cache"})


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


def why_not_a_manifest(path: Path) -> str | None:
    """Why a file found in a folder is not a manifest, or None when it may be one."""
    if path.name in KUSTOMIZE:
        return "a Kustomize file"
    in_chart = "templates" in path.parts[:-1] and (path.parent.parent / "Chart.yaml").is_file()
    if path.name in HELM or in_chart:
        return "part of a Helm chart"
    if path.name in TOOL_FILES or CI_FOLDERS.intersection(path.parts[:-1]):
        return "a CI or tool settings file"
    try:
        with path.open("rb") as handle:
            head = handle.read(MAX_BYTES + 1)
    except OSError:
        return None  # the checker reports why it cannot read it
    if b"{{" in head and _templated(head.decode("utf-8", "replace")):
        return "a template ({{ ... }} is filled in before it is YAML)"
    # Anything else is checked, even without apiVersion or kind: a learner's
    # misspelled `kind:` is a mistake to report, not a file to pass over.
    return None


def _templated(text: str) -> bool:
    """Is a `{{` written where YAML reads markup, as in `name: {{ .Values.name }}`?

    A `{{` inside quoted or block text (an Alertmanager template in a
    ConfigMap, `docker inspect -f '{{...}}'`) leaves the file a manifest.
    """
    import yaml  # only files with `{{` pay for it

    previous = None
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if (type(event) is type(previous) is yaml.MappingStartEvent and event.flow_style
                    and previous.flow_style
                    and event.start_mark.index == previous.start_mark.index + 1):
                return True  # `{{` unquoted: a flow mapping whose first key is one
            previous = event
    except yaml.MarkedYAMLError as error:  # `{{- if ... }}` lines are not YAML at all
        mark = error.problem_mark or error.context_mark
        lines = text.splitlines()
        near = lines[max(0, mark.line - 1):mark.line + 1] if mark else lines
        return any("{{" in line for line in near)
    except yaml.YAMLError:
        return True
    return False


def _walk(folder: Path) -> Iterable[Path]:
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if f not in PRUNED)
        for name in sorted(files):
            if name.endswith(SUFFIXES) or name in KUSTOMIZE:
                yield Path(root) / name


def manifest_files(paths: Iterable[Path], *, skip_named: bool = False
                   ) -> tuple[list[Path], list[Skipped]]:
    """The files to check for the paths given, in order, and the files skipped with why.

    A folder is walked in sorted order; a named file is taken as it is
    (unless `skip_named`: pre-commit names every staged YAML file). Special
    files (pipes, devices) inside a folder are skipped: reading a pipe would
    wait forever.
    """
    files: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if not path.is_dir():
            reason = why_not_a_manifest(path) if skip_named and path.is_file() else None
            if reason is None:
                files.append(path)
            else:
                skipped.append(Skipped(path, reason))
            continue
        for found in _walk(path):
            if not found.is_file():
                skipped.append(Skipped(found, "not a regular file"))
                continue
            reason = why_not_a_manifest(found)
            if reason is None:
                files.append(found)
            else:
                skipped.append(Skipped(found, reason))
    return list(dict.fromkeys(files)), skipped
