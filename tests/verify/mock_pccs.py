#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A minimal PCCS (v4 API) serving one collateral.json, for the fetch test.
# Usage: mock_pccs.py COLLATERAL PORTFILE [forged-tcb | early-only]
# forged-tcb: serve TCB Info with its nextUpdate moved to 2099 under the original signature, as a forger would.
# early-only: TCB Info and QE Identity only for update=early (404 otherwise). Any other update value is a 400.
import http.server, json, sys, urllib.parse

col = json.load(open(sys.argv[1]))
if len(sys.argv) > 3 and sys.argv[3] == 'forged-tcb':
    import re
    col['tcb_info'], n = re.subn(r'"nextUpdate":"[^"]*"', '"nextUpdate":"2099-01-01T00:00:00Z"', col['tcb_info'])
    assert n == 1, 'no nextUpdate in tcb_info'
elif len(sys.argv) > 3 and sys.argv[3] != 'early-only':
    sys.exit('unknown mode ' + sys.argv[3])
early_only = len(sys.argv) > 3 and sys.argv[3] == 'early-only'
enc = lambda pem: urllib.parse.quote(pem, safe='')

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, body, headers=()):
        self.send_response(200)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        p = u.path
        update = q.get('update', [None])[0]
        if update not in (None, 'early', 'standard'):
            self.send_error(400)
            return
        if early_only and (p.endswith('/tcb') or p.endswith('/qe/identity')) and update != 'early':
            self.send_error(404)
            return
        if p == '/sgx/certification/v4/pckcrl' and q.get('ca', [''])[0] in ('processor', 'platform'):
            self.send(bytes.fromhex(col['pck_crl']), [('SGX-PCK-CRL-Issuer-Chain', enc(col['pck_crl_issuer_chain']))])
        elif p in ('/sgx/certification/v4/tcb', '/tdx/certification/v4/tcb') and 'fmspc' in q:
            body = '{"tcbInfo":' + col['tcb_info'] + ',"signature":"' + col['tcb_info_signature'] + '"}'
            self.send(body.encode(), [('TCB-Info-Issuer-Chain', enc(col['tcb_info_issuer_chain']))])
        elif p in ('/sgx/certification/v4/qe/identity', '/tdx/certification/v4/qe/identity'):
            body = '{"enclaveIdentity":' + col['qe_identity'] + ',"signature":"' + col['qe_identity_signature'] + '"}'
            self.send(body.encode(), [('SGX-Enclave-Identity-Issuer-Chain', enc(col['qe_identity_issuer_chain']))])
        elif p == '/sgx/certification/v4/rootcacrl':
            self.send(col['root_ca_crl'].encode())
        else:
            self.send_error(404)

srv = http.server.HTTPServer(('127.0.0.1', 0), H)
with open(sys.argv[2] + '.tmp', 'w') as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(sys.argv[2] + '.tmp', sys.argv[2])
srv.serve_forever()
