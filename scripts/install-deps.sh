#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages Cella needs to build and test. Idempotent; silent when nothing is missing.
set -eu

PKGS="build-essential gcc clang cmake ninja-build pkg-config make git file binutils util-linux
musl-dev musl-tools libbearssl-dev libssl-dev openssl libseccomp-dev
libjansson-dev libcjson-dev libcurl4-openssl-dev libmicrohttpd-dev libsqlite3-dev
libprotobuf-c-dev protobuf-c-compiler libonnx-dev libonnx-testdata libarchive-dev zlib1g-dev umoci skopeo python3-yaml
libclang-rt-14-dev valgrind wrk ca-certificates python3"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# node and npm run the tests that compare Cella with npm packages (scripts/npm-peers.sh); a node installed
# some other way (with its own npm) serves as well, so they are asked for only when the commands are missing
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
