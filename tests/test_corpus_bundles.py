"""No false alarms on whole answers: realistic bundles (a folder of files each, as a
repository holds them) give no error and no warning, and together they cover every
kind the course teaches."""

from __future__ import annotations

from pathlib import Path

import pytest

import tools.coverage
from k8s_course import check
from k8s_course.findings import Severity

BUNDLES = sorted(p for p in (Path(__file__).parent / "corpus" / "bundles").iterdir()
                 if p.is_dir())
# The kinds the course's notes list (tools/coverage.py keeps the list), each of which a
# clean bundle must hold.
COURSE_KINDS = set(tools.coverage.COURSE_KINDS)


def test_the_bundles_are_many_and_cover_every_kind_of_the_course():
    assert len(BUNDLES) >= 10
    kinds = {r.kind for bundle in BUNDLES for r in check(bundle).bundle}
    assert len(COURSE_KINDS) == 24
    assert COURSE_KINDS - kinds == set()


@pytest.mark.parametrize("bundle", BUNDLES, ids=[p.name for p in BUNDLES])
def test_a_realistic_bundle_has_no_error_or_warning(bundle):
    report = check(bundle)
    loud = [f"{f.file}:{f.line} {f.rule}: {f.message}" for f in report.findings
            if f.severity is not Severity.INFO]
    assert loud == []
    assert len(report.bundle) >= 2
