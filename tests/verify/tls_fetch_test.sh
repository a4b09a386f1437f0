#!/bin/sh
# SPDX-License-Identifier: MIT
# The OpenSSL TLS verifier fetching a peer's DCAP collateral (cella_tls_openssl_verifier.fetch): a mock PCCS serving
# the first vector's collateral, then evidence_dcap_test with --pccs (its tls_fetch case).
# Usage: tls_fetch_test.sh EVIDENCE_DCAP_TEST VECTORS_DIR WORK_DIR SCRIPT_DIR SGX_VECTOR...
set -u
test_bin=$1 vec=$2 work=$3/tls-fetch-test here=$4
shift 4
if ! command -v python3 >/dev/null 2>&1; then
	echo "FAIL: python3 not installed (needed for the mock PCCS; scripts/install-deps.sh installs it)"
	exit 1
fi
rm -rf "$work"
mkdir -p "$work/cache"
MOCK_PCCS_LOG=$work/requests python3 "$here/mock_pccs.py" "$vec/$1/collateral.json" "$work/port" &
pid=$!
i=0
while [ ! -f "$work/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
if [ ! -f "$work/port" ]; then
	echo "FAIL: mock PCCS did not start"
	kill "$pid" 2>/dev/null
	exit 1
fi
"$test_bin" --pccs "http://127.0.0.1:$(cat "$work/port")" "$work/cache" "$vec" "$@"
rc=$?
kill "$pid"
wait "$pid" 2>/dev/null
[ $rc -eq 0 ] || exit $rc
# two verifications, the second from the cache, then two handshakes without a disk cache, the second on the
# collateral the TLS context kept from the first: TCB Info asked for twice
n=$(grep -c '/tcb?' "$work/requests")
[ "$n" = 2 ] || { echo "FAIL: TCB Info fetched $n times, expected twice: $(cat "$work/requests")"; exit 1; }
echo "PASS four verifications, two fetches: the second read the disk cache ($(ls "$work/cache")), the fourth the TLS context's"
