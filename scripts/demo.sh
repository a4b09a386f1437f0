#!/bin/sh
# SPDX-License-Identifier: MIT
# `make demo`: runs the samples on the backend this machine has (the sandbox backend without SGX).
set -eu
BUILD=${1:-build}
failed=0
bin=$BUILD/bin

echo "== helloworld: the host calls the enclave, the enclave calls back to print"
"$bin/helloworld_host" "$bin/helloworld_enclave" "Cella"
echo
echo "== MRENCLAVE of the helloworld enclave, as the loader measures it"
if [ -x "$bin/cella-sign" ]; then
	"$bin/cella-sign" digest "$bin/helloworld_enclave"
fi

echo
echo "== data-sealing: seal in one process, unseal in a new one; another enclave cannot"
blob=$(mktemp)
"$bin/data-sealing_host" seal "$bin/data-sealing_enclave" "$blob" unique "the launch codes are 0000"
"$bin/data-sealing_host" unseal "$bin/data-sealing_enclave" "$blob"
if "$bin/data-sealing_host" unseal "$bin/data-sealing_enclave_other" "$blob"; then
	echo "demo: another enclave unsealed MRENCLAVE-sealed data" >&2
	exit 1
fi
rm -f "$blob"

echo
echo "== local-attestation: two enclaves exchange reports and derive a shared key"
"$bin/local-attestation_host" "$bin/local-attestation_a" "$bin/local-attestation_b"

if [ -x "$bin/remote-attestation_host" ]; then
	echo
	echo "== remote-attestation: evidence verified by the host verifier"
	"$bin/remote-attestation_host" "$bin/remote-attestation_enclave"
fi

