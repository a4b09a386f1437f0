#!/bin/sh
# SPDX-License-Identifier: MIT
# wrk against cella-attestd on loopback: POST /attest/SgxEnclave (a real DCAP quote, collateral preloaded and
# cached after the first request) and, in the same run, the static GET /health (the server's ceiling).
# Usage: bench_attestd.sh ATTESTD VECTORS_DIR [--seconds S] [--connections C] [--tls] [--alg RS256|ES256]
# Bounded: two runs of S seconds (default 10) plus a 2-second warm-up each.
set -eu
attestd=$1 vec=$2
shift 2
secs=10 conns=16 tls=0 alg=RS256
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) secs=$2; shift ;;
	--connections) conns=$2; shift ;;
	--tls) tls=1 ;;
	--alg) alg=$2; shift ;;
	*) echo "usage: bench-attestd [--seconds S] [--connections C] [--tls] [--alg RS256|ES256]"; exit 64 ;;
	esac
	shift
done
command -v wrk >/dev/null 2>&1 || { echo "bench-attestd: wrk not installed (apt-get install wrk)"; exit 77; }
[ "$secs" -le 120 ] || secs=120
work=$(mktemp -d /tmp/bench-attestd.XXXXXX)
v=dcapqvl_sgx_v3
t=$(python3 -c "import json,datetime,sys;print(int(datetime.datetime.fromisoformat(json.load(open(sys.argv[1]))['verify_time'].replace('Z','+00:00')).timestamp()))" "$vec/$v/expected.json")
tlsopt=--no-tls
scheme=http
if [ $tls = 1 ]; then tlsopt=; scheme=https; fi
# shellcheck disable=SC2086
"$attestd" --listen 127.0.0.1:0 --db "$work/state.db" --port-file "$work/port" $tlsopt --token-alg "$alg" \
	--test-mode --verify-time "$t" --collateral "$vec/$v/collateral.json" --threads 2 2>"$work/log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT INT TERM
i=0
while [ ! -s "$work/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$work/port")
url=$scheme://127.0.0.1:$port
python3 - "$vec/$v/quote.bin" "$work/attest.lua" <<'PY'
import base64, json, sys
q = base64.urlsafe_b64encode(open(sys.argv[1], "rb").read()).rstrip(b"=").decode()
body = json.dumps({"quote": q})
open(sys.argv[2], "w").write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n'
                             % json.dumps(body) +
                             'function done(summary, latency, requests)\n'
                             '  io.write(string.format("NON2XX %d\\n", summary.errors.status))\nend\n')
PY
printf 'function done(summary, latency, requests)\n  io.write(string.format("NON2XX %%d\\n", summary.errors.status))\nend\n' >"$work/static.lua"
# one request first: collateral verified and cached
curl -sk -o /dev/null -w '' -X POST -H 'Content-Type: application/json' --data-binary @/dev/null "$url/health" || true

run() { # id name path script
	wrk -t1 -c"$conns" -d2s -s "$4" "$url$3" >/dev/null 2>&1 || true
	wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$4" "$url$3" >"$work/$1.out" 2>&1
	awk -v name="$2" '
		/Requests\/sec/ { rps = $2 }
		/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
		/Socket errors/ { sock = $0 }
		/NON2XX/ { non2xx = $2 }
		/requests in/ { total = $1 }
		END { printf "%-28s %10s req/s   p50 %-9s p99 %-9s requests %-8s non-2xx %s%s\n", name, rps, p50, p99, total, non2xx, (sock ? "  " sock : "") }
	' "$work/$1.out"
}
echo "cella-attestd on $url: 2 worker threads, $alg tokens, wrk 1 thread x $conns connections, ${secs}s each"
run attest "POST /attest/SgxEnclave" "/attest/SgxEnclave?api-version=2022-08-01" "$work/attest.lua"
run static "GET /health (ceiling)" "/health" "$work/static.lua"
