# SPDX-License-Identifier: MIT
# Writes float16 models for model_compare.sh, with deterministic weights, and an input for each:
#   cnn16.onnx   x [2, 3, 16, 16] -> Conv 3x3 pad 1, Relu, MaxPool 2, grouped Conv 3x3, x * Sigmoid(x),
#                GlobalAveragePool, Flatten, Gemm, Softmax -> y [2, 10]
#   block16.onnx x [2, 5, 16] -> LayerNormalization, attention (MatMul, Transpose, scale, Softmax, MatMul), residual
#                Add, Gelu written with Erf -> y [2, 5, 16]
# and x_<name>.bin, the input's float16 bits. The protobuf is written with cli_model.py's helpers: no onnx or
# numpy package is needed. Usage: half_model.py OUTDIR
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_model import message, number  # noqa: E402

FLOAT16 = 10
state = [12345]


def rand():  # a linear congruential generator: the same weights on every machine
    state[0] = (state[0] * 1664525 + 1013904223) & 0xFFFFFFFF
    return (state[0] >> 8) / 16777216.0 - 0.5


def half_bits(values):
    return b"".join(struct.pack("<e", v) for v in values)


def value_info(name, dims):  # ValueInfoProto of a float16 tensor
    shape = b"".join(message(1, number(1, d)) for d in dims)
    return message(1, name) + message(2, message(1, number(1, FLOAT16) + message(2, shape)))


def initializer(name, dims, scale):
    count = 1
    for d in dims:
        count *= d
    body = b"".join(number(1, d) for d in dims) + number(2, FLOAT16) + message(8, name)
    return body + message(9, half_bits(rand() * 2 * scale for _ in range(count)))


def scalar(name, v):
    return number(2, FLOAT16) + message(8, name) + message(9, half_bits([v]))


def attr_int(name, v):
    return message(1, name) + number(3, v) + number(20, 2)


def attr_ints(name, vs):
    return message(1, name) + b"".join(number(8, v) for v in vs) + number(20, 7)


def node(op, ins, outs, *attrs):
    body = b"".join(message(1, i) for i in ins) + b"".join(message(2, o) for o in outs) + message(4, op)
    return body + b"".join(message(5, a) for a in attrs)


def model(path, name, nodes, inits, xdims, ydims):
    graph = b"".join(message(1, n) for n in nodes) + message(2, name)
    graph += b"".join(message(5, t) for t in inits)
    graph += message(11, value_info(b"x", xdims)) + message(12, value_info(b"y", ydims))
    with open(path, "wb") as f:
        f.write(number(1, 8) + message(7, graph) + message(8, number(2, 17)))  # IR 8, opset 17


def main():
    out = sys.argv[1]
    cnn = [
        node(b"Conv", [b"x", b"w1", b"b1"], [b"c1"], attr_ints(b"pads", [1, 1, 1, 1])),
        node(b"Relu", [b"c1"], [b"r1"]),
        node(b"MaxPool", [b"r1"], [b"p1"], attr_ints(b"kernel_shape", [2, 2]), attr_ints(b"strides", [2, 2])),
        node(b"Conv", [b"p1", b"w2", b"b2"], [b"c2"], attr_int(b"group", 2)),
        node(b"Sigmoid", [b"c2"], [b"s2"]),
        node(b"Mul", [b"c2", b"s2"], [b"m2"]),
        node(b"GlobalAveragePool", [b"m2"], [b"g"]),
        node(b"Flatten", [b"g"], [b"f"]),
        node(b"Gemm", [b"f", b"wf", b"bf"], [b"l"], attr_int(b"transB", 1)),
        node(b"Softmax", [b"l"], [b"y"], attr_int(b"axis", 1)),
    ]
    inits = [initializer(b"w1", [8, 3, 3, 3], 0.3), initializer(b"b1", [8], 0.3),
             initializer(b"w2", [8, 4, 3, 3], 0.3), initializer(b"b2", [8], 0.3),
             initializer(b"wf", [10, 8], 0.5), initializer(b"bf", [10], 0.5)]
    model(os.path.join(out, "cnn16.onnx"), b"cnn16", cnn, inits, [2, 3, 16, 16], [2, 10])
    with open(os.path.join(out, "x_cnn16.bin"), "wb") as f:
        f.write(half_bits(rand() * 4 for _ in range(2 * 3 * 16 * 16)))
    d = 16
    block = [
        node(b"LayerNormalization", [b"x", b"ls", b"lb"], [b"n"], attr_int(b"axis", -1)),
        node(b"MatMul", [b"n", b"wq"], [b"q"]),
        node(b"MatMul", [b"n", b"wk"], [b"k"]),
        node(b"Transpose", [b"k"], [b"kt"], attr_ints(b"perm", [0, 2, 1])),
        node(b"MatMul", [b"q", b"kt"], [b"a"]),
        node(b"Mul", [b"a", b"scale"], [b"as"]),
        node(b"Softmax", [b"as"], [b"p"], attr_int(b"axis", -1)),
        node(b"MatMul", [b"p", b"n"], [b"o"]),
        node(b"Add", [b"o", b"x"], [b"r"]),
        node(b"Div", [b"r", b"sqrt2"], [b"d"]),
        node(b"Erf", [b"d"], [b"e"]),
        node(b"Add", [b"e", b"one"], [b"e1"]),
        node(b"Mul", [b"r", b"e1"], [b"g"]),
        node(b"Mul", [b"g", b"half"], [b"y"]),
    ]
    inits = [initializer(b"ls", [d], 1.0), initializer(b"lb", [d], 0.3), initializer(b"wq", [d, d], 0.5),
             initializer(b"wk", [d, d], 0.5), scalar(b"scale", 0.25), scalar(b"sqrt2", 1.4142135),
             scalar(b"one", 1.0), scalar(b"half", 0.5)]
    model(os.path.join(out, "block16.onnx"), b"block16", block, inits, [2, 5, d], [2, 5, d])
    with open(os.path.join(out, "x_block16.bin"), "wb") as f:
        f.write(half_bits(rand() * 4 for _ in range(2 * 5 * d)))


if __name__ == "__main__":
    main()
