"""`k8s-course classroom plan|apply|status|down`: one shared cluster, a namespace per learner.

    k8s-course classroom plan roster.csv --out classroom.yaml     # writes manifests only
    k8s-course classroom apply classroom.yaml --context NAME      # + kubeconfigs/<ns>.yaml
    k8s-course classroom status --context NAME
    k8s-course classroom down --context NAME [classroom.yaml]

Exit codes: 0 done; 1 the server refused something (or down refused a
namespace); 2 usage error (bad roster or plan); 3 no cluster to use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NO_CLUSTER = 3


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "classroom", help="a namespace per learner on one shared cluster",
        description="Plan, apply, watch and remove a classroom: for each learner of a "
                    "roster a Namespace, ServiceAccount, Role and RoleBinding (edit rights "
                    "in their own namespace only), ResourceQuota and LimitRange; and for "
                    "each a kubeconfig reaching only their namespace. Exit 0: done; 1: the "
                    "server refused something (or down refused a namespace); 2: usage error "
                    "(a bad roster or plan); 3: no cluster to use.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    plan = actions.add_parser("plan", help="write the classroom's manifests from a roster")
    plan.add_argument("roster", type=Path, metavar="ROSTER.csv",
                      help="CSV with a header; a `name` column, optionally `namespace`")
    plan.add_argument("--out", type=Path, default=Path("classroom.yaml"), metavar="FILE")
    plan.add_argument("--prefix", default="learner-", help="namespace prefix (%(default)s)")
    for flag, default, text in (
            ("--cpu", "2", "CPU per learner, requests and limits"),
            ("--memory", "2Gi", "memory per learner, requests and limits"),
            ("--pods", "20", "pods per learner"),
            ("--storage", "5Gi", "storage claimed per learner"),
            ("--default-cpu", "100m/500m", "a container's default CPU request/limit"),
            ("--default-memory", "128Mi/256Mi", "a container's default memory request/limit")):
        plan.add_argument(flag, default=default, help=f"{text} (default: %(default)s)")
    apply = actions.add_parser("apply", help="apply a plan and write each learner's kubeconfig")
    apply.add_argument("plan", type=Path, metavar="CLASSROOM.yaml")
    apply.add_argument("--kubeconfigs", type=Path, default=Path("kubeconfigs"), metavar="DIR")
    apply.add_argument("--token-hours", type=float, default=8.0,
                       help="how long each learner's token lasts (default: %(default)s)")
    apply.add_argument("--server", default=None, metavar="URL",
                       help="the API server's address as learners reach it "
                            "(default: the one your context uses)")
    status = actions.add_parser("status", help="one line per learner: objects, pods, quota")
    status.add_argument("plan", type=Path, nargs="?", metavar="CLASSROOM.yaml",
                        help="also name this plan's learners who have no namespace")
    down = actions.add_parser("down", help="delete what apply made (by label), nothing else")
    down.add_argument("plan", type=Path, nargs="?", metavar="CLASSROOM.yaml",
                      help="only this plan's namespaces (default: every classroom namespace)")
    for action in (apply, down, status):
        action.add_argument("--context", required=True,
                            help="the shared cluster's kubeconfig context (always named)")
    parser.set_defaults(func=run)


def _say(line: str) -> None:
    print(line, flush=True)


def run(args: argparse.Namespace) -> int:
    from ..classroom.roster import RosterError

    try:
        if args.action == "plan":
            return _plan(args)
        return _live(args)
    except UnicodeDecodeError:
        print("k8s-course classroom: the file is not UTF-8 text", file=sys.stderr)
        return 2
    except (RosterError, OSError) as error:
        print(f"k8s-course classroom: {error}", file=sys.stderr)
        return 2


def _plan(args: argparse.Namespace) -> int:
    from ..classroom.plan import Sizing, plan, plan_yaml
    from ..classroom.roster import RosterError, read_roster
    from ..pipeline import check

    learners = read_roster(args.roster.read_text(encoding="utf-8"), args.prefix)
    try:
        cpu_request, cpu_limit = args.default_cpu.split("/")
        memory_request, memory_limit = args.default_memory.split("/")
        sizing = Sizing(args.cpu, args.memory, int(args.pods), args.storage, cpu_request,
                        memory_request, cpu_limit, memory_limit)
    except ValueError as error:
        raise RosterError("--pods is a whole number; --default-cpu and --default-memory are "
                          "REQUEST/LIMIT, e.g. 100m/500m") from error
    text = plan_yaml(plan(learners, sizing))
    report = check(text)  # a wrong flag (--cpu 2 cores) shows here, not on the cluster
    if not report.ok:
        print(report, file=sys.stderr)
        return 2
    args.out.write_text(text, encoding="utf-8")
    notes = f", {len(report.findings)} notes" if report.findings else ""
    print(f"wrote {args.out}: {len(learners)} learners, {len(report.bundle.resources)} objects "
          f"(checked: no errors{notes})")
    return 0


def _ours(obj: object) -> bool:
    """Whether a plan's object is one `classroom plan` writes (labelled, and complete)."""
    from ..classroom.plan import MANAGED_BY

    if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
        return False
    metadata = obj["metadata"]
    labels = metadata.get("labels") if isinstance(metadata.get("labels"), dict) else {}
    return (labels.get(MANAGED_BY[0]) == MANAGED_BY[1] and isinstance(metadata.get("name"), str)
            and isinstance(obj.get("apiVersion"), str) and isinstance(obj.get("kind"), str))


