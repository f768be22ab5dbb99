"""JupyterLab in a real headless Chromium: the editor widget as a learner uses it.

Needs Debian's chromium at /usr/bin/chromium (.ci/run installs it); skipped
with a reason when it is absent. Screenshots go to test-artifacts/browser/.
Every wait is bounded, and the server is always shut down.

The server runs as `make lab` does: on a learner workspace made by
`k8s-course update`, with the course's JupyterLab settings (no news popup).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import k8s_course
from k8s_course.cli.update import update
from k8s_course.notebook.codeeditor import FRONT_END
from k8s_course.picture.svg import FONTS, text_width

from .test_diagram import APP, _objects

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NOTEBOOK = "my-course/00-start-here.ipynb"
EXERCISE = "00-start-here/first-check"
WRONG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: welcome\ndate:\n  greeting: hello\n"
FIXED = WRONG.replace("date:", "data:").replace("hello\n", "hello, kubernetes\n")
TYPED = FIXED + "# typed after grading, never checked\n"
STARTUP = 90  # seconds for JupyterLab to answer
WAIT = 60_000  # milliseconds for anything in the page (a kernel start included)

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium "
                "(apt-get install -y chromium; .ci/run does it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@dataclass
class Lab:
    url: str
    token: str
    answers: Path
    notebook: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, token: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {STARTUP}s:\n{log.read_text()[-3000:]}")


def _stop(server: subprocess.Popen, url: str, token: str) -> None:
    """Ask the server to shut down (it stops its kernels), then make sure it is gone."""
    try:
        request = urllib.request.Request(f"{url}/api/shutdown", method="POST",
                                         headers={"Authorization": f"token {token}"})
        urllib.request.urlopen(request, timeout=5).close()
        server.wait(timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        pass
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Lab]:
    """A JupyterLab on 127.0.0.1 serving a learner workspace of every lesson."""
    base = tmp_path_factory.mktemp("lab")
    served = base / "course"
    # the learner's workspace, as `make lab` makes it (JupyterLab saves into what it opens)
    update(ROOT, served / "my-course")
    notebook = served / NOTEBOOK
    answers = base / "answers"
    env = {**os.environ, "K8S_COURSE_ROOT": str(ROOT), "K8S_COURSE_ANSWERS": str(answers),
           "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(base / "runtime"), "JUPYTER_CONFIG_DIR": str(base / "config"),
           "IPYTHONDIR": str(base / "ipython")}
    env.pop("K8S_COURSE_CONTEXT", None)  # never a cluster in this test
    port, token = _free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={served}",
               f"--LabApp.app_settings_dir={ROOT / 'jupyterlab-settings'}",  # as make lab
               "--ServerApp.log_level=WARN"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = base / "jupyterlab.log"
    with log.open("w") as output:
        server = subprocess.Popen(command, env=env, cwd=served, stdout=output,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_up(url, token, server, log)
        yield Lab(url, token, answers, notebook)
    finally:
        _stop(server, url, token)


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _menu(page, *path: str) -> None:
    """Click through JupyterLab's menu bar, e.g. ("Run", "Run All Cells")."""
    page.locator(".lm-MenuBar-itemLabel", has_text=path[0]).first.click()
    for label in path[1:]:
        page.locator(".lm-Menu-itemLabel").filter(
            has_text=label).filter(visible=True).first.click()


def _run_all(page, *, restart: bool) -> None:
    if restart:
        _menu(page, "Kernel", "Restart Kernel and Run All Cells")
        page.locator(".jp-Dialog-button", has_text="Restart").click()
    else:
        _menu(page, "Run", "Run All Cells")


def _open(page, url: str) -> None:
    """Load a notebook page; pick the kernel when JupyterLab asks which one."""
    page.goto(url)
    page.locator(".jp-NotebookPanel").first.wait_for()
    choose = page.locator(".jp-Dialog").filter(has_text="Select Kernel")
    try:
        choose.wait_for(timeout=8000)
    except sync_api.TimeoutError:
        return  # the notebook names its kernel: no question asked
    choose.get_by_role("button", name="Select", exact=True).click()
    choose.wait_for(state="detached")


