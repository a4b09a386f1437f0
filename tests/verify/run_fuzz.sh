#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the verify libFuzzer harness with clang (ASan+UBSan+libFuzzer) into the build tree and runs it over a
# copy of the committed corpus. Usage: run_fuzz.sh SOURCE_DIR BUILD_DIR SECONDS
# Fails (exit 1) when clang or libFuzzer is missing: scripts/install-deps.sh installs both.
set -eu
. "$1/tests/fuzz/lib.sh"
fuzz_setup verify "$@"
v=$src/src/verify
# shellcheck disable=SC2086
$FUZZ_CC $FUZZ_CFLAGS -I"$src/include" -I"$v" -I"$src/src/common" $(pkg-config --cflags libcjson jansson) \
	"$src/tests/fuzz/verify/verify_fuzz.c" \
	"$v/cert.c" "$v/collateral.c" "$v/crypto.c" "$v/json.c" "$v/keytab.c" "$v/pck.c" "$v/pem.c" "$v/quote.c" "$v/tcb.c" "$v/trust.c" \
	"$v/util.c" "$v/verify.c" "$src/src/common/result.c" "$src/src/common/hex.c" "$src/src/common/file.c" \
	-o "$out/verify_fuzz" -lcrypto $(pkg-config --libs libcjson jansson) -lpthread
fuzz_run "$out/verify_fuzz" "$src/tests/fuzz/verify/corpus" 24576
