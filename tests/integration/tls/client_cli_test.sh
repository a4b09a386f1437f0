#!/bin/sh
# SPDX-License-Identifier: MIT
# cella-tls-client against the attested-tls sample (a TLS server inside a sandbox enclave): a pinned MRENCLAVE or
# MRSIGNER + product + minimum SVN verifies and the line comes back; a wrong measurement, product or SVN, or a
# software TEE not allowed, is refused (exit 1); malformed options exit 2 naming the option, before connecting;
# --timeout bounds the whole session (a peer trickling or silent in its handshake is cut off, the timeout named).
# --collateral (DCAP collateral for Intel quotes) is read and checked before connecting, and a software-TEE peer
# verifies with it given.
# Usage: client_cli_test.sh CELLA_TLS_CLIENT SAMPLE_HOST SAMPLE_ENCLAVE WORK_DIR COLLATERAL_JSON
set -u
client=$1 host=$2 enclave=$3 work=$4/tls-client-cli collateral=$5
rm -rf "$work" && mkdir -p "$work"
CELLA_PLATFORM_DIR=$work/platform
export CELLA_PLATFORM_DIR
cmd=$client
. "$(dirname "$0")/../../testlib/expect.sh"
zero=0000000000000000000000000000000000000000000000000000000000000000

# malformed options: exit 2, named, nothing connects (port 9 would refuse anyway)
c="--connect 127.0.0.1:9 --root /dev/null"
expect 2 "--mrenclave too short" "--mrenclave 00: not 64 hex digits" $c --mrenclave 00
expect 2 "--mrenclave not hex" "not 64 hex digits" $c --mrenclave "$(echo $zero | sed 's/^0/g/')"
expect 2 "--mrsigner with spaces" "not 64 hex digits" $c --mrsigner " $(echo $zero | cut -c2-)"
expect 2 "--product beyond 16 bits" "--product 70000: not an integer from 0 to 65535" $c --mrsigner $zero --product 70000
expect 2 "--product not a number" "--product abc: not an integer" $c --mrsigner $zero --product abc
expect 2 "--min-svn negative" "--min-svn -1: not an integer" $c --mrenclave $zero --min-svn -1
expect 2 "--timeout 0" "--timeout 0: not an integer from 1 to 3600" $c --mrenclave $zero --timeout 0
expect 2 "--time with trailing text" "--time 12x: not an integer" $c --mrenclave $zero --time 12x
expect 2 "an unknown option" "unknown option --frob" $c --mrenclave $zero --frob x
expect 2 "MRSIGNER without a product" "usage:" $c --mrsigner $zero
expect 2 "--collateral and --pccs" "--collateral and --pccs: one or the other" $c --mrenclave $zero --collateral x \
	--pccs http://127.0.0.1:9
expect 2 "--cache without --pccs" "--cache needs --pccs" $c --mrenclave $zero --cache /tmp
expect 2 "--insecure-tls without --pccs" "--insecure-tls needs --pccs" $c --mrenclave $zero --insecure-tls
expect 0 "--help" "usage: cella-tls-client" --help

# a --root that cannot be read, or is empty: exit 1 with the reason, before connecting (it said only "cannot read
# (missing, empty or over 1 MiB)")
: >"$work/empty"
expect 1 "--root missing" "$work/none.pem: No such file or directory" --connect 127.0.0.1:9 --root "$work/none.pem" \
	--mrenclave $zero
expect 1 "--root a directory" "$work: Is a directory" --connect 127.0.0.1:9 --root "$work" --mrenclave $zero
expect 1 "--root empty" "$work/empty: empty" --connect 127.0.0.1:9 --root "$work/empty" --mrenclave $zero
expect 1 "--root /dev/null (a stream, empty)" "/dev/null: empty" --connect 127.0.0.1:9 --root /dev/null \
	--mrenclave $zero
echo "not a certificate" >"$work/text.pem"
expect 1 "--root holds no certificate" "$work/text.pem: not a certificate (DER, or PEM)" --connect 127.0.0.1:9 \
	--root "$work/text.pem" --mrenclave $zero

# the sample server's own options are checked too (exit 2, named)
cmd=$host
expect 2 "sample host: --port 70000" "--port 70000: not a number from 0 to 65535" "$enclave" --port 70000
expect 2 "sample host: --connections 0" "--connections 0: not a number from 1" "$enclave" --connections 0
expect 2 "sample host: an option without a value" "--ready needs a value" "$enclave" --ready
cmd=$client

"$host" "$enclave" --connections 7 --ready "$work/ready" >"$work/server.log" 2>&1 &
server=$!
i=0
while [ ! -s "$work/ready" ] && [ $i -lt 200 ] && kill -0 $server 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
[ -s "$work/ready" ] || { echo "FAIL the sample server did not start: $(cat "$work/server.log")"; exit 1; }
read -r port mr <"$work/ready"
root=$work/platform/root-ca.pem
c="--connect 127.0.0.1:$port --root $root"
dev="--allow-debug --allow-software-tee"
# 1..7: one connection each
expect 0 "pinned MRENCLAVE verifies, the line comes back" 'you said "ping" over attested TLS' $c --mrenclave "$mr" \
	$dev --send ping
