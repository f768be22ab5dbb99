"""A team's settings and inline suppressions: what a repository tells the checker about itself.

Settings live in `.k8s-course.yaml` (or `[tool.k8s-course]` in pyproject.toml),
found upward from the checked files:

    kube-version: "1.35"
    rules:
      image-latest-tag: off        # never report it
      missing-probes: error        # report it as an error
      # error | warning | info change the severity; off | on

A comment suppresses rules for its line, or for its whole document:

    image: nginx:latest  # k8s-course: disable-line image-latest-tag
    # k8s-course: disable-line image-latest-tag      (alone on a line: the next line)
    # k8s-course: disable missing-probes, image-latest-tag   (this document)

Only rules of the catalogue (`k8s-course rules`) can be named; an unknown id
is an error that names the file and line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from .findings import Finding, Severity
from .rules import all_rules
from .source import Source, document_chunks, parse, split_lines

CONFIG_FILES = (".k8s-course.yaml", ".k8s-course.yml")
PYPROJECT = "pyproject.toml"
LEVELS = ("off", "on", "error", "warning", "info")
_KEYS = ("kube-version", "rules")
# `# k8s-course: disable-line id, id` or `# k8s-course: disable id` (after a space or at the start)
_COMMENT = re.compile(r"(?:^|\s)#\s*k8s-course:\s*(disable-line|disable)\b[ \t]*([^#\n\r]*)")
_ID = re.compile(r"[^\s,]+")
UNKNOWN_RULE = "suppression-unknown-rule"


class SettingsError(ValueError):
    """A settings file the checker cannot follow: says which file and line."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line


@dataclass(frozen=True)
class Settings:
    """What a settings file says; the defaults when `file` is empty."""

    file: str = ""
    kube_version: str | None = None
    levels: Mapping[str, str] = field(default_factory=dict)  # rule id -> one of LEVELS


def _rule_ids() -> set[str]:
    return {entry.id for entry in all_rules()}


def _unknown(rule_id: str) -> str:
    close = get_close_matches(rule_id, sorted(_rule_ids()), n=2)
    hint = f"; did you mean {' or '.join(close)}?" if close else "; `k8s-course rules` lists them"
    return f"no rule {rule_id!r}{hint}"


def _level(value: Any) -> str | None:
    """`off`/`on` are booleans to YAML 1.1 (and to kubectl): take them back."""
    if value is False:
        return "off"
    if value is True:
        return "on"
    return value if value in LEVELS else None


def _written(text: str, line: int) -> str:
    """The value as written on a `key: value` or `key = value` line (`1.30`, not 1.3)."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return ""
    value = re.split(r"[:=]", lines[line - 1], maxsplit=1)[-1]
    return value.split("#", 1)[0].strip().strip("\"'")


def _settings(file: str, values: Any, line_of, text: str) -> Settings:
    """Check the keys and rule ids of a settings mapping; `line_of(key path)` -> line."""
    if not isinstance(values, dict):
        raise SettingsError(file, 1, "the settings must be a mapping (kube-version, rules)")
    for key in values:
        if key not in _KEYS:
            raise SettingsError(file, line_of((key,)),
                                f"unknown setting {key!r}; the settings are {', '.join(_KEYS)}")
    version = values.get("kube-version")
    if version is not None and not isinstance(version, str | float | int):
        raise SettingsError(file, line_of(("kube-version",)), "kube-version is a version like 1.36")
    if isinstance(version, float | int):  # an unquoted 1.30 is the number 1.3
        version = _written(text, line_of(("kube-version",))) or str(version)
    rules = values.get("rules") or {}
    if not isinstance(rules, dict):
        raise SettingsError(file, line_of(("rules",)), "rules maps rule ids to off, on, "
                            "error, warning or info")
    known = _rule_ids()
    levels = {}
    for rule_id, value in rules.items():
        if rule_id not in known:
            raise SettingsError(file, line_of(("rules", rule_id)), _unknown(str(rule_id)))
        level = _level(value)
        if level is None:
            raise SettingsError(file, line_of(("rules", rule_id)),
                                f"{rule_id}: {value!r} is not one of {', '.join(LEVELS)}")
        levels[rule_id] = level
    return Settings(file, None if version is None else str(version), levels)


def read_yaml_settings(path: Path) -> Settings:
    """A `.k8s-course.yaml` file, read with the checker's own parser (for its line numbers)."""
    name = str(path)
    text = path.read_text(encoding="utf-8")
    documents, problems = parse(Source(name, text))
    errors = [p for p in problems if p.severity is Severity.ERROR and p.rule != "empty-file"]
    if errors:
        raise SettingsError(name, errors[0].line, errors[0].message)
    if not documents:  # only comments: the defaults
        return Settings(name)
    document = documents[0]
    return _settings(name, document.value, lambda key: document.locate(key)[0], text)


