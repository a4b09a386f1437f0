#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A minimal PCCS (v4 API) serving DCAP collateral files, for the fetch tests.
# Usage: mock_pccs.py COLLATERAL[,COLLATERAL...] PORTFILE
#                     [forged-tcb | early-only | empty-crl | redirect | oversized | oversized-stream | at-limit]
# With one file, it is served for every request. With several: the PCK CRL is the one of the file whose PCK CRL issuer is the requested CA (processor or
# platform); TCB Info the one of the file whose fmspc is requested; QE Identity and the root CA CRL come from the
# file of the last TCB Info served (a fetch asks for them in that order).
# forged-tcb: serve TCB Info with its nextUpdate moved to 2099 under the original signature, as a forger would.
# early-only: TCB Info and QE Identity only for update=early (404 otherwise). Any other update value is a 400.
# empty-crl: the PCK CRL answer is a 200 with its issuer chain and an empty body.
# redirect: every request is answered 302 to the same path under /moved, where the collateral is served.
# oversized: the PCK CRL answer is 2 MiB + 1 zero bytes with its Content-Length; oversized-stream the same without
# one (the body ends when the connection closes); at-limit exactly 2 MiB (the fetch limit) with its Content-Length.
# $MOCK_PCCS_LOG, when set, names a file that gets one line per request: its path and query.
# $MOCK_PCCS_DELAY, when set, is a number of seconds every answer waits (a slow PCCS).
import http.server, json, os, re, subprocess, sys, urllib.parse

mode = sys.argv[3] if len(sys.argv) > 3 else None
LIMIT = 2 << 20  # FETCH_MAX_BODY of src/verify/fetch.c
if mode not in (None, 'forged-tcb', 'early-only', 'empty-crl', 'redirect', 'oversized', 'oversized-stream',
                'at-limit'):
    sys.exit('unknown mode ' + mode)
cols = []
for path in sys.argv[1].split(','):
    col = json.load(open(path))
    if mode == 'forged-tcb':
        col['tcb_info'], n = re.subn(r'"nextUpdate":"[^"]*"', '"nextUpdate":"2099-01-01T00:00:00Z"', col['tcb_info'])
        assert n == 1, 'no nextUpdate in tcb_info'
    subject = subprocess.run(['openssl', 'x509', '-noout', '-subject'], input=col['pck_crl_issuer_chain'],
                             capture_output=True, text=True, check=True).stdout
    col['ca'] = 'platform' if 'Platform' in subject else 'processor'
    col['fmspc'] = json.loads(col['tcb_info'])['fmspc'].lower()
    cols.append(col)
current = cols[0]
enc = lambda pem: urllib.parse.quote(pem, safe='')
log = os.environ.get('MOCK_PCCS_LOG')
delay = float(os.environ.get('MOCK_PCCS_DELAY', '0'))


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, body, headers=(), length=True):
        self.send_response(200)
        for k, v in headers:
            self.send_header(k, v)
        if length:
            self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        global current
        if delay:
            import time
            time.sleep(delay)
        if log:
            with open(log, 'a') as f:
                f.write(self.path + '\n')
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        p = u.path
        if mode == 'redirect':
            if not p.startswith('/moved/'):
                self.send_response(302)
                self.send_header('Location', 'http://%s:%d/moved%s' % (self.server.server_address + (self.path,)))
                self.send_header('Content-Length', '0')
                self.end_headers()
                return
            p = p[len('/moved'):]
        update = q.get('update', [None])[0]
        if update not in (None, 'early', 'standard'):
            self.send_error(400)
            return
        if mode == 'early-only' and (p.endswith('/tcb') or p.endswith('/qe/identity')) and update != 'early':
            self.send_error(404)
            return
        if p == '/sgx/certification/v4/pckcrl':
            ca = q.get('ca', [''])[0]
            col = [c for c in cols if c['ca'] == ca] if len(cols) > 1 else cols
            if not col or ca not in ('processor', 'platform'):
                self.send_error(404)
                return
            size = {'oversized': LIMIT + 1, 'oversized-stream': LIMIT + 1, 'at-limit': LIMIT}.get(mode)
            body = b'' if mode == 'empty-crl' else bytes(size) if size else bytes.fromhex(col[0]['pck_crl'])
            self.send(body, [('SGX-PCK-CRL-Issuer-Chain', enc(col[0]['pck_crl_issuer_chain']))],
                      mode != 'oversized-stream')
        elif p in ('/sgx/certification/v4/tcb', '/tdx/certification/v4/tcb') and 'fmspc' in q:
            col = [c for c in cols if c['fmspc'] == q['fmspc'][0].lower()] if len(cols) > 1 else cols
            if not col:
                self.send_error(404)
                return
            current = col[0]
            body = '{"tcbInfo":' + current['tcb_info'] + ',"signature":"' + current['tcb_info_signature'] + '"}'
            self.send(body.encode(), [('TCB-Info-Issuer-Chain', enc(current['tcb_info_issuer_chain']))])
        elif p in ('/sgx/certification/v4/qe/identity', '/tdx/certification/v4/qe/identity'):
            body = ('{"enclaveIdentity":' + current['qe_identity'] + ',"signature":"' +
                    current['qe_identity_signature'] + '"}')
            self.send(body.encode(), [('SGX-Enclave-Identity-Issuer-Chain', enc(current['qe_identity_issuer_chain']))])
        elif p == '/sgx/certification/v4/rootcacrl':
            self.send(current['root_ca_crl'].encode())
        else:
            self.send_error(404)


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that stops reading an oversized answer
            super().handle_error(request, client_address)


srv = Server(('127.0.0.1', 0), H)
with open(sys.argv[2] + '.tmp', 'w') as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[2] + '.tmp', sys.argv[2])
srv.serve_forever()
