// SPDX-License-Identifier: MIT
// The peer's side of bench-dcap: @phala/dcap-qvl verify() per second on each vector, one line per vector:
//   <name> <ops_per_sec> | <name> undecided <reason>
'use strict';
const fs = require('fs');
const path = require('path');
const [npmDir, vectors, secs, ...names] = process.argv.slice(2);
const qvl = require(path.join(npmDir, 'node_modules', '@phala', 'dcap-qvl'));
for (const name of names) {
  const dir = path.join(vectors, name);
  const quote = fs.readFileSync(path.join(dir, 'quote.bin'));
  const collateral = JSON.parse(fs.readFileSync(path.join(dir, 'collateral.json'), 'utf8'));
  const at = Math.floor(Date.parse(JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')).verify_time) / 1000);
  try { qvl.verify(quote, collateral, at); } catch (e) { console.log(`${name} undecided ${String(e.message).replace(/\s+/g, '_')}`); continue; }
  const end = process.hrtime.bigint() + BigInt(Math.round(Number(secs) * 1e9));
  const t0 = process.hrtime.bigint();
  let n = 0;
  while (process.hrtime.bigint() < end) { qvl.verify(quote, collateral, at); n++; }
  const el = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${name} ${(n / el).toFixed(1)}`);
}
