#!/bin/sh
# SPDX-License-Identifier: MIT
# The data-sealing sample on the sandbox backend: every seal is unsealed in the sealing enclave before its blob is
# saved, and a new process of that enclave unseals the saved blob; another enclave (other MRENCLAVE, same signer and
# product) is refused a MRENCLAVE blob and takes a MRSIGNER one. The longest text the sample takes round-trips (its
# blob once did not fit the buffer the unseal command read it into). A changed blob is refused; malformed
# commands exit 2.
# Usage: data_sealing_sample_test.sh SAMPLE_HOST ENCLAVE OTHER_ENCLAVE WORK_DIR
set -u
cmd=$1 enclave=$2 other=$3 work=$4/data-sealing-sample
rm -rf "$work" && mkdir -p "$work"
CELLA_PLATFORM_DIR=$work/platform
export CELLA_PLATFORM_DIR
. "$(dirname "$0")/../../testlib/expect.sh"

secret="the launch codes are 0000"
expect 0 "seal (MRENCLAVE), unsealed back before saving" "unsealed it back" seal "$enclave" "$work/u.blob" unique "$secret"
expect 0 "a new process of the enclave unseals it" "unsealed: \"$secret\"" unseal "$enclave" "$work/u.blob"
expect 1 "another enclave cannot unseal a MRENCLAVE blob" "unseal refused: CELLA_ERR_SEALED_BLOB" \
	unseal "$other" "$work/u.blob"
expect 0 "seal (MRSIGNER)" "unsealed it back" seal "$enclave" "$work/p.blob" product "$secret"
expect 0 "another enclave of the signer and product unseals a MRSIGNER blob" "unsealed: \"$secret\"" \
	unseal "$other" "$work/p.blob"

long=$(head -c 4000 /dev/zero | tr '\0' 'x')
expect 0 "the longest text (4000 bytes) seals" "sealed 4000 secret bytes" seal "$enclave" "$work/l.blob" unique "$long"
expect 0 "... and unseals in a new process" "unsealed: \"$long\"" unseal "$enclave" "$work/l.blob"
expect 2 "a longer text is refused before sealing" "longer than 4000 bytes" seal "$enclave" "$work/x.blob" unique "${long}x"

# one byte of the ciphertext changed (the header is 548 bytes, then the 23-byte AAD)
cp "$work/u.blob" "$work/t.blob"
flip_byte "$work/t.blob" 580 || fails=$((fails + 1))
expect 1 "a changed blob is refused" "unseal refused: CELLA_ERR_SEALED_BLOB" unseal "$enclave" "$work/t.blob"
expect 1 "a missing blob file" "cannot read $work/none.blob" unseal "$enclave" "$work/none.blob"
expect 2 "an unknown policy" "not \"mrenclave\"" seal "$enclave" "$work/x.blob" mrenclave "$secret"
expect 2 "no command" "usage:" frob "$enclave" "$work/x.blob"
[ $fails -eq 0 ]
