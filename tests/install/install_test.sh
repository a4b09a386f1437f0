#!/bin/sh
# Installs the SDK under a temporary prefix, builds samples/helloworld, samples/remote-attestation (host verifier:
# Cella::cella_attest over Cella::cella_verify), samples/attested-tls (Cella::cella_attest_enclave inside the
# enclave) and samples/confidential-inference (Cella::cella_onnx_enclave inside, Cella::cella_onnx in its client)
# out of tree against it with find_package(Cella), and runs all but attested-tls (its own test runs it in-tree).
# install_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -x "$tmp/prefix/libexec/cella/cella-monitor"
test -f "$tmp/prefix/lib/cmake/Cella/CellaConfig.cmake"
test -f "$tmp/prefix/include/cella/host.h"
PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --exists cella-host cella-enclave cella-verify cella-attest
test -f "$tmp/prefix/lib/cella/enclave/libcella_attest_enclave.a"
# pkg-config alone links a program of the verifier and the attested-TLS host side (the libraries are static: the
# modules name everything they need)
cat >"$tmp/pc.c" <<'EOF'
#include <cella/tls_host.h>
#include <cella/verify.h>
#include <stdio.h>
int main(void)
{
	struct cella_quote q;
	struct cella_detail d;
	uint64_t h = 0;
	cella_result r = cella_quote_parse((const unsigned char *)"x", 1, &q, &d);
	cella_result l = cella_tls_host_listen("not-an-address", 0, &h, NULL);
	printf("%s %s\n", cella_result_name(r), cella_result_name(l));
	return 0;
}
EOF
# shellcheck disable=SC2046 # pkg-config's words
cc -o "$tmp/pc" "$tmp/pc.c" $(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --cflags --libs cella-attest cella-host) \
	-Wl,-rpath,"$tmp/prefix/lib"
"$tmp/pc" | grep -q "^CELLA_ERR_TRUNCATED CELLA_ERR_INVALID_ARG$"
# a host-only project needs neither libcurl nor libcjson (the attestation targets are left out without them)
cmake -S "$src/samples/helloworld" -B "$tmp/hello" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" \
	-DCMAKE_DISABLE_FIND_PACKAGE_CURL=ON >/dev/null
cmake --build "$tmp/hello" >/dev/null
out=$("$tmp/hello/helloworld_host" "$tmp/hello/helloworld_enclave" installed 2>&1)
echo "$out"
echo "$out" | grep -q "Hello, installed, from inside the enclave"
for sample in remote-attestation attested-tls confidential-inference; do
	cmake -S "$src/samples/$sample" -B "$tmp/$sample" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
	cmake --build "$tmp/$sample" >/dev/null
	test -x "$tmp/$sample/${sample}_host" && test -f "$tmp/$sample/${sample}_enclave"
done
out=$(CELLA_PLATFORM_DIR="$tmp/platform" "$tmp/remote-attestation/remote-attestation_host" \
	"$tmp/remote-attestation/remote-attestation_enclave" 2>&1)
echo "$out"
echo "$out" | grep -q "host: development policy: CELLA_OK"
model=/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d
ci=$tmp/confidential-inference
CELLA_PLATFORM_DIR="$tmp/platform" "$ci/confidential-inference_host" "$ci/confidential-inference_enclave" \
	"$model/model.onnx" --ready "$tmp/ci-ready" >"$tmp/ci.log" 2>&1 &
server=$!
i=0
while [ ! -s "$tmp/ci-ready" ] && [ $i -lt 200 ] && kill -0 $server 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
read -r port mr <"$tmp/ci-ready"
out=$("$ci/confidential-inference_client" --connect "127.0.0.1:$port" --root "$tmp/platform/root-ca.pem" \
	--mrenclave "$mr" --model "$model/model.onnx" --input "$model/test_data_set_0/input_0.pb" \
	--expect "$model/test_data_set_0/output_0.pb" --allow-debug --allow-software-tee 2>&1)
echo "$out"
wait $server
echo "$out" | grep -q "client: the output matches"
echo "install test: PASS"
