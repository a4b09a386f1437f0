#!/bin/sh
# Installs the SDK under a temporary prefix, builds samples/helloworld out of tree against it with
# find_package(Cella), and runs it. install_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -x "$tmp/prefix/libexec/cella/cella-monitor"
test -f "$tmp/prefix/lib/cmake/Cella/CellaConfig.cmake"
test -f "$tmp/prefix/include/cella/host.h"
PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --exists cella-host cella-enclave
cmake -S "$src/samples/helloworld" -B "$tmp/hello" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/hello" >/dev/null
out=$("$tmp/hello/helloworld_host" "$tmp/hello/helloworld_enclave" installed 2>&1)
echo "$out"
echo "$out" | grep -q "Hello, installed, from inside the enclave"
echo "install test: PASS"
