#!/bin/sh
# SPDX-License-Identifier: MIT
# cella-onnx run: every malformed option is refused with exit 2 and a message naming it, before any model is
# read; well-formed options pass; on generated models, --random, --input/--expect indices and --expect references
# are checked with messages; a model of sequence and optional inputs is shown by info and refused by run, by name.
# cella-onnx conformance: a missing data directory is named, empty suites count 0.
# cella-onnx-bench: its optional arguments by name. Usage: cli_test.sh CELLA_ONNX TESTDATA_DIR WORK_DIR [BENCH]
# (BENCH is empty only in a CELLA_DEV_AREA build without the benchmarks)
set -u
co=$1 td=$2 work=$3/onnx-cli bench=${4:-}
rm -rf "$work" && mkdir -p "$work"
: >"$work/empty.bin" # an empty tensor file (/dev/null is not a regular file: the tool refuses it)
cmd=$co
. "$(dirname "$0")/../testlib/expect.sh"
# refuse "what" "expected message" ARGS...: `run` of a model that does not exist, refused for an option (exit 2)
refuse() {
	what=$1 want=$2
	shift 2
	expect 2 "refused: $what" "$want" run "$work/missing.onnx" "$@"
}
refuse "--iters 0" "--iters 0: not an integer from 1 to 1000000" --iters 0
refuse "--iters abc" "--iters abc: not an integer" --iters abc
refuse "--iters 10x" "--iters 10x: not an integer" --iters 10x
refuse "--iters beyond long" "not an integer" --iters 99999999999999999999999
refuse "--threads 65" "--threads 65: not an integer from 0 to 64" --threads 65
refuse "--threads -1" "--threads -1: not an integer" --threads -1
refuse "--rtol nan" "--rtol nan: not a finite number >= 0" --rtol nan
refuse "--rtol -1" "--rtol -1: not a finite number" --rtol -1
refuse "--atol 1e999" "--atol 1e999: not a finite number" --atol 1e999
refuse "--atol empty" "--atol : not a finite number" --atol ""
refuse "--input without an index" "--input x=1:"$work/empty.bin": expected IDX=..." --input x=1:"$work/empty.bin"
refuse "--input index 16" "with IDX from 0 to 15" --input 16=1:"$work/empty.bin"
refuse "--input bad dims" "expected IDX=DIMS:FILE" --input 0=1y2:"$work/empty.bin"
refuse "--input no file" "expected IDX=DIMS:FILE" --input 0=12
refuse "--input dangling x" "expected IDX=DIMS:FILE" --input 0=1x:"$work/empty.bin"
refuse "--input dims over 2^62" "expected IDX=DIMS:FILE" --input 0=4611686018427387905:"$work/empty.bin"
refuse "--input twice" "input 0 given twice" --input 0=1:"$work/empty.bin" --input 0=2:"$work/empty.bin"
refuse "--expect without a file" "--expect 3: expected IDX:..." --expect 3
refuse "--expect negative index" "with IDX from 0 to 15" --expect -1:"$work/empty.bin"
refuse "an unknown option" "usage:" --frobnicate

# well-formed options are accepted: the missing model is what fails (exit 1) ...
expect 1 "well-formed options accepted; the missing model named" "missing.onnx" run "$work/missing.onnx" \
	--iters 5 --threads 2 --rtol 0.01 --atol 1e-5 --input 0=1x3:"$work/empty.bin" --expect 0:"$work/empty.bin"
# ... and a real model runs
m=$td/node/test_abs
[ -f "$m/model.onnx" ] || { echo "FAIL $m/model.onnx missing (scripts/install-deps.sh installs libonnx-testdata)"; exit 1; }
expect 0 "test_abs runs with --iters 3 --threads 2" "(3 runs)" run "$m/model.onnx" \
	--input-pb "$m/test_data_set_0/input_0.pb" --iters 3 --threads 2
# a model of sequence and optional inputs: info shows their forms, run refuses them by name (exit 1)
sm=$td/node/test_optional_get_element_sequence/model.onnx
expect 0 "info shows an optional sequence input" "input 0 optional_input optional sequence int32 [4]" info "$sm"
expect 0 "info shows a sequence output" "output 0 output sequence int32 []" info "$sm"
expect 1 "--random refuses an optional sequence input by name" \
	"--random: input 0 (optional_input) is an optional sequence; give it with --input-pb FILE.pb" run "$sm" --random
