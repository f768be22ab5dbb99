"""k8s_course: check Kubernetes manifests the way a patient senior engineer would.

    >>> import k8s_course
    >>> report = k8s_course.check("deployment.yaml")
    >>> report.ok, len(report.findings)

The public names load their modules on first use, so `import k8s_course`
stays instant in a fresh kernel.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it (loaded on first use)
_EXPORTS = {
    "check": "pipeline",
    "load": "pipeline",
    "check_many": "batch",
    "check_files": "batch",
    "Report": "report",
    "Finding": "findings",
    "Severity": "findings",
    "Bundle": "bundle",
    "grade": "grading",
    "diagram": "picture",
    "editor": "notebook",
    "progress": "notebook",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'k8s_course' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext k8s_course`: registers the `%%manifest` cell magic."""
    from .notebook.magic import load_ipython_extension as load

    load(ipython)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
