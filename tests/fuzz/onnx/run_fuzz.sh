#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the loader fuzzer with clang -fsanitize=fuzzer,address into the build tree and runs it (60 s default).
# usage: run_fuzz.sh SOURCE_DIR BUILD_DIR GENERATED_DIR PROTOBUF_C_A TESTDATA_ROOT [SECONDS]
set -eu
src=$1 build=$2 gen=$3 pbc=$4 data=$5 secs=${6:-${CELLA_FUZZ_SECONDS:-60}}
command -v clang >/dev/null 2>&1 || { echo "FAIL: clang not installed (scripts/install-deps.sh installs it)"; exit 1; }
out=$build/fuzz-onnx
mkdir -p "$out/corpus" "$out/artifacts"
bin=$out/fuzz_model_load
# rebuild only when a source is newer than the binary
need=1
if [ -x "$bin" ]; then
  need=0
  for f in "$src"/src/onnx/*.c "$src"/src/onnx/*.h "$src"/src/onnx/*.proto "$src"/tests/fuzz/onnx/fuzz_model_load.c; do
    [ "$f" -nt "$bin" ] && need=1
  done
fi
if [ $need = 1 ]; then
  echo "building $bin"
  clang -g -O1 -fsanitize=fuzzer,address,undefined,float-cast-overflow \
    -fno-sanitize-recover=undefined,float-cast-overflow -std=c11 -D_GNU_SOURCE \
    -I"$src/include" -I"$src/src/onnx" -I"$gen" \
    $(for f in "$src"/src/onnx/*.c; do case $f in */model_file.c|*/threads_pthread.c) ;; *) echo "$f";; esac; done) \
    "$gen/onnx.pb-c.c" "$gen/onnx_value.pb-c.c" "$src/src/common/result.c" "$src/tests/fuzz/onnx/fuzz_model_load.c" \
    -mavx2 -mfma -mavx512f "$pbc" -lm -o "$bin.tmp" 2>"$out/build.log" || { cat "$out/build.log"; exit 1; }
  mv "$bin.tmp" "$bin"
fi
# seed corpus: every small model of the ONNX backend test data, and the pytorch-converted tests' small input
# tensors (TensorProtos, for the tensor decoder); the corpus grows in the build tree
if [ -z "$(ls -A "$out/corpus")" ]; then
  for d in "$data"/node/test_* "$data"/pytorch-converted/test_*; do
    f=$d/model.onnx
    [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 4096 ] && cp "$f" "$out/corpus/$(basename "$d").onnx"
  done
  for d in "$data"/pytorch-converted/test_*; do
    f=$d/test_data_set_0/input_0.pb
    [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 4096 ] && cp "$f" "$out/corpus/$(basename "$d").input.pb"
  done
fi
exec "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 -timeout=60 \
  -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$out/corpus"
