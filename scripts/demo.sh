#!/bin/sh
# SPDX-License-Identifier: MIT
# `make demo`: runs the samples on the backend this machine has (the sandbox backend without SGX).
set -eu
BUILD=${1:-build}
bin=$BUILD/bin

echo "== helloworld: the host calls the enclave, the enclave calls back to print"
"$bin/helloworld_host" "$bin/helloworld_enclave" "Cella"
echo
echo "== MRENCLAVE of the helloworld enclave, as the loader measures it"
if [ -x "$bin/cella-sign" ]; then
	"$bin/cella-sign" digest "$bin/helloworld_enclave"
fi
