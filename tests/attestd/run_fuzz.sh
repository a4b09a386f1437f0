#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the cella-attestd libFuzzer harness with clang (ASan+UBSan+libFuzzer) into the build tree and runs it
# over a copy of the committed corpus. Usage: run_fuzz.sh SOURCE_DIR BUILD_DIR SECONDS
# Fails (exit 1) when clang or libFuzzer is missing: scripts/install-deps.sh installs both.
set -eu
. "$1/tests/fuzz/lib.sh"
fuzz_setup attestd "$@"
a=$src/services/attestd
v=$src/src/verify
# shellcheck disable=SC2046,SC2086
$FUZZ_CC $FUZZ_CFLAGS -I"$src/include" -I"$a" -I"$v" -I"$src/src/common" $(pkg-config --cflags jansson libcjson sqlite3) \
	"$src/tests/fuzz/attestd/attestd_fuzz.c" \
	"$a/util.c" "$a/policy.c" "$a/jmespath.c" "$a/jws.c" "$a/store.c" "$a/evidence.c" "$a/config.c" "$a/service.c" \
	"$v"/*.c "$src/src/common/result.c" "$src/src/common/hex.c" "$src/src/common/file.c" "$src/src/common/parse.c" \
	-o "$out/attestd_fuzz" -lcrypto -lcurl $(pkg-config --libs jansson libcjson sqlite3) -lpthread -lm
# the harness's service database goes beside it, not into /tmp
ATTESTD_FUZZ_DIR=$out
export ATTESTD_FUZZ_DIR
fuzz_run "$out/attestd_fuzz" "$src/tests/fuzz/attestd/corpus" 16384