# ... and runs it on its test data: each .pb decoded by the form the model declares, compared as values
sd=$td/node/test_optional_get_element_sequence/test_data_set_0
expect 0 "run: an optional sequence in, a sequence out, compared" "mismatches 0/4 (rtol 0.001 atol 0.0001) ok" \
	run "$sm" --input-pb "$sd/input_0.pb" --expect-pb 0:"$sd/output_0.pb"
expect 0 "run prints a sequence output by its length and tensors" "output 0 sequence int32, 1 tensor
  tensor 0 int32 [4]" run "$sm" --input-pb "$sd/input_0.pb"
# run on generated models (y = Abs(x) and unused float inputs): --random refuses an input too large for the engine
# (1 GiB) by name, exit 1, before the size can wrap (it used to crash, or to wrap to 0 bytes)
gen() { python3 "$(dirname "$0")/cli_model.py" "$work/$1.onnx" "$2" ${3-} || { echo "FAIL cannot write $1.onnx"; exit 1; }; }
gen huge 1048576,1048576,16
gen wraps 4294967296,4294967296
gen small 2,5
gen many 1 16
expect 1 "--random: an input of 2^46 bytes refused by name" "input 1 (unused0) would take over 1073741824 bytes" \
	run "$work/huge.onnx" --random
expect 1 "--random: dims whose product wraps refused by name" "input 1 (unused0) would take over 1073741824 bytes" \
	run "$work/wraps.onnx" --random
expect 0 "--random: small unused inputs run" "output 0 float [3]" run "$work/small.onnx" --random
# indices the model does not have are refused (exit 2), not ignored
expect 2 "--expect for an output the model lacks" "--expect 1: $work/small.onnx has 1 output(s)" \
	run "$work/small.onnx" --random --expect 1:"$work/empty.bin"
expect 2 "--input for an input the model lacks" "input 2: $work/small.onnx has 2 input(s)" \
	run "$work/small.onnx" --random --input 2=3:"$work/empty.bin"
# --expect names what is wrong with the reference (its size used to be printed uninitialised)
expect 1 "--expect: a missing reference named" "--expect 0: cannot read $work/none.bin" \
	run "$work/small.onnx" --random --expect 0:"$work/none.bin"
expect 1 "--expect: a reference of the wrong size named" "--expect 0: $work/empty.bin has 0 bytes, output 0 has 12" \
	run "$work/small.onnx" --random --expect 0:"$work/empty.bin"
# --expect takes equal infinities as equal (their difference is NaN) and an infinity of the other sign as a mismatch:
# Abs of [-inf, inf, -1] against [inf, inf, 1], then against [inf, -inf, 1]
printf '\000\000\200\377\000\000\200\177\000\000\200\277' >"$work/infs.bin"
printf '\000\000\200\177\000\000\200\177\000\000\200\077' >"$work/abs_infs.bin"
printf '\000\000\200\177\000\000\200\377\000\000\200\077' >"$work/abs_wrong.bin"
expect 0 "--expect: equal infinities match" "mismatches 0/3" \
	run "$work/small.onnx" --random --input 0=3:"$work/infs.bin" --expect 0:"$work/abs_infs.bin"
expect 1 "--expect: an infinity of the other sign does not" "mismatches 1/3" \
	run "$work/small.onnx" --random --input 0=3:"$work/infs.bin" --expect 0:"$work/abs_wrong.bin"
# input files that cannot be read are named with the reason; a FIFO is read to its end
expect 1 "--input-pb: a missing file named" "cella-onnx: $work/none.pb: No such file or directory" \
	run "$work/small.onnx" --input-pb "$work/none.pb"
expect 1 "--input: a directory named" "cella-onnx: $work: Is a directory" run "$work/small.onnx" --random \
	--input 0=3:"$work"
rm -f "$work/fifo" && mkfifo "$work/fifo"
printf '0123456789ab' >"$work/fifo" &
cmd=timeout
expect 0 "--input: a FIFO is read" "output 0 float [3]" 20 "$co" run "$work/small.onnx" --random \
	--input 0=3:"$work/fifo"
cmd=$co
wait
expect 0 "--help" "usage:" --help
expect 1 "a model over 16 inputs is named" "many.onnx has 17 inputs and 1 outputs; run handles at most 16" \
	run "$work/many.onnx" --random
