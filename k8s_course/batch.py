"""Check on every core: many answers (a whole class's submissions), or one answer of many files.

`check_many`: each worker process imports the checker and compiles its
validators once, then checks answers in chunks; the Reports come back in the
order given. One bad answer cannot stop the batch: `check()` turns bad input
into findings, and an unexpected failure in a worker becomes a `checker-bug`
finding for that answer alone.

`check_files`: one answer spread over many files (a repository). Workers read,
parse and schema-check one file at a time; the rules then run once over the
merged Bundle, so a Service in one file still finds the Deployment in another.
A worker that dies on a file becomes a `checker-crashed` finding on that file.
"""

from __future__ import annotations

import gc
import marshal
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from . import schema
from .bundle import Bundle, Resource
from .custom import mark_cluster_scoped
from .findings import Finding, Severity
from .pipeline import Answer, check, load, rule_stage
from .pool import Died, Failed, run_tasks
from .report import Report
from .schema import Covered, normalize_version
from .source import Document, Source

# Below this many answers a pool costs more (process start, imports) than it saves.
_POOL_THRESHOLD = 64
# Below this much YAML, starting workers (40-60 ms on two cores) costs more than
# sharing the parse saves (about 0.2 ms a kilobyte): pre-commit's few files stay here.
POOL_MIN_BYTES = 512 * 1024


def _size(answer: Path | bytes) -> int:
    if isinstance(answer, bytes):
        return len(answer)
    try:
        return answer.stat().st_size
    except OSError:  # the reader reports it; it costs no parsing
        return 0


def default_jobs() -> int:
    """Worker processes to use: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _check_one(answer: Answer, kube_version: str | None) -> Report:
    try:
        return check(answer, kube_version=kube_version)
    except Exception as error:  # one answer must not sink the batch
        return Report([Finding(
            "checker-bug", Severity.ERROR,
            f"the checker failed on this answer ({type(error).__name__}); this is a bug "
            "in the checker, not necessarily in the answer",
            "please report it to the course team with the file attached",
            file=str(answer) if isinstance(answer, str | os.PathLike) else "<answer>")])


def _start_worker() -> None:
    """Tune a worker process (ours alone) for a long run of checks.

    A check allocates many small objects that refcounting frees; with the
    default thresholds the cyclic collector still runs every 700 of them, for
    5-20% of a check's time (benchmarks/README.md). Freezing what the imports
    made and collecting rarely gives that back; the few cycles still get collected.
    """
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def _check_chunk(answers: list[Answer], kube_version: str | None) -> list[Report]:
    reports = [_check_one(answer, kube_version) for answer in answers]
    for report in reports:
        for resource in report.bundle:
            # The source map is two thirds of what a Report costs to send between
            # processes, and the findings are already positioned. The top-level
            # fields stay: rendering uses them to find (and hide) Secret values.
            document = resource.document
            document.spans = {p: s for p, s in document.spans.items() if len(p) == 1}
            document.traps = {}
    return reports


def check_many(answers: Iterable[Answer], *, kube_version: str | None = None,
               jobs: int | None = None, chunk: int = 32) -> Iterator[Report]:
    """A Report for each answer (text, bytes or path), in order, using `jobs` processes.

    `jobs=None` uses every available core; `jobs=1` (or a short list) checks
    in this process. Reports keep their findings, sources and objects, but only
    the top level of the source map: a finding made afterwards with
    `resource.finding()` points at the top-level field its path starts with.
    Raises ValueError only for an unknown `kube_version`.
    """
    normalize_version(kube_version)  # an unknown version fails here, not in every answer
    answers = list(answers)
    jobs = default_jobs() if jobs is None else max(jobs, 1)
    if jobs == 1 or len(answers) < _POOL_THRESHOLD:
        yield from _check_chunk(answers, kube_version)
        return
    from concurrent.futures import ProcessPoolExecutor  # only a big batch needs a pool

    chunks = [answers[i:i + chunk] for i in range(0, len(answers), chunk)]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker) as pool:
        for reports in pool.map(_check_chunk, chunks, [kube_version] * len(chunks)):
            yield from reports


# --- one answer of many files -----------------------------------------------

FileAnswer = Path | bytes  # a file, or what was read from standard input
# What the stages before the rules make of one file.
Fitted = tuple[list[Source], list[Document], list[Finding], list[Finding], Covered]


def _fit(answer: FileAnswer, name: str, version: str) -> Fitted:
    """Read, parse and schema-check one file: everything but the rules."""
    bundle, parsed = load(answer, name)
    fitted, covered = schema.check_all(bundle.resources, version)
    return bundle.sources, [r.document for r in bundle], parsed, fitted, covered


def _fit_packed(task: tuple[FileAnswer, str, str]) -> tuple[list[Source], bytes,
                                                              list[Finding], list[Finding],
                                                              Covered]:
    """`_fit` in a worker, its documents packed for the trip back.

    marshal reads back in about half the time of pickle, which matters since
    the merging process unpacks every document alone; parsed values are only
    dicts, lists, text, numbers, booleans and None, which marshal writes.
    """
    sources, documents, parsed, fitted, covered = _fit(*task)
    fields = [(d.file, d.index, d.value, d.line, d.column, d.spans, d.traps) for d in documents]
    return sources, marshal.dumps(fields), parsed, fitted, covered


def _failure(answer: FileAnswer, name: str, result: Died | Failed) -> Fitted:
    """The finding that says why a file has no result."""
    file = name if isinstance(answer, bytes) else str(answer)
    if isinstance(result, Died):
        return [], [], [Finding(
            "checker-crashed", Severity.ERROR,
            f"the worker process checking this file stopped ({result.reason}), "
            "so this file was not checked; the other files were",
            "run `k8s-course check --jobs 1` on this file alone; if it stops again, "
            "the file may be too large for this machine's memory", file)], [], set()
    return [], [], [Finding(
        "checker-bug", Severity.ERROR,
        f"the checker failed on this file ({result.error}); this is a bug in the "
        "checker, not necessarily in the file",
        "please report it to the course team with the file attached", file)], [], set()


def _unpack(answer: FileAnswer, name: str, result) -> Fitted:
    """A worker's answer for one file, or the finding that says why there is none."""
    if isinstance(result, Died | Failed):
        return _failure(answer, name, result)
    sources, packed, parsed, fitted, covered = result
    fields = marshal.loads(packed)
    return sources, [Document(*entry) for entry in fields], parsed, fitted, covered


