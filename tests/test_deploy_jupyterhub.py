"""deploy/jupyterhub: what can be checked without Docker or a hub.

The values file parses and points every learner at their kubeconfig and
namespace as `classroom apply` writes them; the image installs exactly
requirements.txt; every file the Dockerfile copies exists; and the start
script puts the notebooks in a learner's home once, never over their work.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import yaml

from k8s_course.classroom.kubeconfig import LEARNER_CONTEXT
from k8s_course.classroom.roster import DEFAULT_PREFIX
from k8s_course.cluster.guard import CONTEXT_ENV, NAMESPACE_ENV
from k8s_course.notebook.answers import ANSWERS_VARIABLE

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy" / "jupyterhub"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_the_values_give_each_learner_their_kubeconfig_and_namespace():
    values = yaml.safe_load((DEPLOY / "values.yaml").read_text())
    user = values["singleuser"]
    env = user["extraEnv"]
    assert env[CONTEXT_ENV] == LEARNER_CONTEXT
    assert env[NAMESPACE_ENV] == f"{DEFAULT_PREFIX}{{username}}"
    assert env[ANSWERS_VARIABLE].startswith("/home/jovyan/")
    (volume,) = user["storage"]["extraVolumes"]
    (mount,) = user["storage"]["extraVolumeMounts"]
    assert mount["name"] == volume["name"] and mount["readOnly"] is True
    assert "{username}" in volume["secret"]["secretName"]
    assert volume["secret"]["defaultMode"] == 0o440
    assert Path(env["KUBECONFIG"]).parent == Path(mount["mountPath"])
    assert user["cmd"][0] == "start-course.sh"
    assert user["defaultUrl"].endswith("/notebooks/00-start-here.ipynb")


def test_the_base_image_is_pinned():
    (base,) = [args for word, args in instructions() if word == "FROM"]
    image, _, tag = base.partition(":")
    assert image and re.fullmatch(r"\d+\.\d+\.\d+-[a-z]+-[a-z]+", tag), base


def test_the_image_installs_exactly_requirements_txt():
    steps = instructions()
    (install,) = [args for word, args in steps if word == "RUN" and "pip install" in args]
    words = shlex.split(install)
    files = [words[i + 1] for i, word in enumerate(words) if word == "-r"]
    assert files == ["requirements.txt", "deploy/jupyterhub/requirements-hub.txt"]
    assert [w for w in words[words.index("install") + 1:] if not w.startswith("-")
            and w not in files] == []  # nothing installed beside the pinned files
    # copied before the install step, from the repository's own files
    copied = [args.split() for word, args in steps[:steps.index(("RUN", install))]
              if word == "COPY"]
    assert ["requirements.txt", "pyproject.toml", "README.md", "./"] in copied
    for line in (DEPLOY / "requirements-hub.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", line.strip()), line


def test_every_file_the_dockerfile_copies_exists():
    sources = []
    for word, args in instructions():
        if word in ("COPY", "ADD"):
            parts = [p for p in shlex.split(args) if not p.startswith("--")]
            sources += [p for p in parts[:-1] if "://" not in p]
    assert sources
    missing = [source for source in sources if not (ROOT / source).exists()]
    assert missing == []
    cmd = [args for word, args in instructions() if word == "CMD"][-1]
    assert "start-course.sh" in cmd and (DEPLOY / "start-course.sh").stat().st_mode & 0o111


def test_the_start_script_copies_the_notebooks_once(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), K8S_COURSE_ROOT=str(ROOT))
    script = str(DEPLOY / "start-course.sh")
    subprocess.run(["sh", script, "true"], env=env, check=True)
    copied = tmp_path / "k8s-course" / "notebooks" / "00-start-here.ipynb"
    assert copied.read_bytes() == (ROOT / "notebooks" / "00-start-here.ipynb").read_bytes()
    assert (tmp_path / "k8s-course" / "answers").is_dir()
    copied.write_text("the learner's own work")
    result = subprocess.run(["sh", script, "echo", "started"], env=env, check=True,
                            capture_output=True, text=True)
    assert result.stdout == "started\n"
    assert copied.read_text() == "the learner's own work"


def test_the_image_leaves_out_solutions_tokens_and_answers():
    ignored = {line.strip() for line in (DEPLOY / "Dockerfile.dockerignore").read_text()
               .splitlines() if line.strip() and not line.startswith("#")}
    assert {"solutions", "kubeconfigs", "answers", "notebooks/instructor"} <= ignored
