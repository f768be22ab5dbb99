"""Exercises as data: find, load and validate `exercises/<lesson>/<exercise>/`.

An instructor's mistake in `exercise.yaml` (an unknown check kind, a path
that is not a field, a missing `points`, a rule id that does not exist)
raises ExerciseError listing every problem with its line, so it is fixed
before a learner ever sees a wrong grade.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..findings import Finding, format_path
from ..graph import is_whole_number
from ..source import Document, parse, read_path
from . import fieldpath

EXERCISES = "exercises"
SOLUTIONS = "solutions"
_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LOSES = re.compile(r"^#\s*loses:\s*(.*)$")
_PATH_TESTS = ("equals", "one_of", "matches", "exists", "absent")
# check kind -> the keys it may carry besides id, points and hint
KINDS: dict[str, tuple[str, ...]] = {
    "expect": ("expect",),
    "path": ("path", "resource", *_PATH_TESTS),
    "clean": ("clean",),
    "valid": ("valid",),
    "selects": ("selects",),
    "reaches": ("reaches",),
    "python": ("python",),
    "scales": ("scales",),
    "protects": ("protects",),
    "fits-quota": ("fits-quota",),
    "can": ("can",),
    "cannot": ("cannot",),
    "uses": ("uses",),
    "mounts": ("mounts",),
}
_COMMON = ("id", "points", "hint")
_TOP_LEVEL = ("title", "lesson", "hints", "checks", "server", "starter")


class ExerciseError(ValueError):
    """An exercise folder an instructor has to fix; the message lists every problem."""


@dataclass(frozen=True)
class Check:
    """One check of an exercise: a kind, its parameters, its points and hint."""

    id: str
    kind: str
    points: int
    hint: str
    params: dict
    # resolved when the exercise loads, so grading never re-parses them
    path: fieldpath.FieldPath = ()
    pattern: re.Pattern | None = None
    function: Callable | None = field(default=None, compare=False)


@dataclass(frozen=True)
class WrongAnswer:
    """A kept mistake: the file and the ids of the checks it must lose."""

    file: Path
    loses: frozenset[str]


@dataclass(frozen=True)
class Exercise:
    """An exercise: its task, starter, hints and checks, loaded from its folder."""

    id: str
    title: str
    lesson: str
    folder: Path
    task: str
    starter: str
    hints: tuple[str, ...]
    checks: tuple[Check, ...]
    server_points: int = 1

    @property
    def maximum(self) -> int:
        """Points available offline (the cluster stage adds `server_points` when it runs)."""
        return sum(check.points for check in self.checks)

    @property
    def root(self) -> Path:
        """The course root: the folder holding exercises/ and solutions/."""
        return self.folder.parents[len(Path(self.id).parts)]

    @property
    def solution_file(self) -> Path:
        return self.root / SOLUTIONS / f"{self.id}.yaml"

    def wrong_answers(self) -> list[WrongAnswer]:
        """The kept wrong answers, each with the checks its first line says it loses."""
        files = sorted((self.folder / "wrong").glob("*.yaml"))
        return [_wrong_answer(self, file) for file in files]


# --- finding exercises ---------------------------------------------------------

def course_root() -> Path:
    """Where exercises/ lives: $K8S_COURSE_ROOT, the nearest parent of the current
    directory with an exercises/ folder, or the checkout the package runs from."""
    if os.environ.get("K8S_COURSE_ROOT"):
        return Path(os.environ["K8S_COURSE_ROOT"]).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / EXERCISES).is_dir():
            return folder
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / EXERCISES).is_dir():
        return checkout
    raise ExerciseError(f"no {EXERCISES}/ folder here or above {here}; "
                        "set K8S_COURSE_ROOT to the course folder")


def exercise_ids(root: Path | None = None) -> list[str]:
    """Ids ("03-deployments/three-replicas") of every exercise under root/exercises."""
    base = (root or course_root()) / EXERCISES
    return sorted(file.parent.relative_to(base).as_posix()
                  for file in base.glob("*/*/exercise.yaml"))


def load_exercise(exercise: str | os.PathLike) -> Exercise:
    """An exercise by id ("03-deployments/three-replicas") or by folder path."""
    folder = Path(exercise)
    if not (folder / "exercise.yaml").is_file():
        folder = course_root() / EXERCISES / str(exercise)
    if not (folder / "exercise.yaml").is_file():
        raise ExerciseError(f"no exercise {str(exercise)!r}: {folder / 'exercise.yaml'} "
                            "does not exist")
    folder = folder.resolve()
    return _load_cached(folder, (folder / "exercise.yaml").stat().st_mtime_ns)


@cache
def _load_cached(folder: Path, mtime: int) -> Exercise:
    # keyed on the modification time, so an instructor's edit is seen at once
    return _load(folder)


# --- loading and validation ----------------------------------------------------

class _Problems:
    """Collects instructor errors with their positions in exercise.yaml."""

    def __init__(self, file: Path, document: Document | None):
        self.file, self.document, self.lines = file, document, []

    def add(self, where: tuple, message: str) -> None:
        line = self.document.locate(where)[0] if self.document else 1
        dotted = format_path(where)
        self.lines.append(f"{self.file}:{line}: {dotted + ': ' if dotted else ''}{message}")

    def raise_any(self) -> None:
        if self.lines:
            raise ExerciseError("\n".join(self.lines))


def _read_text(file: Path) -> str | None:
    """A file's text, or None when there is no such file.

    One that is there but cannot be read (not UTF-8, too large) is an instructor
    error saying why, not a file that seems missing or empty.
    """
    source, findings = read_path(file)
    if source is None and file.exists():
        raise ExerciseError(_located(file, findings[0]))
    return source.text if source else None


def _located(file: Path, finding: Finding) -> str:
    return f"{file}:{finding.line}:{finding.column}: {finding.message} ({finding.hint})"


def _load(folder: Path) -> Exercise:
    file = folder / "exercise.yaml"
    source, findings = read_path(file)  # when it cannot be read, a finding says why
    documents, parsed = parse(source) if source else ([], [])
    data = documents[0].value if documents else None
    problems = _Problems(file, documents[0] if documents else None)
    for finding in findings + parsed:
        # an empty file is reported below in an instructor's terms, not a manifest's
        if str(finding.severity) == "error" and finding.rule != "empty-file":
            problems.lines.append(_located(file, finding))
    problems.raise_any()  # nothing else can be judged in YAML that does not read
    if not isinstance(data, dict):
        problems.add((), "exercise.yaml must be a mapping with title, lesson and checks")
        problems.raise_any()
    _unknown_keys(problems, (), data, _TOP_LEVEL)
    for key in ("title", "lesson"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.add((key,), f"`{key}` is missing or not text")
    hints = data.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
        problems.add(("hints",), "`hints` must be a list of sentences")
    server = data.get("server", {})
    server_points = server.get("points", 1) if isinstance(server, dict) else None
    if not _is_points(server_points):
        problems.add(("server",), "`server` must be a mapping like {points: 1}")
    task = _read_text(folder / "task.md")
    starter_name = data.get("starter", "starter.yaml")
    starter = _read_text(folder / str(starter_name))
    if task is None:
        problems.add((), f"{folder / 'task.md'} is missing: write the task for the learner")
    if starter is None:
        problems.add((), f"{folder / str(starter_name)} is missing: give the learner a start")
    checks = _checks(problems, folder, data.get("checks"))
    if checks and not any(check.kind == "valid" for check in checks):
        problems.add(("checks",), "add a check with `valid: true`: without one, an answer with "
                                  "errors (one the API server refuses) could score full marks")
    problems.raise_any()  # so task and starter were read, and every check is whole
    exercise_id = "/".join(folder.parts[-2:])
    return Exercise(exercise_id, data["title"].strip(), data["lesson"].strip(), folder,
                    task, starter, tuple(hints), tuple(checks), server_points)


def _is_points(value: Any) -> bool:
    return is_whole_number(value) and value >= 1


def _unknown_keys(problems: _Problems, where: tuple, data: dict, allowed: tuple) -> None:
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            suggestion = f"; did you mean `{close[0]}`?" if close else \
                f"; expected one of {', '.join(allowed)}"
            problems.add((*where, key), f"unknown key `{key}`{suggestion}")


def _checks(problems: _Problems, folder: Path, checks: Any) -> list[Check]:
    if not isinstance(checks, list) or not checks:
        problems.add(("checks",), "`checks` must be a non-empty list")
        return []
    loaded: list[Check] = []
    seen: set[str] = set()
    for index, entry in enumerate(checks):
        where = ("checks", index)
        if not isinstance(entry, dict):
            problems.add(where, "each check must be a mapping with id, points, hint and a kind")
            continue
        check_id = entry.get("id")
        if not isinstance(check_id, str) or not _KEBAB.match(check_id):
            problems.add((*where, "id"), "`id` is missing or not kebab-case (like three-replicas)")
        elif check_id in seen:
            problems.add((*where, "id"), f"the id {check_id} is used twice")
        seen.add(str(check_id))
        if not _is_points(entry.get("points")):
            problems.add((*where, "points"), "`points` is missing or not a whole number >= 1")
        hint = entry.get("hint")
        if not isinstance(hint, str) or not hint.strip():
            problems.add((*where, "hint"), "`hint` is missing: say what to do when it fails")
        kinds = [kind for kind in KINDS if kind in entry]
        if len(kinds) != 1:
            found = ", ".join(kinds) or "none"
            problems.add(where, f"a check needs exactly one kind of {', '.join(KINDS)} "
                                f"(found: {found})")
            _unknown_keys(problems, where, entry, _COMMON + tuple(
                key for keys in KINDS.values() for key in keys))
            continue
        kind = kinds[0]
        _unknown_keys(problems, where, entry, _COMMON + KINDS[kind])
        params = {key: entry[key] for key in KINDS[kind] if key in entry}
        extra = _VALIDATORS[kind](problems, where, folder, params)
        loaded.append(Check(str(check_id), kind, entry.get("points"), str(hint).strip(), params,
                            **extra))
    return loaded


def _ref(problems: _Problems, where: tuple, value: Any) -> bool:
    """Validate an object reference {kind, name, namespace?}."""
    if not isinstance(value, dict):
        problems.add(where, "must be a mapping like {kind: Deployment, name: web}")
        return False
    _unknown_keys(problems, where, value, ("kind", "name", "namespace"))
    good = True
    for key in ("kind", "name"):
        if not isinstance(value.get(key), str) or not value[key]:
            problems.add((*where, key), f"`{key}` is missing or not text")
            good = False
    if "namespace" in value and not isinstance(value["namespace"], str):
        problems.add((*where, "namespace"), "`namespace` must be text")
    return good


def _validate_expect(problems, where, folder, params) -> dict:
    _ref(problems, (*where, "expect"), params["expect"])
    return {}


def _validate_path(problems, where, folder, params) -> dict:
    extra: dict = {}
    good_ref = _ref(problems, (*where, "resource"), params.get("resource"))
    if not isinstance(params["path"], str):
        problems.add((*where, "path"), "`path` must be text like spec.containers[0].image")
    else:
        try:
            extra["path"] = fieldpath.parse(params["path"])
        except ValueError as error:
            problems.add((*where, "path"), str(error))
    tests = [test for test in _PATH_TESTS if test in params]
    if len(tests) != 1:
        problems.add(where, f"a path check needs exactly one of {', '.join(_PATH_TESTS)}")
        return extra
    test, value = tests[0], params[tests[0]]
    if test in ("exists", "absent") and value is not True:
        problems.add((*where, test), f"write `{test}: true`")
    if test == "one_of" and (not isinstance(value, list) or not value):
        problems.add((*where, test), "`one_of` must be a non-empty list")
    if test == "matches":
        try:
            extra["pattern"] = re.compile(str(value))
        except re.error as error:
            problems.add((*where, test), f"not a valid regular expression: {error}")
    if good_ref and extra.get("path"):
        problem = _schema_problem(params["resource"]["kind"], params["path"], extra["path"])
        if problem:
            problems.add((*where, "path"), problem)
    return extra


def _schema_problem(kind: str, text: str, path: fieldpath.FieldPath) -> str | None:
    """Why `path` is not a field of `kind` in the Kubernetes schema (None when it is)."""
    from .. import schema  # the catalog is large; load it when checked

    catalog = schema.catalog(schema.DEFAULT_KUBE_VERSION)
    api_versions = catalog.versions_of.get(kind)
    if not api_versions:
        return None  # a custom resource: nothing to check the path against
    steps = tuple(0 if step == fieldpath.ANY else step for step in path)
    for api_version in api_versions:
        root = {"$ref": f"#/$defs/{catalog.by_gvk[(api_version, kind)]}"}
        if schema.schema_at(root, steps, catalog.defs) is not None:
            return None
    return f"{text} is not a field of {kind} in the Kubernetes schema"


def _validate_clean(problems, where, folder, params) -> dict:
    from .. import rules

    ids = params["clean"]
    if isinstance(ids, str):
        ids = [ids]
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        problems.add((*where, "clean"), "`clean` must be a list of rule ids")
        return {}
    known = [rule.id for rule in rules.all_rules()]
    for rule_id in ids:
        if rule_id not in known:
            close = difflib.get_close_matches(rule_id, known, n=1)
            problems.add((*where, "clean"), f"unknown rule id {rule_id}" +
                         (f"; did you mean {close[0]}?" if close else ""))
    params["clean"] = ids
    return {}


def _validate_valid(problems, where, folder, params) -> dict:
    if params["valid"] is not True:
        problems.add((*where, "valid"), "write `valid: true`")
    return {}


def _validate_relation(problems, where, folder, params) -> dict:
    kind = "selects" if "selects" in params else "reaches"
    value = params[kind]
    where = (*where, kind)
    if not isinstance(value, dict):
        problems.add(where, f"`{kind}` must be a mapping with service and workload")
        return {}
    allowed = ("service", "workload", "namespace", *(("port",) if kind == "reaches" else ()))
    _unknown_keys(problems, where, value, allowed)
    if not isinstance(value.get("service"), str):
        problems.add((*where, "service"), "`service` must be the Service's name")
    _ref(problems, (*where, "workload"), value.get("workload"))
    port = value.get("port")
    if kind == "reaches" and (isinstance(port, bool) or not isinstance(port, int | str)):
        problems.add((*where, "port"), "`port` must be the Service port's number or name")
    return {}


def _validate_python(problems, where, folder, params) -> dict:
    spec = params["python"]
    file_name, _, function_name = str(spec).partition(":")
    file = folder / file_name
    if not function_name or not file_name.endswith(".py"):
        problems.add((*where, "python"), "write it as `checks.py:function_name`")
        return {}
    if not file.is_file() or folder not in file.resolve().parents:
        problems.add((*where, "python"), f"{file} does not exist in the exercise folder")
        return {}
    module_spec = importlib.util.spec_from_file_location(
        f"k8s_course_exercise_{abs(hash(file))}", file)
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
    except Exception as error:  # the instructor's module: report, do not crash
        problems.add((*where, "python"), f"{file} fails to import: {error!r}")
        return {}
    function = getattr(module, function_name, None)
    if not callable(function):
        problems.add((*where, "python"), f"{file} has no function {function_name}")
        return {}
    return {"function": function}


def _validate_coverage(problems, where, folder, params) -> dict:
    """scales: {hpa, workload} and protects: {pdb, workload}, each with an optional namespace."""
    kind = "scales" if "scales" in params else "protects"
    name_key = "hpa" if kind == "scales" else "pdb"
    value, where = params[kind], (*where, kind)
    if not isinstance(value, dict):
        problems.add(where, f"`{kind}` must be a mapping with {name_key} and workload")
        return {}
    _unknown_keys(problems, where, value, (name_key, "workload", "namespace"))
    if not isinstance(value.get(name_key), str) or not value[name_key]:
        problems.add((*where, name_key), f"`{name_key}` must be the object's name")
    if "namespace" in value and not isinstance(value["namespace"], str):
        problems.add((*where, "namespace"), "`namespace` must be text")
    _ref(problems, (*where, "workload"), value.get("workload"))
    return {}


def _validate_fits_quota(problems, where, folder, params) -> dict:
    value, where = params["fits-quota"], (*where, "fits-quota")
    if not isinstance(value, dict) or not isinstance(value.get("namespace"), str):
        problems.add(where, "`fits-quota` must be a mapping like {namespace: mlops}")
        return {}
    _unknown_keys(problems, where, value, ("namespace",))
    return {}


# --- can/cannot, uses/mounts (lessons 05-07) -------------------------------------------

_REQUEST_TEXT = ("as", "verb", "resource", "namespace", "group", "name")


def _validate_access(problems, where, folder, params) -> dict:
    kind = "can" if "can" in params else "cannot"
    value, where = params[kind], (*where, kind)
    if not isinstance(value, dict):
        problems.add(where, f"`{kind}` must be a mapping like {{as: system:serviceaccount:"
                            "mlops:app, verb: get, resource: configmaps, namespace: mlops}")
        return {}
    _unknown_keys(problems, where, value, (*_REQUEST_TEXT, *(("expect",) if kind == "can"
                                                               else ())))
    for key in _REQUEST_TEXT:
        required = key in ("as", "verb", "resource")
        if (required or key in value) and (not isinstance(value.get(key), str) or
                                           (required and not value[key])):
            problems.add((*where, key), f"`{key}` is missing or not text")
    if "expect" in value and not isinstance(value["expect"], bool):
        problems.add((*where, "expect"), "`expect` must be true or false")
    return {}


_USED = ("configmap", "secret", "claim")


def _validate_uses(problems, where, folder, params) -> dict:
    kind = "uses" if "uses" in params else "mounts"
    value, where = params[kind], (*where, kind)
    if not isinstance(value, dict):
        problems.add(where, f"`{kind}` must be a mapping like {{workload: {{kind: Deployment, "
                            "name: web}, configmap: web-settings}")
        return {}
    _unknown_keys(problems, where, value, ("workload", *_USED, *(("path",) if kind == "mounts"
                                                                  else ())))
    _ref(problems, (*where, "workload"), value.get("workload"))
    named = [key for key in _USED if key in value]
    if len(named) != 1:
        problems.add(where, f"name exactly one of {', '.join(_USED)}")
    elif not isinstance(value[named[0]], str) or not value[named[0]]:
        problems.add((*where, named[0]), f"`{named[0]}` must be the object's name")
    if "path" in value and not isinstance(value["path"], str):
        problems.add((*where, "path"), "`path` must be a mountPath like /etc/app")
    return {}


_VALIDATORS = {
    "expect": _validate_expect,
    "path": _validate_path,
    "clean": _validate_clean,
    "valid": _validate_valid,
    "selects": _validate_relation,
    "reaches": _validate_relation,
    "python": _validate_python,
    "scales": _validate_coverage,
    "protects": _validate_coverage,
    "fits-quota": _validate_fits_quota,
    "can": _validate_access,
    "cannot": _validate_access,
    "uses": _validate_uses,
    "mounts": _validate_uses,
}


def _wrong_answer(exercise: Exercise, file: Path) -> WrongAnswer:
    text = _read_text(file) or ""
    match = _LOSES.match(text.split("\n", 1)[0].strip())
    if match is None:
        raise ExerciseError(f"{file}:1: the first line must be `# loses: <check-id>, ...`")
    loses = frozenset(part.strip() for part in match[1].split(",") if part.strip())
    unknown = loses - {check.id for check in exercise.checks}
    if not loses or unknown:
        raise ExerciseError(f"{file}:1: `# loses:` names no check or unknown checks: "
                            f"{', '.join(sorted(unknown)) or '(none)'}")
    return WrongAnswer(file, loses)
