#!/usr/bin/env bash
# Install what the image and chart checks need and build the local base image; idempotent.
# Needs root and Debian's apt for the first run; later runs only check and return.
#   deploy/setup.sh            install podman & co, build localhost/ovms-base:bookworm
# Prints nothing but errors.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="$here/containers.conf"
base="${OVMS_BASE_IMAGE:-localhost/ovms-base:bookworm}"

packages=(podman runc uidmap fuse-overlayfs slirp4netns mmdebstrap)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "setup: missing ${missing[*]}; run as root to install them" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! podman image exists "$base"; then
    # A Debian bookworm root filesystem (python 3.11, like the host wheels) as the base image.
    # Documentation and translations are left out (about 50 MB).
    mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,ca-certificates \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        bookworm - | podman import --quiet --change 'CMD ["/bin/bash"]' - "$base" >/dev/null
fi