def _fit_here(answer: FileAnswer, name: str, version: str) -> Fitted:
    """`_fit` in this process; a failure is the same finding a worker's would be."""
    try:
        return _fit(answer, name, version)
    except Exception as error:  # one file's checker bug must not cost the other files
        return _failure(answer, name, Failed(type(error).__name__))


def check_files(answers: Sequence[FileAnswer], *, kube_version: str | None = None,
                jobs: int | None = None, name: str = "<stdin>") -> Report:
    """One Report for files that make one answer, parsed in `jobs` worker processes.

    The same findings in the same order as `check(answers)` whatever `jobs`
    is; only the work before the rules is spread. `jobs=None` uses every
    available core for half a megabyte of YAML or more, and this process
    alone below that; bytes are checked under `name`. Raises ValueError only for
    an unknown `kube_version`.
    """
    version = normalize_version(kube_version)
    if jobs is None:  # automatic: workers only where they pay for their start
        jobs = default_jobs() if sum(map(_size, answers)) >= POOL_MIN_BYTES else 1
    jobs = max(jobs, 1)
    tasks = [(answer, name, version) for answer in answers]
    if jobs == 1 or len(tasks) < 2:
        parts = [_fit_here(*task) for task in tasks]
    else:
        results = run_tasks(_fit_packed, tasks, jobs, initializer=_start_worker)
        collecting = gc.isenabled()
        gc.disable()  # unpacking makes millions of objects and no garbage
        try:
            parts = [_unpack(answer, name, result) for (answer, _, _), result
                     in zip(tasks, results, strict=True)]
        finally:
            if collecting:
                gc.enable()
    bundle = Bundle(sources=[source for part in parts for source in part[0]],
                    resources=[Resource(document) for part in parts for document in part[1]],
                    kube_version=version)
    parsed = [finding for part in parts for finding in part[2]]
    mark_cluster_scoped(bundle.resources)  # a CRD in one file scopes its resources in another
    if any(r.kind == "CustomResourceDefinition" for r in bundle):
        # a CRD checks the custom resources of every file: fit them all again, together
        fitted, covered = schema.check_all(bundle.resources, version)
    else:
        fitted = [finding for part in parts for finding in part[3]]
        covered = set().union(*(part[4] for part in parts))
    return Report(parsed + fitted + rule_stage(bundle, covered), bundle, version)
