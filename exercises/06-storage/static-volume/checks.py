"""Does the claim model-store bind to the volume models-pv of the same answer?"""

from k8s_course.rules._values import parse_quantity


def _modes(resource):
    modes = resource.get(("spec", "accessModes"))
    return set(modes) if isinstance(modes, list) and all(isinstance(m, str) for m in modes) \
        else set()


def claim_binds(bundle):
    volume = bundle.find("PersistentVolume", "models-pv")
    claim = bundle.find("PersistentVolumeClaim", "model-store", "mlops")
    if volume is None or claim is None:
        return False, "the answer needs both the volume models-pv and the claim model-store"
    wanted_class = claim.get(("spec", "storageClassName"))
    if wanted_class != volume.get(("spec", "storageClassName")):
        return False, (f"the claim asks for storage class {wanted_class!r} and the volume is of "
                       f"class {volume.get(('spec', 'storageClassName'))!r}; "
                       "a claim only binds to a volume of its own class")
    size = parse_quantity(claim.get(("spec", "resources", "requests", "storage")))
    offered = parse_quantity(volume.get(("spec", "capacity", "storage")))
    if size is None or offered is None or size > offered:
        return False, "the claim asks for more than the volume offers"
    if not _modes(claim) or not _modes(claim) <= _modes(volume):
        return False, "the claim asks for an access mode the volume does not offer"
    return True, "the claim model-store can bind to the volume models-pv"
