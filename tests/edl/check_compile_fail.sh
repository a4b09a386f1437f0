#!/bin/sh
# SPDX-License-Identifier: MIT
# The compile-failure corpus: EDL that cella-edger8r cannot refuse itself (a typedef from an included header hides
# what it points to), so the generated code must not compile, on either side, with the message of the file's
# "// EXPECT: TEXT" line.
# Usage: check_compile_fail.sh EDGER8R DIR OUTDIR CELLA_INCLUDE MUSL_INCLUDE KHDRS
set -u
tool=$1 dir=$2 tmp=$3 inc=$4 musl=$5 khdrs=$6
pass=0
fail=0
ccinc=$(gcc -print-file-name=include)
for edl in "$dir"/*.edl; do
	name=$(basename "$edl" .edl)
	expect=$(sed -n 's,^// EXPECT: ,,p' "$edl" | head -n 1)
	out="$tmp/$name"
	rm -rf "$out"
	mkdir -p "$out"
	if [ -z "$expect" ]; then
		echo "FAIL $name: no // EXPECT: line"
		fail=$((fail + 1))
		continue
	fi
	if ! "$tool" --trusted-dir "$out" --untrusted-dir "$out" "$edl" >"$out/gen.log" 2>&1; then
		echo "FAIL $name: cella-edger8r refused it"
		cat "$out/gen.log"
		fail=$((fail + 1))
		continue
	fi
	ok=1
	for side in t u; do
		if [ $side = t ]; then
			set -- -fPIE -nostdinc -isystem "$musl" -isystem "$ccinc" -idirafter "$khdrs"
		else
			set -- -fPIC
		fi
		if gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE "$@" -I"$inc" -I"$dir" -I"$out" \
			-c "$out/${name}_$side.c" -o "$out/${name}_$side.o" >"$out/$side.log" 2>&1; then
			echo "FAIL $name: ${name}_$side.c compiled"
			ok=0
		elif ! grep -qF "$expect" "$out/$side.log"; then
			echo "FAIL $name: ${name}_$side.c failed without the expected message"
			sed 's/^/  got:  /' "$out/$side.log"
			ok=0
		fi
	done
	if [ $ok -eq 1 ]; then
		echo "ok   $name: $expect"
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
