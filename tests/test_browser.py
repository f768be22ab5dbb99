"""JupyterLab in a real headless Chromium: the editor widget as a learner uses it.

Needs Debian's chromium at /usr/bin/chromium (.ci/run installs it); skipped
with a reason when it is absent. Screenshots go to test-artifacts/browser/.
Every wait is bounded, and the server is always shut down.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
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

from .test_diagram import APP

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NOTEBOOK = "notebooks/00-start-here.ipynb"
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


def _settings(folder: Path) -> None:
    """JupyterLab user settings: no news, no update checks (we are offline)."""
    extension = folder / "@jupyterlab" / "apputils-extension"
    notification = extension / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


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
    """A JupyterLab on 127.0.0.1 serving a copy of the start-here notebook."""
    base = tmp_path_factory.mktemp("lab")
    served = base / "course"
    (served / "notebooks").mkdir(parents=True)
    notebook = served / NOTEBOOK
    shutil.copy(ROOT / NOTEBOOK, notebook)  # a copy: JupyterLab saves into what it opens
    _settings(base / "settings")
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
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.news_url=", "--ServerApp.log_level=WARN"]
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


def test_editor_checks_grades_and_keeps_the_text_across_a_restart(lab: Lab, browser):
    expect = sync_api.expect
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(WAIT)
    try:
        _open(page, f"{lab.url}/lab/tree/{NOTEBOOK}?token={lab.token}&reset")
        _run_all(page, restart=False)
        editor = page.locator(".k8sc-exercise").first
        area = editor.locator("textarea")
        expect(area).to_be_visible()
        starter = (ROOT / "exercises" / EXERCISE / "starter.yaml").read_text()
        expect(area).to_have_value(starter)

        area.fill(WRONG)
        editor.get_by_role("button", name="Check", exact=True).click()
        finding = editor.locator('.k8sc-f[data-line="5"]')
        expect(finding).to_be_visible()
        expect(finding).to_contain_text("line 5, column 1")
        expect(finding).to_contain_text("date")
        expect(finding.locator(".k8sc-spot")).to_have_text("date")
        editor.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "1-check-finds-line-5.png")
        finding.screenshot(path=ARTIFACTS / "1-finding-close-up.png")

        area.fill(FIXED)
        editor.get_by_role("button", name="Grade", exact=True).click()
        expect(editor).to_contain_text("Full marks: 3/3 points")
        page.screenshot(path=ARTIFACTS / "2-grade-full-marks.png")

        area.fill(TYPED)  # typed, no button pressed: saved after a pause
        _wait_for_file(lab.answers / f"{EXERCISE}.answer.yaml", TYPED)

        _open(page, page.url)  # a reload, as when the learner comes back
        _run_all(page, restart=True)
        area = page.locator(".k8sc-exercise textarea").first
        expect(area).to_have_value(TYPED)
        expect(page.locator(".k8sc-exercise").first).to_contain_text("restored your text")
        page.locator(".k8sc-exercise").first.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "3-restored-after-restart.png")

        _menu(page, "Settings", "Theme", "JupyterLab Dark")
        expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1)
        area.fill(WRONG)
        page.locator(".k8sc-exercise").first.get_by_role("button", name="Check",
                                                         exact=True).click()
        expect(page.locator('.k8sc-exercise .k8sc-f[data-line="5"]')).to_be_visible()
        page.screenshot(path=ARTIFACTS / "4-dark-theme-findings.png")
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
            "diagram": ".k8sd-name, .k8sd-label, .k8sd-area-title, .k8sd-line, .k8sd-kind"}


@pytest.mark.parametrize("theme", sorted(LIGHT))
def test_report_and_diagram_are_readable_in_both_themes(browser, theme):
    report = k8s_course.check(APP.replace("replicas: 2", "replicas: two"))
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    try:
        for name, body in (("report", report._repr_html_()),
                           ("diagram", k8s_course.diagram(report)._repr_html_())):
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
