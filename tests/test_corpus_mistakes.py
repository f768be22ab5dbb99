"""One mistake, one finding: realistic learner mistakes, each told once, on its line.

Each file of tests/corpus/mistakes declares in its header comment the rule
that must catch its mistake, the finding's severity, the line it must sit
on and the most errors the whole file may give (one mistake should not
bring a cascade of knock-on errors).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from k8s_course import check
from k8s_course.findings import Severity

CORPUS = sorted((Path(__file__).parent / "corpus" / "mistakes").glob("*.yaml"))
_HEADER = re.compile(r"^# (rule|severity|line|max-errors): (\S+)$", re.MULTILINE)


def declared(path: Path) -> dict[str, str]:
    return dict(_HEADER.findall(path.read_text(encoding="utf-8")))


def test_the_corpus_is_large_and_every_file_declares_what_it_expects():
    assert len(CORPUS) >= 40
    for path in CORPUS:
        assert set(declared(path)) == {"rule", "severity", "line", "max-errors"}, path.name


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_each_mistake_is_found_on_its_line_without_a_cascade(path):
    want = declared(path)
    report = check(path)
    seen = [(f.rule, str(f.severity), f.line) for f in report.findings]
    assert (want["rule"], want["severity"], int(want["line"])) in seen, seen
    assert len(report.errors) <= int(want["max-errors"]), seen
    assert "checker-bug" not in report.rules()


def test_the_clean_version_of_a_mistake_is_quiet():
    # the corpus's first mistake with its line fixed: no error or warning remains
    text = (Path(__file__).parent / "corpus" / "mistakes" / "misspelt-containers.yaml").read_text()
    fixed = check(text.replace("contianers:", "containers:"))
    assert [f for f in fixed.findings if f.severity is not Severity.INFO] == []