def _wait_for_file(path: Path, text: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file() and path.read_text() == text:
            return
        time.sleep(0.2)
    found = path.read_text() if path.is_file() else "(no file)"
    pytest.fail(f"{path} never held the typed text; it holds:\n{found}")


def _editor_text(editor) -> str:
    """The text CodeMirror shows (one .cm-line per line)."""
    # textContent, not innerText: innerText is empty while the notebook lays the
    # cell out off screen; an empty line holds only a <br>
    return "\n".join(editor.locator(".cm-line").all_text_contents())


def _replace_text(page, editor, text: str) -> None:
    """Select everything in the editor and put `text` in its place, as a paste does."""
    editor.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def test_editor_marks_findings_as_you_type_grades_and_keeps_the_text(lab: Lab, browser):
    expect = sync_api.expect
    expect.set_options(timeout=WAIT)  # a busy machine: kernel starts take their time
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(WAIT)
    try:
        _open(page, f"{lab.url}/lab/tree/{NOTEBOOK}?token={lab.token}&reset")
        _run_all(page, restart=False)
        editor = page.locator(".k8sc-exercise").first
        content = editor.locator(".cm-content")
        expect(content).to_be_visible()
        expect(content).to_have_attribute(
            "aria-label", "YAML answer: Fix two mistakes with the checker's help. "
                          "Tab indents; Escape then Tab leaves the editor.")
        starter = (ROOT / "exercises" / EXERCISE / "starter.yaml").read_text()
        expect(editor.locator(".cm-content")).to_contain_text("apiVersion: v1")  # drawn
        assert _editor_text(editor) == starter.rstrip("\n") + "\n"
        expect(editor.locator(".cm-lineNumbers .cm-gutterElement", has_text="6")).to_have_count(1)

        # typed, no button pressed: the marker and the underline come on line 5, "date"
        _replace_text(page, editor, WRONG)
        underline = editor.locator(".cm-lintRange-error")
        expect(underline).to_have_count(1)
        expect(underline).to_have_text("date")
        expect(editor.locator(".cm-line").nth(4).locator(".cm-lintRange-error")).to_have_count(1)
        marker = editor.locator(".cm-gutter-lint .cm-gutterElement").filter(
            has=page.locator(".cm-lint-marker-error"))
        expect(marker).to_have_count(1)
        line_box, marker_box = editor.locator(".cm-line").nth(4).bounding_box(), \
            marker.bounding_box()
        assert abs((line_box["y"] + line_box["height"] / 2)
                   - (marker_box["y"] + marker_box["height"] / 2)) < 4  # beside line 5
        underline.hover()
        tooltip = page.locator(".cm-tooltip-lint")
        expect(tooltip).to_contain_text("date")
        expect(tooltip).not_to_contain_text("`")  # Markdown marks are not shown raw
        editor.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "1-marked-while-typing.png")
        editor.screenshot(path=ARTIFACTS / "1-editor-close-up.png")

        # Tab indents with two spaces
        editor.locator(".cm-line").nth(5).click()
        page.keyboard.press("Home")
        page.keyboard.press("Tab")
        expect(editor.locator(".cm-line").nth(5)).to_have_text("    greeting: hello")
        page.keyboard.press("Shift+Tab")
        expect(editor.locator(".cm-line").nth(5)).to_have_text("  greeting: hello")

        # fixed: the marks go, still without a button
        _replace_text(page, editor, FIXED)
        expect(editor.locator(".cm-lintRange-error")).to_have_count(0)
        expect(editor.locator(".cm-lint-marker-error")).to_have_count(0)

        editor.get_by_role("button", name="Grade", exact=True).click()
        expect(editor).to_contain_text("Full marks: 3/3 points")
        page.screenshot(path=ARTIFACTS / "2-grade-full-marks.png")

        _replace_text(page, editor, TYPED)  # typed, no button pressed: saved after a pause
        _wait_for_file(lab.answers / f"{EXERCISE}.answer.yaml", TYPED)

        _open(page, page.url)  # a reload, as when the learner comes back
        _run_all(page, restart=True)
        editor = page.locator(".k8sc-exercise").first
        expect(editor.locator(".cm-content")).to_be_visible()
        expect(editor).to_contain_text("restored your text")
        assert _editor_text(editor) == TYPED.rstrip("\n") + "\n"
        editor.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "3-restored-after-restart.png")
        # the course's JupyterLab settings: no "get notified about news?" popup
        expect(page.locator(".jp-toast-message, .Toastify__toast").filter(
            has_text="news")).to_have_count(0)

        _menu(page, "Settings", "Theme", "JupyterLab Dark")
        expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1)
        # Check pressed at once after typing: the editor hands over its text before the click
        _replace_text(page, editor, WRONG)
        editor.get_by_role("button", name="Check", exact=True).click()
        finding = editor.locator('.k8sc-f[data-line="5"]')
        expect(finding).to_be_visible()
        expect(editor.locator(".cm-lintRange-error")).to_have_text("date")
        _wait_for_file(lab.answers / f"{EXERCISE}.answer.yaml", WRONG)
        editor.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "4-dark-theme-findings.png")

        # a finding's lesson link opens that lesson, scrolled to its heading far down
        _replace_text(page, editor, WRONG.replace("ConfigMap", "configmap"))
        editor.get_by_role("button", name="Check", exact=True).click()
        link = editor.locator('.k8sc-f[data-line="2"] .k8sc-lesson a')
        href = link.get_attribute("href")
        # JupyterLab resolves the relative link against the notebook's folder
        assert "/files/my-course/01-manifest-anatomy.ipynb" in href, href
        # the link names the cell that holds the anchor: JupyterLab 4.6 scrolls a notebook
        # it has just opened to a cell id (a heading or #anchor is looked for before the
        # cells are drawn, and the first click would land at the top)
        assert "#cell-id=" in href, href
        link.click()
        expect(page).to_have_url(f"{lab.url}/lab/tree/my-course/01-manifest-anatomy.ipynb")
        lesson = page.locator(".jp-NotebookPanel:visible")
        heading = lesson.locator("h2", has_text="Kinds and their API groups")
        heading.wait_for(state="attached")
        expect(heading).to_be_in_viewport()  # on the first click
        expect(lesson.locator("h1").first).not_to_be_in_viewport()  # scrolled, not the top
        page.screenshot(path=ARTIFACTS / "5-lesson-link-lands-on-heading.png")
    finally:
        page.screenshot(path=ARTIFACTS / "last-state.png")
        page.close()


