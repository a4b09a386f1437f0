#!/bin/sh
# SPDX-License-Identifier: MIT
# security_<item> for a checklist item exercised inside a component's own test (docs/security.md): runs that
# test's program and requires it to exit 0 and to print the item's line.
# Usage: item.sh PATTERN PROGRAM [ARG...]   (PATTERN: an extended regular expression)
set -u
pattern=$1
shift
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -E '^(PASS|FAIL|SKIP)' | tail -n 60
if [ "$rc" -ne 0 ]; then
	printf '%s\n' "$out" | tail -n 20
	echo "security item: $1 exited with $rc"
	exit "$rc"
fi
if ! printf '%s\n' "$out" | grep -E -q -- "$pattern"; then
	echo "security item: $1 passed but never printed /$pattern/"
	exit 1
fi
echo "security item: /$pattern/ printed"
