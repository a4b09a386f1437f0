// SPDX-License-Identifier: MIT
// Reference outputs and latency from onnxruntime-node (npm) for one model and input shape.
// usage: node ort_reference.js NODE_MODULES MODEL DIMS OUTDIR [ITERS] [OPT] [float16:INPUT.bin]
//   DIMS like 1x3x48x192; writes OUTDIR/input_0.bin (float32, deterministic; or the float16 input given, its
//   16-bit patterns) and OUTDIR/output_<i>.bin;
//   prints "ort_latency_ms median <m> min <m> (<n> runs)" when ITERS > 0.
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
	const [nm, model, dimsArg, outdir, itersArg, optArg, inputArg] = process.argv.slice(2);
	const ort = require(path.join(nm, 'onnxruntime-node'));
	const dims = dimsArg.split('x').map(Number);
	const count = dims.reduce((a, b) => a * b, 1);
	const data = new Float32Array(count);
	// A synthetic page: light background, dark "text lines" of strokes, plus noise; values in [-1, 1] as
	// PaddleOCR normalises pixels. Deterministic, so Cella and onnxruntime see the same bytes.
	let s = 12345 >>> 0;
	const H = dims.length === 4 ? dims[2] : 1, W = dims.length === 4 ? dims[3] : count;
	for (let i = 0; i < count; i++) {
		s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
		const noise = (s >>> 8) / 16777216.0 - 0.5;
		const x = i % W, y = Math.floor(i / W) % H;
		const line = (y % 48) >= 12 && (y % 48) < 36 && (x % 160) < 130;
		const stroke = line && ((x % 9) < 3 || (y % 48) === 20 || (y % 48) === 28);
		data[i] = Math.max(-1, Math.min(1, (stroke ? -0.8 : 0.85) + 0.3 * noise));
	}
	const opt = optArg || 'all';
	const session = await ort.InferenceSession.create(model, {
		intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
		graphOptimizationLevel: opt,
	});
	const feeds = {};
	fs.mkdirSync(outdir, { recursive: true });
	if (inputArg) {
		const [type, file] = [inputArg.slice(0, inputArg.indexOf(':')), inputArg.slice(inputArg.indexOf(':') + 1)];
		if (type !== 'float16')
			throw new Error(`input type ${type}: only float16 is read from a file`);
		const b = fs.readFileSync(file);
		if (b.length !== count * 2)
			throw new Error(`${file}: ${b.length} bytes for ${count} float16 elements`);
		feeds[session.inputNames[0]] = new ort.Tensor('float16', new Uint16Array(b.buffer, b.byteOffset, count), dims);
		fs.writeFileSync(path.join(outdir, 'input_0.bin'), b);
	} else {
		feeds[session.inputNames[0]] = new ort.Tensor('float32', data, dims);
		fs.writeFileSync(path.join(outdir, 'input_0.bin'), Buffer.from(data.buffer));
	}
	let res = await session.run(feeds);
	session.outputNames.forEach((name, i) => {
		const t = res[name];
		fs.writeFileSync(path.join(outdir, `output_${i}.bin`), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
		console.log(`ort output ${i} ${name} [${t.dims.join(',')}]`);
	});
	const iters = Number(itersArg || 0);
	if (iters > 0) {
		const times = [];
		for (let i = 0; i < 2; i++)
			await session.run(feeds);
		for (let i = 0; i < iters; i++) {
			const t0 = process.hrtime.bigint();
			res = await session.run(feeds);
			times.push(Number(process.hrtime.bigint() - t0) / 1e6);
		}
		times.sort((a, b) => a - b);
		console.log(`ort_latency_ms median ${times[Math.floor(iters / 2)].toFixed(3)} min ${times[0].toFixed(3)} (${iters} runs)`);
	}
}
main().catch((e) => { console.error(e); process.exit(1); });
