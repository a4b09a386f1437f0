#!/bin/sh
# SPDX-License-Identifier: MIT
# cella-inferd end to end on the sandbox backend, its enclave signed for production (not debug) with a key made here.
# The ONNX test data's TopK (two inputs, two outputs) is served by two workers over two model instances:
# - outputs equal ONNX's expected ones, alone (--output) and all, and --save writes what ONNX's own files hold, byte
#   for byte; five requests on a session; four clients at once, each answer checked;
# - a session held open by one client does not keep another from being answered;
# - refusals, each named: a wrong MRENCLAVE, another model's hash, an input missing, unknown, given twice, not a
#   TensorProto or of the wrong shape, an output the model lacks, a request that is no PredictRequest (the session
#   goes on), lengths of 0 and over 16 MiB (the session ends), a request cut midway;
# - SIGTERM stops the service, cutting a session still open after --grace, and it reports what it answered;
# - malformed options (exit 2) and what the service cannot serve (exit 1) are named.
# Usage: inferd_test.sh CELLA_INFERD ENCLAVE CELLA_INFER CELLA_SIGN WORK_DIR TESTDATA_DIR
set -u
inferd=$1 image=$2 infer=$3 sign=$4 work=$5/inferd data=$6
rm -rf "$work" && mkdir -p "$work"
CELLA_PLATFORM_DIR=$work/platform
export CELLA_PLATFORM_DIR
. "$(dirname "$0")/../../testlib/expect.sh"
zero=0000000000000000000000000000000000000000000000000000000000000000
m=$data/node/test_top_k
d=$m/test_data_set_0
[ -f "$m/model.onnx" ] || { echo "FAIL $m/model.onnx is missing (scripts/install-deps.sh installs libonnx-testdata)"; exit 1; }
"$sign" genkey -o "$work/key.pem" >/dev/null && "$sign" sign --key "$work/key.pem" -o "$work/enclave" "$image" >/dev/null ||
	{ echo "FAIL cannot sign $image"; exit 1; }
enclave=$work/enclave

# the service's options and what it cannot serve
cmd=$inferd
expect 2 "inferd: no model" "usage: cella-inferd" "$enclave"
expect 2 "inferd: --workers 0" "--workers 0: not a number from 1 to 64" "$enclave" "$m/model.onnx" --workers 0
expect 2 "inferd: --instances 9" "--instances 9: not a number from 1 to 8" "$enclave" "$m/model.onnx" --instances 9
expect 2 "inferd: --port x" "--port x: not a number from 0 to 65535" "$enclave" "$m/model.onnx" --port x
expect 2 "inferd: --grace without a value" "--grace needs a value" "$enclave" "$m/model.onnx" --grace
expect 2 "inferd: --health-port 70000" "--health-port 70000: not a number from 0 to 65535" "$enclave" "$m/model.onnx" \
	--health-port 70000
expect 2 "inferd: --wait-us 0" "--wait-us 0: not a number from 1 to 1000000" "$enclave" "$m/model.onnx" --wait-us 0
expect 2 "inferd: an unknown option" "unknown option --frob" "$enclave" "$m/model.onnx" --frob 1
expect 1 "inferd: a model that does not exist" "$work/none.onnx: No such file or directory" "$enclave" "$work/none.onnx"
: >"$work/empty"
expect 1 "inferd: an empty model" "$work/empty: 0 bytes; a model of 1 byte to 256 MiB is served" "$enclave" "$work/empty"
expect 1 "inferd: an unsigned image without --debug" "enclave is not signed (sign it with cella-sign, or give --debug" \
	"$image" "$m/model.onnx"
expect 1 "inferd: a file that is no model" "enclave: the model does not load: model is malformed" "$enclave" \
	"$d/output_0.pb"
expect 1 "inferd: a model whose input is a sequence" "enclave: the model's input 0 is not a tensor" "$enclave" \
	"$data/node/test_sequence_map_identity_1_sequence/model.onnx"
expect 1 "inferd: an address it cannot listen on" "cannot listen on 999.0.0.1:0" "$enclave" "$m/model.onnx" \
	--listen 999.0.0.1
expect 1 "inferd: more workers than the enclave has threads" "(more --workers than the enclave has TCSs)" \
	"$enclave" "$m/model.onnx" --workers 9

