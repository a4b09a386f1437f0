#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the same models through the glibc build and the musl static-pie build of the engine: outputs must be
# bit-identical. usage: musl_smoke.sh GLIBC_BIN MUSL_BIN TESTDATA_ROOT
set -eu
glibc=$1 musl=$2 root=$3
file "$musl" 2>/dev/null | grep -q 'static-pie linked' || { echo "not a static-pie: $musl"; exit 1; }
n=0
for t in pytorch-converted/test_Conv2d_groups_thnn pytorch-converted/test_Conv2d_depthwise_padded \
         pytorch-converted/test_Linear pytorch-converted/test_Softmax pytorch-converted/test_Sigmoid \
         pytorch-converted/test_Tanh node/test_gemm_default_matrix_bias node/test_lstm_defaults \
         pytorch-converted/test_ConvTranspose2d node/test_resize_upsample_scales_linear; do
  d=$root/$t
  [ -f "$d/model.onnx" ] || { echo "missing $d"; exit 1; }
  ins=$(ls "$d"/test_data_set_0/input_*.pb | sort)
  a=$("$glibc" "$d/model.onnx" $ins) || { echo "glibc run failed: $t"; exit 1; }
  b=$("$musl" "$d/model.onnx" $ins) || { echo "musl run failed: $t"; exit 1; }
  [ "$a" = "$b" ] || { echo "outputs differ: $t"; exit 1; }
  n=$((n + 1))
done
echo "musl static-pie and glibc builds agree bit for bit on $n models"
