#!/usr/bin/env bash
# Build the image from this checkout, offline: wheels on the host, `pip install --no-index` inside.
#   deploy/build-image.sh [TAG]     default tag localhost/ovms-py:latest
# Environment: BASE_IMAGE (default: the Dockerfile's), PLUGINS (distribution names),
# PYTHON (the interpreter whose pip builds the wheels; a 3.11 like the base image's python).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tag="${1:-localhost/ovms-py:latest}"
context="$root/build/image"
python="${PYTHON:-python3}"
engine="$(command -v podman || command -v docker || true)"
[[ -n $engine ]] || { echo "build-image: neither podman nor docker is installed" >&2; exit 1; }
if [[ $(basename "$engine") == podman && -z ${CONTAINERS_CONF:-} ]]; then
    export CONTAINERS_CONF="$root/deploy/containers.conf"
fi

rm -rf "$context/wheels"
mkdir -p "$context/wheels"
"$python" -m pip wheel --quiet --disable-pip-version-check -w "$context/wheels" \
    "$root" "$root"/plugins/*/*

args=(--network=none --tag "$tag" --file "$root/deploy/Dockerfile")
[[ $(basename "$engine") == podman ]] && args+=(--format docker)  # keeps HEALTHCHECK
[[ -n ${BASE_IMAGE:-} ]] && args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
[[ -n ${PLUGINS:-} ]] && args+=(--build-arg "PLUGINS=$PLUGINS")
"$engine" build --quiet "${args[@]}" "$context"
"$engine" image prune --force --filter label=ovms-py.stage=build >/dev/null