grep -q "SOFTWARE-TEE" "$work/out" || { echo "FAIL the claims do not say SOFTWARE-TEE"; fails=$((fails + 1)); }
signer=$(sed -n 's/^ *signer_id *\([0-9a-f]*\)$/\1/p' "$work/out")
[ ${#signer} -eq 64 ] || { echo "FAIL no signer_id in the claims: $(cat "$work/out")"; exit 1; }
expect 1 "a wrong MRENCLAVE is refused" "handshake refused" $c --mrenclave $zero $dev
expect 1 "a software TEE is refused unless allowed" "handshake refused" $c --mrenclave "$mr" --allow-debug
# --collateral: checked before connecting (port 9: nothing connects), then given to a verification it does not
# change (the peer's evidence is the software TEE's)
expect 1 "--collateral missing" "$work/none.json: No such file or directory" --connect 127.0.0.1:9 --root "$root" \
	--mrenclave $zero --collateral "$work/none.json"
expect 1 "--collateral empty" "$work/empty: empty" --connect 127.0.0.1:9 --root "$root" --mrenclave $zero \
	--collateral "$work/empty"
expect 1 "--collateral not collateral" "$work/text.pem: not DCAP collateral" --connect 127.0.0.1:9 --root "$root" \
	--mrenclave $zero --collateral "$work/text.pem"
expect 0 "MRSIGNER + product 4 + minimum SVN 1 verifies, collateral given" "verified attested TLS peer" $c \
	--mrsigner "$signer" --product 4 --min-svn 1 $dev --collateral "$collateral"
# --pccs: nothing to fetch for the software TEE's evidence (a fetch from port 9 would fail the handshake)
expect 0 "MRENCLAVE verifies with --pccs given, nothing fetched" "verified attested TLS peer" $c --mrenclave "$mr" \
	$dev --pccs http://127.0.0.1:9 --cache "$work/cache" --insecure-tls
expect 1 "minimum SVN 2 is refused (the enclave has 1)" "handshake refused" $c --mrsigner "$signer" --product 4 \
	--min-svn 2 $dev
expect 1 "product 5 is refused (the enclave has 4)" "handshake refused" $c --mrsigner "$signer" --product 5 $dev
wait $server
st=$?
grep -q "served 3 session" "$work/server.log" && [ $st -eq 0 ] ||
	{ echo "FAIL the server did not serve exactly the three verified sessions: $(cat "$work/server.log")"; fails=$((fails + 1)); }
# the four refused handshakes: the sample prints why, from the server's detail (the client's fatal alert)
n=$(grep -c "^enclave: accept failed (CELLA_ERR_CRYPTO): handshake: BearSSL error BR_ERR_RECV_FATAL_ALERT + " \
	"$work/server.log")
if [ "$n" -eq 4 ]; then
	echo "PASS the sample names why each of the four refused handshakes failed"
else
	echo "FAIL the sample named the client's alert for $n of the four refused handshakes: $(cat "$work/server.log")"
	fails=$((fails + 1))
fi
expect 1 "the server gone: the reason is named" "Connection refused" $c --mrenclave "$mr" $dev
# a peer that accepts and closes at once: a failed handshake named as such (not an evidence refusal), exit 1
# (the client used to be killed by SIGPIPE, status 141, or to blame the evidence)
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
for _ in range(4):
    c, _a = s.accept(); c.close()
' "$work/closer" &
closer=$!
i=0
while [ ! -s "$work/closer" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
for k in 1 2 3 4; do
	expect 1 "a peer that closes at once ($k)" "handshake failed" --connect "127.0.0.1:$(cat "$work/closer")" \
		--root "$root" --mrenclave "$mr" $dev
done
kill $closer 2>/dev/null
wait $closer 2>/dev/null
# drip SILENT|TRICKLE INTERVAL COUNT: the client with --timeout 2 against drip_server.py (under `timeout 20`)
# exits 1 naming the timeout, and the server saw it leave
drip() {
	rm -f "$work/drip-port" "$work/drip.log"
	python3 "$(dirname "$0")/drip_server.py" "$work/drip-port" "$work/drip.log" "$2" "$3" &
	drip=$!
	i=0
	while [ ! -s "$work/drip-port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	timeout 20 "$client" --connect "127.0.0.1:$(cat "$work/drip-port")" --root "$root" --mrenclave "$mr" $dev \
		--timeout 2 >"$work/out" 2>&1
	rc=$?
	wait $drip
	if [ $rc -eq 1 ] && grep -q "handshake failed: timed out after 2 s" "$work/out" &&
		grep -q "the client left after" "$work/drip.log"; then
		echo "PASS $1: cut off at --timeout, the timeout named"
	else
		echo "FAIL $1: exit $rc: $(cat "$work/out"); server: $(cat "$work/drip.log" 2>&1)"
		fails=$((fails + 1))
	fi
}
# --timeout bounds the whole session: a peer that sends its ServerHello one byte every 1.5 s (each read done well
# within 2 s) is cut off after 2 s, not waited for until the drip ends (the client used to wait for every byte:
# `timeout 20` killed it, status 124) ...
drip "a peer that trickles its handshake" 1.5 30
# ... and a peer that falls silent is said to have timed out (it used to be "the peer closed the connection")
drip "a peer that falls silent in its handshake" 1 0
# an IPv6 address in brackets is an address, not an unresolvable name (nothing listens on port 9)
"$client" --connect "[::1]:9" --root "$root" --mrenclave "$mr" $dev >"$work/out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "cannot connect to \[::1\]:9" "$work/out" && ! grep -q "not HOST:PORT" "$work/out"; then
	echo "PASS [::1]:9 is taken as an IPv6 address"
else
	echo "FAIL [::1]:9: exit $rc: $(cat "$work/out")"
	fails=$((fails + 1))
fi
[ $fails -eq 0 ]
