"""`k8s-course check FILE|DIR...`: the checker from a terminal, a pre-commit hook or CI.

The checker loads inside `run`, not at import: `k8s-course --help` imports
every command module, and pre-commit and editors start the command per file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMATS = ("text", "json", "sarif", "junit", "github")
# exit codes
CLEAN, FOUND, UNUSABLE = 0, 1, 2
# findings that mean a file was not checked at all
_NOT_CHECKED = frozenset({"file-unreadable", "checker-crashed"})


def _jobs(value: str) -> int:
    jobs = int(value)
    if jobs < 0:
        raise argparse.ArgumentTypeError("give 0 (every core) or more")
    return jobs


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "check", help="check manifests and explain every mistake",
        description="Check Kubernetes manifests: files, or folders walked for them (Kustomize "
                    "files, Helm charts and CI files are skipped). Settings come from the "
                    "nearest .k8s-course.yaml or [tool.k8s-course] in pyproject.toml. Exit 0: "
                    "nothing at or above --fail-on; 1: findings at or above it; 2: usage "
                    "error, bad settings, or a file that could not be checked. Use - to read "
                    "standard input.")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text (default), json, sarif (SARIF 2.1.0), junit (JUnit XML) "
                             "or github (GitHub Actions annotations)")
    parser.add_argument("--fail-on", choices=("error", "warning"), default="error",
                        help="the least severity that makes the exit code 1 (default: error)")
    parser.add_argument("--kube-version", default=None,
                        help="Kubernetes version whose schemas to use (default: the settings "
                             "file's, else the course's pinned version)")
    parser.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N",
                        help="worker processes that parse files (default 0: one per core "
                             "when there is half a megabyte of YAML or more, else none)")
    parser.add_argument("--skip-non-manifests", action="store_true",
                        help="skip named files that are not manifests, as in a folder "
                             "(for pre-commit, which names every staged YAML file)")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="say which files in folders were skipped, and why")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.set_defaults(func=run)


def _settings(paths: list[Path]):
    from ..config import find_settings

    return find_settings(paths[0] if paths else Path.cwd())


def run(args: argparse.Namespace) -> int:
    import gc

    from ..batch import check_files
    from ..config import SettingsError, apply
    from ..discover import manifest_files
    from ..findings import Severity
    from ..report import Report
    from ..source import MAX_BYTES

    # A check is this process's only work: collect cycles rarely, as batch workers do.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    named = [Path(name) for name in args.files if name != "-"]
    files, skipped = manifest_files(named, skip_named=args.skip_non_manifests)
    if args.verbose and skipped:
        for entry in skipped:
            print(f"skipped {entry.path}: {entry.reason}", file=sys.stderr)
    if args.verbose:
        print(f"k8s-course: {len(files)} files to check, {len(skipped)} skipped",
              file=sys.stderr)
    if named and not files and "-" not in args.files:
        if skipped:  # only Kustomize, Helm or CI files: nothing wrong, nothing to check
            print(f"k8s-course: no manifests to check; {len(skipped)} files skipped "
                  "(--verbose says why)", file=sys.stderr)
            return CLEAN
        print("k8s-course: no .yaml, .yml or .json file in " + ", ".join(args.files),
              file=sys.stderr)
        return UNUSABLE
    answers: list = list(files)
    if "-" in args.files:
        answers.insert(0, sys.stdin.buffer.read(MAX_BYTES + 1))  # the cap, not the stream
    try:
        settings = _settings(named)
        report = check_files(answers, kube_version=args.kube_version or settings.kube_version,
                             jobs=args.jobs or None, name="<stdin>")
    except (SettingsError, ValueError) as error:
        print(f"k8s-course: {error}", file=sys.stderr)
        return UNUSABLE
    report = Report(apply(report.findings, report.bundle.sources, settings), report.bundle,
                    report.kube_version)
    names = (["<stdin>"] if "-" in args.files else []) + [str(path) for path in files]
    print(_render(report, args, names))
    if report.rules() & _NOT_CHECKED:
        return UNUSABLE
    fail_on = Severity(args.fail_on)
    return FOUND if any(f.severity.rank <= fail_on.rank for f in report.findings) else CLEAN


def _render(report, args: argparse.Namespace, files: list[str]) -> str:
    if args.format == "json":
        return report.to_json()
    if args.format in ("sarif", "junit", "github"):
        from .. import formats
        from ..findings import Severity

        if args.format == "sarif":
            return formats.sarif(report)
        if args.format == "junit":
            return formats.junit(report, files, fail_on=Severity(args.fail_on))
        return formats.github(report)
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    return report.to_text(color=color)
