#!/bin/sh
# A learner's server starts here: on the first start the course's notebooks
# are copied into their home (a persistent volume under JupyterHub); after
# that nothing is overwritten, so their work survives image updates.
set -eu
course="${K8S_COURSE_ROOT:-/opt/k8s-course}"
target="$HOME/k8s-course"
if [ ! -d "$target/notebooks" ]; then
    mkdir -p "$target"
    cp -R "$course/notebooks" "$target/notebooks"
fi
mkdir -p "$target/answers"
exec "$@"
