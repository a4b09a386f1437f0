#!/bin/sh
# SPDX-License-Identifier: MIT
# The invalid EDL corpus: cella-edger8r must refuse each file (exit status 1, no crash, no output files) with
# the diagnostic its "// EXPECT: LINE:COL: error: TEXT" line names ("// FLAGS: ..." adds options).
# Usage: check_invalid.sh EDGER8R DIR TMPDIR
set -u
tool=$1
dir=$2
tmp=$3
pass=0
fail=0
mkdir -p "$tmp"
for edl in "$dir"/*.edl; do
	name=$(basename "$edl" .edl)
	expect=$(sed -n 's,^// EXPECT: ,,p' "$edl" | head -n 1)
	flags=$(sed -n 's,^// FLAGS: ,,p' "$edl")
	if [ -z "$expect" ]; then
		echo "FAIL $name: no // EXPECT: line"
		fail=$((fail + 1))
		continue
	fi
	case "$expect" in
	[0-9]*) want="$edl:$expect" ;;
	*) want="$(cd "$dir/.." && pwd)/$expect" ;; # a diagnostic located in another file (tests/edl/...)
	esac
	rm -rf "$tmp/$name"
	mkdir -p "$tmp/$name"
	# shellcheck disable=SC2086
	"$tool" $flags --trusted-dir "$tmp/$name" --untrusted-dir "$tmp/$name" "$edl" >"$tmp/$name.out" 2>&1
	rc=$?
	if [ $rc -ne 1 ]; then
		echo "FAIL $name: exit status $rc (want 1)"
		cat "$tmp/$name.out"
		fail=$((fail + 1))
	elif ! grep -qF "$want" "$tmp/$name.out"; then
		echo "FAIL $name: diagnostic differs"
		echo "  want: $want"
		sed 's/^/  got:  /' "$tmp/$name.out"
		fail=$((fail + 1))
	elif [ -n "$(ls "$tmp/$name")" ]; then
		echo "FAIL $name: output files written despite the error"
		fail=$((fail + 1))
	else
		echo "ok   $name: $expect"
		pass=$((pass + 1))
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
