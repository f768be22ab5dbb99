"""The lessons (every tools/lessons/NN-*.md): notebooks, exercises and solutions hold together.

- every solution notebook opens with learning goals and ends with a recap;
- every lesson link (rules, findings, hints, exercises, notebooks) leads to a lesson
  and an anchor that exist;
- every solution manifest checks with no error and no warning;
- every image in the course is a real, small public image with an explicit tag;
- every exercise of a lesson is graded in its notebook, and each from 01 on has at least three;
- the committed solution notebooks are what tools/lessons builds from its sources;
- with a cluster (marker `cluster`), every solution manifest passes a server dry run.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from k8s_course import check
from tools.lessons import build

from .test_cluster_real import context  # noqa: F401 - the fixture naming the cluster to ask

ROOT = Path(__file__).resolve().parents[1]
LESSONS = tuple(build.lesson_names())  # every lesson with a source in tools/lessons/
NOTEBOOKS = {name: ROOT / "solutions" / f"{name}.ipynb" for name in LESSONS}
# "05-config#keys", "05-config.ipynb#keys", "notebooks/05-config.ipynb" (the anchor optional
# only after .ipynb); never an exercise id such as 05-config/token-from-secret.
ANCHOR_USE = re.compile(r"(?<![\w.-])(\d\d-[a-z0-9]+(?:-[a-z0-9]+)*)(?:\.ipynb)?#([A-Za-z0-9_-]+)")
NOTEBOOK_USE = re.compile(r"(?<![\w.-])(\d\d-[a-z0-9]+(?:-[a-z0-9]+)*)\.ipynb(?!#)")
LOCAL_LINK = re.compile(r"\]\(#([A-Za-z0-9_-]+)\)")
ANCHOR_DEF = re.compile(r'<a id="([a-z0-9-]+)"></a>')
SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
# `image: x` in YAML (not the prose "the image: a typo"), `--image=x` on a kubectl line
IMAGE = re.compile(r"""(?:^[ \t-]*image:[ \t]*|--image=)["']?([^\s"'`#,\]]+)""", re.MULTILINE)

# Real, small public images (all multi-arch, a few MB to a few tens of MB), each
# with the tags the course uses. The seed's demo app is the one non-official image:
# a small FastAPI app from the course's original notes, listening on 8080.
ALLOWED_IMAGES = {
    "nginx": {"1.27-alpine"},
    "busybox": {"1.36"},
    "hashicorp/http-echo": {"1.0"},
    "traefik/whoami": {"v1.10"},
    "heyitsrj/mlops-fastapi-app": {"v3"},
    "redis": {"7.4-alpine"},  # lesson 09's database: a small key-value store (~15 MB)
}


def _notebook(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS[name], as_version=4)


def _markdown(name: str) -> list[str]:
    return [cell.source for cell in _notebook(name).cells if cell.cell_type == "markdown"]


def _linking_texts() -> list[tuple[str, str]]:
    """(where, text) of every place that may link to a lesson: rules, findings, hints,
    exercises, lesson sources, both kinds of notebook, the rule reference and coverage pages."""
    files = [*(ROOT / "k8s_course").rglob("*.py"), *(ROOT / "exercises").rglob("*.yaml"),
             *(ROOT / "exercises").rglob("*.md"), *(ROOT / "tools" / "lessons").glob("*.md"),
             ROOT / "docs" / "rules.md", ROOT / "docs" / "coverage.md", ROOT / "README.md"]
    texts = [(str(p.relative_to(ROOT)), p.read_text()) for p in files]
    for folder in ("solutions", "notebooks"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            texts += [(f"{folder}/{path.name}", cell.source) for cell in notebook.cells]
    return texts


def _defined_anchors(name: str) -> set[str]:
    return {a for text in _markdown(name) for a in ANCHOR_DEF.findall(text)}


def _anchors_in_use() -> set[tuple[str, str]]:
    """(lesson, anchor) pairs linked from anywhere in the course ("" for a whole lesson)."""
    texts = [text for _, text in _linking_texts()]
    return {pair for text in texts for pair in ANCHOR_USE.findall(text)} | \
        {(lesson, "") for text in texts for lesson in NOTEBOOK_USE.findall(text)}


def _split_image(reference: str) -> tuple[str, str]:
    repository, _, tag = reference.rpartition(":") if ":" in reference else (reference, "", "")
    return (repository, tag) if "/" not in tag else (reference, "")


def _course_texts() -> list[tuple[str, str]]:
    """(where, text) of every place a learner reads an image name."""
    texts = [(str(p.relative_to(ROOT)), p.read_text())
             for folder in ("exercises", "solutions") for p in (ROOT / folder).rglob("*")
             if p.suffix in (".yaml", ".md")]
    texts += [(f"{name}.ipynb", cell.source) for name in LESSONS for cell in _notebook(name).cells]
    return texts


def _solution_manifests() -> list[Path]:
    return sorted(p for name in LESSONS for p in (ROOT / "solutions" / name).glob("*.yaml"))


@pytest.mark.parametrize("name", LESSONS)
def test_notebook_opens_with_learning_goals_and_ends_with_a_recap(name):
    markdown = _markdown(name)
    assert markdown[0].startswith(f"# {name[:2]} ·"), "the first cell is the lesson's title"
    assert "**Learning goals.**" in markdown[0], "learning goals belong in the first cell"
    assert len(re.findall(r"^- ", markdown[0], re.MULTILINE)) >= 3, "at least three goals"
    assert '<a id="recap"></a>\n## Recap' in markdown[-1], "the last cell is the recap"


@pytest.mark.parametrize("name", LESSONS)
def test_anchors_are_unique_in_their_notebook(name):
    anchors = [a for text in _markdown(name) for a in ANCHOR_DEF.findall(text)]
    assert len(anchors) > 3
    assert sorted({a for a in anchors if anchors.count(a) > 1}) == []


def test_every_lesson_link_leads_to_a_lesson_and_an_anchor_that_exist():
    """Every lesson link in every rule, hint, exercise and notebook: a notebook that
    exists in solutions/ and notebooks/, and an `<a id=...>` anchor defined in it."""
    used = _anchors_in_use()
    # the scan itself works: a rule's link, a finding's link, a notebook's own link
    assert {("03-deployments", "replicas"), ("05-config", "keys"),
            ("07-rbac", "least-privilege")} <= used
    broken = []
    for lesson, anchor in sorted(used):
        if lesson not in LESSONS or not (ROOT / "notebooks" / f"{lesson}.ipynb").is_file():
            broken.append(f"{lesson}#{anchor}: there is no lesson {lesson}")
        elif anchor and anchor not in _defined_anchors(lesson):
            broken.append(f"{lesson}#{anchor}: add <a id=\"{anchor}\"></a> to "
                          f"tools/lessons/{lesson}.md")
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("name", LESSONS)
def test_links_inside_a_lesson_lead_to_its_own_anchors(name):
    defined = _defined_anchors(name)
    local = {a for text in _markdown(name) for a in LOCAL_LINK.findall(text)}
    assert sorted(local - defined) == []


def test_the_link_scan_finds_every_form_of_a_lesson_link():
    text = ("see 05-config#keys, [x](../notebooks/06-storage.ipynb#claims), "
            "notebooks/07-rbac.ipynb and the exercise 05-config/token-from-secret")
    assert set(ANCHOR_USE.findall(text)) == {("05-config", "keys"), ("06-storage", "claims")}
    assert NOTEBOOK_USE.findall(text) == ["07-rbac"]


@pytest.mark.parametrize("path", _solution_manifests(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_solution_manifest_checks_without_error_or_warning(path):
    report = check(path)
    assert len(report.bundle) > 0
    serious = [f for f in report.findings if f.severity in ("error", "warning")]
    assert not serious, report.to_text()


def test_images_are_allowed_public_images():
    seen, problems = set(), []
    for where, text in _course_texts():
        for reference in IMAGE.findall(text):
            repository = _split_image(reference)[0]
            seen.add(repository)
            if repository not in ALLOWED_IMAGES:
                problems.append(f"{where}: {reference} is not in the allow-list")
    assert {"nginx", "heyitsrj/mlops-fastapi-app", "busybox"} <= seen  # the scan itself works
    assert not problems, "\n".join(problems)


def test_solutions_pin_allowed_tags():
    """Wrong answers and starters may show `nginx` or `:latest`; worked answers never do."""
    texts = [(p.name, p.read_text()) for p in _solution_manifests()]
    texts += [(f"{name}.ipynb", region) for name in LESSONS for cell in _notebook(name).cells
              for region in SOLUTION_REGION.findall(cell.source)]
    assert len(texts) > 2 * len(_solution_manifests()) - 1  # the notebooks' regions were found
    for where, text in texts:
        for reference in IMAGE.findall(text):
            repository, tag = _split_image(reference)
            assert tag in ALLOWED_IMAGES.get(repository, ()), f"{where}: {reference}"


def test_image_scan_understands_references():
    assert _split_image("nginx:1.27-alpine") == ("nginx", "1.27-alpine")
    assert _split_image("nginx") == ("nginx", "")
    assert _split_image("localhost:5000/app") == ("localhost:5000/app", "")
    assert IMAGE.findall('image: "busybox:1.36"\n--image=nginx:1.27-alpine') == [
        "busybox:1.36", "nginx:1.27-alpine"]


@pytest.mark.parametrize("name", LESSONS)
def test_every_exercise_of_the_lesson_is_graded_in_its_notebook(name):
    exercises = sorted(p.name for p in (ROOT / "exercises" / name).iterdir() if p.is_dir())
    assert len(exercises) >= (1 if name == "00-start-here" else 3)
    graded = [cell.source for cell in _notebook(name).cells
              if "graded" in cell.metadata.get("tags", ())]
    for exercise in exercises:
        assert f'grade("{name}/{exercise}", answer)' in graded, f"{exercise} is not graded"


@pytest.mark.parametrize("name", LESSONS)
def test_committed_notebook_is_built_from_its_source(name):
    """Solution notebooks are edited through tools/lessons/<name>.md, never by hand."""
    expected = build.parse((build.SOURCES / f"{name}.md").read_text())
    committed = _notebook(name).cells
    assert [(c.cell_type, c.source) for c in committed] == \
        [(c.cell_type, c.source) for c in expected], \
        f"run `.venv/bin/python -m tools.lessons.build {name}`"


@pytest.mark.parametrize("name", LESSONS)
def test_cluster_cells_are_skippable_and_store_no_output(name):
    cells = [c for c in _notebook(name).cells if "cluster" in c.metadata.get("tags", ())]
    for cell in cells:
        assert cell.source.startswith("# needs a cluster")
        assert "if on_cluster():" in cell.source
        assert "nbval-ignore-output" in cell.metadata["tags"] and not cell.outputs
    if cells:
        assert any("def on_cluster()" in c.source for c in _notebook(name).cells)


@pytest.mark.cluster
@pytest.mark.parametrize("path", _solution_manifests(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_solution_manifest_passes_a_server_dry_run(path, request):
    from k8s_course.cluster import dry_run

    report = dry_run(path, context=request.getfixturevalue("context"))
    assert not report.errors, report.to_text()


def test_lesson_source_markers_become_cells():
    cells = build.parse("+++ md\n# Title\n+++ code graded\nx = 1\n+++ cluster\ndisplay(x)\n\n"
                        "print(x)\n+++ md\nThe end.\n")
    assert [(c.cell_type, c.metadata.get("tags", [])) for c in cells] == [
        ("markdown", []), ("code", ["graded"]), ("code", []),
        ("code", ["nbval-ignore-output", "cluster"]), ("markdown", [])]
    helper, wrapped = cells[2].source, cells[3].source
    assert "def on_cluster() -> bool:" in helper  # defined once, just before its first use
    assert wrapped == ("# needs a cluster (see 00-start-here)\nif on_cluster():\n"
                       "    display(x)\n\n    print(x)")


def test_exercise_cells_show_the_solution_and_keep_the_starter_for_learners():
    from tools.build_notebooks import strip_source

    cells = build.exercise_cells("02-namespaces/create-mlops")
    assert cells[0].source.startswith('<a id="exercise-create-mlops"></a>\n### Exercise:')
    assert cells[1].source == 'editor("02-namespaces/create-mlops")'
    learner, changed = strip_source(cells[3].source)
    starter = (ROOT / "exercises/02-namespaces/create-mlops/starter.yaml").read_text()
    assert changed and learner == f'answer = """\n{starter}"""'
    assert cells[4].metadata["tags"] == ["graded"]
