#!/bin/sh
# SPDX-License-Identifier: MIT
# cella-quote dump / verify: verdicts, exit codes, JSON output.
# Usage: cli_test.sh CELLA_QUOTE VECTORS_DIR EVAL_FIXTURE WORK_DIR
set -u
cq=$1 vec=$2 fixture=$3 work=$4
[ -d "$vec" ] || { echo "FAIL: vectors not found at $vec"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }
expect() { # expect RC CMD...
	ewant=$1
	shift
	"$@" >/tmp/cella-cli.$$ 2>&1
	got=$?
	[ "$got" -eq "$ewant" ] || { cat /tmp/cella-cli.$$; rm -f /tmp/cella-cli.$$; fail "exit $got (want $ewant): $*"; }
	rm -f /tmp/cella-cli.$$
}

for v in dcapqvl_sgx_v3 automata_quotev3_0825_tcbv3 openenclave_attestation_plugin_2022 dcapqvl_tdx_v4; do
	q=$vec/$v/quote.bin c=$vec/$v/collateral.json
	at=$(sed -n 's/.*"verify_time": *"\([^"]*\)".*/\1/p' "$vec/$v/expected.json")
	status=$(sed -n 's/.*"status": *"\([^"]*\)".*/\1/p' "$vec/$v/expected.json")
	want=2
	[ "$status" = UpToDate ] && want=0
	expect $want "$cq" verify "$q" --collateral "$c" --at "$at"
	out=$("$cq" verify "$q" --collateral "$c" --at "$at" --json)
	rc=$?
	[ $rc -eq $want ] || fail "$v: verify --json exit $rc (want $want)"
	echo "$out" | grep -q "\"status\": \"$status\"" || fail "$v: JSON status is not $status"
	echo "$out" | grep -q '"mrenclave"\|"mr_td"' || fail "$v: JSON lacks claims"
	expect 1 "$cq" verify "$q" --collateral "$c" --at 2035-01-01T00:00:00Z
	expect 1 "$cq" verify "$q" --collateral "$c" --at "$at" --root "$vec/intel_qvl_synthetic/trustedRootCaCert.pem"
	expect $want "$cq" verify "$q" --collateral "$c" --at "$at" --root "$vec/IntelSGXRootCA_2033variant.pem"
	expect 0 "$cq" dump "$q"
	expect 0 "$cq" dump "$q" --json
	# --min-tcb-eval: met at the collateral's own tcbEvaluationDataNumber (the lower of its TCB Info's and QE
	# Identity's, read from the file), refused one above it
	n=$(grep -o 'tcbEvaluationDataNumber\\":[0-9]*' "$c" | sed 's/.*://' | sort -n | head -1)
	[ -n "$n" ] || fail "$v: no tcbEvaluationDataNumber in $c"
	echo "$out" | grep -q "\"tcb_evaluation_data_number\": $n," || fail "$v: JSON lacks tcb_evaluation_data_number $n"
	expect $want "$cq" verify "$q" --collateral "$c" --at "$at" --min-tcb-eval "$n"
	out=$("$cq" verify "$q" --collateral "$c" --at "$at" --min-tcb-eval $((n + 1)))
	rc=$?
	[ $rc -eq 1 ] || fail "$v: --min-tcb-eval $((n + 1)) exit $rc (want 1)"
	echo "$out" | grep -q "verification FAILED: CELLA_ERR_COLLATERAL: .*below --min-tcb-eval $((n + 1))" ||
		fail "$v: --min-tcb-eval $((n + 1)) does not say why: $out"
	echo "PASS $v"
