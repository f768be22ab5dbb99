"""The context guard: the course's cluster by default, another only when named, never current."""

from __future__ import annotations

import pytest

from k8s_course import cli
from k8s_course.cluster import actions
from k8s_course.cluster.guard import COURSE_CONTEXT, ContextError, choose_context

from .conftest import FIXTURES
from .fake_apiserver import FakeApiServer

SEED = FIXTURES / "seed" / "mlops.yaml"


def test_the_course_context_is_the_default():
    assert choose_context(None, ["prod", COURSE_CONTEXT], current="prod", env={}) == COURSE_CONTEXT


def test_a_named_context_is_accepted():
    assert choose_context("classroom", ["classroom", COURSE_CONTEXT], env={}) == "classroom"


def test_the_environment_variable_names_a_context():
    env = {"K8S_COURSE_CONTEXT": "classroom"}
    assert choose_context(None, ["classroom", COURSE_CONTEXT], env=env) == "classroom"


def test_the_current_context_is_never_used_implicitly():
    with pytest.raises(ContextError) as refused:
        choose_context(None, ["prod"], current="prod", env={})
    message = str(refused.value)
    assert "k8s-course cluster up" in message
    assert "'prod'" in message and "does not use it unless you name it" in message


def test_without_the_course_cluster_every_way_to_name_one_is_offered():
    with pytest.raises(ContextError) as refused:
        choose_context(None, [], env={})
    message = str(refused.value)
    assert message.startswith("The course's cluster (context 'kind-k8s-course') is not in")
    for way in ("Start it with `k8s-course cluster up`", "`dry_run(answer, context='NAME')`",
                "`--context NAME` on the command line", "the K8S_COURSE_CONTEXT environment"):
        assert way in message
    assert "current context" not in message  # there is none to mention


@pytest.mark.parametrize("current, last_words", [
    (None, ""),
    ("prod", " Your kubeconfig's current context is 'prod'; the course does not use it "
             "unless you name it."),
])
def test_the_missing_course_cluster_message_reads_whole(current, last_words):
    """The learner acts on every sentence: the command to start it, the three ways to name one."""
    with pytest.raises(ContextError) as refused:
        choose_context(None, ["prod"] if current else [], current=current, env={})
    assert str(refused.value) == (
        "The course's cluster (context 'kind-k8s-course') is not in your kubeconfig. "
        "Start it with `k8s-course cluster up`, or name the cluster to use: "
        "`dry_run(answer, context='NAME')`, `--context NAME` on the command line, "
        "or the K8S_COURSE_CONTEXT environment variable." + last_words)


def test_an_unknown_named_context_is_refused_with_the_known_ones():
    with pytest.raises(ContextError) as refused:
        choose_context("prdo", ["prod", "staging"], env={})
    assert str(refused.value) == (
        "There is no context 'prdo' in your kubeconfig (contexts there: 'prod', 'staging'). "
        "Check the spelling, or run `kubectl config get-contexts` to list them.")
    with pytest.raises(ContextError, match=r"\(contexts there: none\)"):
        choose_context("prdo", [], env={})


@pytest.fixture
def prod_and_course(tmp_path, monkeypatch):
    """Two fake clusters: `prod` (the current context!) and the course's."""
    with FakeApiServer() as prod, FakeApiServer() as course:
        path = prod.kubeconfig(tmp_path / "kubeconfig",
                               {"prod": prod.url, COURSE_CONTEXT: course.url}, current="prod")
        monkeypatch.setenv("KUBECONFIG", str(path))
        monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)
        yield prod, course


def test_actions_go_to_the_course_cluster_even_when_prod_is_current(prod_and_course):
    prod, course = prod_and_course
    report = actions.dry_run(SEED)
    assert report.context == COURSE_CONTEXT
    assert prod.requests == [] and course.calls("PATCH")


def test_actions_go_to_a_named_context(prod_and_course):
    prod, course = prod_and_course
    report = actions.dry_run(SEED, context="prod")
    assert report.context == "prod"
    assert prod.calls("PATCH") and course.requests == []


def test_without_the_course_cluster_nothing_is_sent_anywhere(tmp_path, monkeypatch, capsys):
    with FakeApiServer() as prod:
        path = prod.kubeconfig(tmp_path / "kubeconfig", {"prod": prod.url}, current="prod")
        monkeypatch.setenv("KUBECONFIG", str(path))
        monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)
        report = actions.apply(SEED)
        code = cli.main(["cluster", "dry-run", str(SEED)])
        assert prod.requests == []
    assert [f.rule for f in report.findings] == ["cluster-context"]
    assert not report.ok and "no cluster" in report.summary()
    assert code == 3 and "current context is 'prod'" in capsys.readouterr().out


def test_no_kubeconfig_at_all_is_a_finding_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no docker, no kind either
    monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)
    report = actions.dry_run(SEED)
    [finding] = report.findings
    assert finding.rule == "cluster-context"
    assert finding.message.startswith("There is no kubeconfig")
    assert "k8s-course cluster up" in finding.message and "\n" not in finding.message
    assert "Docker is not installed" in finding.hint and "kind is not installed" in finding.hint
    # about the computer, not the YAML: no line, no caret under apiVersion
    text = report.to_text()
    assert ":1:1:" not in text and "^" not in text
    assert "not about a line of your YAML" in report._repr_html_()


def test_an_unreachable_cluster_is_a_finding(tmp_path, monkeypatch):
    with FakeApiServer() as gone:
        path = gone.kubeconfig(tmp_path / "kubeconfig")
    monkeypatch.setenv("KUBECONFIG", str(path))  # the server has stopped: nothing listens
    report = actions.dry_run(SEED)
    assert [f.rule for f in report.findings] == ["cluster-unreachable"]
    assert "k8s-course cluster status" in report.findings[0].message


def _marked(namespace, name="k8s-course"):
    return {"extensions": [{"name": "other", "extension": {"namespace": "not-this"}},
                           {"name": name, "extension": {"namespace": namespace}}]}


def test_a_learner_is_confined_by_the_argument_then_the_environment_then_their_context(
        monkeypatch):
    from k8s_course.cluster.guard import learner_namespace

    context = _marked("learner-ada")
    assert learner_namespace("given", context, env={"K8S_COURSE_NAMESPACE": "env"}) == "given"
    assert learner_namespace(None, context, env={"K8S_COURSE_NAMESPACE": " env "}) == "env"
    assert learner_namespace(None, context, env={"K8S_COURSE_NAMESPACE": " "}) == "learner-ada"
    assert learner_namespace(None, context, env={}) == "learner-ada"
    monkeypatch.setenv("K8S_COURSE_NAMESPACE", "from-os")
    assert learner_namespace(None, context) == "from-os"  # the process environment by default
    monkeypatch.delenv("K8S_COURSE_NAMESPACE")
    assert learner_namespace(None, context) == "learner-ada"


@pytest.mark.parametrize("context", [
    None, {}, {"extensions": None}, {"extensions": ["k8s-course"]},
    _marked("learner-ada", name="someone-else"), _marked(["learner-ada"]),
    {"extensions": [{"name": "k8s-course", "extension": "learner-ada"}]},
])
def test_only_a_context_marked_by_the_course_with_a_namespace_confines(context):
    from k8s_course.cluster.guard import learner_namespace

    assert learner_namespace(None, context, env={}) == ""
