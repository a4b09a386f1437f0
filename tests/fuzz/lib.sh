# SPDX-License-Identifier: MIT
# Shared by every tests/.../run_fuzz.sh (arguments SOURCE_DIR BUILD_DIR [SECONDS]): probe for clang's libFuzzer,
# then run a harness over a copy of its committed corpus. Usage:
#   . "$1/tests/fuzz/lib.sh"
#   fuzz_setup NAME "$@"                    # sets src, out (BUILD_DIR/fuzz-NAME) and secs (default 60); exits 1
#                                           # (fails) if clang or libFuzzer is missing
#   $FUZZ_CC $FUZZ_CFLAGS ... -o "$out/bin"  # compile the harness
#   fuzz_run "$out/bin" CORPUS_DIR MAX_LEN [extra libFuzzer args...]
FUZZ_CC=${CLANG:-clang}
FUZZ_CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined,float-cast-overflow -fno-sanitize-recover=all -Wall -Wextra -Werror"

fuzz_setup() {
	src=$2
	out=$3/fuzz-$1
	secs=${4:-60}
	fuzz_probe "$1"
}

fuzz_probe() {
	mkdir -p "$out"
	if ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
		echo "FAIL: $FUZZ_CC not found (scripts/install-deps.sh installs clang and libclang-rt-14-dev)"
		exit 1
	fi
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
		>"$out/probe.c"
	if ! "$FUZZ_CC" -fsanitize=fuzzer,address,undefined "$out/probe.c" -o "$out/probe" >"$out/probe.log" 2>&1; then
		echo "FAIL: $FUZZ_CC cannot link -fsanitize=fuzzer (libFuzzer missing: scripts/install-deps.sh installs libclang-rt-14-dev)"
		cat "$out/probe.log"
		exit 1
	fi
}

fuzz_run() {
	bin=$1
	corpus=$2
	maxlen=$3
	shift 3
	rm -rf "$out/corpus"
	mkdir -p "$out/corpus" "$out/artifacts"
	cp "$corpus"/* "$out/corpus/"
	echo "fuzzing for ${secs}s over $(ls "$out/corpus" | wc -l) seeds"
	exec "$bin" -max_total_time="$secs" -max_len="$maxlen" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/" "$@" "$out/corpus"
}
