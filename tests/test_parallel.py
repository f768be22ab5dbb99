"""`check --jobs N`: the same findings in the same order as one process, and no lost file.

Workers parse and schema-check files; the rules run once over the merged
bundle, so cross-file relations (a Service in one file selecting a
Deployment in another) are still found.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from k8s_course.batch import check_files
from k8s_course.pipeline import check
from k8s_course.pool import Died, Failed, run_tasks

from .conftest import FIXTURES

ROOT = Path(__file__).parent.parent
CLI = [sys.executable, "-m", "k8s_course"]
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web{i}, namespace: shop}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web{i}}}}}
  template:
    metadata: {{labels: {{app: web{i}}}}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{{name: http, containerPort: 8080}}]
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: web{i}, namespace: shop}}
spec:
  selector: {{app: web{i}}}
  ports: [{{port: 80, targetPort: {port}}}]
"""


def _repository(folder: Path, count: int = 12) -> list[Path]:
    """Deployments and Services in separate files; every third Service aims at a wrong port."""
    paths = []
    for i in range(count):
        deployment = folder / f"{i:02d}-deployment.yaml"
        deployment.write_text(DEPLOYMENT.format(i=i))
        service = folder / f"{i:02d}-service.yaml"
        service.write_text(SERVICE.format(i=i, port="web" if i % 3 == 0 else "http"))
        paths += [deployment, service]
    (folder / "broken.yaml").write_text("kind: [\n")
    return [*paths, folder / "broken.yaml"]


def _json(report) -> list[dict]:
    return [finding.to_json() for finding in report.findings]


def test_jobs_give_the_findings_of_one_process_in_the_same_order(tmp_path):
    paths = _repository(tmp_path)
    one = check_files(paths, jobs=1)
    two = check_files(paths, jobs=2)
    assert _json(two) == _json(one) == _json(check(paths))
    assert two.to_text() == one.to_text()
    # the cross-file rule still ran: each wrong Service was matched with its Deployment
    assert sum(f.rule == "target-port-unknown" for f in two.findings) == 4
    assert "yaml-syntax" in two.rules()
    assert len(two.bundle) == len(one.bundle) == 24


def test_jobs_keep_one_finding_per_mistake_and_crds_across_files(tmp_path):
    corpus = Path(__file__).parent / "corpus" / "mistakes"
    paths = [corpus / "custom-resource-wrong-field.yaml", corpus / "misspelt-template-labels.yaml",
             corpus / "list-item-mistake.yaml"]
    crd, resource = (corpus / "custom-resource-wrong-type.yaml").read_text().split("---\n")
    (tmp_path / "a-crd.yaml").write_text(crd.replace("backups.", "archives.").replace(
        "Backup", "Archive").replace("backup", "archive"))
    (tmp_path / "b-archive.yaml").write_text(resource.replace("Backup", "Archive"))
    paths += [tmp_path / "a-crd.yaml", tmp_path / "b-archive.yaml"]
    one, two = check_files(paths, jobs=1), check_files(paths, jobs=2)
    assert _json(two) == _json(one) == _json(check(paths))
    # the knock-on selector error stays quiet, and the CRD of one file checks the other
    assert "selector-matches-template" not in one.rules()
    assert [(f.rule, f.line) for f in one.errors if f.file.endswith("b-archive.yaml")] == [
        ("schema-type", 6)]


def test_the_cli_gives_the_same_output_whatever_the_jobs(tmp_path):
    _repository(tmp_path)
    outputs = [subprocess.run([*CLI, "check", "--jobs", jobs, str(tmp_path)],
                              capture_output=True, text=True, timeout=120, cwd=ROOT)
               for jobs in ("1", "2", "3")]
    assert {result.returncode for result in outputs} == {1}
    assert outputs[0].stdout == outputs[1].stdout == outputs[2].stdout
    assert "target-port-unknown" in outputs[0].stdout


def _kill_on_negative(number: int) -> int:
    if number < 0:
        os.kill(os.getpid(), signal.SIGKILL)  # what the out-of-memory killer sends
    if number == 0:
        raise ValueError("a bug in the task")
    return number * 10


def test_a_worker_that_dies_is_its_task_answer_and_the_others_still_run():
    results = run_tasks(_kill_on_negative, [1, -1, 2, 0, 3, -2, 4], jobs=2)
    assert results[0] == 10 and results[2] == 20 and results[4] == 30 and results[6] == 40
    assert results[1] == Died(-signal.SIGKILL) == results[5]
    assert "signal 9" in results[1].reason
    assert results[3] == Failed("ValueError")


def test_a_process_with_threads_starts_its_workers_afresh_and_gets_the_same_answers():
    """Forking beside other threads (a Jupyter kernel has several) could copy a held lock."""
    import threading

    from k8s_course import pool

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert pool._context().get_start_method() != "fork"
        results = run_tasks(_kill_on_negative, [1, -1, 2], jobs=2)
    finally:
        stop.set()
        thread.join()
    assert results == [10, Died(-signal.SIGKILL), 20]


