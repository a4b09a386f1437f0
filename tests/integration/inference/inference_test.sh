#!/bin/sh
# SPDX-License-Identifier: MIT
# The confidential-inference sample on the sandbox backend: an ONNX model (the ONNX test data's pytorch-converted
# Conv2d) served from inside the enclave over attested TLS. The output matches the ONNX project's expected output;
# a wrong MRENCLAVE, another model's hash, a request that is no tensor or of the wrong shape, and an output unlike
# the expected one are refused (exit 1, the reason named); a raw TLS client sending a length of 0 or over 16 MiB is
# answered CELLA_ERR_TOO_LARGE, one that stops mid-request ends only its session; the server serves on after each.
# Malformed options exit 2 naming the option; a model the service cannot serve (not a model, two inputs, a sequence
# input, string output) stops the host (exit 1, the reason named).
# Usage: inference_test.sh HOST ENCLAVE CLIENT WORK_DIR TESTDATA_DIR
set -u
host=$1 enclave=$2 client=$3 work=$4/inference data=$5/pytorch-converted
rm -rf "$work" && mkdir -p "$work"
CELLA_PLATFORM_DIR=$work/platform
export CELLA_PLATFORM_DIR
. "$(dirname "$0")/../../testlib/expect.sh"
zero=0000000000000000000000000000000000000000000000000000000000000000
m=$data/test_Conv2d
[ -f "$m/model.onnx" ] || { echo "FAIL $m/model.onnx is missing (scripts/install-deps.sh installs libonnx-testdata)"; exit 1; }

# the host's options and model
cmd=$host
expect 2 "host: no model" "usage:" "$enclave"
expect 2 "host: --connections 0" "--connections 0: not a number from 1" "$enclave" "$m/model.onnx" --connections 0
expect 1 "host: a model that does not exist" "$work/none.onnx: No such file or directory" "$enclave" "$work/none.onnx"
: >"$work/empty"
expect 1 "host: an empty model" "$work/empty: 0 bytes; a model of 1 byte to 64 MiB is served" "$enclave" "$work/empty"
expect 1 "host: a file that is no model" "enclave: the model does not load: model is malformed" "$enclave" \
	"$m/test_data_set_0/output_0.pb" --connections 1
expect 1 "host: a model of two inputs" "enclave: the model has 2 inputs and 1 outputs: this service takes one input" \
	"$enclave" "$5/node/test_add/model.onnx" --connections 1
expect 1 "host: a model whose input is a sequence" "enclave: the model's input or first output is not a tensor" \
	"$enclave" "$5/node/test_sequence_map_identity_1_sequence/model.onnx" --connections 1
expect 1 "host: a model that answers strings" "enclave: the model's first output is a string tensor" \
	"$enclave" "$5/node/test_strnormalizer_nostopwords_nochangecase/model.onnx" --connections 1

# the client's options: exit 2, named, before connecting
cmd=$client
c="--connect 127.0.0.1:9 --root /dev/null --input $m/test_data_set_0/input_0.pb"
expect 2 "client: no --mrenclave" "usage:" $c --model "$m/model.onnx"
expect 2 "client: --model and --model-sha256" "usage:" $c --mrenclave $zero --model "$m/model.onnx" --model-sha256 $zero
expect 2 "client: --mrenclave not hex" "--mrenclave 00x: not 64 hex digits" $c --mrenclave 00x --model-sha256 $zero
expect 2 "client: --model-sha256 too long" "not 64 hex digits" $c --mrenclave $zero --model-sha256 ${zero}0
expect 2 "client: --timeout 0" "--timeout 0: not a number of seconds" $c --mrenclave $zero --model-sha256 $zero \
	--timeout 0
expect 2 "client: --repeat 0" "--repeat 0: not a number from 1 to 1000000" $c --mrenclave $zero --model-sha256 $zero \
	--repeat 0
expect 2 "client: an unknown option" "unknown option --frob" $c --mrenclave $zero --model-sha256 $zero --frob x
expect 1 "client: an --expect that is empty" "$work/empty: empty" --connect 127.0.0.1:9 --root "$m/model.onnx" \
	--input "$m/test_data_set_0/input_0.pb" --mrenclave $zero --model-sha256 $zero --expect "$work/empty"
expect 1 "client: an --expect that is no tensor" "$m/model.onnx: not a TensorProto" --connect 127.0.0.1:9 \
	--root "$m/model.onnx" --input "$m/test_data_set_0/input_0.pb" --mrenclave $zero --model-sha256 $zero \
	--expect "$m/model.onnx"

"$host" "$enclave" "$m/model.onnx" --connections 13 --ready "$work/ready" >"$work/server.log" 2>&1 &
server=$!
i=0
while [ ! -s "$work/ready" ] && [ $i -lt 200 ] && kill -0 $server 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
[ -s "$work/ready" ] || { echo "FAIL the sample server did not start: $(cat "$work/server.log")"; exit 1; }
read -r port mr <"$work/ready"
c="--connect 127.0.0.1:$port --root $work/platform/root-ca.pem --allow-debug --allow-software-tee"
in=$m/test_data_set_0/input_0.pb
out=$m/test_data_set_0/output_0.pb
sha=$(sha256sum "$m/model.onnx" | cut -c1-64)
# 1..7: the client
expect 0 "verified, the model checked, the output is ONNX's expected one" "client: the enclave serves the expected model
client: output float [2, 4, 5, 4]" $c --mrenclave "$mr" --model "$m/model.onnx" --input "$in" --expect "$out" \
	--output "$work/y.bin"