if [ -x "$bin/attested-tls_host" ] && [ -x "$bin/cella-tls-client" ]; then
	echo
	echo "== attested-tls: TLS server in the enclave, cella-tls-client verifies its evidence"
	ready=$(mktemp)
	rm -f "$ready"
	"$bin/attested-tls_host" "$bin/attested-tls_enclave" --connections 1 --ready "$ready" &
	server=$!
	i=0
	while [ ! -s "$ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	read -r port mrenclave < "$ready"
	if [ -n "${CELLA_PLATFORM_DIR:-}" ]; then pdir=$CELLA_PLATFORM_DIR
	elif [ "$(id -u)" = 0 ] || [ -z "${HOME:-}" ]; then pdir=/var/lib/cella/platform
	else pdir=$HOME/.local/state/cella/platform; fi
	"$bin/cella-tls-client" --connect "127.0.0.1:$port" --root "$pdir/root-ca.pem" --mrenclave "$mrenclave" \
		--allow-debug --allow-software-tee --send "hello from the demo"
	wait "$server"
	rm -f "$ready"
fi

model=/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d
if [ -x "$bin/confidential-inference_host" ] && [ -f "$model/model.onnx" ]; then
	echo
	echo "== confidential-inference: an ONNX model served from inside the enclave over attested TLS"
	ready=$(mktemp)
	rm -f "$ready"
	"$bin/confidential-inference_host" "$bin/confidential-inference_enclave" "$model/model.onnx" --connections 1 \
		--ready "$ready" &
	server=$!
	i=0
	while [ ! -s "$ready" ] && [ $i -lt 100 ] && kill -0 $server 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	if [ -s "$ready" ]; then
		read -r port mrenclave < "$ready"
		if [ -n "${CELLA_PLATFORM_DIR:-}" ]; then pdir=$CELLA_PLATFORM_DIR
		elif [ "$(id -u)" = 0 ] || [ -z "${HOME:-}" ]; then pdir=/var/lib/cella/platform
		else pdir=$HOME/.local/state/cella/platform; fi
		"$bin/confidential-inference_client" --connect "127.0.0.1:$port" --root "$pdir/root-ca.pem" \
			--mrenclave "$mrenclave" --model "$model/model.onnx" --input "$model/test_data_set_0/input_0.pb" \
			--expect "$model/test_data_set_0/output_0.pb" --allow-debug --allow-software-tee || failed=1
	else
		failed=1
	fi
	wait "$server" || failed=1
	rm -f "$ready"
fi

# ---- cella-inferd: the confidential inference service (services/inferd, docs/inferd.md), its enclave signed for
# production with a key made here, serving an encrypted model whose key a client provisions over attested TLS
topk=/usr/share/libonnx-testdata/data/node/test_top_k
if [ -x "$bin/cella-inferd" ] && [ -x "$bin/cella-sign" ] && [ -f "$topk/model.onnx" ]; then
	echo
	echo "== cella-inferd: a signed enclave serves an encrypted ONNX model over attested TLS"
	idir=$(mktemp -d /tmp/cella-inferd-demo.XXXXXX)
	"$bin/cella-sign" genkey -o "$idir/key.pem" >/dev/null &&
		"$bin/cella-sign" sign --key "$idir/key.pem" -o "$idir/enclave" "$bin/cella-inferd_enclave" >/dev/null &&
		"$bin/cella-infer" encrypt-model --new-key "$idir/model.key" "$topk/model.onnx" "$idir/model.enc" &&
		"$bin/cella-inferd" "$idir/enclave" "$idir/model.enc" --workers 2 --sealed-key "$idir/model.sealed" \
			--ready "$idir/ready" &
	server=$!
	i=0
	while [ ! -s "$idir/ready" ] && [ $i -lt 100 ] && kill -0 $server 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	if [ -s "$idir/ready" ]; then
		read -r port mrenclave sha < "$idir/ready"
		if [ -n "${CELLA_PLATFORM_DIR:-}" ]; then pdir=$CELLA_PLATFORM_DIR
		elif [ "$(id -u)" = 0 ] || [ -z "${HOME:-}" ]; then pdir=/var/lib/cella/platform
		else pdir=$HOME/.local/state/cella/platform; fi
		d=$topk/test_data_set_0
		set -- --connect "127.0.0.1:$port" --root "$pdir/root-ca.pem" --mrenclave "$mrenclave" \
			--model "$idir/model.enc" --allow-software-tee
		"$bin/cella-infer" "$@" --provision-key "$idir/model.key" &&
			"$bin/cella-infer" "$@" --input "x=$d/input_0.pb" --input "k=$d/input_1.pb" \
				--expect "values=$d/output_0.pb" --expect "indices=$d/output_1.pb" || failed=1
		kill -TERM $server
	else
		failed=1
	fi
	wait "$server" || failed=1
	rm -rf "$idir"
fi

# ---- cella-image: helloworld as a reproducible OCI image, and its Kubernetes manifest (tools/image, docs/deploy.md)
if [ -x "$bin/cella-image" ] && [ -x "$bin/cella-sign" ]; then
	echo
	echo "== cella-image: helloworld as an OCI image (no daemon, no base image) and its Kubernetes Deployment"
	gdir=$(mktemp -d /tmp/cella-image-demo.XXXXXX)
	"$bin/cella-sign" genkey -o "$gdir/key.pem" >/dev/null &&
		"$bin/cella-sign" sign --key "$gdir/key.pem" -o "$gdir/helloworld.signed" "$bin/helloworld_enclave" \
			>/dev/null &&
		"$bin/cella-image" build --host "$bin/helloworld_host" --enclave "$gdir/helloworld.signed" --allow-debug \
			-o "$gdir/oci" --tag demo || failed=1
	if [ -f "$gdir/oci/index.json" ] && command -v skopeo >/dev/null 2>&1; then
		skopeo inspect "oci:$gdir/oci:demo" | grep -E '"dev.cella.(mrenclave|mrsigner|debug)"' || failed=1
	fi
	"$bin/cella-image" k8s --image registry.example/cella/helloworld:demo --enclave "$gdir/helloworld.signed" \
		--allow-debug | sed -n '1,2p;/resources:/,$p' || failed=1
	rm -rf "$gdir"
fi

# ---- cella-attestd: an Azure Attestation compatible service (services/attestd, docs/attestd.md)
if [ -x "$bin/cella-attestd" ] && [ -x "$bin/attestation_service_host" ]; then
	echo
	echo "== cella-attestd: the enclave (sandbox) gets a token for its evidence, the host verifies the token"
	adir=$(mktemp -d /tmp/cella-attestd-demo.XXXXXX)
	CELLA_PLATFORM_DIR=${CELLA_PLATFORM_DIR:-$adir/platform}
	export CELLA_PLATFORM_DIR
	if [ ! -f "$CELLA_PLATFORM_DIR/root-ca.pem" ]; then # the first evidence request creates the software platform
		"$bin/attestation_service_host" "$bin/attestation_service_enclave" http://127.0.0.1:9 >/dev/null 2>&1 || true
	fi
	# the embedded default configuration (HTTPS, RS256 tokens, MAA's default policies), on an ephemeral
	# loopback port, trusting this machine's software-TEE root for /attest/CellaEnclave
	"$bin/cella-attestd" --listen 127.0.0.1:0 --db "$adir/attestd.db" --port-file "$adir/port" \
		--tls-cert-out "$adir/tls.pem" --cella-root "$CELLA_PLATFORM_DIR/root-ca.pem" 2>"$adir/attestd.log" &
	apid=$!
	i=0
	while [ ! -s "$adir/port" ] && [ $i -lt 100 ] && kill -0 $apid 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	if [ -s "$adir/port" ]; then
		aurl=https://127.0.0.1:$(cat "$adir/port")
		echo "cella-attestd listening on $aurl"
		st=0
		"$bin/attestation_service_host" "$bin/attestation_service_enclave" "$aurl" "$adir/tls.pem" \
			>"$adir/sample.log" 2>&1 || st=$?
		grep -v "is not signed" "$adir/sample.log" || true
		if [ $st -ne 0 ]; then
			echo "demo: the attestation sample failed (exit $st)" >&2
			failed=1
		fi
	else
		echo "demo: cella-attestd did not start:" >&2
		cat "$adir/attestd.log" >&2
		failed=1
	fi
	kill $apid 2>/dev/null || true
	wait $apid 2>/dev/null || true
	echo "cella-attestd stopped"
	rm -rf "$adir"
fi

exit $failed