done
for f in "$vec"/quotes_only/*.bin; do
	expect 0 "$cq" dump "$f"
done
# the TDX 1.5 quote: its two extra fields, in text and in JSON
v5="$vec/quotes_only/automata_quotev5_tdx15.bin"
dump=$("$cq" dump "$v5") || fail "v5 dump: exit $?"
echo "$dump" | grep -q "^quote v5, TDX" || fail "v5 dump: no version line"
echo "$dump" | grep -q "^  mr_servicetd [0-9a-f]\{96\}$" || fail "v5 dump: no mr_servicetd"
dump=$("$cq" dump "$v5" --json) || fail "v5 dump --json: exit $?"
echo "$dump" | grep -q '"tee_tcb_svn2": "[0-9a-f]\{32\}"' || fail "v5 JSON: no tee_tcb_svn2"
echo "PASS dump of every quote (v3, v4, v5)"
expect 1 "$cq" verify "$vec/dcapqvl_sgx_v3/quote.bin" --collateral /nonexistent.json
expect 1 "$cq" verify "$vec/dcapqvl_sgx_v3/quote.bin" --collateral "$vec/dcapqvl_tdx_v4/collateral.json" \
	--at 2025-06-19T11:56:11Z
expect 1 "$cq" dump "$vec/intel_qvl_synthetic/quote.dat"
expect 64 "$cq"
expect 64 "$cq" verify "$vec/dcapqvl_sgx_v3/quote.bin"
expect 64 "$cq" verify "$vec/dcapqvl_sgx_v3/quote.bin" --collateral a --pccs b
expect 64 "$cq" verify "$vec/dcapqvl_sgx_v3/quote.bin" --collateral a --at yesterday
expect 64 "$cq" frobnicate "$vec/dcapqvl_sgx_v3/quote.bin"
# fetch copies collateral from a PCCS: --collateral there used to copy that file out unverified with exit 0
expect 64 "$cq" fetch "$vec/dcapqvl_sgx_v3/quote.bin" --pccs http://127.0.0.1:9/ \
	--collateral "$vec/dcapqvl_sgx_v3/collateral.json" -o /dev/null
expect 64 "$cq" verify "$vec/dcapqvl_sgx_v3/quote.bin" --collateral "$vec/dcapqvl_sgx_v3/collateral.json" \
	--cache /tmp
expect 64 "$cq" verify "$vec/dcapqvl_sgx_v3/quote.bin" --collateral "$vec/dcapqvl_sgx_v3/collateral.json" \
	--insecure-tls
expect 64 "$cq" verify "$vec/dcapqvl_sgx_v3/quote.bin" --collateral a --at 9999999999999999999
expect 64 "$cq" verify "$vec/dcapqvl_sgx_v3/quote.bin" --collateral a --at 2025-02-29T00:00:00Z
for m in abc -1 +1 "" 4294967296 12x; do
	expect 64 "$cq" verify "$vec/dcapqvl_sgx_v3/quote.bin" --collateral a --min-tcb-eval "$m"
done
expect 64 "$cq" dump "$vec/dcapqvl_sgx_v3/quote.bin" --min-tcb-eval 1
# dump ignored verify's and fetch's options: a mistyped `dump ... --collateral F` looked like a verification
for o in "--collateral $vec/dcapqvl_sgx_v3/collateral.json" "--pccs http://127.0.0.1:9/" "--at 0" "--root /dev/null" \
	"--cache /tmp" "--update early" --insecure-tls "-o /dev/null"; do
	# shellcheck disable=SC2086 # option and value
	expect 64 "$cq" dump "$vec/dcapqvl_sgx_v3/quote.bin" $o
done
echo "PASS errors and usage"

# input files that cannot be read: named with the reason, exit 1 (a directory was "read failed or too large")
q=$vec/dcapqvl_sgx_v3/quote.bin
for args in "dump /nonexistent/quote.bin" "dump $vec" \
	"verify $q --collateral $vec/dcapqvl_sgx_v3/collateral.json --root $vec"; do
	case $args in
	*nonexistent*) why="/nonexistent/quote.bin: No such file or directory" ;;
	*) why="$vec: Is a directory" ;;
	esac
	# shellcheck disable=SC2086 # the arguments hold no spaces
	out=$(timeout 20 "$cq" $args 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "cella-quote $args: exit $rc (want 1): $out"
	[ "$out" = "cella-quote: $why" ] || fail "cella-quote $args: says \"$out\", not \"cella-quote: $why\""
done
echo "PASS unreadable input files"
# a quote from a pipe or a FIFO is read to its end; one longer than 16 MiB is refused by name
timeout 20 "$cq" dump /dev/stdin <"$q" | grep -q "^quote v3, SGX" || fail "dump /dev/stdin"
mkdir -p "$work" && rm -f "$work/fifo" && mkfifo "$work/fifo" || fail "cannot make $work/fifo"
cat "$q" >"$work/fifo" &
timeout 20 "$cq" dump "$work/fifo" | grep -q "^quote v3, SGX" || fail "dump of a FIFO"
wait
rm -f "$work/fifo"
out=$(head -c 16777217 /dev/zero | timeout 20 "$cq" dump /dev/stdin 2>&1)
[ "$out" = "cella-quote: /dev/stdin: larger than 16777216 bytes" ] || fail "a 16 MiB + 1 stream: $out"
echo "PASS quotes from pipes"

# --min-tcb-eval goes by the lower of the two numbers: a quote whose QE Identity's number is its TCB Info's minus
# two (re-signed under a generated root by the fixture; no real collateral has them apart)
for v in dcapqvl_sgx_v3 dcapqvl_tdx_v4; do
	rm -rf "$work/$v" && mkdir -p "$work/$v" || fail "cannot make $work/$v"
	"$fixture" "$vec" "$v" "$work/$v" || fail "$v: the fixture failed"
	set -- "$work/$v/quote.bin" --collateral "$work/$v/collateral.json" --root "$work/$v/root.pem" --at "$(cat "$work/$v/at")"
	n=$(grep -o 'tcbEvaluationDataNumber\\":[0-9]*' "$vec/$v/collateral.json" | sed 's/.*://' | sort -n | tail -1)
	status=$(sed -n 's/.*"status": *"\([^"]*\)".*/\1/p' "$vec/$v/expected.json")
	want=2
	[ "$status" = UpToDate ] && want=0
	out=$("$cq" verify "$@")
	rc=$?
	[ $rc -eq $want ] || fail "$v fixture: verify exit $rc, want $want ($out)"
	echo "$out" | grep -q "^evaluation  $n (TCB Info), $((n - 2)) (QE Identity)$" || fail "$v fixture: $out"
	expect $want "$cq" verify "$@" --min-tcb-eval $((n - 2))
	expect 1 "$cq" verify "$@" --min-tcb-eval $((n - 1)) # the TCB Info meets it, the QE Identity does not
	expect 1 "$cq" verify "$@" --min-tcb-eval "$n"
	echo "PASS $v: --min-tcb-eval checks the QE Identity's number too"
