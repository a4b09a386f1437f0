// SPDX-License-Identifier: MIT
// Differential check: @phala/dcap-qvl (an independent verifier) against cella-quote on every DCAP vector.
// Usage: node dcap_qvl_diff.js NPM_DIR VECTORS_DIR CELLA_QUOTE
'use strict';
const fs = require('fs');
const path = require('path');
const os = require('os');
const { execFileSync } = require('child_process');

const [npmDir, vectors, cellaQuote] = process.argv.slice(2);
const qvl = require(path.join(npmDir, 'node_modules', '@phala', 'dcap-qvl'));
// Errors the peer raises for inputs it does not handle (not verdicts): TCB Info v2, debug enclaves.
const UNDECIDED = [/Failed to decode TcbInfo/, /Debug mode is enabled/];

function peer(quote, collateral, at) {
  try {
    const r = qvl.verify(quote, collateral, at);
    return { decided: true, ok: r.status !== 'Revoked', status: r.status, advisories: [...(r.advisory_ids || [])].sort() };
  } catch (e) {
    const msg = String(e && e.message || e);
    if (UNDECIDED.some((re) => re.test(msg))) return { decided: false, why: msg };
    return { decided: true, ok: false, why: msg };
  }
}

function cella(quoteFile, collFile, at) {
  let out;
  try {
    out = execFileSync(cellaQuote, ['verify', quoteFile, '--collateral', collFile, '--at', String(at), '--json'],
      { encoding: 'utf8' });
  } catch (e) {
    out = e.stdout; // exit 1 / 2 still print the JSON verdict
  }
  const j = JSON.parse(out);
  return { ok: j.verified, status: j.status, advisories: [...j.advisory_ids].sort(), detail: j.detail };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cella-diff-'));
let compared = 0, undecided = 0, mismatches = 0;
for (const name of fs.readdirSync(vectors).sort()) {
  const dir = path.join(vectors, name);
  if (!fs.existsSync(path.join(dir, 'collateral.json'))) continue;
  const quote = fs.readFileSync(path.join(dir, 'quote.bin'));
  const collFile = path.join(dir, 'collateral.json');
  const collateral = JSON.parse(fs.readFileSync(collFile, 'utf8'));
  const exp = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
  const t = Math.floor(Date.parse(exp.verify_time) / 1000);
  const until = Math.floor(Date.parse(exp.valid_window[1]) / 1000);
  const tampered = Buffer.from(quote);
  tampered[120] ^= 1; // MRENCLAVE byte: covered by the quote signature
  const tamperedFile = path.join(tmp, name + '.tampered.bin');
  fs.writeFileSync(tamperedFile, tampered);
  const cases = [
    ['at verify_time', quote, path.join(dir, 'quote.bin'), t],
    // The peer does not check every CRL's nextUpdate (dcapqvl_tdx_v4: it still accepts once the PCK CRL has
    // expired, which Intel's QVL and Cella refuse), so compare where all of the monthly collateral has expired.
    ['after expiry', quote, path.join(dir, 'quote.bin'), until + 31 * 86400],
    ['tampered quote', tampered, tamperedFile, t],
  ];
  for (const [what, qb, qf, at] of cases) {
    const p = peer(qb, collateral, at);
    const c = cella(qf, collFile, at);
    const label = `${name} ${what}`;
    if (!p.decided) {
      undecided++;
      console.log(`peer undecided  ${label}: ${p.why} (cella: ${c.ok ? c.status : 'rejected'})`);
      continue;
    }
    compared++;
    let same = p.ok === c.ok;
    if (same && p.ok) same = p.status === c.status && JSON.stringify(p.advisories) === JSON.stringify(c.advisories);
    if (!same) {
      mismatches++;
      console.log(`MISMATCH        ${label}: peer ${JSON.stringify(p)} cella ${JSON.stringify(c)}`);
    } else {
      console.log(`agree           ${label}: ${p.ok ? p.status + ' [' + p.advisories.join(',') + ']' : 'both reject'}`);
    }
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${compared} compared, ${undecided} peer undecided, ${mismatches} mismatches`);
if (compared === 0) { console.log('nothing compared: vectors missing?'); process.exit(1); }
process.exit(mismatches ? 1 : 0);
