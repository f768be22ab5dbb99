"""`k8s-course cluster up|down|status`: kind and Docker, or one clear paragraph without them.

Stand-in `docker` and `kind` scripts on a private PATH record how they were
called, so the commands are tested without a Docker engine.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
import yaml

from k8s_course import cli
from k8s_course.cluster import kind


def tool(folder: Path, name: str, body: str) -> None:
    """A stand-in executable that logs its arguments (and stdin) to folder/calls."""
    script = folder / name
    script.write_text(f"#!/bin/sh\necho \"{name} $*\" >> '{folder}/calls'\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def bin_dir(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


def calls(folder: Path) -> list[str]:
    path = folder / "calls"
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.skipif(sys.platform == "win32", reason="stand-in tools are shell scripts")
class TestWithStandIns:
    def test_up_creates_the_named_cluster_with_the_course_config(self, bin_dir):
        tool(bin_dir, "docker", "exit 0")
        # PATH holds only the stand-ins, so the script copies stdin with shell builtins
        tool(bin_dir, "kind", f"[ \"$1\" = create ] && while IFS= read -r line; do "
                              f"echo \"$line\"; done > '{bin_dir}/config'\nexit 0")
        said = kind.up()
        assert "kind-k8s-course" in said
        (create,) = [c for c in calls(bin_dir) if c.startswith("kind create")]
        assert "--name k8s-course" in create and "--config -" in create
        assert f"--image {kind.NODE_IMAGE}" in create
        config = yaml.safe_load((bin_dir / "config").read_text())
        mappings = config["nodes"][0]["extraPortMappings"]
        assert {(m["containerPort"], m["hostPort"]) for m in mappings} == {
            (30080, 30080), (80, 80), (443, 443)}
        assert {m["listenAddress"] for m in mappings} == {"127.0.0.1"}

    def test_up_leaves_an_existing_cluster_alone(self, bin_dir):
        tool(bin_dir, "docker", "exit 0")
        tool(bin_dir, "kind", "[ \"$1\" = get ] && echo k8s-course\nexit 0")
        assert "already running" in kind.up()
        assert not [c for c in calls(bin_dir) if c.startswith("kind create")]

    def test_down_deletes_only_the_course_cluster(self, bin_dir):
        tool(bin_dir, "docker", "exit 0")
        tool(bin_dir, "kind", "[ \"$1\" = get ] && echo k8s-course\nexit 0")
        kind.down()
        assert "kind delete cluster --name k8s-course" in calls(bin_dir)

    def test_a_stopped_docker_engine_is_named(self, bin_dir):
        tool(bin_dir, "docker", "exit 1")
        tool(bin_dir, "kind", "exit 0")
        with pytest.raises(kind.KindError, match="engine is not running"):
            kind.up()

    def test_status_without_the_cluster_says_how_to_make_it(self, bin_dir, capsys):
        tool(bin_dir, "docker", "exit 0")
        tool(bin_dir, "kind", "exit 0")
        assert cli.main(["cluster", "status"]) == 1
        assert "k8s-course cluster up" in capsys.readouterr().out


@pytest.mark.parametrize("present", [(), ("docker",), ("kind",)])
def test_each_missing_tool_is_one_line_with_its_fix(bin_dir, capsys, present):
    for name in present:
        tool(bin_dir, name, "exit 0")
    expected = [line for name, line in (("docker", kind.DOCKER_MISSING),
                                        ("kind", kind.KIND_MISSING)) if name not in present]
    for action in ("up", "down", "status"):
        assert cli.main(["cluster", action]) == 3
        out = capsys.readouterr()
        assert out.out == ""
        assert out.err.strip().splitlines() == [*expected, kind.THEN]
    assert "https://docs.docker.com/get-docker/" in kind.DOCKER_MISSING
    assert "https://kind.sigs.k8s.io/" in kind.KIND_MISSING
    assert "k8s-course check" in kind.THEN  # the rest of the course still works


@pytest.mark.skipif(sys.platform == "win32", reason="stand-in tools are shell scripts")
def test_a_stopped_engine_and_a_missing_kind_are_both_said(bin_dir, capsys):
    tool(bin_dir, "docker", "exit 1")  # `docker info` fails: the engine is not running
    assert cli.main(["cluster", "up"]) == 3
    assert capsys.readouterr().err.strip().splitlines() == [
        kind.ENGINE_STOPPED, kind.KIND_MISSING, kind.THEN]


def test_missing_tools_reads_the_path_it_is_given(tmp_path):
    assert kind.missing_tools({"PATH": str(tmp_path)}) == ["docker", "kind"]
    assert os.environ.get("PATH")  # the real PATH was not touched
