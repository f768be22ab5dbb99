"""pytest plugin for `make mutate`: each module's mutants run only its own fast tests.

mutmut first runs the suite once ("stats") and notes, for every test, each
mutated function it reached; a mutant then runs every test that reached its
function. Nearly every test parses YAML and builds a graph, so a mutant of
`source.py` would run most of the suite, and each of ~5,000 mutants would
collect thousands of tests. This plugin keeps, during that stats run, only the
functions of the modules a test's file is listed for below, so a mutant runs
the tests written for its module (plus the few end-to-end files that pin the
behaviour down) and nothing else.

It is loaded only by mutmut (`-p tests.mutation_scope` in `[tool.mutmut]` of
pyproject.toml); a normal `pytest` run never sees it. A file listed here must
run in-process and fast: tests that start a new Python (the CLI, the notebook
kernels) do not run the mutant and only cost time.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Module (or package) mutmut mutates -> the test files that cover it.
TESTS_BY_MODULE: dict[str, tuple[str, ...]] = {
    "k8s_course.source": ("test_source.py", "test_source_findings.py", "test_source_pure_python.py",
                          "test_source_paths.py", "test_check.py", "test_one_finding.py",
                          "test_corpus_mistakes.py"),
    "k8s_course.schema": ("test_schema.py", "test_validation_parity.py", "test_one_finding.py",
                          "test_corpus_mistakes.py", "test_corpus_good.py"),
    "k8s_course.graph": ("test_graph.py", "test_rules.py", "test_rules_cross.py", "test_diagram.py",
                         "test_access.py", "test_corpus_good.py", "test_corpus_bundles.py"),
    "k8s_course.redact": ("test_redact.py", "test_render.py", "test_check.py"),
    "k8s_course.cluster.guard": ("test_cluster_guard.py", "test_cluster_apply.py",
                                 "test_cluster_rollout.py", "test_cluster_portforward.py"),
    "k8s_course.cluster.errors": ("test_cluster_errors.py", "test_cluster_apply.py",
                                  "test_cluster_fake_apiserver.py"),
    "k8s_course.grading": ("test_grading.py", "test_grading_spec.py",
                           "test_grading_spec_mistakes.py", "test_grading_checks.py",
                           "test_grading_batch.py", "test_handin.py", "test_gradebook_report.py",
                           "test_exercises.py"),
}

ALL_FILES = frozenset(name for files in TESTS_BY_MODULE.values() for name in files)

# Results kept from call to call, by the functions that compute them. mutmut forks
# each mutant from a process that has already run the suite, so without this a
# mutant of such a function would never run: the original's results are reused.
_KEPT_RESULTS = {
    "k8s_course.source.x__plain": ("k8s_course.source", ("_plain_cache",)),
    "k8s_course.source.x__number": ("k8s_course.source", ("_plain_cache",)),
    "k8s_course.source.x__go_yaml_float": ("k8s_course.source", ("_plain_cache",)),
    "k8s_course.source.xǁ_Builderǁ_document": ("k8s_course.source", ("_plain_cache",)),
    "k8s_course.source.xǁ_Builderǁ_scalar": ("k8s_course.source", ("_plain_cache",)),
    "k8s_course.schema.x__schema_root": ("k8s_course.schema",
                                         ("supported_versions", "catalog", "validator")),
}


def module_of(function: str) -> str:
    """`k8s_course.source.xǁDocumentǁlocate` -> `k8s_course.source` (mutmut's naming)."""
    return function.split(".x", 1)[0]


def covers(test_file: str, module: str) -> bool:
    """Whether the tests of `test_file` are the ones to run against mutants of `module`."""
    return any(module == key or module.startswith(key + ".")
               for key, files in TESTS_BY_MODULE.items() if test_file in files)


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    """Leave out, while collecting a folder, every test file no module is covered by."""
    if collection_path.suffix == ".py" and collection_path.name.startswith("test_"):
        return collection_path.name not in ALL_FILES or None
    return None


def pytest_sessionstart() -> None:
    """Forget the kept results the function under mutation computed in the parent process."""
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    for function, (module, names) in _KEPT_RESULTS.items():
        if mutant.startswith(function + "__mutmut_"):
            for name in names:
                kept = getattr(importlib.import_module(module), name)
                kept.clear() if isinstance(kept, dict) else kept.cache_clear()


def pytest_runtest_setup() -> None:
    """In the stats run, start each test with an empty plain-scalar cache.

    Otherwise only the first test to read a value (`no`, `8080`) would reach `_plain`
    for it, and the tests written for those values would never run against its mutants.
    """
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        importlib.import_module("k8s_course.source")._plain_cache.clear()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Before mutmut records what this test reached, drop the modules its file does not cover."""
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        # mutmut 3.8.1 keeps the functions one test reached in this set, and files
        # it under the test in its own pytest_runtest_teardown (which runs after this).
        from mutmut.state import state

        test_file = item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
        reached = state()._stats
        reached.difference_update({f for f in reached if not covers(test_file, module_of(f))})
    return (yield)