# the client's options: exit 2, named, before connecting
cmd=$infer
c="--connect 127.0.0.1:9 --root /dev/null --mrenclave $zero --model-sha256 $zero"
expect 2 "infer: no --input" "usage: cella-infer" $c
expect 2 "infer: --input without a name" "--input $d/input_0.pb: not NAME=FILE" $c --input "$d/input_0.pb"
expect 2 "infer: an --input name given twice" "--input x given twice" $c --input "x=$d/input_0.pb" --input "x=$d/input_1.pb"
expect 2 "infer: --mrenclave not hex" "--mrenclave 00x: not 64 hex digits" --mrenclave 00x
expect 2 "infer: --repeat 0" "--repeat 0: not a number from 1 to 1000000" $c --input "x=$d/input_0.pb" --repeat 0
expect 2 "infer: an unknown option" "unknown option --frob" $c --frob 1
expect 2 "infer: an argument that is no option" "stray: not an option" $c stray
expect 1 "infer: an input that is no tensor" "$m/model.onnx: not a TensorProto" $c --input "x=$m/model.onnx"

"$inferd" "$enclave" "$m/model.onnx" --workers 2 --instances 2 --grace 1 --wait-us 500 --ready "$work/ready" \
	>"$work/server.log" 2>&1 &
server=$!
i=0
while [ ! -s "$work/ready" ] && [ $i -lt 400 ] && kill -0 $server 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
[ -s "$work/ready" ] || { echo "FAIL the service did not start: $(cat "$work/server.log")"; exit 1; }
read -r port mr sha <"$work/ready"
[ "$sha" = "$(sha256sum "$m/model.onnx" | cut -c1-64)" ] && echo "PASS the service names the model's SHA-256" ||
	{ echo "FAIL the service's model hash $sha"; fails=$((fails + 1)); }
c="--connect 127.0.0.1:$port --root $work/platform/root-ca.pem --allow-software-tee --mrenclave $mr"
good="--model-sha256 $sha --input x=$d/input_0.pb --input k=$d/input_1.pb"
answered=0
expect 0 "both outputs, each ONNX's expected one" "output values: float [3, 3]: 3 2 1 7 ...
output indices: int64 [3, 3]: 3 2 1 3 ...
cella-infer: every expected output matches" $c --model "$m/model.onnx" --input "x=$d/input_0.pb" \
	--input "k=$d/input_1.pb" --expect "values=$d/output_0.pb" --expect "indices=$d/output_1.pb"
answered=$((answered + 1))
mkdir -p "$work/saved"
expect 0 "one output asked for" "output indices: int64 [3, 3]" $c $good --output indices \
	--expect "indices=$d/output_1.pb" --save "$work/saved"
answered=$((answered + 1))
grep -q "output values" "$work/out" && { echo "FAIL the answer held an output not asked for"; fails=$((fails + 1)); }
[ "$(ls "$work/saved")" = indices.pb ] && cmp -s "$work/saved/indices.pb" "$d/output_1.pb" &&
	echo "PASS --save wrote the output as ONNX's own file holds it, byte for byte" ||
	{ echo "FAIL --save: $(ls "$work/saved")"; fails=$((fails + 1)); }
expect 1 "an expected output the answer lacks" "output values: not in the answer" $c $good --output indices \
	--expect "values=$d/output_0.pb"
answered=$((answered + 1))
expect 1 "an output unlike the expected one" "output values: element 0 is 3, expected 0" $c $good \
	--expect "values=$m/../test_top_k_smallest/test_data_set_0/output_0.pb"
answered=$((answered + 1))
expect 0 "five requests on one session" "cella-infer: 5 answers on one session, median" $c $good --repeat 5 \
	--expect "values=$d/output_0.pb"
answered=$((answered + 5))
expect 1 "a wrong MRENCLAVE" "the service enclave was not verified" --connect "127.0.0.1:$port" \
	--root "$work/platform/root-ca.pem" --allow-software-tee --mrenclave $zero --model-sha256 "$sha" --input "x=$d/input_0.pb"
expect 1 "another model's hash: the quote binds the model's, so the handshake fails" \
	"the service enclave was not verified: report data does not match" $c --model-sha256 $zero --input "x=$d/input_0.pb"
expect 1 "an input missing" "(CELLA_ERR_INVALID_ARG): input 'k' is missing" $c --model-sha256 "$sha" --input "x=$d/input_0.pb"
expect 1 "an input the model lacks" "(CELLA_ERR_NOT_FOUND): input 'y': the model has no input of that name" $c $good \
	--input "y=$d/input_0.pb"
