#!/bin/sh
# SPDX-License-Identifier: MIT
# One file of the valid EDL corpus: cella-edger8r accepts it, and the four generated files compile with
# -Wall -Wextra -Werror under gcc and clang (enclave side against musl, host side against glibc), at -O0 and -O2.
# Usage: check_valid.sh EDGER8R FILE.edl OUTDIR CELLA_INCLUDE MUSL_INCLUDE KHDRS
set -eu
tool=$1
edl=$2
out=$3
inc=$4
musl=$5
khdrs=$6
dir=$(dirname "$edl")
lib=$(cd "$dir/../lib" && pwd)
name=$(basename "$edl" .edl)
flags=$(sed -n 's,^// FLAGS: ,,p' "$edl" | sed "s,LIBDIR,$lib,g")
rm -rf "$out"
mkdir -p "$out"
# shellcheck disable=SC2086
"$tool" $flags --trusted-dir "$out" --untrusted-dir "$out" "$edl"
for f in "${name}_t.h" "${name}_t.c" "${name}_u.h" "${name}_u.c"; do
	test -s "$out/$f" || { echo "missing $f"; exit 1; }
done
n=0
for cc in gcc clang; do
	if ! command -v $cc >/dev/null 2>&1; then
		echo "FAIL: $cc not installed (scripts/install-deps.sh installs gcc and clang)"
		exit 1
	fi
	ccinc=$($cc -print-file-name=include)
	for opt in -O0 -O2; do
		$cc -std=c11 $opt -Wall -Wextra -Werror -D_GNU_SOURCE -fPIE -nostdinc -isystem "$musl" -isystem "$ccinc" \
			-idirafter "$khdrs" -I"$inc" -I"$dir" -I"$out" -c "$out/${name}_t.c" -o "$out/${name}_t.$cc$opt.o"
		$cc -std=c11 $opt -Wall -Wextra -Werror -D_GNU_SOURCE -fPIC -I"$inc" -I"$dir" -I"$out" \
			-c "$out/${name}_u.c" -o "$out/${name}_u.$cc$opt.o"
		n=$((n + 2))
	done
done
echo "$name.edl: generated code compiles cleanly ($n compilations)"
