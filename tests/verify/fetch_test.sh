#!/bin/sh
# SPDX-License-Identifier: MIT
# cella-quote verify --pccs against a local mock PCCS: fetch, cache by FMSPC/CA, reuse until nextUpdate.
# Usage: fetch_test.sh CELLA_QUOTE VECTORS_DIR WORK_DIR SCRIPT_DIR
set -u
cq=$1 vec=$2 work=$3/fetch-test here=$4
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 not installed (needed for the mock PCCS)"
	exit 77
fi
[ -d "$vec" ] || { echo "FAIL: vectors not found at $vec"; exit 1; }
rm -rf "$work"
mkdir -p "$work/cache"
fail() { echo "FAIL: $*"; kill "$pid" 2>/dev/null; exit 1; }

for v in dcapqvl_sgx_v3 dcapqvl_tdx_v4; do
	at=$(sed -n 's/.*"verify_time": *"\([^"]*\)".*/\1/p' "$vec/$v/expected.json")
	status=$(sed -n 's/.*"status": *"\([^"]*\)".*/\1/p' "$vec/$v/expected.json")
	python3 "$here/mock_pccs.py" "$vec/$v/collateral.json" "$work/port" &
	pid=$!
	i=0
	while [ ! -f "$work/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -f "$work/port" ] || fail "mock PCCS did not start"
	url="http://127.0.0.1:$(cat "$work/port")/sgx/certification/v4/"
	rm -f "$work/port"
	"$cq" verify "$vec/$v/quote.bin" --pccs "$url" --cache "$work/cache" --at "$at" --json >"$work/out.json"
	rc=$?
	[ $rc -le 2 ] || fail "$v: fetch+verify exit $rc"
	grep -q "\"verified\": true" "$work/out.json" || fail "$v: not verified: $(cat "$work/out.json")"
	grep -q "\"status\": \"$status\"" "$work/out.json" || fail "$v: status is not $status"
	ls "$work/cache"/*.json >/dev/null 2>&1 || fail "$v: nothing cached"
	"$cq" fetch "$vec/$v/quote.bin" --pccs "$url" -o "$work/fetched.json" || fail "$v: fetch -o"
	# -o into a directory that does not exist: exit 1, the reason named, nothing left behind
	"$cq" fetch "$vec/$v/quote.bin" --pccs "$url" -o "$work/none/fetched.json" >"$work/err.txt" 2>&1
	[ $? -eq 1 ] || fail "$v: fetch -o into a missing directory did not exit 1"
	grep -q "cannot write $work/none/fetched.json: No such file or directory" "$work/err.txt" ||
		fail "$v: fetch -o error does not name the cause: $(cat "$work/err.txt")"
	"$cq" verify "$vec/$v/quote.bin" --collateral "$work/fetched.json" --at "$at" >/dev/null
	[ $? -le 2 ] || fail "$v: fetched collateral file does not verify"
	kill "$pid"
	wait "$pid" 2>/dev/null
	# server gone: the cache answers while fresh ...
	"$cq" verify "$vec/$v/quote.bin" --pccs "$url" --cache "$work/cache" --at "$at" >/dev/null
	[ $? -le 2 ] || fail "$v: cached collateral not used"
	# ... and is not used past its nextUpdate (a refetch is attempted and fails)
	"$cq" verify "$vec/$v/quote.bin" --pccs "$url" --cache "$work/cache" --at "2030-01-01T00:00:00Z" \
		>"$work/err.txt" 2>&1
	[ $? -eq 1 ] || fail "$v: stale cache accepted"
	grep -q "CELLA_ERR_FETCH" "$work/err.txt" || fail "$v: stale cache did not trigger a fetch: $(cat "$work/err.txt")"
	echo "PASS $v via PCCS, cache and refetch"
done
echo "cache files: $(ls "$work/cache")"
