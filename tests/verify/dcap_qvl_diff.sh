#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs @phala/dcap-qvl under the build tree (never the source tree) and compares its verdicts with Cella's.
# Usage: dcap_qvl_diff.sh BUILD_DIR VECTORS_DIR CELLA_QUOTE SCRIPT_DIR
# Exit 77 (skip) only when the npm registry cannot be reached; node or npm missing is a failure (install-deps.sh
# installs them).
set -eu
build=$1 vectors=$2 cq=$3 here=$4
npmdir=$build/npm
pkg=@phala/dcap-qvl@${DCAP_QVL_VERSION:-0.3.9}

if [ ! -d "$vectors" ]; then
	echo "FAIL: DCAP vectors not found at $vectors (set CELLA_VECTORS_DIR)"
	exit 1
fi
sh "$here/../../scripts/npm-peers.sh" "$npmdir" "$pkg" || exit $?
exec node "$here/dcap_qvl_diff.js" "$npmdir" "$vectors" "$cq"
