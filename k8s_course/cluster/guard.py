"""Context guard: which kubeconfig context a cluster action may touch.

The course only ever talks to the cluster the learner chose. With no choice
made, that is the course's own kind cluster (`kind-k8s-course`); another
context is used only when named: the `context=` argument, `--context` on the
command line, or the `K8S_COURSE_CONTEXT` environment variable (how a
classroom points every notebook at its shared cluster). The kubeconfig's
current-context is never used by default: it may well be a production
cluster the learner switched to an hour ago.

On a classroom's shared cluster each learner owns one namespace, and every
namespaced object goes there whatever namespace the lesson wrote (`mlops`):
the `namespace=` argument, the `K8S_COURSE_NAMESPACE` variable, or the
kubeconfig that `k8s-course classroom apply` wrote for the learner (its
context carries a `k8s-course` extension naming the namespace) say which.
A context without that mark is never confined by its own `namespace:`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

CLUSTER_NAME = "k8s-course"
COURSE_CONTEXT = f"kind-{CLUSTER_NAME}"  # the context `kind create cluster` writes
CONTEXT_ENV = "K8S_COURSE_CONTEXT"
NAMESPACE_ENV = "K8S_COURSE_NAMESPACE"
CLASSROOM_EXTENSION = "k8s-course"  # the mark on a context written for one learner


class ContextError(Exception):
    """The chosen context cannot be used; the message says what to do instead."""


def requested_context(context: str | None, env: Mapping[str, str] | None = None) -> str:
    """The context the learner asked for: the argument, the env variable, or the course's."""
    if context:
        return context
    env = os.environ if env is None else env
    return env.get(CONTEXT_ENV, "").strip() or COURSE_CONTEXT


def choose_context(context: str | None, known: Iterable[str], current: str | None = None,
                   env: Mapping[str, str] | None = None) -> str:
    """The context to use, or ContextError explaining why there is none.

    `known` are the contexts in the learner's kubeconfig and `current` its
    current-context, which is only mentioned in the advice, never chosen.
    """
    wanted = requested_context(context, env)
    known = list(known)
    if wanted in known:
        return wanted
    if wanted == COURSE_CONTEXT:
        advice = ("Start it with `k8s-course cluster up`, or name the cluster to use: "
                  "`dry_run(answer, context='NAME')`, `--context NAME` on the command line, "
                  f"or the {CONTEXT_ENV} environment variable.")
        if current:
            advice += (f" Your kubeconfig's current context is {current!r}; the course "
                       "does not use it unless you name it.")
        raise ContextError(f"The course's cluster (context {COURSE_CONTEXT!r}) is not in "
                           f"your kubeconfig. {advice}")
    listed = ", ".join(repr(name) for name in known) or "none"
    raise ContextError(f"There is no context {wanted!r} in your kubeconfig "
                       f"(contexts there: {listed}). Check the spelling, or run "
                       "`kubectl config get-contexts` to list them.")


def learner_namespace(namespace: str | None, context: Mapping | None = None,
                      env: Mapping[str, str] | None = None) -> str:
    """The one namespace a learner works in on a shared cluster ("" when not confined).

    `context` is the chosen kubeconfig context entry (its `context:` map);
    only one marked with the course's extension confines.
    """
    if namespace:
        return namespace
    env = os.environ if env is None else env
    chosen = env.get(NAMESPACE_ENV, "").strip()
    if chosen:
        return chosen
    for extension in (context or {}).get("extensions") or []:
        if isinstance(extension, Mapping) and extension.get("name") == CLASSROOM_EXTENSION:
            marked = extension.get("extension")
            if isinstance(marked, Mapping) and isinstance(marked.get("namespace"), str):
                return marked["namespace"]
    return ""