expect 1 "an output the model lacks" "(CELLA_ERR_NOT_FOUND): output 'nope' in the filter: the model has no output" $c \
	$good --output nope
expect 1 "an input of the wrong shape" "(CELLA_ERR_INVALID_ARG): the model refused the inputs: input 0 ('x')" $c \
	--model-sha256 "$sha" --input "x=$d/input_1.pb" --input "k=$d/input_1.pb"
# k = 9 for an axis of 4: the run fails at the TopK node, which the engine names (the model is in the clear here)
python3 -c 'import sys; open(sys.argv[1], "wb").write(b"\x08\x01\x10\x07\x42\x01k\x4a\x08" + (9).to_bytes(8, "little"))' \
	"$work/k9.pb"
expect 1 "a run that fails in a node: the engine's reason" "(CELLA_ERR_MODEL_SHAPE): the model refused the inputs: node '" \
	$c --model-sha256 "$sha" --input "x=$d/input_0.pb" --input "k=$work/k9.pb"
refused=5

# a raw TLS client (no verification: it only talks to the service), PredictRequests encoded here by hand
python3 - "$port" "$d/input_0.pb" "$d/input_1.pb" >"$work/raw.log" 2>&1 <<'PY'
import socket, ssl, struct, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def varint(n):
    b = b""
    while True:
        if n < 0x80:
            return b + bytes([n])
        b += bytes([n & 0x7f | 0x80])
        n >>= 7
def field(num, data):  # a length-delimited field
    return varint(num << 3 | 2) + varint(len(data)) + data
def entry(name, tensor):
    return field(2, field(1, name.encode()) + field(2, tensor))
def read(s, n):
    b = b""
    while len(b) < n:
        k = s.recv(n - len(b))
        assert k, "the connection ended"
        b += k
    return b
def ask(s, length, body, kind=1):
    s.sendall(struct.pack("<II", kind, length) + body)
    status, n = struct.unpack("<II", read(s, 8))
    payload = read(s, n)
    print("status", status, payload.decode() if status else "outputs of %d bytes" % len(payload))
def session(requests, cut=None):
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20) as raw:
        with ctx.wrap_socket(raw) as s:
            hello = read(s, 48)
            assert hello[:8] == b"CELLAPRD" and struct.unpack("<II", hello[8:16]) == (1, 16 << 20), hello
            for kind, body in requests:
                ask(s, len(body), body, kind)
            if cut:
                s.sendall(struct.pack("<II", 1, cut) + b"x" * 10)  # stops mid-request: the service sees the end
            else:
                s.unwrap()  # close_notify: the session ends in order
x, k = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
good = entry("x", x) + entry("k", k)
session([(1, b"\xff\xff\xff\xff"), (1, good), (1, entry("x", x) + entry("x", x) + entry("k", k)),
         (1, entry("x", b"\xff\xff") + entry("k", k)), (9, good), (2, b"k" * 5), (2, b"k" * 32),
         (1, good + field(3, b"indices"))])
for length in (0, (16 << 20) + 1):
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20) as raw:
        with ctx.wrap_socket(raw) as s:
            read(s, 48)
            ask(s, length, b"")
session([], cut=100)
PY
grep -q "^status 1792 the request is not a PredictRequest" "$work/raw.log" &&
	[ "$(grep -c "^status 0 outputs of" "$work/raw.log")" -eq 2 ] &&
	grep -q "^status 2 input 'x' is given twice" "$work/raw.log" &&
	grep -q "^status 1792 input 'x' is not an ONNX TensorProto the engine takes" "$work/raw.log" &&
	grep -q "^status 2 request kind 9 (1: a prediction, 2: a model key)" "$work/raw.log" &&
	grep -q "^status 2 a model key is 32 bytes, not 5" "$work/raw.log" &&
	grep -q "^status 10 the model is not encrypted" "$work/raw.log" &&
	echo "PASS refused requests are named, and the session goes on: the next request on it is answered" ||
	{ echo "FAIL a refusal and good requests on one session: $(cat "$work/raw.log")"; fails=$((fails + 1)); }