def _pids_reading(fifo: Path, parent: int) -> list[int]:
    """Processes below `parent` that hold `fifo` open."""
    inode = fifo.stat().st_ino
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) != parent:
                continue
            for fd in (entry / "fd").iterdir():
                if os.stat(fd).st_ino == inode:
                    found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_worker_becomes_a_finding_on_its_file_not_a_hang(tmp_path):
    paths = _repository(tmp_path, count=4)
    stuck = tmp_path / "stuck.yaml"
    os.mkfifo(stuck)  # a worker reading it waits for a writer: it stays busy until killed
    process = subprocess.Popen([*CLI, "check", "--jobs", "2", "--format", "json",
                                *map(str, paths[:4]), str(stuck), *map(str, paths[4:])],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT)
    writer = None
    try:
        deadline = time.monotonic() + 60
        while writer is None:
            assert time.monotonic() < deadline, "no worker opened the pipe"
            try:  # succeeds once a worker has the pipe open for reading
                writer = os.open(stuck, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                assert error.errno == errno.ENXIO
                time.sleep(0.05)
        workers = _pids_reading(stuck, process.pid)
        while not workers:  # the reader's open returns a moment after ours
            assert time.monotonic() < deadline, "cannot find the worker holding the pipe"
            time.sleep(0.01)
            workers = _pids_reading(stuck, process.pid)
        [worker] = workers
        os.kill(worker, signal.SIGKILL)
        out, err = process.communicate(timeout=60)
    finally:
        if writer is not None:
            os.close(writer)
        process.kill()
    assert process.returncode == 2, err
    assert "Traceback" not in err
    findings = json.loads(out)
    [crash] = [f for f in findings if f["rule"] == "checker-crashed"]
    assert crash["file"] == str(stuck) and "signal 9" in crash["message"]
    others = [f for f in findings if f["rule"] != "checker-crashed"]
    assert others == _json(check_files(paths, jobs=1))


def test_hostile_files_through_two_jobs_match_one(tmp_path):
    from .test_hostile import GENERATED, HOSTILE, MANIFEST, _matches

    paths = [HOSTILE / name for name in sorted(MANIFEST)]
    for name in ("thousands-of-documents", "flow-brackets-100k", "block-nesting-2000",
                 "binary", "wide-list", "megabyte-key", "lone-surrogate"):
        data = GENERATED[name][0]()
        path = tmp_path / f"{name}.yaml"
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        path.write_bytes(data)
        paths.append(path)
    one = check_files(paths, jobs=1)
    two = check_files(paths, jobs=2)
    assert _json(two) == _json(one)
    for name, expected in MANIFEST.items():
        mine = [f for f in two.findings if f.file == str(HOSTILE / name)]
        for want in expected:
            assert any(_matches(f, want) for f in mine), (name, want)
    assert "checker-bug" not in two.rules()
    two.to_text()  # every file renders


def test_rules_see_the_kube_version_whatever_the_jobs(tmp_path):
    paths = _repository(tmp_path, count=2)
    for version in ("1.30", "1.36"):
        expected = _json(check(paths, kube_version=version))
        for jobs in (1, 2):
            report = check_files(paths, kube_version=version, jobs=jobs)
            assert report.bundle.kube_version == version
            assert _json(report) == expected


def test_a_checker_bug_on_one_file_is_the_same_finding_whatever_the_jobs(tmp_path,
                                                                        monkeypatch):
    import multiprocessing

    from k8s_course import batch, pool

    paths = _repository(tmp_path, count=2)
    real = batch._fit

    def buggy(answer, name, version):
        if str(answer).endswith("00-service.yaml"):
            raise RuntimeError("a bug")
        return real(answer, name, version)

    monkeypatch.setattr(batch, "_fit", buggy)
    # Forked workers see the patch; the suite's earlier tests may leave threads
    # running (fake API servers), which would make the pool start fresh workers.
    monkeypatch.setattr(pool, "_context", lambda: multiprocessing.get_context("fork"))
    one, two = check_files(paths, jobs=1), check_files(paths, jobs=2)
    assert _json(one) == _json(two)
    [bug] = [f for f in one.findings if f.rule == "checker-bug"]
    assert bug.file.endswith("00-service.yaml") and "RuntimeError" in bug.message
    assert len(one.bundle) == 3  # the three other objects were checked


def test_fixture_answers_agree_across_jobs():
    paths = sorted((FIXTURES / "seed").glob("*.yaml"))
    assert _json(check_files(paths, jobs=2)) == _json(check_files(paths, jobs=1))


def test_a_merge_key_spelled_as_a_value_survives_the_trip_from_a_worker(tmp_path):
    files = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    files[0].write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  x: <<\n")
    files[1].write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata:\n  key: z\n")
    report = check_files(files, jobs=2)
    assert report.findings == [] and report.bundle.resources[0].body["data"] == {"x": "<<"}


def test_automatic_jobs_start_workers_only_for_enough_yaml(tmp_path, monkeypatch):
    import k8s_course.batch as batch

    started = []
    real = batch.run_tasks
    monkeypatch.setattr(batch, "run_tasks", lambda *a, **k: started.append(a[2]) or real(*a, **k))
    monkeypatch.setattr(batch, "default_jobs", lambda: 2)
    files = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    for number, path in enumerate(files):
        path.write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{number}}}\n")
    alone = check_files(files)  # a few small files: workers would cost more than they save
    assert started == []
    monkeypatch.setattr(batch, "POOL_MIN_BYTES", sum(p.stat().st_size for p in files))
    shared = check_files(files)
    assert started == [2] and shared.findings == alone.findings
    check_files(files, jobs=2)  # asked for: always
    assert started == [2, 2]
