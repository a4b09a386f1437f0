#!/bin/sh
# SPDX-License-Identifier: MIT
# cella-quote verify --pccs against a local mock PCCS: fetch, cache by FMSPC/CA, reuse until nextUpdate; only
# collateral that chains to the trust anchor is returned or cached, and a cache file that does not verify is
# fetched again. Usage: fetch_test.sh CELLA_QUOTE VECTORS_DIR WORK_DIR SCRIPT_DIR
set -u
cq=$1 vec=$2 work=$3/fetch-test here=$4
if ! command -v python3 >/dev/null 2>&1; then
	echo "FAIL: python3 not installed (needed for the mock PCCS; scripts/install-deps.sh installs it)"
	exit 1
fi
[ -d "$vec" ] || { echo "FAIL: vectors not found at $vec"; exit 1; }
rm -rf "$work"
mkdir -p "$work/cache"
pid=
fail() { echo "FAIL: $*"; [ -n "$pid" ] && kill "$pid" 2>/dev/null; exit 1; }

# start_pccs COLLATERAL [MODE]: a mock PCCS in the background; sets pid and url
start_pccs() {
	rm -f "$work/port"
	python3 "$here/mock_pccs.py" "$1" "$work/port" ${2:+"$2"} &
	pid=$!
	i=0
	while [ ! -f "$work/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -f "$work/port" ] || fail "mock PCCS did not start"
	url="http://127.0.0.1:$(cat "$work/port")/sgx/certification/v4/"
}
stop_pccs() {
	kill "$pid"
	wait "$pid" 2>/dev/null
	pid=
}
# forge FILE: move the cached TCB Info's nextUpdate to 2099, leaving its signature as it was
forge() {
	python3 - "$1" <<'EOF' || fail "cannot forge $1"
import json, re, sys
c = json.load(open(sys.argv[1]))
c['tcb_info'], n = re.subn(r'"nextUpdate":"[^"]*"', '"nextUpdate":"2099-01-01T00:00:00Z"', c['tcb_info'])
assert n == 1
json.dump(c, open(sys.argv[1], 'w'))
EOF
}
# expect_refusal RESULT WHAT ARGS...: cella-quote exits 1 and names RESULT
expect_refusal() {
	want=$1 what=$2
	shift 2
	"$cq" "$@" >"$work/err.txt" 2>&1
	rc=$?
	[ $rc -eq 1 ] || fail "$what: exit $rc, expected 1: $(cat "$work/err.txt")"
	grep -q "$want" "$work/err.txt" || fail "$what: no $want in: $(cat "$work/err.txt")"
}

for v in dcapqvl_sgx_v3 dcapqvl_tdx_v4; do
	at=$(sed -n 's/.*"verify_time": *"\([^"]*\)".*/\1/p' "$vec/$v/expected.json")
	status=$(sed -n 's/.*"status": *"\([^"]*\)".*/\1/p' "$vec/$v/expected.json")
	ok=2 # cella-quote: 0 up to date, 2 verified with a status that needs policy, 1 refused
	[ "$status" = UpToDate ] && ok=0
	q=$vec/$v/quote.bin
	rm -rf "$work/cache" && mkdir -p "$work/cache"
	start_pccs "$vec/$v/collateral.json"
	"$cq" verify "$q" --pccs "$url" --cache "$work/cache" --at "$at" --json >"$work/out.json"
	rc=$?
	[ $rc -eq $ok ] || fail "$v: fetch+verify exit $rc"
	grep -q "\"verified\": true" "$work/out.json" || fail "$v: not verified: $(cat "$work/out.json")"
	grep -q "\"status\": \"$status\"" "$work/out.json" || fail "$v: status is not $status"
	set -- "$work/cache"/*.json
	[ $# -eq 1 ] && [ -f "$1" ] || fail "$v: not exactly one file cached: $(ls "$work/cache")"
	cached=$1
	cp "$cached" "$work/good.json"
	"$cq" fetch "$q" --pccs "$url" -o "$work/fetched.json" || fail "$v: fetch -o"
	"$cq" verify "$q" --collateral "$work/fetched.json" --at "$at" >/dev/null
	[ $? -eq $ok ] || fail "$v: fetched collateral file does not verify"
	# -o into a directory that does not exist: exit 1, the reason named, nothing left behind
	"$cq" fetch "$q" --pccs "$url" -o "$work/none/fetched.json" >"$work/err.txt" 2>&1
	[ $? -eq 1 ] || fail "$v: fetch -o into a missing directory did not exit 1"
	grep -q "cannot write $work/none/fetched.json: No such file or directory" "$work/err.txt" ||
		fail "$v: fetch -o error does not name the cause: $(cat "$work/err.txt")"
	# a cache file that does not verify (a forged nextUpdate) is fetched again and replaced by what verifies
	forge "$cached"
	"$cq" verify "$q" --pccs "$url" --cache "$work/cache" --at "$at" >/dev/null
	[ $? -eq $ok ] || fail "$v: a forged cache file was not replaced by a fresh fetch"
	cmp -s "$cached" "$work/good.json" || fail "$v: the forged cache file was not rewritten"
	printf '{"not": "collateral"' >"$cached"
	"$cq" verify "$q" --pccs "$url" --cache "$work/cache" --at "$at" >/dev/null
	[ $? -eq $ok ] || fail "$v: a damaged cache file was not replaced by a fresh fetch"
	cmp -s "$cached" "$work/good.json" || fail "$v: the damaged cache file was not rewritten"
	# collateral that chains to another root is refused and not cached
	rm -f "$work/cache"/*
	expect_refusal CELLA_ERR_UNTRUSTED_ROOT "$v: fetch under another root" verify "$q" --pccs "$url" \
		--cache "$work/cache" --at "$at" --root "$vec/intel_qvl_synthetic/trustedRootCaCert.pem"
	grep -q "does not verify" "$work/err.txt" || fail "$v: the refusal does not say the fetch failed to verify"
	[ -z "$(ls "$work/cache")" ] || fail "$v: collateral under another root was cached"
	stop_pccs
	# server gone: the cache answers while fresh ...
	cp "$work/good.json" "$cached"
	"$cq" verify "$q" --pccs "$url" --cache "$work/cache" --at "$at" >/dev/null
	[ $? -eq $ok ] || fail "$v: cached collateral not used"
	# ... and is not used past its nextUpdate (a refetch is attempted and fails)
	expect_refusal CELLA_ERR_FETCH "$v: stale cache" verify "$q" --pccs "$url" --cache "$work/cache" \
		--at "2030-01-01T00:00:00Z"
	# ... nor when it does not verify, however fresh it claims to be
	forge "$cached"
	expect_refusal CELLA_ERR_FETCH "$v: forged cache file with the server gone" verify "$q" --pccs "$url" \
		--cache "$work/cache" --at "$at"
	# a PCCS that serves a forged TCB Info: the fetch fails with the signature error, nothing is cached
	rm -f "$work/cache"/*
	start_pccs "$vec/$v/collateral.json" forged-tcb
	expect_refusal CELLA_ERR_COLLATERAL_SIGNATURE "$v: forged TCB Info" verify "$q" --pccs "$url" \
		--cache "$work/cache" --at "$at"
	grep -q "TCB Info signature does not verify" "$work/err.txt" || fail "$v: forged TCB Info: $(cat "$work/err.txt")"
	[ -z "$(ls "$work/cache")" ] || fail "$v: a forged TCB Info was cached"
	expect_refusal CELLA_ERR_COLLATERAL_SIGNATURE "$v: fetch -o of a forged TCB Info" fetch "$q" --pccs "$url" \
		-o "$work/forged.json"
	[ ! -e "$work/forged.json" ] || fail "$v: fetch -o wrote collateral that does not verify"
	stop_pccs
	# a PCCS answering 200 with an empty PCK CRL: refused as no CRL (it used to reach memcpy with a NULL source)
	start_pccs "$vec/$v/collateral.json" empty-crl
	expect_refusal CELLA_ERR_COLLATERAL "$v: empty PCK CRL" verify "$q" --pccs "$url" --at "$at"
	grep -q "PCK CRL response is not DER, hex or PEM" "$work/err.txt" || fail "$v: empty PCK CRL: $(cat "$work/err.txt")"
	stop_pccs
	# update=early: asked for on both documents, cached apart from the standard collateral
	rm -f "$work/cache"/*
	start_pccs "$vec/$v/collateral.json" early-only
	expect_refusal CELLA_ERR_FETCH "$v: standard collateral from an early-only PCCS" verify "$q" --pccs "$url" \
		--cache "$work/cache" --at "$at"
	grep -q "HTTP status 404" "$work/err.txt" || fail "$v: early-only PCCS: $(cat "$work/err.txt")"
	"$cq" verify "$q" --pccs "$url" --cache "$work/cache" --at "$at" --update early >/dev/null
	[ $? -eq $ok ] || fail "$v: --update early did not fetch and verify"
	set -- "$work/cache"/*
	[ $# -eq 1 ] && case $1 in *-early.json) true ;; *) false ;; esac ||
		fail "$v: --update early cached as $(ls "$work/cache"), not as one *-early.json"
	stop_pccs
	"$cq" verify "$q" --pccs "$url" --cache "$work/cache" --at "$at" --update early >/dev/null
	[ $? -eq $ok ] || fail "$v: the early cache file was not used with the server gone"
	expect_refusal CELLA_ERR_FETCH "$v: standard collateral is not taken from the early cache" verify "$q" \
		--pccs "$url" --cache "$work/cache" --at "$at" --update standard
	echo "PASS $v via PCCS, cache and refetch; forged, damaged and foreign collateral neither used nor cached;" \
		"update=early fetched and cached apart"
done
"$cq" verify "$vec/dcapqvl_sgx_v3/quote.bin" --pccs "http://127.0.0.1:9/" --update sometimes >"$work/err.txt" 2>&1
[ $? -eq 64 ] && grep -q -- "--update sometimes: neither early nor standard" "$work/err.txt" ||
	fail "--update sometimes: $(cat "$work/err.txt")"
echo "PASS --update other than early or standard is a usage error"

# a cache directory too long for a path: refused before any request
long=$(python3 -c 'print("/tmp/" + "d" * 4100)')
expect_refusal CELLA_ERR_INVALID_ARG "over-long cache directory" verify "$vec/dcapqvl_sgx_v3/quote.bin" \
	--pccs "http://127.0.0.1:9/" --cache "$long" --at "2025-06-19T11:56:11Z"
grep -q "cache directory path too long" "$work/err.txt" || fail "over-long cache directory: $(cat "$work/err.txt")"
expect_refusal CELLA_ERR_INVALID_ARG "over-long PCCS URL" verify "$vec/dcapqvl_sgx_v3/quote.bin" \
	--pccs "http://127.0.0.1:9/$(python3 -c 'print("p" * 4000)')" --at "2025-06-19T11:56:11Z"
echo "PASS over-long cache directory and PCCS URL refused (CELLA_ERR_INVALID_ARG)"

# genuine collateral for another platform (the TDX vector's, for the SGX quote): it verifies, but is not the
# quote's, so it is refused and not cached; the honest PCCS afterwards is used at once
rm -rf "$work/cache" && mkdir -p "$work/cache"
q=$vec/dcapqvl_sgx_v3/quote.bin
at=$(sed -n 's/.*"verify_time": *"\([^"]*\)".*/\1/p' "$vec/dcapqvl_sgx_v3/expected.json")
ok=2
grep -q '"status": *"UpToDate"' "$vec/dcapqvl_sgx_v3/expected.json" && ok=0
start_pccs "$vec/dcapqvl_tdx_v4/collateral.json"
expect_refusal CELLA_ERR_COLLATERAL "another platform's collateral" verify "$q" --pccs "$url" --cache "$work/cache" \
	--at "$at"
grep -q "another platform" "$work/err.txt" || fail "another platform's collateral: $(cat "$work/err.txt")"
stop_pccs
[ -z "$(ls "$work/cache")" ] || fail "another platform's collateral was cached: $(ls "$work/cache")"
start_pccs "$vec/dcapqvl_sgx_v3/collateral.json"
"$cq" verify "$q" --pccs "$url" --cache "$work/cache" --at "$at" --json >"$work/out.json" 2>&1
[ $? -eq $ok ] && grep -q "\"verified\": true" "$work/out.json" ||
	fail "the honest PCCS after another platform's collateral: $(cat "$work/out.json")"
stop_pccs
echo "PASS another platform's genuine collateral is refused and not cached"

# a redirect is not followed: refused with its target named, and the target (which serves the collateral) is never
# asked; following it would let whoever answers the PCCS URL send the fetch, and the cache entry, elsewhere
rm -rf "$work/cache" && mkdir -p "$work/cache"
rm -f "$work/requests.log"
MOCK_PCCS_LOG=$work/requests.log start_pccs "$vec/dcapqvl_sgx_v3/collateral.json" redirect
expect_refusal CELLA_ERR_FETCH "a redirect" verify "$q" --pccs "$url" --cache "$work/cache" --at "$at"
grep -q "HTTP status 302, a redirect to http://127.0.0.1:[0-9]*/moved/sgx/certification/v4/pckcrl?ca=.* (not followed" \
	"$work/err.txt" || fail "a redirect: $(cat "$work/err.txt")"
[ "$(grep -c . "$work/requests.log")" -eq 1 ] && ! grep -q "^/moved/" "$work/requests.log" ||
	fail "a redirect was followed: $(cat "$work/requests.log")"
[ -z "$(ls "$work/cache")" ] || fail "a redirect left a cache file"
stop_pccs
# the control: the redirect's target serves collateral that verifies
start_pccs "$vec/dcapqvl_sgx_v3/collateral.json" redirect
"$cq" verify "$q" --pccs "${url%/sgx/certification/v4/}/moved/" --at "$at" >/dev/null
[ $? -eq $ok ] || fail "the redirect's target does not serve collateral that verifies"
stop_pccs
echo "PASS a redirect is refused, named and not followed"

# an answer over the fetch limit (2 MiB): CELLA_ERR_TOO_LARGE, with a Content-Length or without one; at the limit
# it is read (and then refused as no CRL)
rm -rf "$work/cache" && mkdir -p "$work/cache"
for m in oversized oversized-stream; do
	start_pccs "$vec/dcapqvl_sgx_v3/collateral.json" $m
	expect_refusal CELLA_ERR_TOO_LARGE "$m answer" verify "$q" --pccs "$url" --cache "$work/cache" --at "$at"
	grep -q "pckcrl?ca=[a-z]*&encoding=der: response larger than 2097152 bytes" "$work/err.txt" ||
		fail "$m answer: $(cat "$work/err.txt")"
	stop_pccs
done
start_pccs "$vec/dcapqvl_sgx_v3/collateral.json" at-limit
expect_refusal CELLA_ERR_CRL "an answer at the limit" verify "$q" --pccs "$url" --at "$at"
grep -q "PCK CRL is not valid DER" "$work/err.txt" || fail "an answer at the limit: $(cat "$work/err.txt")"
stop_pccs
[ -z "$(ls "$work/cache")" ] || fail "an oversized answer left a cache file"
echo "PASS an answer over 2 MiB is CELLA_ERR_TOO_LARGE, with or without Content-Length; one at 2 MiB is read"

# a cache entry is bound to where it came from: the PCCS base URL and the root CA CRL's URL are recorded in it,
# and an entry from other sources (or without them, as written before they were recorded) is a miss
rm -rf "$work/cache" && mkdir -p "$work/cache"
start_pccs "$vec/dcapqvl_sgx_v3/collateral.json"
"$cq" verify "$q" --pccs "$url" --cache "$work/cache" --at "$at" >/dev/null
[ $? -eq $ok ] || fail "fetch into the cache for the source checks"
stop_pccs
set -- "$work/cache"/*.json
cached=$1 base=${url%/sgx/certification/v4/}
python3 - "$cached" "$base" <<'PY' || fail "the cache entry does not name its sources: $(head -c 300 "$cached")"
import json, sys
c = json.load(open(sys.argv[1]))
assert c['fetched_from'] == sys.argv[2], c.get('fetched_from')
assert c['root_ca_crl_from'] == sys.argv[2] + '/sgx/certification/v4/rootcacrl', c.get('root_ca_crl_from')
PY
cp "$cached" "$work/sourced.json"
"$cq" verify "$q" --collateral "$cached" --at "$at" >/dev/null
[ $? -eq $ok ] || fail "a cache entry, with its sources, does not load as --collateral"
# the same PCCS, spelt with or without its API path: the entry answers with the server gone
for u in "$base" "$base/" "$url"; do
	"$cq" verify "$q" --pccs "$u" --cache "$work/cache" --at "$at" >/dev/null
	[ $? -eq $ok ] || fail "the cache entry is not used for --pccs $u, its own source"
done
# another PCCS: a miss, so its (failing) fetch is made
expect_refusal CELLA_ERR_FETCH "an entry cached from another PCCS" verify "$q" --pccs "http://127.0.0.1:9/" \
	--cache "$work/cache" --at "$at"
cmp -s "$cached" "$work/sourced.json" || fail "a failed fetch changed the cache entry"
# the root CA CRL from elsewhere, or no sources at all: a miss
for edit in "c['root_ca_crl_from'] = 'https://elsewhere.example/rootcacrl'" \
	"del c['fetched_from']; del c['root_ca_crl_from']"; do
	cp "$work/sourced.json" "$cached"
	python3 - "$cached" "$edit" <<'PY' || fail "cannot edit $cached"
import json, sys
c = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(c, open(sys.argv[1], 'w'))
PY
	expect_refusal CELLA_ERR_FETCH "a cache entry after: $edit" verify "$q" --pccs "$url" --cache "$work/cache" \
		--at "$at"
done
# a PCCS that answers replaces the entry that lacks its sources with one that names them
start_pccs "$vec/dcapqvl_sgx_v3/collateral.json"
"$cq" verify "$q" --pccs "$url" --cache "$work/cache" --at "$at" >/dev/null
[ $? -eq $ok ] || fail "the fetch after a sourceless cache entry"
stop_pccs
grep -q "\"fetched_from\":[[:space:]]*\"${url%/sgx/certification/v4/}\"" "$cached" ||
	fail "the rewritten cache entry does not name its PCCS"
echo "PASS a cache entry serves only its own PCCS and root CA CRL source"

# a cache file that cannot be written does not fail the verification, but is reported (on stderr: stdout stays
# the JSON answer)
start_pccs "$vec/dcapqvl_sgx_v3/collateral.json"
"$cq" verify "$q" --pccs "$url" --cache "$work/no-such-dir" --at "$at" --json >"$work/out.json" 2>"$work/err.txt"
rc=$?
[ $rc -eq $ok ] || fail "an unwritable cache failed the verification: exit $rc: $(cat "$work/err.txt")"
python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["verified"]' "$work/out.json" ||
	fail "an unwritable cache: stdout is not the verdict: $(cat "$work/out.json")"
grep -q "^cella-quote: warning: collateral cache file $work/no-such-dir/sgx-[0-9A-F]*-[a-z]*.json not written: No such file or directory$" \
	"$work/err.txt" || fail "an unwritable cache is not reported: $(cat "$work/err.txt")"
"$cq" fetch "$q" --pccs "$url" --cache "$work/no-such-dir" -o "$work/fetched.json" 2>"$work/err.txt" ||
	fail "fetch -o with an unwritable cache: $(cat "$work/err.txt")"
grep -q "warning: collateral cache file .* not written" "$work/err.txt" || fail "fetch -o: no warning"
stop_pccs
echo "PASS a cache file that cannot be written is a warning, not a failure"
