# SPDX-License-Identifier: MIT
# Writes one BERT-base encoder layer for run.sh, as exported graphs spell it: Q, K and V projections (MatMul +
# Add), heads split by Reshape and Transpose, scores scaled and Softmax'ed, the context projected back, a residual
# LayerNormalization, the feed-forward block with Gelu written through Erf, a second residual LayerNormalization.
# x and y are float [1, SEQ, 768] (12 heads of 64, feed-forward 3072); weights uniform in [-0.05, 0.05] from a
# fixed seed (28 MB, written at bench time, never committed). Protobuf written with tests/onnx/cli_model.py's
# helpers: no onnx package needed. Usage: bert_layer.py OUT.onnx [SEQ]
import os
import random
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "onnx"))
from cli_model import float_input, message, node, number  # noqa: E402

HIDDEN, HEADS, FF = 768, 12, 3072


def main():
    seq = int(sys.argv[2]) if sys.argv[2:] else 128
    rng = random.Random(1)
    inits, nodes = [], []

    def const(name, dims, values=None, elem=1):  # TensorProto{dims..., data_type, name, raw_data}
        count = 1
        for d in dims:
            count *= d
        if values is None:
            values = [rng.uniform(-0.05, 0.05) for _ in range(count)]
        body = b"".join(number(1, d) for d in dims) + number(2, elem) + message(8, name.encode())
        fmt = ("<%df" if elem == 1 else "<%dq") % count
        inits.append(message(5, body + message(9, struct.pack(fmt, *values))))

    def attr_ints(name, values):  # AttributeProto{name, ints, type INTS}
        return message(5, message(1, name.encode()) + b"".join(number(8, v) for v in values) + number(20, 7))

    def attr_int(name, value):  # AttributeProto{name, i, type INT}
        return message(5, message(1, name.encode()) + number(3, value) + number(20, 2))

    def op(kind, ins, outs, attrs=b""):
        nodes.append(node(kind.encode(), [i.encode() for i in ins], [o.encode() for o in outs], attrs))

    for w in "qkv":
        const("W" + w, [HIDDEN, HIDDEN])
        const("b" + w, [HIDDEN])
        op("MatMul", ["x", "W" + w], [w + "_mm"])
        op("Add", [w + "_mm", "b" + w], [w + "_lin"])
        op("Reshape", [w + "_lin", "heads_shape"], [w + "_heads"])
    const("heads_shape", [4], [1, seq, HEADS, HIDDEN // HEADS], elem=7)
    const("merged_shape", [3], [1, seq, HIDDEN], elem=7)
    op("Transpose", ["q_heads"], ["q_t"], attr_ints("perm", [0, 2, 1, 3]))
    op("Transpose", ["k_heads"], ["k_t"], attr_ints("perm", [0, 2, 3, 1]))
    op("Transpose", ["v_heads"], ["v_t"], attr_ints("perm", [0, 2, 1, 3]))
    op("MatMul", ["q_t", "k_t"], ["scores"])
    const("scale", [], [1.0 / 8.0])
    op("Mul", ["scores", "scale"], ["scaled"])
    op("Softmax", ["scaled"], ["probs"], attr_int("axis", -1))
    op("MatMul", ["probs", "v_t"], ["context"])
    op("Transpose", ["context"], ["context_t"], attr_ints("perm", [0, 2, 1, 3]))
    op("Reshape", ["context_t", "merged_shape"], ["merged"])
    const("Wo", [HIDDEN, HIDDEN])
    const("bo", [HIDDEN])
    op("MatMul", ["merged", "Wo"], ["o_mm"])
    op("Add", ["o_mm", "bo"], ["o_lin"])
    op("Add", ["o_lin", "x"], ["residual1"])
    const("ln1_scale", [HIDDEN], [1.0] * HIDDEN)
    const("ln1_bias", [HIDDEN], [0.0] * HIDDEN)
    op("LayerNormalization", ["residual1", "ln1_scale", "ln1_bias"], ["h"], attr_int("axis", -1))
    const("W1", [HIDDEN, FF])
    const("b1", [FF])
    op("MatMul", ["h", "W1"], ["ff_mm"])
    op("Add", ["ff_mm", "b1"], ["ff"])
    const("inv_sqrt2", [], [0.7071067811865476])
    const("one", [], [1.0])
    const("half", [], [0.5])
    op("Mul", ["ff", "inv_sqrt2"], ["ff_scaled"])
    op("Erf", ["ff_scaled"], ["ff_erf"])
    op("Add", ["ff_erf", "one"], ["ff_erf1"])
    op("Mul", ["ff", "ff_erf1"], ["ff_gelu2"])
    op("Mul", ["ff_gelu2", "half"], ["ff_gelu"])
    const("W2", [FF, HIDDEN])
    const("b2", [HIDDEN])
    op("MatMul", ["ff_gelu", "W2"], ["out_mm"])
    op("Add", ["out_mm", "b2"], ["out_lin"])
    op("Add", ["out_lin", "h"], ["residual2"])
    const("ln2_scale", [HIDDEN], [1.0] * HIDDEN)
    const("ln2_bias", [HIDDEN], [0.0] * HIDDEN)
    op("LayerNormalization", ["residual2", "ln2_scale", "ln2_bias"], ["y"], attr_int("axis", -1))
    graph = b"".join(nodes) + message(2, b"bert_layer") + b"".join(inits)
    graph += message(11, float_input(b"x", [1, seq, HIDDEN])) + message(12, float_input(b"y", [1, seq, HIDDEN]))
    model = number(1, 8) + message(7, graph) + message(8, number(2, 17))  # IR 8, default domain opset 17
    with open(sys.argv[1], "wb") as f:
        f.write(model)


if __name__ == "__main__":
    main()
