#!/bin/sh
# Installs the SDK under a temporary prefix, builds samples/helloworld, samples/remote-attestation (host verifier:
# Cella::cella_attest over Cella::cella_verify) and samples/attested-tls (Cella::cella_attest_enclave inside the
# enclave) out of tree against it with find_package(Cella), and runs the first two.
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
for sample in remote-attestation attested-tls; do
	cmake -S "$src/samples/$sample" -B "$tmp/$sample" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
	cmake --build "$tmp/$sample" >/dev/null
	test -x "$tmp/$sample/${sample}_host" && test -f "$tmp/$sample/${sample}_enclave"
done
out=$(CELLA_PLATFORM_DIR="$tmp/platform" "$tmp/remote-attestation/remote-attestation_host" \
	"$tmp/remote-attestation/remote-attestation_enclave" 2>&1)
echo "$out"
echo "$out" | grep -q "host: development policy: CELLA_OK"
echo "install test: PASS"
