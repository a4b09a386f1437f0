#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the EDL libFuzzer harness (front end and generator) with clang (ASan+UBSan+libFuzzer) into the build tree and runs it
# over a copy of the committed corpus plus the conformance corpus. Usage: run_fuzz.sh SOURCE_DIR BUILD_DIR SECONDS
# Fails (exit 1) when clang or libFuzzer is missing: scripts/install-deps.sh installs both.
set -eu
. "$1/tests/fuzz/lib.sh"
fuzz_setup edl "$@"
e=$src/tools/edger8r
# shellcheck disable=SC2086
$FUZZ_CC $FUZZ_CFLAGS -I"$e" "$src/tests/fuzz/edl/edl_fuzz.c" \
	"$e/lex.c" "$e/parse.c" "$e/sema.c" "$e/util.c" "$e/gen.c" "$2/tools/edger8r/support_blob.c" -o "$out/edl_fuzz"
# the conformance corpus is a good seed too
seeds=$out/seeds
rm -rf "$seeds"
mkdir -p "$seeds"
cp "$src"/tests/fuzz/edl/corpus/* "$seeds/"
cp "$src"/tests/edl/valid/*.edl "$src"/tests/edl/invalid/*.edl "$seeds/" 2>/dev/null || true
# the generator writes each accepted input's stubs under TMPDIR, in the build tree
rm -rf "$out/tmp" && mkdir -p "$out/tmp"
TMPDIR=$out/tmp fuzz_run "$out/edl_fuzz" "$seeds" 8192 -dict="$src/tests/fuzz/edl/edl.dict"
