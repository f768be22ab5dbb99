"""`k8s-course check`: exit codes, formats, stdin."""

from __future__ import annotations

import json
import subprocess
import sys

CLI = [sys.executable, "-m", "k8s_course"]
GOOD = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: mlops\n"
BAD = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: mlops\n  labelz: {}\n"


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


def test_clean_file_exits_0(tmp_path):
    path = tmp_path / "ns.yaml"
    path.write_text(GOOD)
    result = run("check", str(path))
    assert result.returncode == 0
    assert "no problems in 1 object" in result.stdout


def test_errors_exit_1_and_print_position(tmp_path):
    path = tmp_path / "ns.yaml"
    path.write_text(BAD)
    result = run("check", str(path))
    assert result.returncode == 1
    assert f"{path}:5:3: error[schema-unknown-field]" in result.stdout


def test_stdin_and_json_format():
    result = run("check", "--format", "json", "-", stdin=BAD)
    assert result.returncode == 1
    [entry] = json.loads(result.stdout)
    assert entry["file"] == "<stdin>" and entry["line"] == 5


def test_usage_errors_and_unreadable_files_exit_2(tmp_path):
    assert run("check").returncode == 2
    assert run("check", "--kube-version", "0.1", "-", stdin=GOOD).returncode == 2
    missing = run("check", str(tmp_path / "missing.yaml"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stdout
    assert "Traceback" not in missing.stderr


def test_binary_input_is_reported_not_crashed(tmp_path):
    path = tmp_path / "image.yaml"
    path.write_bytes(b"\x00\x01\x02binary")
    result = run("check", str(path))
    assert result.returncode == 1
    assert "binary" in result.stdout and "Traceback" not in result.stderr
