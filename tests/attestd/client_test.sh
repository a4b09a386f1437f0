#!/bin/sh
# SPDX-License-Identifier: MIT
# The Azure Attestation JS client (npm @azure/attestation, installed under the build tree) against cella-attestd
# over HTTPS on loopback. Usage: client_test.sh ATTESTD VECTORS_DIR BUILD_DIR TEST_DIR
# Exit 77 (skip) only when the npm registry is unreachable; missing node or npm fail (install-deps.sh installs them).
set -u
attestd=$1 vec=$2 build=$3 here=$4
npmdir=$build/npm-attestd
work=$build/tests/attestd-client
sh "$here/../../scripts/npm-peers.sh" "$npmdir" @azure/attestation@1 @azure/core-auth@1 || exit $?
rm -rf "$work" && mkdir -p "$work"
token=client-test-$$-admin
v=openenclave_attestation_plugin_2022
t=$(python3 -c "import json,datetime,sys;print(int(datetime.datetime.fromisoformat(json.load(open(sys.argv[1]))['verify_time'].replace('Z','+00:00')).timestamp()))" "$vec/$v/expected.json")
"$attestd" --listen 127.0.0.1:0 --db "$work/state.db" --port-file "$work/port" --tls-cert-out "$work/tls.pem" \
	--admin-token "$token" --test-mode --verify-time "$t" --collateral "$vec/$v/collateral.json" 2>"$work/attestd.log" &
pid=$!
i=0
while [ ! -s "$work/port" ] && [ $i -lt 100 ] && kill -0 $pid 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
[ -s "$work/port" ] || { echo "cella-attestd did not start"; cat "$work/attestd.log"; kill $pid 2>/dev/null; exit 1; }
port=$(cat "$work/port")
cp "$here/client_test.js" "$npmdir/client_test.js"
NODE_EXTRA_CA_CERTS="$work/tls.pem" timeout 120 node "$npmdir/client_test.js" "https://127.0.0.1:$port" "$vec" "$token"
rc=$?
kill $pid
wait $pid 2>/dev/null
exit $rc