done

# options: each at most once, only with the commands it goes with, the refusal naming it (64)
q=$vec/dcapqvl_sgx_v3/quote.bin c=$vec/dcapqvl_sgx_v3/collateral.json
expect_says() { # expect_says RC TEXT CMD...: exit RC and TEXT in what it prints
	ewant=$1 etext=$2
	shift 2
	"$@" >"$work/says.txt" 2>&1
	got=$?
	[ "$got" -eq "$ewant" ] || fail "exit $got (want $ewant): $*: $(cat "$work/says.txt")"
	grep -qF -- "$etext" "$work/says.txt" || fail "no \"$etext\" from: $*: $(cat "$work/says.txt")"
}
mkdir -p "$work"
expect_says 64 "cella-quote: --at given twice" "$cq" verify "$q" --collateral "$c" --at 0 --at 1
expect_says 64 "cella-quote: --collateral given twice" "$cq" verify "$q" --collateral "$c" --collateral "$c"
expect_says 64 "cella-quote: --json given twice" "$cq" verify "$q" --collateral "$c" --json --json
expect_says 64 "cella-quote: --insecure-tls given twice" "$cq" verify "$q" --pccs http://127.0.0.1:9/ \
	--insecure-tls --insecure-tls
expect_says 64 "cella-quote: --collateral and --pccs exclude each other" "$cq" verify "$q" --collateral "$c" \
	--pccs http://127.0.0.1:9/
