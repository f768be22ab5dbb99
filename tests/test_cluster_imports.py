"""The cluster layer stays out of the way: no `kubernetes` import until a cluster action runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def heavy_modules_after(code: str) -> list[str]:
    """Which of kubernetes/urllib3 a fresh interpreter has loaded after running `code`."""
    script = textwrap.dedent(code) + textwrap.dedent("""
        import sys
        print(",".join(m for m in ("kubernetes", "urllib3") if m in sys.modules))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=120)
    return [name for name in done.stdout.strip().split(",") if name]


def test_import_and_check_never_load_kubernetes():
    assert heavy_modules_after("""
        import k8s_course
        k8s_course.check("apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: mlops\\n")
    """) == []


def test_the_cluster_package_and_the_cli_load_kubernetes_only_when_used():
    assert heavy_modules_after("""
        from k8s_course import cluster
        from k8s_course.cli import build_parser
        cluster.dry_run, cluster.apply, cluster.delete, cluster.port_forward
        build_parser().parse_args(["cluster", "dry-run", "x.yaml"])
    """) == []


def test_a_cluster_action_does_load_it(tmp_path):
    # the other half of the claim: the client really comes from `kubernetes`
    assert "kubernetes" in heavy_modules_after(f"""
        import os
        os.environ["KUBECONFIG"] = {str(tmp_path / "none")!r}
        from k8s_course import cluster
        cluster.dry_run("apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: x\\n")
    """)
