"""The report as a learner reads it: HTML in a notebook, plain text elsewhere."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from k8s_course import check
from k8s_course.render import html, lesson_href, text

from .conftest import yaml_text

TWO_OBJECTS = yaml_text("""
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: mlops
    spec:
      replicas: three
      selector:
        matchLabels:
          app: web
      template:
        metadata:
          labels:
            app: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: mlops
    spec:
      selector:
        app: wbe
      ports:
        - port: 80
    """)


class _Collect(HTMLParser):
    """Every element's tag and attributes, and the text, of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def _parse(fragment: str) -> _Collect:
    parser = _Collect()
    parser.feed(fragment)
    parser.close()
    assert parser.stack == [], "unclosed elements"
    return parser


def _classes(parser: _Collect) -> list[str]:
    return [c for _, attrs in parser.elements for c in attrs.get("class", "").split()]


def test_html_groups_findings_by_object_in_the_order_of_the_yaml():
    report = check(TWO_OBJECTS)
    page = _parse(html(report))
    titles = re.findall(r'<div class="k8sc-res">(.*?)</div>', html(report))
    assert [re.sub("<[^>]+>", "", t) for t in titles] == [
        "Deployment/web namespace mlops", "Service/web namespace mlops"]
    rendered = "".join(page.text)
    assert rendered.index("replicas") < rendered.index("wbe")


def test_html_marks_the_spot_on_the_source_line():
    report = check(TWO_OBJECTS)
    replicas = next(f for f in report.findings if f.dotted_path == "spec.replicas")
    page = html(report)
    block = re.search(rf'data-line="{replicas.line}".*?</pre>', page, re.S).group(0)
    assert '<span class="k8sc-spot">three</span>' in block
    assert f"{replicas.line:>4} │ " in block


def test_html_tells_severities_apart_and_shows_hint_and_lesson_link():
    report = check(TWO_OBJECTS)
    parser = _parse(html(report))
    classes = _classes(parser)
    assert {str(f.severity) for f in report.findings} <= {
        c.removeprefix("k8sc-") for c in classes if c in ("k8sc-error", "k8sc-warning",
                                                          "k8sc-info")}
    assert classes.count("k8sc-f") == len(report.findings)
    links = [attrs["href"] for tag, attrs in parser.elements if tag == "a"]
    assert len(links) == sum(bool(f.lesson) for f in report.findings)
    assert all(".ipynb" in link for link in links)
    assert "Hint:" in "".join(parser.text)


def test_html_follows_the_jupyterlab_theme():
    style = html(check(TWO_OBJECTS))
    for variable in ("--jp-ui-font-color1", "--jp-cell-editor-background",
                     "--jp-content-link-color", "--jp-border-color2"):
        assert f"var({variable}" in style


def test_html_escapes_what_the_learner_wrote():
    report = check("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: <script>x</script>\n")
    page = html(report)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_html_for_a_clean_answer_says_so():
    report = check("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\ndata:\n  a: b\n")
    page = html(report)
    assert "k8sc-pass" in page and "no problems" in page
    assert "k8sc-f" not in _classes(_parse(page))


def test_findings_about_the_yaml_itself_get_their_own_group():
    report = check("a: [1, 2\nb: 3\n")
    assert report.findings and not report.findings[0].resource
    assert "(the YAML itself)" in html(report)


def test_text_is_compiler_style_and_stable():
    report = check(TWO_OBJECTS)
    first, second = text(report), text(check(TWO_OBJECTS))
    assert first == second
    replicas = next(f for f in report.findings if f.dotted_path == "spec.replicas")
    assert (f"<answer>:{replicas.line}:{replicas.column}: error[{replicas.rule}] "
            "Deployment/web (namespace mlops):") in first
    lines = first.splitlines()
    source = lines.index(f" {replicas.line} |   replicas: three")
    assert lines[source + 1].index("^") == lines[source].index("three")
    assert first.endswith(report.summary())
    assert "\033[" not in first and "\033[" in text(report, color=True)


def test_text_caret_stays_under_the_column_after_a_tab():
    report = check("apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n")
    out = text(report)
    assert "\t" not in out  # tabs are expanded so the caret lines up


def test_ipython_shows_the_full_text_not_the_one_line_repr():
    from IPython.lib.pretty import pretty

    report = check(TWO_OBJECTS)
    assert pretty(report) == report.to_text()
    assert repr(report).startswith("<Report:")


def test_lesson_links_point_at_the_notebook_from_where_the_kernel_runs(tmp_path: Path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "03-deployments.ipynb").write_text("{}")
    (tmp_path / "solutions").mkdir()
    assert lesson_href("03-deployments#replicas", tmp_path / "notebooks") == \
        "03-deployments.ipynb#replicas"
    assert lesson_href("03-deployments#replicas", tmp_path / "solutions") == \
        "../notebooks/03-deployments.ipynb#replicas"
    assert lesson_href("03-deployments#replicas", tmp_path) == \
        "notebooks/03-deployments.ipynb#replicas"
    elsewhere = tmp_path / "a" / "b" / "c" / "d" / "e"
    elsewhere.mkdir(parents=True)
    assert lesson_href("03-deployments", elsewhere) == "notebooks/03-deployments.ipynb"


def test_a_lesson_not_written_yet_is_linked_where_it_will_be_without_doubling(tmp_path: Path):
    # the kernel of notebooks/03-deployments.ipynb runs in notebooks/: a link to a
    # lesson that is not there must not become notebooks/notebooks/...
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "solutions").mkdir()
    assert lesson_href("99-later#part", tmp_path / "notebooks") == "99-later.ipynb#part"
    assert lesson_href("99-later#part", tmp_path / "solutions") == \
        "../notebooks/99-later.ipynb#part"
    assert lesson_href("99-later", tmp_path) == "notebooks/99-later.ipynb"


def test_a_lesson_link_names_the_cell_that_holds_its_anchor(tmp_path: Path):
    # JupyterLab scrolls a just-opened notebook to #cell-id=..., not to a plain #anchor
    import nbformat

    cells = [nbformat.v4.new_markdown_cell("# 05 · Config"),
             nbformat.v4.new_markdown_cell('<a id="env"></a>\n## Env\n<a id="env-from"></a>')]
    cells[0].id, cells[1].id = "top-1", "env"
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "notebooks" / "05-c.ipynb")
    here = tmp_path / "notebooks"
    assert lesson_href("05-c#env", here) == "05-c.ipynb#cell-id=env"
    assert lesson_href("05-c#env-from", here) == "05-c.ipynb#cell-id=env"
    assert lesson_href("05-c#gone", here) == "05-c.ipynb#gone"  # the test_lessons check
    (tmp_path / "notebooks" / "05-c.ipynb").write_text("not json")
    assert lesson_href("05-c#env", here) == "05-c.ipynb#env"  # a broken file: still a link


def test_markdown_in_hints_is_html_in_a_notebook_and_gone_in_text():
    from k8s_course import markup

    hint = "write `replicas: 3` under `spec`, **not** <b>here</b> (a*b)"
    assert markup.html(hint) == ("write <code>replicas: 3</code> under <code>spec</code>,"
                                 " <b>not</b> &lt;b&gt;here&lt;/b&gt; (a*b)")
    assert markup.plain(hint) == "write replicas: 3 under spec, not <b>here</b> (a*b)"
    secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  p: hello\n"
    report = check(secret)
    assert "`" not in str(report) and "stringData:" in str(report)
    assert "<code>stringData:</code>" in report._repr_html_()