# -- the renderings on their own, in JupyterLab's light and dark theme CSS ----------

def _theme_css(theme: str) -> str:
    themes = Path(sys.prefix) / "share" / "jupyter" / "lab" / "themes" / "@jupyterlab"
    css = themes / f"theme-{theme}-extension" / "index.css"
    if not css.is_file():
        pytest.skip(f"JupyterLab's {theme} theme CSS is not at {css}")
    return css.read_text()


# WCAG contrast of each element's text against the page, translucent colours
# blended over the page background first.
_CONTRAST = """
(selector) => {
  const parts = (c) => {
    const v = c.match(/[\\d.]+/g).map(Number);
    return [v.slice(0, 3), v[3] ?? 1];
  };
  const [back] = parts(getComputedStyle(document.body).backgroundColor);
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((v) => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  return [...document.querySelectorAll(selector)].map((e) => {
    const style = getComputedStyle(e);
    const [rgb, alpha] = parts(e instanceof SVGElement ? style.fill : style.color);
    const front = rgb.map((v, i) => v * alpha + back[i] * (1 - alpha));
    const [a, b] = [lum(front), lum(back)].sort((x, y) => y - x);
    return Math.round((a + 0.05) / (b + 0.05) * 100) / 100;
  });
}
"""


LIGHT = {"light": "true", "dark": "false"}
READABLE = {"report": ".k8sc-msg, .k8sc-hint, .k8sc-res, .k8sc-meta, .k8sc-src",
            "diagram": ".k8sd-name, .k8sd-label, .k8sd-area-title, .k8sd-line, .k8sd-kind, "
                       ".k8sd-legend",
            # the status chips have their own background, like the report's severities
            "progress": ".k8sp th, .k8sp td, .k8sp-not-started, .k8sp small, .k8sp li"}


def _progress_html(tmp_path: Path) -> str:
    """The progress view of a learner with one answer right, one half done, one broken."""
    from k8s_course.grading import load_exercise

    answers = tmp_path / "answers"
    right = load_exercise("03-deployments/three-replicas")
    half = load_exercise("04-services/target-port")
    saved = {right.id: right.solution_file.read_text(),
             half.id: half.wrong_answers()[0].file.read_text(),
             "05-config/settings-as-files": "kind: [broken\n"}
    for exercise_id, text in saved.items():
        (answers / exercise_id).parent.mkdir(parents=True, exist_ok=True)
        (answers / f"{exercise_id}.answer.yaml").write_text(text)
    (answers / "stray.txt").write_text("left out")
    return k8s_course.progress(answers=answers)._repr_html_()


@pytest.mark.parametrize("theme", sorted(LIGHT))
def test_report_diagram_and_progress_are_readable_in_both_themes(browser, theme, tmp_path):
    report = k8s_course.check(APP.replace("replicas: 2", "replicas: two"))
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    try:
        for name, body in (("report", report._repr_html_()),
                           ("diagram", k8s_course.diagram(report)._repr_html_()),
                           ("progress", _progress_html(tmp_path))):
            page.set_content(f"<html><head><style>{_theme_css(theme)}</style></head>"
                             f"<body data-jp-theme-light='{LIGHT[theme]}'"  # as JupyterLab
                             " style='background:var(--jp-layout-color0);margin:12px'>"
                             f"{body}</body></html>")
            page.screenshot(path=ARTIFACTS / f"{name}-{theme}.png", full_page=True)
            selector = READABLE[name]
            ratios = page.evaluate(_CONTRAST, selector)
            assert ratios, f"nothing matched {selector}"
            assert min(ratios) >= 4.5, f"{name} text too faint in the {theme} theme: {ratios}"
    finally:
        page.close()


# -- the code editor on its own (a stand-in model), in both themes --------------------

