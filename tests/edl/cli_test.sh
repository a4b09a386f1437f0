#!/bin/sh
# SPDX-License-Identifier: MIT
# cella-edger8r's command line: --search-path, --trusted/--untrusted, --trusted-dir/--untrusted-dir,
# --header-only, -D, --preprocess, --use-prefix, --depfile, -Werror, and usage errors.
# Usage: cli_test.sh EDGER8R EDL_TEST_DIR TMPDIR
set -u
tool=$1
src=$2
tmp=$3
fails=0
rm -rf "$tmp"
mkdir -p "$tmp"

check() { # check NAME CONDITION...
	name=$1
	shift
	if "$@"; then
		echo "ok   $name"
	else
		echo "FAIL $name"
		fails=$((fails + 1))
	fi
}
run() { # run EXPECTED_STATUS ARGS...: runs the tool, output in $tmp/log
	want=$1
	shift
	"$tool" "$@" >"$tmp/log" 2>&1
	rc=$?
	[ $rc -eq "$want" ] || { echo "  exit $rc, want $want: $*"; cat "$tmp/log"; return 1; }
}

d=$tmp/both
mkdir -p "$d"
check "imports need --search-path" run 1 --trusted-dir "$d" --untrusted-dir "$d" "$src/valid/imports.edl"
check "error names the missing import" grep -q "cannot find imported file 'math.edl'" "$tmp/log"
check "--search-path finds them" run 0 --search-path "$src/lib" --trusted-dir "$d" --untrusted-dir "$d" "$src/valid/imports.edl"
check "both sides by default" test -f "$d/imports_t.c" -a -f "$d/imports_t.h" -a -f "$d/imports_u.c" -a -f "$d/imports_u.h"
check "colon-separated search path" run 0 --search-path "/nonexistent:$src/lib" --trusted-dir "$d" --untrusted-dir "$d" "$src/valid/imports.edl"

mkdir -p "$tmp/t" "$tmp/u"
check "--trusted" run 0 --trusted --trusted-dir "$tmp/t" --untrusted-dir "$tmp/u" "$src/valid/basic.edl"
check "--trusted writes only _t" test -f "$tmp/t/basic_t.c" -a ! -e "$tmp/u/basic_u.c" -a ! -e "$tmp/t/basic_u.c"
check "--untrusted" run 0 --untrusted --trusted-dir="$tmp/t" --untrusted-dir="$tmp/u" "$src/valid/types.edl"
check "--untrusted writes only _u" test -f "$tmp/u/types_u.c" -a -f "$tmp/u/types_u.h" -a ! -e "$tmp/t/types_t.c"
mkdir -p "$tmp/h"
check "--header-only" run 0 --header-only --trusted-dir "$tmp/h" --untrusted-dir "$tmp/h" "$src/valid/basic.edl"
check "--header-only writes only headers" test -f "$tmp/h/basic_t.h" -a -f "$tmp/h/basic_u.h" -a ! -e "$tmp/h/basic_t.c" -a ! -e "$tmp/h/basic_u.c"

mkdir -p "$tmp/d"
check "-D given" run 0 -D FEATURE_X -DLEVEL=2 --trusted-dir "$tmp/d" --untrusted-dir "$tmp/d" "$src/valid/preprocess.edl"
check "-D selects #ifdef branches" grep -q "preprocess_ecall_id_lib_dot" "$tmp/d/preprocess_t.h"
check "-D NAME=VALUE reaches #if" grep -q "pp_level2" "$tmp/d/preprocess_t.h"
check "-D absent" run 0 --trusted-dir "$tmp/d" --untrusted-dir "$tmp/d" "$src/valid/preprocess.edl"
check "-D absent drops the branch" sh -c "! grep -q lib_dot '$tmp/d/preprocess_t.h'"

mkdir -p "$tmp/p"
check "function-like macros need --preprocess" run 1 --trusted-dir "$tmp/p" --untrusted-dir "$tmp/p" "$src/valid/cpp.edl"
check "and the error says so" grep -q "use --preprocess" "$tmp/log"
check "--preprocess runs cpp" run 0 --preprocess -D WITH_EXTRA --trusted-dir "$tmp/p" --untrusted-dir "$tmp/p" "$src/valid/cpp.edl"
check "--preprocess expanded the macros" grep -q "int ecall_extra(int x);" "$tmp/p/cpp_t.h"
check "--preprocess keeps file:line in errors" sh -c "printf '#define X 1\n\nenclave { trusted { public void f([in] int x); }; };\n' > '$tmp/p/bad.edl'; '$tool' --preprocess --trusted-dir '$tmp/p' --untrusted-dir '$tmp/p' '$tmp/p/bad.edl' >'$tmp/p/bad.log' 2>&1; [ \$? -eq 1 ] && grep -q 'bad.edl:3:' '$tmp/p/bad.log'"

mkdir -p "$tmp/x"
check "--use-prefix" run 0 --use-prefix --trusted-dir "$tmp/x" --untrusted-dir "$tmp/x" "$src/valid/basic.edl"
check "--use-prefix renames host stubs" grep -q "cella_result basic_ecall_value(struct cella_enclave \*cella_e" "$tmp/x/basic_u.h"
check "--depfile" run 0 --search-path "$src/lib" --depfile "$tmp/x/imports.d" --trusted-dir "$tmp/x" --untrusted-dir "$tmp/x" "$src/valid/imports.edl"
check "--depfile lists every imported file" sh -c "grep -q 'lib/math.edl' '$tmp/x/imports.d' && grep -q 'lib/io.edl' '$tmp/x/imports.d' && grep -q 'lib/common.edl' '$tmp/x/imports.d'"

check "warnings pass by default" run 0 --trusted-dir "$tmp/x" --untrusted-dir "$tmp/x" "$src/valid/wild.edl"
check "warnings are printed" grep -q "warning: pointer parameter 'handle' has no direction" "$tmp/log"
check "-Werror makes them errors" run 1 -Werror --trusted-dir "$tmp/x" --untrusted-dir "$tmp/x" "$src/valid/wild.edl"
printf 'enclave { struct req { size_t len; uint8_t *buf; }; trusted { public void e([in] const struct req *r); }; };\n' \
	>"$tmp/x/rawmember.edl"
check "a pointer member without size=/count= is accepted" run 0 --trusted-dir "$tmp/x" --untrusted-dir "$tmp/x" \
	"$tmp/x/rawmember.edl"
check "... with a warning that its address crosses unchecked" \
	grep -q "warning: pointer member 'buf' of 'req' has no size= or count=" "$tmp/log"
check "unknown option" run 2 --bogus "$src/valid/basic.edl"
check "no input file" run 2
check "two input files" run 2 "$src/valid/basic.edl" "$src/valid/types.edl"
check "missing input file" run 1 "$tmp/none.edl"
check "--version" run 0 --version
check "--help" run 0 --help
check "unwritable output directory" run 1 --trusted-dir /nonexistent/dir "$src/valid/basic.edl"
if [ $fails -eq 0 ]; then
	echo "cli test: PASS"
else
	echo "cli test: $fails failed"
	exit 1
fi
