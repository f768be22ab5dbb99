"""The mutation report counts each module's mutants the way docs/testing.md explains."""

from __future__ import annotations

from tools.mutation_report import equivalents, stale, tally

RESULTS = """\
    k8s_course.redact.x_shown_lines__mutmut_8: killed
    k8s_course.redact.x_shown_lines__mutmut_9: survived
    k8s_course.redact.x__mask_line__mutmut_1: timeout
    k8s_course.source.xǁDocumentǁlocate__mutmut_1: no tests
    k8s_course.source.xǁDocumentǁlocate__mutmut_2: not checked
    k8s_course.cluster.guard.x_context_for__mutmut_3: survived
"""


def test_tally_per_module_with_equivalents_apart():
    table = tally(RESULTS, {"k8s_course.cluster.guard.x_context_for__mutmut_3": "same"})
    assert table["k8s_course.redact"] == {"killed": 2, "survived": 1}
    assert table["k8s_course.source"] == {"no tests": 1}
    assert table["k8s_course.cluster.guard"] == {"equivalent": 1}


def test_every_listed_equivalent_gives_its_reason():
    for name, reason in equivalents().items():
        assert "__mutmut_" in name and len(reason) > 10, name


def test_a_listed_equivalent_that_a_test_kills_counts_as_killed_and_is_flagged():
    listed = {"k8s_course.redact.x_shown_lines__mutmut_8": "thought the same",
              "k8s_course.redact.x_shown_lines__mutmut_99": "renumbered away"}
    assert tally(RESULTS, listed)["k8s_course.redact"] == {"killed": 2, "survived": 1}
    assert stale(RESULTS, listed) == ["k8s_course.redact.x_shown_lines__mutmut_8",
                                      "k8s_course.redact.x_shown_lines__mutmut_99"]
