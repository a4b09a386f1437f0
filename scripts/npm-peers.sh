#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs npm packages that tests and benchmarks compare Cella with (never needed to build or use Cella) into a
# directory under the build tree.
#
# usage: npm-peers.sh [--ignore-scripts] DIR PACKAGE@VERSION...
# exit:  0 installed (or already there), 77 the npm registry unreachable (the reason on stdout), 1 node or npm
#        missing (scripts/install-deps.sh installs them), or the registry answers but the install failed (npm's log
#        on stdout).
#
# The registry is asked first, with one short attempt: where it cannot be reached (no network, or a proxy whose
# CA this machine does not trust) npm's own retries would spend minutes before giving up.
set -u
flags=
if [ "${1:-}" = --ignore-scripts ]; then
	flags=--ignore-scripts
	shift
fi
[ $# -ge 2 ] || { echo "usage: npm-peers.sh [--ignore-scripts] DIR PACKAGE@VERSION..."; exit 1; }
dir=$1
shift

missing=
# a package counts as there when installed, and at the exact version where one is given (x.y.z; ranges as "@1"
# accept what is there)
for spec in "$@"; do
	name=${spec%@*}             # @scope/name@1.2.3 -> @scope/name
	[ -n "$name" ] || name=$spec
	want=${spec#"$name"}
	want=${want#@}
	pj=$dir/node_modules/$name/package.json
	if [ ! -f "$pj" ]; then
		missing="$missing $spec"
	elif echo "$want" | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+$' &&
		! grep -qE "\"version\": *\"$want\"" "$pj"; then
		missing="$missing $spec"
	fi
done
[ -n "$missing" ] || exit 0

for tool in node npm; do
	command -v $tool >/dev/null 2>&1 ||
		{ echo "FAIL: $tool is not installed (scripts/install-deps.sh installs it): cannot fetch$missing"; exit 1; }
done
mkdir -p "$dir" || exit 1
[ -f "$dir/package.json" ] || echo '{"name":"cella-npm-peers","private":true}' >"$dir/package.json"
if ! (cd "$dir" && timeout 60 npm ping --fetch-retries=0 --fetch-timeout=20000) >"$dir/npm-ping.log" 2>&1; then
	echo "SKIP: the npm registry is unreachable; cannot fetch$missing:"
	tail -3 "$dir/npm-ping.log"
	exit 77
fi
# shellcheck disable=SC2086 # $flags and $missing are word lists on purpose
if ! (cd "$dir" && timeout 900 npm install $flags --no-audit --no-fund --loglevel=error $missing) \
	>"$dir/npm-install.log" 2>&1; then
	echo "npm install of$missing failed although the registry answers:"
	tail -20 "$dir/npm-install.log"
	exit 1
fi
exit 0