# a failed run prints the engine's message, which names the input and what is wrong (it used to print only
# "run: invalid argument")
printf '0123456789abcdef' >"$work/x4.bin"
expect 1 "a run refused by the engine says why" "input 0 ('x'): dim 0 is 4, declared 3" \
	run "$work/small.onnx" --random --input 0=4:"$work/x4.bin"
# sequences, optionals and strings: generated models (cli_model.py KIND) and .pb values written here by hand
gen sequence sequence
gen optional optional
gen string string
python3 - "$work" "$(dirname "$0")" <<'EOF'
import sys
sys.path.insert(0, sys.argv[2])
from cli_model import FLOAT, BOOL, STRING, tensor_pb, sequence_pb, optional_pb
w = sys.argv[1]
def put(name, data):
    open(w + "/" + name, "wb").write(data)
f2, f3 = tensor_pb(FLOAT, [2], [1, 2]), tensor_pb(FLOAT, [3], [3, 4, 5])
put("seq_in.pb", sequence_pb([f2, f3]))
put("seq_out.pb", sequence_pb([f2, f3, f3]))  # s2: s with s[1] appended
put("seq_short.pb", sequence_pb([f2, f3]))
put("seq_near.pb", sequence_pb([f2, f3, tensor_pb(FLOAT, [3], [3, 4.01, 5])]))  # 2.5e-3 out: in rtol 1e-2 only
put("seq_type.pb", sequence_pb([f2, f3, tensor_pb(FLOAT, [1, 3], [3, 4, 5])]))
put("seq_17.pb", sequence_pb([tensor_pb(FLOAT, [1], [k]) for k in range(17)]))
put("t_out.pb", f3)
put("opt_full.pb", optional_pb(f2))
put("opt_empty.pb", optional_pb())
put("true.pb", tensor_pb(BOOL, [], [1]))
put("false.pb", tensor_pb(BOOL, [], [0]))
put("str_in.pb", tensor_pb(STRING, [3], [b"abc", b"d\x00\xc3\xa9\n\"\\", b"x" * 41]))
put("str_out.pb", tensor_pb(STRING, [3], [b"ABC", b"D\x00\xc3\x89\n\"\\", b"X" * 41]))
put("str_off.pb", tensor_pb(STRING, [3], [b"ABC", b"D\x00\xc3\xa9\n\"\\", b"X" * 41]))  # e acute not upper
put("opt_seq_empty.pb", optional_pb(sequence=sequence_pb([])))  # an empty sequence: no element type
put("str_10.pb", tensor_pb(STRING, [10], [b"s%d" % k for k in range(10)]))
EOF
[ -f "$work/str_10.pb" ] || { echo "FAIL cannot write the .pb values"; exit 1; }
printf '\000\000\200\077\000\000\000\100' >"$work/f2.bin" # 1.0, 2.0
# an empty sequence serializes no element type: it takes the declared one (int32), as conformance reads it
expect 0 "run: an empty sequence takes its declared type" "output 0 sequence int32, 0 tensors" \
	run "$sm" --input-pb "$work/opt_seq_empty.pb"
# a sequence in: SequenceAt(s, 1) and s with it appended, printed tensor by tensor and compared by the .pb
expect 0 "sequence: a sequence output printed by its tensors" "output 0 sequence float, 3 tensors
  tensor 0 float [2] sum 3
  tensor 1 float [3] sum 12
  tensor 2 float [3] sum 12
output 1 float [3] sum 12" run "$work/sequence.onnx" --input-pb "$work/seq_in.pb"
expect 0 "sequence: compared tensor by tensor" "compare output 0: max_abs 0 max_rel 0 mismatches 0/8" \
	run "$work/sequence.onnx" --input-pb "$work/seq_in.pb" --expect-pb 0:"$work/seq_out.pb" \
	--expect-pb 1:"$work/t_out.pb"
expect 1 "sequence: a sequence of another length fails, named" \
	"compare output 0: a sequence of 3 tensors, expected 2 FAIL" \
	run "$work/sequence.onnx" --input-pb "$work/seq_in.pb" --expect-pb 0:"$work/seq_short.pb"
expect 1 "sequence: a tensor out of tolerance fails, named" \
	"mismatches 1/8 (rtol 0.001 atol 0.0001) FAIL: first tensor 2 of the sequence: element 1: 4, expected 4.01000023" \
	run "$work/sequence.onnx" --input-pb "$work/seq_in.pb" --expect-pb 0:"$work/seq_near.pb"
