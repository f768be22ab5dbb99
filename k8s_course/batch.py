"""Check many answers on every core: a whole class's submissions, or a folder of manifests.

Each worker process imports the checker and compiles its validators once,
then checks answers in chunks; the Reports come back in the order given.
One bad answer cannot stop the batch: `check()` turns bad input into findings,
and an unexpected failure in a worker becomes a `checker-bug` finding for that
answer alone.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from .findings import Finding, Severity
from .pipeline import Answer, check
from .report import Report
from .schema import normalize_version

# Below this many answers a pool costs more (process start, imports) than it saves.
_POOL_THRESHOLD = 64


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
    chunks = [answers[i:i + chunk] for i in range(0, len(answers), chunk)]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker) as pool:
        for reports in pool.map(_check_chunk, chunks, [kube_version] * len(chunks)):
            yield from reports
