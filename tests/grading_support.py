"""Helpers for the grading tests: a throwaway course with one exercise in it."""

from __future__ import annotations

import textwrap
from pathlib import Path

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - {name: http, containerPort: 8080}
"""
SOLVED = DEPLOYMENT.replace("replicas: 2", "replicas: 3")

# An exercise on DEPLOYMENT: the object exists (1 point) and has three replicas (2 points).
SCALE_SPEC = """
title: Scale the web app
lesson: 03-deployments#replicas
checks:
  - id: exists
    points: 1
    expect: {kind: Deployment, name: web, namespace: shop}
    hint: Write the Deployment web in namespace shop.
  - id: three
    points: 2
    resource: {kind: Deployment, name: web}
    path: spec.replicas
    equals: 3
    hint: Set three replicas.
"""


# The check every exercise carries, so an answer with an error never scores full marks.
NO_ERRORS = """\
  - id: no-errors
    points: 1
    valid: true
    hint: Fix the errors first.
"""


def write_exercise(root: Path, spec: str, *, exercise_id: str = "05-test/sample",
                   files: dict[str, str] | None = None) -> Path:
    """Create root/exercises/<exercise_id>/ with exercise.yaml, task.md, starter.yaml."""
    folder = root / "exercises" / exercise_id
    (folder / "wrong").mkdir(parents=True, exist_ok=True)
    spec = textwrap.dedent(spec).lstrip("\n")
    if "valid:" not in spec and "\nchecks:\n" in spec:
        spec = spec.rstrip("\n") + "\n" + NO_ERRORS  # every exercise needs one (the loader says)
    (folder / "exercise.yaml").write_text(spec)
    (folder / "task.md").write_text("Do the thing.\n")
    (folder / "starter.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")
    for name, text in (files or {}).items():
        path = root / name if name.startswith("solutions/") else folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return folder