def _read_plan(path: Path) -> tuple[list[dict], list]:
    """The plan's objects and its learners; RosterError when it is not a classroom plan."""
    import yaml

    from ..classroom.plan import MANAGED_BY, NAME_ANNOTATION
    from ..classroom.roster import Learner, RosterError

    try:
        objects = [obj for obj in yaml.safe_load_all(path.read_text(encoding="utf-8")) if obj]
    except yaml.YAMLError as error:
        raise RosterError(f"{path} is not YAML: {error}") from error
    if not objects or not all(_ours(obj) for obj in objects):
        raise RosterError(f"{path} is not a plan written by `classroom plan` (every object "
                          f"must carry {MANAGED_BY[0]}={MANAGED_BY[1]}); nothing was applied")
    learners = [Learner(str((obj["metadata"].get("annotations") or {}).get(NAME_ANNOTATION, "")),
                        obj["metadata"]["name"]) for obj in objects if obj["kind"] == "Namespace"]
    return objects, learners


def _live(args: argparse.Namespace) -> int:
    from ..classroom import live
    from ..classroom.roster import RosterError
    from ..cluster import ClusterUnreachable, ContextError

    plan = _read_plan(args.plan) if getattr(args, "plan", None) else None
    if args.action == "apply" and args.token_hours * 3600 < live.MIN_TOKEN_SECONDS:
        raise RosterError(f"--token-hours: a token must last at least "
                          f"{live.MIN_TOKEN_SECONDS // 60} minutes (the API server's minimum)")
    try:
        client = live.connect(args.context)
        if args.action == "apply":
            objects, learners = plan
            refused = live.apply_plan(client, objects, _say)
            refused += live.issue_kubeconfigs(client, learners, args.kubeconfigs,
                                              int(args.token_hours * 3600), _say, args.server)
            return 1 if refused else 0
        if args.action == "status":
            lines = live.status_lines(client, plan[1] if plan else None)
            for line in lines or ["no classroom namespaces on this cluster"]:
                print(line)
            return 0
        return 1 if live.take_down(client, plan[1] if plan else None, _say) else 0
    except live.ClassroomError as error:
        print(f"k8s-course classroom: {error}", file=sys.stderr)
        return 1
    except (ContextError, ClusterUnreachable) as error:
        print(f"k8s-course classroom: {error}", file=sys.stderr)
        return NO_CLUSTER
