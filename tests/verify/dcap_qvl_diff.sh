#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs @phala/dcap-qvl under the build tree (never the source tree) and compares its verdicts with Cella's.
# Usage: dcap_qvl_diff.sh BUILD_DIR VECTORS_DIR CELLA_QUOTE SCRIPT_DIR
# Exit 77 (skip) only when node/npm are absent or the npm registry cannot be reached.
set -eu
build=$1 vectors=$2 cq=$3 here=$4
npmdir=$build/npm
pkg=@phala/dcap-qvl@${DCAP_QVL_VERSION:-0.3.9}

if [ ! -d "$vectors" ]; then
	echo "FAIL: DCAP vectors not found at $vectors (set CELLA_VECTORS_DIR)"
	exit 1
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "SKIP: node/npm not installed: cannot fetch the peer verifier $pkg"
	exit 77
fi
mkdir -p "$npmdir"
if [ ! -f "$npmdir/node_modules/@phala/dcap-qvl/package.json" ]; then
	[ -f "$npmdir/package.json" ] || echo '{"name":"cella-verify-peers","private":true}' >"$npmdir/package.json"
	if ! (cd "$npmdir" && timeout 240 npm install --no-audit --no-fund --silent "$pkg") >"$npmdir/install.log" 2>&1; then
		if ! (cd "$npmdir" && timeout 30 npm ping) >/dev/null 2>&1; then
			echo "SKIP: npm registry unreachable: cannot install $pkg"
			exit 77
		fi
		echo "FAIL: npm install $pkg failed although the registry answers:"
		cat "$npmdir/install.log"
		exit 1
	fi
fi
exec node "$here/dcap_qvl_diff.js" "$npmdir" "$vectors" "$cq"
