#!/bin/sh
# SPDX-License-Identifier: MIT
# Software-TEE evidence end to end: the attestation-service sample enclave (sandbox backend) gets a token from
# cella-attestd over HTTPS and its host verifies it; the same evidence is refused under another software root, and
# refused as expired outside its PCK chain's validity although that chain was verified (and cached) before.
# Usage: sample_test.sh ATTESTD SAMPLE_HOST SAMPLE_ENCLAVE WORK_DIR
set -u
attestd=$1 host=$2 enclave=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
CELLA_PLATFORM_DIR=$work/platform
export CELLA_PLATFORM_DIR
"$host" "$enclave" http://127.0.0.1:9 >/dev/null 2>&1 # creates the software platform (the request itself fails)
[ -f "$work/platform/root-ca.pem" ] || { echo "FAIL no software platform"; exit 1; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/other.key" -out "$work/other.pem" \
	-subj "/CN=Other root" -days 1 >/dev/null 2>&1
rc=0
for root in "$work/platform/root-ca.pem" "$work/other.pem"; do
	rm -f "$work/port"
	"$attestd" --listen 127.0.0.1:0 --db "$work/state.db" --port-file "$work/port" --tls-cert-out "$work/tls.pem" \
		--cella-root "$root" 2>>"$work/attestd.log" &
	pid=$!
	i=0
	while [ ! -s "$work/port" ] && [ $i -lt 100 ] && kill -0 $pid 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	[ -s "$work/port" ] || { echo "FAIL: cella-attestd did not start:"; cat "$work/attestd.log"; kill $pid 2>/dev/null; exit 1; }
	out=$("$host" "$enclave" "https://127.0.0.1:$(cat "$work/port")" "$work/tls.pem" 2>&1)
	st=$?
	kill $pid
	wait $pid 2>/dev/null
	echo "$out" | sed 's/^/  /'
	if [ "$root" = "$work/other.pem" ]; then
		if [ $st -ne 0 ] && echo "$out" | grep -q "UntrustedRoot\|EvidenceVerificationFailed\|software root"; then
			echo "PASS software evidence refused under another root"
		else
			echo "FAIL software evidence accepted under another root"; rc=1
		fi
	elif [ $st -eq 0 ] && echo "$out" | grep -q "x-ms-attestation-type=cella-software"; then
		echo "PASS sandbox enclave attested through /attest/CellaEnclave, token verified by the host"
	else
		echo "FAIL sample attestation"; rc=1
	fi
done
# the same evidence replayed at chosen times (cella-attestd --test-mode): its cached PCK chain expires with it
python3 "$(dirname "$0")/service_test.py" "$attestd" - "$work/replay" software "$host" "$enclave" || rc=1
exit $rc