expect 0 "sequence: the same within --rtol 0.01" "mismatches 0/8 (rtol 0.01 atol 0.0001) ok" \
	run "$work/sequence.onnx" --input-pb "$work/seq_in.pb" --expect-pb 0:"$work/seq_near.pb" --rtol 0.01
expect 1 "sequence: a tensor of another shape fails, named" \
	"compare output 0: tensor 2 of the sequence: rank 1, expected 2 FAIL" \
	run "$work/sequence.onnx" --input-pb "$work/seq_in.pb" --expect-pb 0:"$work/seq_type.pb"
expect 0 "sequence: past 16 tensors the rest is counted" "  tensor 15 float [1] sum 15
  ... 2 more tensors" run "$work/sequence.onnx" --input-pb "$work/seq_17.pb"
rm -rf "$work/saved" && mkdir "$work/saved"
expect 0 "sequence: --save writes each tensor" "output 1 float [3]" \
	run "$work/sequence.onnx" --input-pb "$work/seq_in.pb" --save "$work/saved"
if cmp -s "$work/f2.bin" "$work/saved/output_0_0.bin" && [ "$(wc -c <"$work/saved/output_0_2.bin")" -eq 12 ] &&
	[ "$(wc -c <"$work/saved/output_1.bin")" -eq 12 ]; then
	echo "PASS sequence: --save wrote output_0_0.bin (1, 2), output_0_2.bin and output_1.bin"
else
	echo "FAIL sequence: --save wrote $(ls "$work/saved")"
	fails=$((fails + 1))
fi
expect 1 "sequence: --random refused by name" "--random: input 0 (s) is a sequence; give it with --input-pb FILE.pb" \
	run "$work/sequence.onnx" --random
expect 1 "sequence: a raw --input refused by name" "--input: input 0 (s) is a sequence; give it with --input-pb" \
	run "$work/sequence.onnx" --input 0=2:"$work/f2.bin"
expect 1 "sequence: a .pb that is no SequenceProto named" "cannot decode $work/f2.bin as input 0 (s), a sequence:" \
	run "$work/sequence.onnx" --input-pb "$work/f2.bin"
expect 1 "sequence: a raw --expect refused by name" \
	"--expect 0: output 0 is a sequence; compare it with --expect-pb 0:FILE.pb" \
	run "$work/sequence.onnx" --input-pb "$work/seq_in.pb" --expect 0:"$work/f2.bin"
expect 1 "--expect-pb: a missing reference named" "--expect-pb 1: cannot read $work/none.pb" \
	run "$work/sequence.onnx" --input-pb "$work/seq_in.pb" --expect-pb 1:"$work/none.pb"
expect 1 "--expect-pb: a reference not of the output's form named" \
	"--expect-pb 0: cannot decode $work/f2.bin as output 0, a sequence:" \
	run "$work/sequence.onnx" --input-pb "$work/seq_in.pb" --expect-pb 0:"$work/f2.bin"
expect 2 "--expect-pb: an index the model lacks" "--expect-pb 2: $work/sequence.onnx has 2 output(s)" \
	run "$work/sequence.onnx" --input-pb "$work/seq_in.pb" --expect-pb 2:"$work/t_out.pb"
refuse "--expect-pb without an index" "--expect-pb x.pb: expected IDX:..." --expect-pb x.pb
refuse "--expect-pb and --expect for one output" "--expect 0:b.bin: output 0 given a reference twice" \
	--expect-pb 0:a.pb --expect 0:b.bin
# an optional in: OptionalHasElement and Identity, with a value and without
expect 0 "optional: an empty one in, empty out" "output 0 bool []
output 1 optional float: empty" run "$work/optional.onnx" --input-pb "$work/opt_empty.pb"
expect 0 "optional: an empty one compared with an empty one" "compare output 1: max_abs 0 max_rel 0 mismatches 0/0" \
	run "$work/optional.onnx" --input-pb "$work/opt_empty.pb" --expect-pb 1:"$work/opt_empty.pb" \
	--expect-pb 0:"$work/false.pb"
expect 1 "optional: has-element false is not true" \
	"compare output 0: max_abs 0 max_rel 0 mismatches 1/1 (rtol 0.001 atol 0.0001) FAIL: first element 0 differs" \
	run "$work/optional.onnx" --input-pb "$work/opt_empty.pb" --expect-pb 0:"$work/true.pb"
