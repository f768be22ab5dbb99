"""The pipeline: sources -> Bundle -> schema -> rules -> Report."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path as FsPath

from . import rules, schema
from .bundle import Bundle, resources_of
from .custom import mark_cluster_scoped
from .discover import SUFFIXES, manifest_files
from .findings import Finding, Severity
from .report import Report
from .source import Source, decode, parse, read_path

Answer = str | bytes | os.PathLike | Bundle | Iterable["str | bytes | os.PathLike"]


def _looks_like_path(text: str) -> bool:
    # never a folder: a one-line answer such as "." must not read the current folder
    return "\n" not in text and (text.endswith(SUFFIXES) or os.path.isfile(text))


def read_sources(answer: Answer, name: str = "<answer>") -> tuple[list[Source], list[Finding]]:
    """Turn what the caller gave (text, bytes, paths, or a list of them) into Sources.

    A one-line string ending in .yaml/.yml/.json (or naming an existing file)
    is a path; any other string is the YAML itself.
    """
    if isinstance(answer, bytes):
        source, problems = decode(name, answer)
        return ([source] if source else []), problems
    if isinstance(answer, str) and not _looks_like_path(answer):
        return [Source(name, answer)], []
    if isinstance(answer, str | os.PathLike):
        path = FsPath(answer)
        if path.is_dir():
            # the same files `k8s-course check DIR` reads: no Kustomize, Helm or CI files
            files, _ = manifest_files([path])
            return read_sources(files) if files else ([], [Finding(
                "file-unreadable", Severity.ERROR, f"{path} holds no manifest "
                "(.yaml, .yml or .json file that is not a Kustomize, Helm or CI file)",
                "name a manifest file, or a folder that contains some", str(path))])
        source, problems = read_path(path)
        return ([source] if source else []), problems
    if not isinstance(answer, Iterable) or isinstance(answer, Mapping):
        return [], [Finding(
            "answer-not-text", Severity.ERROR,
            f"the answer is {type(answer).__name__}, not YAML text",
            "pass the YAML as a string, or the path of a .yaml file", name)]
    sources: list[Source] = []
    findings: list[Finding] = []
    for index, item in enumerate(answer):
        # each text gets its own name: a finding's file must say which text it is in
        more, problems = read_sources(item, f"{name} ({index + 1})" if index else name)
        sources += more
        findings += problems
    return sources, findings


def load(answer: Answer, name: str = "<answer>") -> tuple[Bundle, list[Finding]]:
    """Parse an answer into a Bundle, with the findings about its YAML."""
    if isinstance(answer, Bundle):
        return answer, []
    sources, findings = read_sources(answer, name)
    bundle = Bundle(sources=sources)
    for source in sources:
        documents, problems = parse(source)
        findings += problems
        bundle.resources += [r for document in documents for r in resources_of(document)]
    mark_cluster_scoped(bundle.resources)
    return bundle, findings


def run_stages(answer: Answer, version: str, name: str = "<answer>"
               ) -> tuple[Bundle, list[Finding], list[Finding], list[Finding]]:
    """The answer through each stage, kept apart for grading: the Bundle, then the
    findings of parsing, of the schema and of the rules."""
    bundle, parsed = load(answer, name)
    bundle.kube_version = version
    fitted, covered = schema.check_all(bundle.resources, version)
    return bundle, parsed, fitted, rule_stage(bundle, covered)


def rule_stage(bundle: Bundle, covered: schema.Covered) -> list[Finding]:
    """The rules' findings, without those about fields the schema stage flagged
    (`covered`): one mistake, one finding."""
    bundle.derived["flagged"] = covered  # for cross-resource rules (Bundle.flagged)
    return [f for f in rules.run(bundle) if not schema.knock_on(f, covered)]


def check(answer: Answer, *, kube_version: str | None = None, name: str = "<answer>") -> Report:
    """Every mistake in a learner's answer, each with its line, column and a fix.

    `answer` is YAML text, a path, a list of paths, or a Bundle from `load()`.
    Raises ValueError only for an unknown `kube_version`; bad input of any
    kind becomes findings.
    """
    version = schema.normalize_version(kube_version)
    bundle, parsed, fitted, ruled = run_stages(answer, version, name)
    return Report(parsed + fitted + ruled, bundle, version)
