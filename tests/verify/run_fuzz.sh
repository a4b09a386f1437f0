#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the verify libFuzzer harness with clang (ASan+UBSan+libFuzzer) into the build tree and runs it over a
# copy of the committed corpus. Usage: run_fuzz.sh SOURCE_DIR BUILD_DIR SECONDS
# Exit 77 (skip) only when clang or libFuzzer is missing.
set -eu
src=$1
out=$2/fuzz-verify
secs=${3:-60}
cc=${CLANG:-clang}
mkdir -p "$out"

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "SKIP: $cc not found (install clang and libclang-rt-14-dev to run the verify fuzzer)"
	exit 77
fi
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
	>"$out/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$out/probe.c" -o "$out/probe" >"$out/probe.log" 2>&1; then
	echo "SKIP: $cc cannot link -fsanitize=fuzzer (libFuzzer missing: install libclang-rt-14-dev)"
	cat "$out/probe.log"
	exit 77
fi

v=$src/src/verify
jcflags=$(pkg-config --cflags jansson)
jlibs=$(pkg-config --libs jansson)
# shellcheck disable=SC2086
"$cc" -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -I"$src/include" -I"$v" -I"$src/src/common" $jcflags \
	"$src/tests/fuzz/verify/verify_fuzz.c" \
	"$v/collateral.c" "$v/crypto.c" "$v/json.c" "$v/pck.c" "$v/pem.c" "$v/quote.c" "$v/tcb.c" "$v/trust.c" \
	"$v/util.c" "$v/verify.c" "$src/src/common/result.c" "$src/src/common/hex.c" \
	-o "$out/verify_fuzz" -lcrypto $jlibs -lpthread

rm -rf "$out/corpus"
mkdir -p "$out/corpus" "$out/artifacts"
cp "$src"/tests/fuzz/verify/corpus/* "$out/corpus/"
echo "fuzzing for ${secs}s over $(ls "$out/corpus" | wc -l) seeds"
exec "$out/verify_fuzz" -max_total_time="$secs" -max_len=24576 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$out/artifacts/" "$out/corpus"
