#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the EDL front-end libFuzzer harness with clang (ASan+UBSan+libFuzzer) into the build tree and runs it
# over a copy of the committed corpus. Usage: run_fuzz.sh SOURCE_DIR BUILD_DIR SECONDS
# Exit 77 (skip) only when clang or libFuzzer is missing.
set -eu
src=$1
out=$2/fuzz-edl
secs=${3:-60}
cc=${CLANG:-clang}
mkdir -p "$out"
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "SKIP: $cc not found (install clang and libclang-rt-14-dev to run the EDL fuzzer)"
	exit 77
fi
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
	>"$out/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$out/probe.c" -o "$out/probe" >"$out/probe.log" 2>&1; then
	echo "SKIP: $cc cannot link -fsanitize=fuzzer (libFuzzer missing: install libclang-rt-14-dev)"
	cat "$out/probe.log"
	exit 77
fi
e=$src/tools/edger8r
"$cc" -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -I"$e" "$src/tests/fuzz/edl/edl_fuzz.c" \
	"$e/lex.c" "$e/parse.c" "$e/sema.c" "$e/util.c" -o "$out/edl_fuzz"
rm -rf "$out/corpus"
mkdir -p "$out/corpus" "$out/artifacts"
cp "$src"/tests/fuzz/edl/corpus/* "$out/corpus/"
# the conformance corpus is a good seed too
cp "$src"/tests/edl/valid/*.edl "$src"/tests/edl/invalid/*.edl "$out/corpus/" 2>/dev/null || true
echo "fuzzing for ${secs}s over $(ls "$out/corpus" | wc -l) seeds"
exec "$out/edl_fuzz" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -dict="$src/tests/fuzz/edl/edl.dict" -artifact_prefix="$out/artifacts/" "$out/corpus"
