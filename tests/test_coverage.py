"""docs/coverage.md is what tools/coverage.py makes, and every kind of the course is covered.

The page lists, for each of the 24 kinds, the lesson section that teaches it,
its graded exercises, the rules that know it and its parity rows. The tool
reads all of it from the course; these tests regenerate the page, fail when the
committed one is stale, and fail when a kind lacks a lesson, an exercise or a rule.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tools import coverage as tool
from tools.coverage import ACCESS, CHECKED, COURSE_KINDS, Anchor, coverage, gaps

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "coverage.md"
FACTS = tool.gather()


def test_the_committed_page_is_what_the_command_prints():
    made = subprocess.run([sys.executable, "-m", "tools.coverage"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    assert made == tool.markdown(FACTS, coverage(FACTS))
    assert PAGE.read_text(encoding="utf-8") == made, \
        f"docs/coverage.md is stale: run `{tool.COMMAND}`"


def test_every_kind_of_the_course_has_a_lesson_a_graded_exercise_and_a_rule():
    assert len(set(COURSE_KINDS)) == 24
    assert gaps(coverage(FACTS)) == []


def _without(kind: str, part: str) -> tool.Facts:
    """The course's facts with everything of one part that concerns `kind` removed."""
    if part == "lesson":
        names = tool.anchor_names(kind)
        return replace(FACTS, anchors=tuple(a for a in FACTS.anchors if a.anchor not in names))
    if part == "exercise":
        return replace(FACTS, exercises={i: (title, {k: h for k, h in how.items() if k != kind})
                                         for i, (title, how) in FACTS.exercises.items()})
    return replace(FACTS, rules={r: kinds - {kind} for r, kinds in FACTS.rules.items()})


@pytest.mark.parametrize("part, said", [
    ("lesson", "StatefulSet: no lesson anchors it"),
    ("exercise", "StatefulSet: no graded exercise"),
    ("rule", "StatefulSet: no rule fires on it"),
])
def test_a_kind_the_course_lost_is_reported(part, said):
    before = gaps(coverage(FACTS))
    found = [line for line in gaps(coverage(_without("StatefulSet", part))) if line not in before]
    assert len(found) == 1 and found[0].startswith(said), found
    page = tool.markdown(_without("StatefulSet", part), coverage(_without("StatefulSet", part)))
    assert "**none**" in page or "**no lesson**" in page


def test_a_kind_missing_from_the_list_is_a_gap_in_every_column():
    found = gaps(coverage(FACTS, ["Widget"]))
    assert [line.split(":")[1].strip() for line in found] == [
        'no lesson anchors it (add <a id="widgets"></a> where it is taught)',
        "no graded exercise", "no rule fires on it in a Bad or parity example"]


def test_a_kind_is_taught_at_the_first_anchor_named_after_its_resource():
    assert tool.anchor_names("PersistentVolumeClaim") == (
        "persistentvolumeclaims", "persistent-volume-claims")
    source = ('<a id="intro"></a>\n## Intro\n\n<a id="claims"></a>\n'
              '<a id="persistent-volume-claims"></a>\n## PersistentVolumeClaims\n\ntext\n'
              '- <a id="inline"></a>**not a heading**\n\n## Later\n')
    anchors = tool.lesson_anchors("06-storage", source)
    assert [(a.anchor, a.heading) for a in anchors] == [
        ("intro", "Intro"), ("claims", "PersistentVolumeClaims"),
        ("persistent-volume-claims", "PersistentVolumeClaims"), ("inline", "")]
    facts = replace(FACTS, anchors=(Anchor("09-x", "persistentvolumeclaims", "late"),
                                    *anchors, Anchor("10-y", "persistent-volume-claims", "")))
    [found] = coverage(facts, ["PersistentVolumeClaim"])
    assert (found.taught.lesson, found.taught.anchor) == ("09-x", "persistentvolumeclaims")
    assert found.taught.link == "../notebooks/09-x.ipynb#persistentvolumeclaims"


def test_the_course_teaches_each_kind_in_its_own_section():
    taught = {c.kind: f"{c.taught.lesson}#{c.taught.anchor}" for c in coverage(FACTS)}
    assert taught["Namespace"] == "02-namespaces#namespaces"  # not lesson 04's section
    assert taught["StatefulSet"] == "09-workloads#statefulsets"
    assert taught["HorizontalPodAutoscaler"] == "08-scaling#horizontal-pod-autoscalers"


@pytest.mark.parametrize("kind, params, expected", [
    ("scales", {"scales": {"hpa": "h", "workload": {"kind": "Deployment", "name": "a"}}},
     {"HorizontalPodAutoscaler": CHECKED, "Deployment": CHECKED}),
    ("path", {"resource": {"kind": "StatefulSet", "name": "db"}, "path": "spec"},
     {"StatefulSet": CHECKED}),
    ("fits-quota", {"fits-quota": {"namespace": "mlops"}}, {"ResourceQuota": CHECKED}),
    ("can", {"can": {"as": "u", "verb": "list", "resource": "nodes"}}, {"Node": ACCESS}),
    ("cannot", {"cannot": {"as": "u", "verb": "get", "resource": "widgets"}}, {}),
    ("valid", {"valid": True}, {}),
])
def test_an_exercise_check_names_the_kinds_it_asks_about(kind, params, expected):
    assert tool.check_kinds(kind, params) == expected


def test_exercises_grade_the_kinds_of_their_answers_starters_and_checks():
    exercises = FACTS.exercises
    assert exercises["09-workloads/database-statefulset"][1]["StatefulSet"] == tool.WRITTEN
    assert exercises["09-workloads/rc-to-deployment"][1]["ReplicationController"] == \
        tool.STARTER
    assert exercises["07-rbac/node-reader"][1]["Node"] == ACCESS
    assert "Job" not in exercises["09-workloads/log-agent"][1]


def test_a_rule_knows_the_kinds_it_fires_on_not_those_beside_them():
    assert FACTS.rules["replicationcontroller-legacy"] == {"ReplicationController"}
    # a Service rule's examples hold a Deployment too, but it fires on the Service
    assert "Service" in FACTS.rules["service-selects-nothing"]
    assert "Deployment" not in FACTS.rules["service-selects-nothing"]
    # seen on a Node only in the parity example meta-node-name.yaml
    assert "Node" in FACTS.rules["invalid-name"]


def test_every_rule_the_page_links_has_its_entry_in_the_reference():
    reference = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    entries = set(re.findall(r"^### `([a-z0-9-]+)`$", reference, re.MULTILINE))
    linked = set(re.findall(r"\(rules\.md#([a-z0-9-]+)\)", PAGE.read_text(encoding="utf-8")))
    assert linked and linked <= entries
