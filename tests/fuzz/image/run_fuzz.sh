#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the enclave-image libFuzzer harness with clang (ASan+UBSan+libFuzzer) into the build tree and runs it
# seeded with the images given (real ones built by this tree: nothing is committed, they would go stale).
# Usage: run_fuzz.sh SOURCE_DIR BUILD_DIR SECONDS IMAGE...
# Fails (exit 1) when clang or libFuzzer is missing: scripts/install-deps.sh installs both.
set -eu
. "$1/tests/fuzz/lib.sh"
fuzz_setup image "$@"
c=$src/src/common
# shellcheck disable=SC2086
$FUZZ_CC $FUZZ_CFLAGS -I"$src/include" -I"$c" "$src/tests/fuzz/image/image_fuzz.c" "$c/image.c" "$c/layout.c" \
	"$c/measure.c" "$c/sigstruct.c" "$c/result.c" "$c/file.c" -o "$out/image_fuzz" -lcrypto
seeds=$out/seeds
rm -rf "$seeds"
mkdir -p "$seeds"
shift 3
for f in "$@"; do
	cp "$f" "$seeds/"
done
fuzz_run "$out/image_fuzz" "$seeds" 262144
