#!/bin/sh
# What the test suite needs besides Python: gcc and g++ (custom-node tests compile nodes), Node.js
# with npm (the Azure tests install the Azurite emulator from the npm registry). Installs the
# missing ones with apt-get when run as root on Debian; otherwise says what to install.
set -eu
missing=""
command -v gcc >/dev/null 2>&1 || missing="$missing gcc"
command -v g++ >/dev/null 2>&1 || missing="$missing g++"
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing the test prerequisites:$missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
else
    echo "The tests need:$missing (install them with your package manager)" >&2
    exit 1
fi