[ "$(grep -c "^status 11 the request's length \(0\|16777217\) (1 byte to 16 MiB)" "$work/raw.log")" -eq 2 ] &&
	echo "PASS lengths of 0 and 16 MiB + 1 are answered CELLA_ERR_TOO_LARGE" ||
	{ echo "FAIL the raw client's lengths: $(cat "$work/raw.log")"; fails=$((fails + 1)); }
answered=$((answered + 2))
refused=$((refused + 8))

# a session held open (idle after the hello) takes one worker; the other answers a client meanwhile
python3 - "$port" "$work/held" <<'PY' &
import os, socket, ssl, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30) as raw:
    with ctx.wrap_socket(raw) as s:
        assert len(s.recv(48)) > 0
        open(sys.argv[2], "w").close()
        while os.path.exists(sys.argv[2]):
            time.sleep(0.05)
PY
holder=$!
i=0
while [ ! -e "$work/held" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
expect 0 "a client is answered while another holds a session open" "cella-infer: every expected output matches" \
	$c $good --expect "values=$d/output_0.pb" --timeout 10
answered=$((answered + 1))
rm -f "$work/held"
wait $holder

# four clients at once, 25 requests each, every answer checked (two model instances compute at once)
for j in 1 2 3 4; do
	"$infer" $c $good --expect "values=$d/output_0.pb" --expect "indices=$d/output_1.pb" --repeat 25 \
		>"$work/par$j.log" 2>&1 &
	eval "p$j=\$!"
done
ok=0
for j in 1 2 3 4; do eval "wait \$p$j" && ok=$((ok + 1)); done
[ $ok -eq 4 ] && echo "PASS four clients at once, each of its 25 answers the expected one" ||
	{ echo "FAIL clients at once: $(cat "$work"/par*.log)"; fails=$((fails + 1)); }
answered=$((answered + 100))

# SIGTERM while a session is open: it is cut after --grace 1, and the service reports what it served
python3 - "$port" "$work/held" >"$work/held.log" 2>&1 <<'PY' &
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30) as raw:
    with ctx.wrap_socket(raw) as s:
        s.recv(48)
        open(sys.argv[2], "w").close()
        try:
            print("the held session ended:", repr(s.recv(1)))
        except (ssl.SSLError, OSError) as e:
            print("the held session ended:", e)
