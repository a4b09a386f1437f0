#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench`: runs every benchmark program (each prints medians next to a reference measured in the same run).
# A benchmark that fails does not stop the others; at the end the failed ones are named and the exit status is 1.
set -u
BUILD=${1:-build}
bin=$BUILD/bin
failed=
# run TITLE PROGRAM ARGS...
run() {
	title=$1
	shift
	echo "== $title"
	"$@" || {
		rc=$?
		echo "$title failed (exit $rc)"
		failed="$failed
  $title (exit $rc)"
	}
}
run "bench/calls (spin, then futex)" "$bin/bench-calls" "$bin/bench_calls_enclave" --deep "$bin/bench_calls_deep_enclave"
run "bench/calls (spin only)" "$bin/bench-calls" "$bin/bench_calls_enclave" --deep "$bin/bench_calls_deep_enclave" --spin
for b in "$bin"/bench-*; do
	case "$b" in
	*/bench-calls) continue ;;
	*/bench-identity) set -- "$bin/bench_identity_enclave" ;;
	*/bench-marshal) set -- "$bin/bench_marshal_enclave" "$bin/bench_marshal_raw_enclave" ;;
	*) set -- ;;
	esac
	[ -x "$b" ] || continue
	run "$(basename "$b")" "$b" "$@"
done
if [ -x "$bin/cella-inferd" ] && [ -x "$bin/cella-onnx-bench" ]; then
	run "bench/inferd (cella-inferd against the engine alone)" sh "$(dirname "$0")/../bench/inferd/run.sh" "$BUILD"
fi
if [ -n "$failed" ]; then
	echo "benchmarks that failed:$failed"
	exit 1
fi
