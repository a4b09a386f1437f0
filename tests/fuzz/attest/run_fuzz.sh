#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the evidence-verifier libFuzzer harness with clang (ASan+UBSan+libFuzzer) twice, with the enclave's
# back end (BearSSL) and with the host's (OpenSSL + libcella-verify), and runs each for half the time over a
# copy of the committed corpus. Usage: run_fuzz.sh SOURCE_DIR BUILD_DIR SECONDS
# Fails (exit 1) when clang or libFuzzer is missing: scripts/install-deps.sh installs both.
set -eu
. "$1/tests/fuzz/lib.sh"
fuzz_setup attest "$@"
a=$src/src/attest
v=$src/src/verify
h=$src/tests/fuzz/attest
common="$h/attest_fuzz.c $a/der.c $a/evidence.c $a/cert.c $src/src/common/result.c"
# shellcheck disable=SC2086
$FUZZ_CC $FUZZ_CFLAGS -I"$src/include" -I"$a" -I"$src/src/common" -I/usr/include/bearssl $common \
	"$a/evidence_bearssl.c" -o "$out/attest_fuzz_bearssl" -lbearssl
# shellcheck disable=SC2046,SC2086
$FUZZ_CC $FUZZ_CFLAGS -I"$src/include" -I"$a" -I"$v" -I"$src/src/common" $(pkg-config --cflags libcjson) $common \
	"$a/evidence_openssl.c" "$v"/*.c "$src/src/common/hex.c" "$src/src/common/file.c" \
	-o "$out/attest_fuzz_openssl" -lcrypto -lcurl $(pkg-config --libs libcjson) -lpthread
# the root certificate the seeds chain to (a sandbox platform's, public part only)
export CELLA_FUZZ_ROOT="$h/root-ca.pem"
half=$(( (secs + 1) / 2 ))
(secs=$half && fuzz_run "$out/attest_fuzz_bearssl" "$h/corpus" 16384)
secs=$half
fuzz_run "$out/attest_fuzz_openssl" "$h/corpus" 16384
