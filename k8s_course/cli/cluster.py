"""`k8s-course cluster up|down|status|apply|dry-run|delete`: the course's cluster from a terminal.

Exit codes: 0 done (no errors), 1 the server found errors, 2 usage error,
3 no cluster to use (Docker or kind missing, no such context, no answer).
"""

from __future__ import annotations

import argparse
import sys

NO_CLUSTER = 3


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "cluster", help="a local kind cluster; server dry-run, apply and delete",
        description="Create the course's local kind cluster, or send manifests to a cluster. "
                    "Manifests go to the course's cluster (context kind-k8s-course) unless "
                    "--context or K8S_COURSE_CONTEXT names another one. On a classroom's "
                    "shared cluster (K8S_COURSE_NAMESPACE, or a learner's kubeconfig from "
                    "`classroom apply`) namespaced objects go to the learner's own namespace. "
                    "Exit 0: done; 1: the "
                    "server found errors; 3: no cluster to use (Docker or kind missing, unknown "
                    "context, no answer).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = actions.add_parser("up", help="create the kind cluster k8s-course")
    up.add_argument("--image", default=None, help="kind node image (default: Kubernetes 1.36)")
    actions.add_parser("down", help="delete the kind cluster k8s-course")
    actions.add_parser("status", help="is the cluster there and ready?")
    for name, text in (("apply", "create or update the objects, then watch them roll out"),
                       ("dry-run", "ask the server whether it accepts them; nothing changes"),
                       ("delete", "delete the objects")):
        action = actions.add_parser(name, help=text)
        action.add_argument("files", nargs="+", metavar="FILE")
        action.add_argument("--context", default=None,
                            help="kubeconfig context to use (default: kind-k8s-course)")
        action.add_argument("--format", choices=("text", "json"), default="text")
        if name == "apply":
            action.add_argument("--timeout", type=float, default=120.0,
                                help="seconds to wait for the rollout (default: %(default)s)")
            action.add_argument("--no-wait", action="store_true",
                                help="do not wait for Deployments to roll out")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.action in ("up", "down", "status"):
        return _lifecycle(args)
    from ..cluster import actions  # loads only for cluster actions

    if args.action == "apply":
        report = actions.apply(args.files, context=args.context, wait=not args.no_wait,
                               timeout=args.timeout,
                               progress=lambda line: print(line, file=sys.stderr, flush=True))
    elif args.action == "dry-run":
        report = actions.dry_run(args.files, context=args.context)
    else:
        report = actions.delete(args.files, context=args.context)
    print(report.to_json() if args.format == "json" else report.to_text())
    if report.rules() & {"cluster-context", "cluster-unreachable"}:
        return NO_CLUSTER
    return 0 if report.ok else 1


def _lifecycle(args: argparse.Namespace) -> int:
    from ..cluster import kind  # loads only for cluster actions

    try:
        if args.action == "up":
            print(kind.up(image=args.image))
        elif args.action == "down":
            print(kind.down())
        else:
            state = kind.status()
            print(state)
            return 0 if state.exists else 1
    except kind.KindError as error:
        print(error, file=sys.stderr)
        return NO_CLUSTER
    return 0
