#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs a test command; it passes only if the command exits 0 and a line of its output matches REGEX (grep -E).
# ctest's PASS_REGULAR_EXPRESSION alone ignores the exit status, so a check failing after the matching line went
# unseen. Exit status 77 (skip) is passed through.
# Usage: expect_output.sh REGEX COMMAND [ARG...]
set -u
re=$1
shift
out=$(mktemp) || exit 1
"$@" >"$out" 2>&1
rc=$?
cat "$out"
if [ "$rc" -ne 0 ]; then
	rm -f "$out"
	echo "expect_output: $1 exited with status $rc" >&2
	exit "$rc"
fi
if ! grep -Eq -- "$re" "$out"; then
	rm -f "$out"
	echo "expect_output: no line of the output of $1 matches '$re'" >&2
	exit 1
fi
rm -f "$out"
exit 0
