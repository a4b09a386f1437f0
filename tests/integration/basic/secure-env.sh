#!/bin/sh
# secure-env.sh SANDBOX_TEST MONITOR IMAGE: runs `sandbox_test secure_env IMAGE` from a setuid-root copy of
# SANDBOX_TEST (beside a libexec/cella/cella-monitor that leads to MONITOR), as uid 65534, with CELLA_BACKEND and
# CELLA_MONITOR set by the caller: a setuid program must not obey them. Exit 77 (skip) when not root.
set -eu
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root to make a setuid copy and to switch to uid 65534"
	exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bin" "$dir/libexec/cella"
cp "$1" "$dir/bin/sandbox_test"
chmod 4755 "$dir/bin/sandbox_test"
ln -s "$(readlink -f "$2")" "$dir/libexec/cella/cella-monitor"
chmod 755 "$dir"
# uid 65534 must be able to reach the copy (the monitor and the image are opened as root)
d=$dir
while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
CELLA_BACKEND=bogus CELLA_MONITOR=/bin/false \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$dir/bin/sandbox_test" secure_env "$3"