expect 1 "optional: an empty one against a value fails, named" "compare output 1: empty, expected a tensor FAIL" \
	run "$work/optional.onnx" --input-pb "$work/opt_empty.pb" --expect-pb 1:"$work/opt_full.pb"
expect 1 "optional: a value against an empty one fails, named" "compare output 1: a tensor, expected empty FAIL" \
	run "$work/optional.onnx" --input-pb "$work/opt_full.pb" --expect-pb 1:"$work/opt_empty.pb"
expect 0 "optional: a value in, its value out" "output 1 optional float [2] sum 3
compare output 1: max_abs 0 max_rel 0 mismatches 0/2" \
	run "$work/optional.onnx" --input-pb "$work/opt_full.pb" --expect-pb 0:"$work/true.pb" \
	--expect-pb 1:"$work/opt_full.pb"
expect 0 "optional: a raw --input is its value" "compare output 1: max_abs 0 max_rel 0 mismatches 0/2" \
	run "$work/optional.onnx" --input 0=2:"$work/f2.bin" --expect 1:"$work/f2.bin"
expect 1 "optional: a raw --expect of an empty one refused by name" \
	"--expect 1: output 1 is an empty optional; compare it with --expect-pb 1:FILE.pb" \
	run "$work/optional.onnx" --input-pb "$work/opt_empty.pb" --expect 1:"$work/f2.bin"
expect 1 "optional: --random refused by name" "--random: input 0 (o) is an optional; give it with --input-pb" \
	run "$work/optional.onnx" --random
# strings in and out: printed quoted, bytes other than printable ASCII as \xNN, cut at 40 bytes and at 8 strings
expect 0 "string: printed escaped and cut" \
	'output 0 string [3] "ABC" "D\x00\xc3\x89\x0a\"\\" "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"...' \
	run "$work/string.onnx" --input-pb "$work/str_in.pb"
expect 0 "string: past 8 strings the rest is counted" \
	'output 0 string [10] "S0" "S1" "S2" "S3" "S4" "S5" "S6" "S7" ... 2 more' \
	run "$work/string.onnx" --input-pb "$work/str_10.pb"
expect 0 "string: compared byte for byte" "compare output 0: max_abs 0 max_rel 0 mismatches 0/3" \
	run "$work/string.onnx" --input-pb "$work/str_in.pb" --expect-pb 0:"$work/str_out.pb"
expect 1 "string: one byte off fails, named" \
	'mismatches 1/3 (rtol 0.001 atol 0.0001) FAIL: first element 1: "D\x00\xc3\x89\x0a\"\\", expected "D\x00\xc3\xa9\x0a\"\\"' \
	run "$work/string.onnx" --input-pb "$work/str_in.pb" --expect-pb 0:"$work/str_off.pb"
expect 1 "string: --random refused by name" "--random: input 0 (x) is a tensor of strings; give it with --input-pb" \
	run "$work/string.onnx" --random
expect 1 "string: a raw --input refused by name" "--input: input 0 (x) is a tensor of strings; give it with" \
	run "$work/string.onnx" --input 0=2:"$work/f2.bin"
expect 1 "string: a raw --expect refused by name" \
	"--expect 0: output 0 is string; only float, float16 and bfloat16 are compared with raw files" \
	run "$work/string.onnx" --input-pb "$work/str_in.pb" --expect 0:"$work/f2.bin"
expect 1 "string: --save refused by name" "--save: output 0 is of strings, which have no raw form" \
	run "$work/string.onnx" --input-pb "$work/str_in.pb" --save "$work/saved"
# libonnx-testdata's StringNormalizer and SequenceMap cases through run, as conformance runs them
for t in test_strnormalizer_export_monday_casesensintive_upper test_sequence_map_add_2_sequences; do
	d=$td/node/$t
	set -- run "$d/model.onnx"
	for f in "$d"/test_data_set_0/input_*.pb; do set -- "$@" --input-pb "$f"; done
	expect 0 "$t: run matches its expected output" "compare output 0: max_abs 0 max_rel 0" "$@" \
		--expect-pb 0:"$d/test_data_set_0/output_0.pb"
