#!/bin/sh
# SPDX-License-Identifier: MIT
# The manifests `cella-image k8s` writes, in each of its shapes, validated against Kubernetes' own schemas by an
# independent checker (npm kubernetes-models, API 1.27), after a control: a manifest with a port that is not a
# number must be refused by it. Skips (77) only when the npm registry is unreachable.
# Usage: k8s_schema_test.sh CELLA_IMAGE CELLA_SIGN ENCLAVE BUILD_DIR SCRIPTS_DIR
set -u
image=$1 sign=$2 enc_in=$3 build=$4 scripts=$5 here=$(dirname "$0")
work=$build/tests/k8s-schema npm=$build/npm
rm -rf "$work" && mkdir -p "$work"
sh "$scripts/npm-peers.sh" "$npm" kubernetes-models@4.5.1 yaml@2.9.1
rc=$?
[ $rc -eq 0 ] || exit $rc
"$sign" genkey -o "$work/key.pem" >/dev/null && "$sign" sign --key "$work/key.pem" -o "$work/enclave" "$enc_in" \
	>/dev/null || { echo "FAIL cannot sign $enc_in"; exit 1; }
fails=0
check() { # what, then cella-image k8s's options
	what=$1
	shift
	if ! "$image" k8s --image registry.example/team/hello:1.0 --enclave "$work/enclave" --allow-debug "$@" \
		>"$work/m.yaml" 2>"$work/err"; then
		echo "FAIL $what: cella-image k8s: $(cat "$work/err")"
		fails=$((fails + 1))
	elif node "$here/k8s_validate.js" "$npm" "$work/m.yaml" >"$work/v" 2>&1; then
		echo "PASS $what: $(tr '\n' ' ' <"$work/v")"
	else
		echo "FAIL $what: $(cat "$work/v")"
		fails=$((fails + 1))
	fi
}
# the control: the checker refuses what Kubernetes refuses
"$image" k8s --image hello:1.0 --enclave "$work/enclave" --allow-debug --port 8443 |
	sed 's/containerPort: 8443/containerPort: "eighty"/' >"$work/bad.yaml"
if node "$here/k8s_validate.js" "$npm" "$work/bad.yaml" >"$work/v" 2>&1; then
	echo "FAIL the checker accepted a port that is not a number: $(cat "$work/v")"
	fails=$((fails + 1))
else
	echo "PASS the checker refuses a port that is not a number: $(grep invalid "$work/v")"
fi
check "Deployment and Service, through the webhook" --port 8443
check "without the webhook, in-process quotes" --no-webhook --quote-provider inproc --name web
check "without the webhook, the node's aesmd" --no-webhook --quote-provider aesmd --replicas 2
check "through the webhook, the node's aesmd" --quote-provider aesmd
check "the sandbox backend" --software --port 443
[ $fails -eq 0 ]
