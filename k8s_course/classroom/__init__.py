"""The classroom face: one shared cluster, a namespace per learner.

- `roster`: a class list (CSV) -> learners, each with a namespace name;
- `plan`: the objects each learner gets (Namespace, ServiceAccount, Role,
  RoleBinding, ResourceQuota, LimitRange), as data and as YAML;
- `access`: a learner's kubeconfig, reaching only their namespace;
- `live`: apply, status and down on a cluster, through the cluster layer.

Everything but `live` is pure: data in, data out.
"""