done
# conformance over suites that do not exist, and over empty ones (a table of zeros, not an error)
expect 1 "conformance: a missing data directory is named" "cannot list $work/none/node" conformance "$work/none"
for s in node pytorch-converted pytorch-operator simple; do mkdir -p "$work/empty/$s"; done
expect 0 "conformance: empty suites give a table of zeros" "| total | 0 | 0 | 0 | 0 |" conformance "$work/empty"
# --known: a listed test that fails counts as a known difference; one that passes makes the run fail (the line is
# stale); an unreadable list is refused
mkdir -p "$work/one/node" "$work/one/pytorch-converted" "$work/one/pytorch-operator" "$work/one/simple"
cp -r "$td/node/test_abs" "$work/one/node/"
printf '# comment\n\nnode/test_abs listed to see it refused\n' >"$work/known.txt"
expect 1 "conformance: a listed test that passes is named" "node/test_abs is listed in $work/known.txt but passes" \
	conformance "$work/one" --known "$work/known.txt"
cp "$work/one/node/test_abs/test_data_set_0/input_0.pb" "$work/one/node/test_abs/test_data_set_0/output_0.pb"
expect 0 "conformance: a listed test that fails counts apart" "| node | 0 | 0 | 1 | 0 | 1 |" \
	conformance "$work/one" --known "$work/known.txt"
expect 2 "conformance: an unreadable known list is named" "cannot read $work/none.txt" \
	conformance "$work/one" --known "$work/none.txt"
# an expected infinity matches only itself: Abs(0) against +inf fails (the tolerance, infinite then, let it pass)
for s in node pytorch-converted pytorch-operator simple; do mkdir -p "$work/inf/$s"; done
cp -r "$td/node/test_abs" "$work/inf/node/"
python3 - "$work/inf/node/test_abs/test_data_set_0" <<'EOF'
import struct, sys
def tensor(vals):  # TensorProto{dims 3,4,5; data_type FLOAT; raw_data}
    return bytes([8, 3, 8, 4, 8, 5, 0x10, 1, 0x4a, 0xf0, 1]) + struct.pack("<60f", *vals)
open(sys.argv[1] + "/input_0.pb", "wb").write(tensor([0.0] * 60))
open(sys.argv[1] + "/output_0.pb", "wb").write(tensor([0.0] * 59 + [float("inf")]))
EOF
expect 0 "conformance: a finite value against an expected infinity fails" "| node | 0 | 1 | 0 | 0 | 1 |" \
	conformance "$work/inf" --failures "$work/inf.txt"
if grep -qF "node/test_abs FAIL [in scope]: output 0: element 59: 0, expected inf" "$work/inf.txt"; then
	echo "PASS conformance: the failure names the element and the infinity"
else
	echo "FAIL conformance: the failure names the element and the infinity: $(cat "$work/inf.txt")"
	fails=$((fails + 1))
fi
# cella-onnx-bench (built beside cella-onnx): its optional arguments by name, in any order (--portable without
# ITERS was taken for ITERS and refused)
if [ -n "$bench" ]; then
	[ -x "$bench" ] || { echo "FAIL cella-onnx-bench: $bench is not there"; exit 1; }
	cmd=$bench
	head -c 240 /dev/zero >"$work/abs_in.bin" # test_abs's input: 3x4x5 floats
	expect 0 "bench: --portable without ITERS" "cella median_ms" "$m/model.onnx" 3x4x5 "$work/abs_in.bin" --portable
	expect 0 "bench: ITERS then --portable" "cella median_ms" "$m/model.onnx" 3x4x5 "$work/abs_in.bin" 3 --portable
	expect 0 "bench: --threads N before ITERS" "cella median_ms" "$m/model.onnx" 3x4x5 "$work/abs_in.bin" \
		--threads 2 3
	expect 2 "bench: --threads without N" "usage:" "$m/model.onnx" 3x4x5 "$work/abs_in.bin" --threads
	expect 2 "bench: an unknown option" "usage:" "$m/model.onnx" 3x4x5 "$work/abs_in.bin" --frobnicate
	expect 2 "bench: ITERS twice" "usage:" "$m/model.onnx" 3x4x5 "$work/abs_in.bin" 3 4
	expect 2 "bench: ITERS 0 named" "ITERS 0: not an integer from 1 to 1000000" "$m/model.onnx" 3x4x5 \
		"$work/abs_in.bin" 0
	cmd=$co
else
	echo "note: no cella-onnx-bench in this build (CELLA_DEV_AREA): its options are not checked"
fi
[ $fails -eq 0 ]