expect_says 64 "cella-quote: --json does not go with fetch" "$cq" fetch "$q" --pccs http://127.0.0.1:9/ -o /dev/null \
	--json
expect_says 64 "cella-quote: --at does not go with fetch" "$cq" fetch "$q" --pccs http://127.0.0.1:9/ -o /dev/null \
	--at 0
expect_says 64 "cella-quote: -o does not go with verify" "$cq" verify "$q" --collateral "$c" -o /dev/null
expect_says 64 "cella-quote: --pccs does not go with dump" "$cq" dump "$q" --pccs http://127.0.0.1:9/
expect_says 64 "cella-quote: --cache goes with --pccs, not --collateral" "$cq" verify "$q" --collateral "$c" \
	--cache /tmp
expect_says 64 "cella-quote: --at yesterday: not a time: give it in UTC as YYYY-MM-DDThh:mm:ssZ" \
	"$cq" verify "$q" --collateral "$c" --at yesterday
echo "PASS repeated options, options of another command and a bad --at are refused, named"

# verify --json answers JSON whatever stops it: usage (wherever --json stands), an unreadable or malformed quote,
# an unreadable root, collateral that cannot be loaded or fetched
json_refusal() { # json_refusal RC STAGE RESULT ARGS...: exit RC, stdout one JSON refusal of that stage and result
	ewant=$1 stage=$2 result=$3
	shift 3
	"$cq" "$@" >"$work/out.json" 2>"$work/err.txt"
	got=$?
	[ "$got" -eq "$ewant" ] || fail "exit $got (want $ewant): $*: $(cat "$work/err.txt")"
	python3 - "$work/out.json" "$stage" "$result" <<'PY' || fail "not the JSON refusal: $*: $(cat "$work/out.json")"
import json, sys
o = json.load(open(sys.argv[1]))
assert o['verified'] is False and o['status'] == 'Unknown', o
assert o['stage'] == sys.argv[2] and o['result'] == sys.argv[3], o
assert o['detail'], o
PY
	[ -s "$work/err.txt" ] || fail "no message on stderr: $*"
}
json_refusal 64 usage usage verify "$q" --json --collateral "$c" --at yesterday
json_refusal 64 usage usage verify "$q" --at 0 --at 1 --collateral "$c" --json
json_refusal 64 usage usage verify "$q" --collateral "$c" --bogus --json
json_refusal 1 quote CELLA_ERR_NO_FILE verify /nonexistent/quote.bin --collateral "$c" --json
grep -q '"/nonexistent/quote.bin: No such file or directory"' "$work/out.json" ||
	fail "the JSON refusal does not say why the quote is unreadable: $(cat "$work/out.json")"
json_refusal 1 quote CELLA_ERR_IO verify "$work" --collateral "$c" --json
grep -q "$work: Is a directory" "$work/out.json" ||
	fail "the JSON refusal does not say the quote is a directory: $(cat "$work/out.json")"
json_refusal 1 quote CELLA_ERR_QUOTE_VERSION verify "$c" --collateral "$c" --json
json_refusal 1 trust CELLA_ERR_NO_FILE verify "$q" --collateral "$c" --root /nonexistent/root.pem --json
grep -q '"/nonexistent/root.pem: No such file or directory"' "$work/out.json" ||
	fail "the JSON refusal does not say why the root is unreadable: $(cat "$work/out.json")"
json_refusal 1 trust CELLA_ERR_CERT_CHAIN verify "$q" --collateral "$c" --root "$c" --json
json_refusal 1 collateral CELLA_ERR_NO_FILE verify "$q" --collateral /nonexistent.json --json
printf '{"not": "collateral"}' >"$work/bad.json"
json_refusal 1 collateral CELLA_ERR_COLLATERAL verify "$q" --collateral "$work/bad.json" --json
json_refusal 1 collateral CELLA_ERR_FETCH verify "$q" --pccs http://127.0.0.1:9/ --json
echo "PASS verify --json answers JSON on every refusal"
