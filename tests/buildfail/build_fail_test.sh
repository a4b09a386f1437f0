#!/bin/sh
# Building an enclave fails, with a message naming the problem, on an unresolved symbol, a text relocation and
# a relocation other than R_X86_64_RELATIVE; a correct enclave builds with the same project.
# build_fail_test.sh SOURCE_DIR RUNTIME_LIB SIGN_TOOL C_COMPILER
set -u
src=$1 runtime=$2 sign=$3 cc=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

try() { # case expect-success(0/1) regex
	b="$tmp/$1"
	cmake -S "$src/tests/buildfail" -B "$b" -G Ninja -DCMAKE_C_COMPILER="$cc" -DCASE="$1" \
		-DCELLA_SOURCE_DIR="$src" -DCELLA_ENCLAVE_RUNTIME="$runtime" -DCELLA_SIGN_TOOL="$sign" \
		-DCELLA_INCLUDE_DIR="$src/include" >"$b.log" 2>&1 || { echo "FAIL $1: configure failed"; cat "$b.log"; fails=$((fails + 1)); return; }
	if cmake --build "$b" >"$b.log" 2>&1; then built=1; else built=0; fi
	if [ "$built" != "$2" ]; then
		echo "FAIL $1: build result $built, expected $2"; cat "$b.log"; fails=$((fails + 1)); return
	fi
	if [ -n "$3" ] && ! grep -Eq "$3" "$b.log"; then
		echo "FAIL $1: build log lacks /$3/"; cat "$b.log"; fails=$((fails + 1)); return
	fi
	echo "PASS $1"
}

try good 1 ""
try undefined 0 "undefined reference to .cella_missing_function"
try textrel 0 "(read-only segment has dynamic relocations|relocation R_X86_64_64 against .* in read-only section|text relocation)"
try ifunc 0 "R_X86_64_IRELATIVE: a GNU ifunc" # gcc puts it in RELA, clang in the PLT table: both named
echo "$fails failed"
[ "$fails" = 0 ]