PY
holder=$!
i=0
while [ ! -e "$work/held" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM $server
wait $server
st=$?
wait $holder
# "cella-inferd: worker N: S sessions, A answered, R refused, F failed: RESULT", summed over the workers
got_a=$(awk '/^cella-inferd: worker [0-9]+:/ { a += $6 } END { print a + 0 }' "$work/server.log")
got_r=$(awk '/^cella-inferd: worker [0-9]+:/ { r += $8 } END { print r + 0 }' "$work/server.log")
if [ $st -eq 0 ] && grep -q "stopping (SIGTERM): no new sessions, 1 s for open ones" "$work/server.log" &&
	[ "$got_a" = $answered ] && [ "$got_r" = $refused ]; then
	echo "PASS SIGTERM stops the service; it answered $answered requests and refused $refused, as sent"
else
	echo "FAIL the service (exit $st; answered $got_a of $answered, refused $got_r of $refused): $(cat "$work/server.log")"
	fails=$((fails + 1))
fi

# an encrypted model: cella-infer encrypt-model, then the key provisioned over the attested channel, kept sealed by
# the host for the next start
cmd=$infer
expect 2 "encrypt-model: too few arguments" "usage: cella-infer encrypt-model" encrypt-model "$work/k"
head -c 31 /dev/urandom >"$work/short.key"
expect 1 "encrypt-model: a key of 31 bytes" "$work/short.key: a model key is a file of exactly 32 bytes" encrypt-model \
	"$work/short.key" "$m/model.onnx" "$work/x.enc"
expect 0 "encrypt-model: a new key and the model under it" "encrypted into $work/model.enc" encrypt-model --new-key \
	"$work/model.key" "$m/model.onnx" "$work/model.enc"
expect 1 "encrypt-model: --new-key over an existing file" "--new-key $work/model.key: File exists" encrypt-model \
	--new-key "$work/model.key" "$m/model.onnx" "$work/x.enc"
[ "$(stat -c %a "$work/model.key")" = 600 ] && [ "$(wc -c <"$work/model.key")" -eq 32 ] &&
	[ "$(wc -c <"$work/model.enc")" -eq $(($(wc -c <"$m/model.onnx") + 44)) ] &&
	echo "PASS the new key is 32 bytes, mode 0600; the encrypted model is 44 bytes longer" ||
	{ echo "FAIL the key or the encrypted model: $(ls -l "$work/model.key" "$work/model.enc")"; fails=$((fails + 1)); }
"$infer" encrypt-model --new-key "$work/other.key" "$m/model.onnx" "$work/other.enc" >/dev/null
esha=$(sha256sum "$work/model.enc" | cut -c1-64)

# start SERVICE_ARGS...: the service on the encrypted model, port/mr/sha read; 1 if it did not start
start() {
	rm -f "$work/ready"
	"$inferd" "$@" --grace 1 --ready "$work/ready" >"$work/enc.log" 2>&1 &
	server=$!
	i=0
	while [ ! -s "$work/ready" ] && [ $i -lt 400 ] && kill -0 $server 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
	[ -s "$work/ready" ] && read -r port mr sha hport <"$work/ready"
}
# probe METHOD PATH: "STATUS BODY" from the service's health port
probe() {
	python3 - "$hport" "$1" "$2" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
c.request(sys.argv[2], sys.argv[3])
r = c.getresponse()
print(r.status, r.read().decode().strip())
PY
}
# health WHAT "STATUS BODY" METHOD PATH
health() {
	got=$(probe "$3" "$4" 2>&1)
	[ "$got" = "$2" ] && echo "PASS $1" || { echo "FAIL $1: $got, expected $2"; fails=$((fails + 1)); }
}
stop() {
	kill -TERM $server
	wait $server
}
start "$enclave" "$work/model.enc" --sealed-key "$work/sealed" --health-port 0 ||
	{ echo "FAIL no start: $(cat "$work/enc.log")"; exit 1; }
health "/healthz while waiting for the key" "200 ok" GET /healthz
health "/readyz while waiting for the key" "503 waiting for the model's key" GET /readyz
health "a path other than the two" "404 no such path: /healthz or /readyz" GET /metrics
health "a method other than GET" "405 GET only" POST /readyz
grep -q "(encrypted, waiting for its key: cella-infer --provision-key; SHA-256 $esha)" "$work/enc.log" &&
	echo "PASS the service starts on the encrypted model, waiting for its key" ||
	{ echo "FAIL the encrypted model's start: $(cat "$work/enc.log")"; fails=$((fails + 1)); }
c="--connect 127.0.0.1:$port --root $work/platform/root-ca.pem --allow-software-tee --mrenclave $mr"
in2="--input x=$d/input_0.pb --input k=$d/input_1.pb"
expect 1 "a prediction before the key" "(CELLA_ERR_INVALID_STATE): the model is encrypted and has no key yet" $c \
	--model "$work/model.enc" $in2
expect 1 "the plain model's hash against the encrypted one's" "the service enclave was not verified: report data" $c \
	--model "$m/model.onnx" $in2
expect 1 "another key" "(CELLA_ERR_MAC_MISMATCH): the key does not decrypt the model (another key, or a changed file)" \
	$c --model "$work/model.enc" --provision-key "$work/other.key"
expect 2 "--provision-key with --input" "usage: cella-infer" $c --model "$work/model.enc" $in2 --provision-key "$work/model.key"
expect 0 "the key: the service loads the model" "cella-infer: the service took the key and loaded the model" $c \
	--model "$work/model.enc" --provision-key "$work/model.key"
health "/readyz once the key came" "200 ready" GET /readyz
expect 0 "then predictions are answered" "cella-infer: every expected output matches" $c --model "$work/model.enc" $in2 \
	--expect "values=$d/output_0.pb" --expect "indices=$d/output_1.pb"
expect 1 "a second key" "(CELLA_ERR_INVALID_STATE): the model is unlocked already" $c --model-sha256 "$esha" \
	--provision-key "$work/model.key"
expect 1 "an encrypted model's node is not named to clients" \
	"the model failed on the inputs (the model is confidential: no detail)" $c --model-sha256 "$esha" \
	--input "x=$d/input_0.pb" --input "k=$work/k9.pb"
grep -q "node '" "$work/out" && { echo "FAIL a node named: $(cat "$work/out")"; fails=$((fails + 1)); }
expect 1 "an encrypted model's input checks are still told" "the model refused the inputs: input 0 ('x')" $c \
	--model-sha256 "$esha" --input "x=$d/input_1.pb" --input "k=$d/input_1.pb"
stop
grep -q "the model key was provisioned and is kept sealed in $work/sealed" "$work/enc.log" && [ -s "$work/sealed" ] &&
	! od -An -tx1 -v "$work/sealed" | tr -d ' \n' | grep -qF "$(od -An -tx1 -v "$work/model.key" | tr -d ' \n')" &&
	echo "PASS the host keeps the key sealed (not in the clear) in --sealed-key" ||
	{ echo "FAIL --sealed-key: $(cat "$work/enc.log")"; fails=$((fails + 1)); }
start "$enclave" "$work/model.enc" --sealed-key "$work/sealed" --health-port 0 ||
	{ echo "FAIL no restart: $(cat "$work/enc.log")"; exit 1; }
health "/readyz at once after a restart on the sealed key" "200 ready" GET /readyz
c="--connect 127.0.0.1:$port --root $work/platform/root-ca.pem --allow-software-tee --mrenclave $mr"
expect 0 "after a restart, the sealed key opens the model: no provisioning" "cella-infer: every expected output matches" \
	$c --model "$work/model.enc" $in2 --expect "values=$d/output_0.pb"
stop

# what a start refuses: each exits 1 naming it
cmd=$inferd
cp "$work/sealed" "$work/sealed.bad"
flip_byte "$work/sealed.bad" 600 || fails=$((fails + 1))
expect 1 "a sealed key changed by one byte" "enclave: the sealed model key does not open for this enclave and model" \
	"$enclave" "$work/model.enc" --sealed-key "$work/sealed.bad"
expect 1 "the sealed key of another model file" "enclave: the sealed model key does not open for this enclave and model" \
	"$enclave" "$work/other.enc" --sealed-key "$work/sealed"
"$sign" genkey -o "$work/key2.pem" >/dev/null && "$sign" sign --key "$work/key2.pem" -o "$work/enclave2" "$image" >/dev/null
expect 1 "the sealed key under an enclave of another signer" "enclave: the sealed model key does not open" \
	"$work/enclave2" "$work/model.enc" --sealed-key "$work/sealed"
expect 1 "a sealed key for a model in the clear" "enclave: a sealed model key was given for a model that is not encrypted" \
	"$enclave" "$m/model.onnx" --sealed-key "$work/sealed"
head -c 8 "$work/model.enc" >"$work/v2.enc" && printf '\002\000\000\000' >>"$work/v2.enc" && tail -c +13 "$work/model.enc" >>"$work/v2.enc"
expect 1 "an encrypted model of version 2" "enclave: the encrypted model is of version 2 (reserved 0): this service reads version 1" \
	"$enclave" "$work/v2.enc"
head -c 40 "$work/model.enc" >"$work/short.enc"
expect 1 "an encrypted model cut short" "enclave: the encrypted model is 40 bytes: too short for its header and tag" \
	"$enclave" "$work/short.enc"
cp "$work/model.enc" "$work/changed.enc"
flip_byte "$work/changed.enc" 100 || fails=$((fails + 1))
start "$enclave" "$work/changed.enc" || { echo "FAIL no start: $(cat "$work/enc.log")"; exit 1; }
cmd=$infer
expect 1 "a changed encrypted model and the right key" "(CELLA_ERR_MAC_MISMATCH): the key does not decrypt the model" \
	--connect "127.0.0.1:$port" --root "$work/platform/root-ca.pem" --allow-software-tee --mrenclave "$mr" \
	--model "$work/changed.enc" --provision-key "$work/model.key"
stop

# a model the engine refuses, naming its operator: the host hears the name only for a model in the clear
python3 "$(dirname "$0")/../../onnx/cli_model.py" "$work/secret.onnx" unsupported
cmd=$inferd
expect 1 "a model in the clear that the engine refuses: the operator named" \
	"enclave: the model does not load: model uses an unsupported operator or opset: unsupported operator 'SecretOp'" \
	"$enclave" "$work/secret.onnx"
"$infer" encrypt-model "$work/model.key" "$work/secret.onnx" "$work/secret.enc" >/dev/null
start "$enclave" "$work/secret.enc" || { echo "FAIL no start: $(cat "$work/enc.log")"; exit 1; }
cmd=$infer
expect 1 "the same model encrypted: its key refused, the reason's kind told" \
	"(CELLA_ERR_MODEL_UNSUPPORTED): the decrypted model does not load" --connect "127.0.0.1:$port" \
	--root "$work/platform/root-ca.pem" --allow-software-tee --mrenclave "$mr" --model "$work/secret.enc" \
	--provision-key "$work/model.key"
stop
grep -q "SecretOp" "$work/enc.log" "$work/out" && { echo "FAIL an encrypted model's operator named: $(cat "$work/enc.log")"; fails=$((fails + 1)); } ||
	echo "PASS an encrypted model's operator is named neither to the host nor to the client"
[ $fails -eq 0 ]
