#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench`: runs every benchmark program (each prints medians next to a reference measured in the same run).
set -eu
BUILD=${1:-build}
bin=$BUILD/bin
echo "== bench/calls (spin, then futex)"
"$bin/bench-calls" "$bin/bench_calls_enclave"
echo "== bench/calls (spin only)"
"$bin/bench-calls" "$bin/bench_calls_enclave" --spin
for b in "$bin"/bench-*; do
	case "$b" in
	*/bench-calls) continue ;;
	*/bench-identity) set -- "$bin/bench_identity_enclave" ;;
	*/bench-marshal) set -- "$bin/bench_marshal_enclave" "$bin/bench_marshal_raw_enclave" ;;
	*) set -- ;;
	esac
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" "$@" || echo "$(basename "$b") failed (exit $?)"
done
