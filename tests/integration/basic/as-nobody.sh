#!/bin/sh
# Runs a test command as the unprivileged user nobody (uid 65534), which lacks CAP_SYS_PTRACE.
# Exit 77 (skip) when we are not root and so cannot switch users.
set -eu
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root to switch to uid 65534"
	exit 77
fi
# nobody must be able to reach the test binaries and the enclave image.
for p in "$@"; do
	case "$p" in /*) d=$(dirname "$p"); while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done ;; esac
done
exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