SAMPLE = ('# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "quoted"\n'
          "data:\n  count: 3\n  on: true\n  empty: null\n  list: [a, b]\ndate: x\n")
_STAND_IN = """
import editor from "/editor.js";
const state = {value: %s, label: "YAML answer: sample", rows: 8, findings: [
  {line: 11, column: 1, length: 4, severity: "error", rule: "r", message: "unknown field"},
  {line: 7, column: 3, length: 5, severity: "warning", rule: "w", message: "a warning"}]};
const listeners = {};
const model = {get: (k) => state[k], set: (k, v) => { state[k] = v; },
  send: (message) => { window.sent = message; },
  save_changes() {}, on(e, f) { (listeners[e] ||= []).push(f); }, off() {}};
editor.render({model, el: document.getElementById("box")});
window.ready = true;
"""


@pytest.mark.parametrize("theme", sorted(LIGHT))
def test_the_code_editor_reads_in_both_themes_and_sends_what_is_typed(browser, theme):
    page = browser.new_page(viewport={"width": 900, "height": 500})
    site = "http://course.test"
    html = (f"<html><head><style>{_theme_css(theme)}</style></head>"
            f"<body data-jp-theme-light='{LIGHT[theme]}' style='background:"
            "var(--jp-layout-color0);margin:12px'><div id='box'></div>"
            f"<script type='module'>{_STAND_IN % json.dumps(SAMPLE)}</script></body></html>")
    page.route(f"{site}/page.html", lambda route: route.fulfill(body=html,
                                                                 content_type="text/html"))
    page.route(f"{site}/editor.js", lambda route: route.fulfill(
        body=FRONT_END.read_text(encoding="utf-8"), content_type="text/javascript"))
    try:
        page.goto(f"{site}/page.html")
        page.wait_for_function("window.ready === true")
        sync_api.expect(page.locator(".cm-lintRange-error")).to_have_text("date")
        sync_api.expect(page.locator(".cm-lint-marker-warning")).to_have_count(1)
        page.locator(".cm-lintRange-error").hover()
        sync_api.expect(page.locator(".cm-tooltip-lint")).to_contain_text("unknown field")
        page.screenshot(path=ARTIFACTS / f"editor-{theme}.png")
        selector = (".cm-line, .cm-line span, .cm-lineNumbers .cm-gutterElement, "
                    ".cm-diagnosticText, .cm-diagnosticSource")
        ratios = page.evaluate(_CONTRAST, selector)
        assert len(ratios) > 20
        assert min(ratios) >= 4.5, f"editor text too faint in the {theme} theme: {ratios}"
        page.locator(".cm-content").click()
        page.keyboard.press("Control+End")
        page.keyboard.insert_text("extra: 1\n")
        page.wait_for_function("window.sent && window.sent.type === 'text' && "
                               "window.sent.value.endsWith('extra: 1\\n')")
    finally:
        page.close()


# -- diagrams: every text inside, the width estimate conservative for the font used ----

_TEXTS = """
() => [...document.querySelectorAll("svg.k8sd")].map((svg) => {
  const view = svg.viewBox.baseVal;
  return [...svg.querySelectorAll("text")].map((t) => {
    const box = t.getBBox();
    return {text: t.textContent, css: t.getAttribute("class").split(" ")[0],
            length: t.getComputedTextLength(), box: [box.x, box.y, box.x + box.width,
            box.y + box.height], view: [view.width, view.height]};
  });
})
"""


def test_diagrams_fit_their_texts_in_a_real_browser(browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        pictures = "".join(k8s_course.diagram(_objects(count))._repr_html_()
                           for count in range(1, 13))
        page.set_content(f"<html><head><style>{_theme_css('light')}</style></head>"
                         f"<body data-jp-theme-light='true'>{pictures}</body></html>")
        for count, texts in enumerate(page.evaluate(_TEXTS), 1):
            assert texts
            for shown in texts:
                left, top, right, bottom = shown["box"]
                width, height = shown["view"]
                assert left >= 0 and top >= 0 and right <= width and bottom <= height, \
                    (count, shown)
                estimate = text_width(shown["text"], shown["css"])
                assert shown["length"] <= estimate, (shown, estimate)  # conservative
        assert set(FONTS) >= {t["css"] for texts in page.evaluate(_TEXTS) for t in texts}
        one = k8s_course.diagram(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-settings\ndata: {a: b}\n")
        page.set_content(f"<html><head><style>{_theme_css('light')}</style></head>"
                         "<body data-jp-theme-light='true' style='margin:12px;"
                         f"background:var(--jp-layout-color0)'>{one._repr_html_()}</body></html>")
        page.locator("svg.k8sd").screenshot(path=ARTIFACTS / "diagram-one-object.png")
    finally:
        page.close()