def read_pyproject_settings(path: Path) -> Settings | None:
    """`[tool.k8s-course]` of a pyproject.toml, or None when it has none."""
    import tomllib  # only for a folder that has a pyproject.toml

    text = path.read_text(encoding="utf-8")
    name = str(path)
    try:
        values = tomllib.loads(text).get("tool", {}).get("k8s-course")
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(name, getattr(error, "lineno", 1) or 1, str(error)) from None
    if values is None:
        return None
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if "[tool.k8s-course" in line), 0)

    def line_of(key: tuple) -> int:
        pattern = re.compile(rf'^\s*"?{re.escape(str(key[-1]))}"?\s*=')
        for number in range(start, len(lines)):
            if pattern.match(lines[number]):
                return number + 1
        return start + 1

    return _settings(name, values, line_of, text)


def find_settings(start: Path) -> Settings:
    """The nearest settings upward from `start` (a folder or a file); defaults when none."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        for name in CONFIG_FILES:
            if (candidate / name).is_file():
                return read_yaml_settings(candidate / name)
        if (candidate / PYPROJECT).is_file():
            found = read_pyproject_settings(candidate / PYPROJECT)
            if found is not None:
                return found
    return Settings()


@dataclass(frozen=True)
class _Suppression:
    file: str
    rule: str
    first: int  # lines it covers, inclusive
    last: int


def suppressions(source: Source) -> tuple[list[_Suppression], list[Finding]]:
    """The suppression comments of one source, and a finding for each unknown rule id."""
    text = source.text
    if "k8s-course:" not in text:
        return [], []
    lines = split_lines(text)
    starts = [line for line, _ in document_chunks(text)]  # 0-based first line of each document
    known = _rule_ids()
    found: list[_Suppression] = []
    problems: list[Finding] = []
    for number, line in enumerate(lines, start=1):
        match = _COMMENT.search(line)
        if match is None:
            continue
        which, ids = match.group(1), match.group(2)
        if which == "disable-line":
            alone = not line[:match.start()].strip()
            first = last = number + 1 if alone else number
        else:
            document = bisect_right(starts, number - 1) - 1
            first = starts[document] + 1
            last = starts[document + 1] if document + 1 < len(starts) else len(lines)
        for id_match in _ID.finditer(ids):
            rule_id = id_match.group()
            if rule_id in known:
                found.append(_Suppression(source.name, rule_id, first, last))
            else:
                problems.append(Finding(
                    UNKNOWN_RULE, Severity.ERROR,
                    f"the suppression comment names {_unknown(rule_id)}",
                    "write a rule id from `k8s-course rules`; the comment suppresses nothing "
                    "until then", source.name, number, match.start(2) + id_match.start() + 1))
    return found, problems


def apply(findings: Iterable[Finding], sources: Iterable[Source],
          settings: Settings) -> list[Finding]:
    """The findings as the team asked for them: suppressed, switched off or re-ranked."""
    covered: dict[tuple[str, str], list[_Suppression]] = {}
    problems: list[Finding] = []
    for source in sources:
        found, unknown = suppressions(source)
        problems += unknown
        for suppression in found:
            covered.setdefault((suppression.file, suppression.rule), []).append(suppression)
    kept = []
    for finding in findings:
        if any(s.first <= finding.line <= s.last
               for s in covered.get((finding.file, finding.rule), ())):
            continue
        level = settings.levels.get(finding.rule, "on")
        if level == "off":
            continue
        if level != "on":
            finding = replace(finding, severity=Severity(level))
        kept.append(finding)
    return kept + problems
