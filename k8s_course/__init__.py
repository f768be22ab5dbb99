"""k8s_course: check Kubernetes manifests the way a patient senior engineer would.

    >>> import k8s_course
    >>> report = k8s_course.check("deployment.yaml")
    >>> report.ok, len(report.findings)

The public names load their modules on first use, so `import k8s_course`
stays instant in a fresh kernel.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it (loaded on first use)
_EXPORTS = {
    "check": "check",
    "load": "check",
    "check_many": "batch",
    "Report": "report",
    "Finding": "findings",
    "Severity": "findings",
    "Bundle": "bundle",
    "grade": "grading",
    "diagram": "picture",
    "editor": "widget",
}

__all__ = sorted(_EXPORTS)


class _Package(ModuleType):
    """This package, keeping `k8s_course.check` the function.

    Importing the submodule `k8s_course.check` (as grading and the notebook
    do) makes Python bind the module to the package attribute of the same
    name, which would replace the public function `check` with a module.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, ModuleType) and _EXPORTS.get(name) == name:
            return  # the public function of that name stays (or loads on first use)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'k8s_course' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext k8s_course`: registers the `%%manifest` cell magic."""
    from .notebook import load_ipython_extension as load

    load(ipython)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