[ "$(wc -c <"$work/y.bin")" -eq 640 ] || { echo "FAIL --output holds $(wc -c <"$work/y.bin") bytes, not 160 floats"; fails=$((fails + 1)); }
expect 1 "a wrong MRENCLAVE is refused" "client: the enclave was not verified" $c --mrenclave $zero --model-sha256 "$sha" \
	--input "$in"
expect 1 "another model's hash is refused" "client: the enclave serves another model (SHA-256 $sha)" $c \
	--mrenclave "$mr" --model-sha256 $zero --input "$in"
expect 1 "a request that is no tensor" "the enclave refused the request (CELLA_ERR_MODEL): the request is not an ONNX TensorProto" \
	$c --mrenclave "$mr" --model-sha256 "$sha" --input "$m/model.onnx"
expect 1 "a tensor of the wrong shape" "the enclave refused the request (CELLA_ERR_INVALID_ARG): the model refused the input" \
	$c --mrenclave "$mr" --model-sha256 "$sha" --input "$data/test_Conv1d/test_data_set_0/input_0.pb"
expect 1 "an output unlike the expected one" "client: the output's type or shape is not the expected one" $c \
	--mrenclave "$mr" --model-sha256 "$sha" --input "$in" --expect "$in"
expect 1 "an --output that cannot be written" "client: $work: cannot write the output: Is a directory" $c \
	--mrenclave "$mr" --model-sha256 "$sha" --input "$in" --output "$work"
# 8: five requests on one session, each answer checked
expect 0 "five requests on one session" "client: 5 answers on one session, median" $c --mrenclave "$mr" \
	--model-sha256 "$sha" --input "$in" --expect "$out" --repeat 5
# 9..12: a raw TLS client (no verification: it only talks to the server) sends lengths the server refuses (each ends
# its session), a request that is no tensor and then a good one on the same session (a refusal does not end it),
# and one that stops mid-request
python3 - "$port" "$in" >"$work/raw.log" 2>&1 <<'PY'
import socket, ssl, struct, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def read(s, n):
    b = b""
    while len(b) < n:
        k = s.recv(n - len(b))
        assert k, "the connection ended"
        b += k
    return b
def ask(s, length, body):
    s.sendall(struct.pack("<I", length) + body)
    status, n = struct.unpack("<II", read(s, 8))
    return status, read(s, n)
def session(requests, cut=None):
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20) as raw:
        with ctx.wrap_socket(raw) as s:
            assert read(s, 40)[:8] == b"CELLAINF"
            for length, body in requests:
                status, payload = ask(s, length, body)
                print("status", status, payload.decode() if status else "tensor of %d bytes" % len(payload))
            if cut:
                s.sendall(struct.pack("<I", cut) + b"x" * 10)  # stops mid-request: the server sees the end
            else:
                s.unwrap()  # close_notify: the session ends in order
good = open(sys.argv[2], "rb").read()
session([(0, b"")])
session([((16 << 20) + 1, b"")])
session([(4, b"\xff\xff\xff\xff"), (len(good), good)])
session([], cut=100)
PY
grep -c "^status 11 the request's length (1 to 16 MiB): " "$work/raw.log" | grep -qx 2 &&
	echo "PASS lengths of 0 and 16 MiB + 1 are answered CELLA_ERR_TOO_LARGE" ||
	{ echo "FAIL the raw client's lengths: $(cat "$work/raw.log")"; fails=$((fails + 1)); }
grep -q "^status 1792 the request is not an ONNX TensorProto" "$work/raw.log" &&
	grep -q "^status 0 tensor of 680 bytes" "$work/raw.log" &&
	echo "PASS a refused request leaves its session open: the next one on it is answered" ||
	{ echo "FAIL a refusal and a good request on one session: $(cat "$work/raw.log")"; fails=$((fails + 1)); }
# 13: the server served on
expect 0 "after all that, the next request is answered" "client: the output matches" $c --mrenclave "$mr" \
	--model-sha256 "$sha" --input "$in" --expect "$out"
wait $server
st=$?
if [ $st -eq 0 ] && grep -q "the enclave answered 10 request(s)" "$work/server.log" &&
	grep -q "enclave: session 12 failed (CELLA_ERR_" "$work/server.log" &&
	[ "$(grep -c "failed" "$work/server.log")" -eq 4 ]; then
	echo "PASS the server answered the ten good requests and ended only the four sessions it had to"
else
	echo "FAIL the server (exit $st): $(cat "$work/server.log")"
	fails=$((fails + 1))
fi
[ $fails -eq 0 ]
