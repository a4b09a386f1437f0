# SPDX-License-Identifier: MIT
# Writes a one-node model for run.sh, x and y float of the given dims (comma-separated), over the axes from AXIS
# (default -1) on:
#   LayerNormalization: y = LayerNormalization-17(x, Scale, B), Scale and B constants of the normalised shape
#                       (deterministic values near 1 and near 0, as a trained transformer's);
#   Softmax:            y = Softmax-13(x) (attention's, over the last axis by default);
#   LSTM:               y = LSTM-14(x, W, R, B).Y for x [S, B, I], hidden size I (Sigmoid and Tanh, one direction),
#                       y [S, 1, B, I]; W, R and B constants of small deterministic values (AXIS unused).
# Written in the protobuf wire format with tests/onnx/cli_model.py's helpers: no onnx package needed.
# Usage: op_model.py LayerNormalization|Softmax|LSTM OUT.onnx DIMS [AXIS]
import os
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "onnx"))
from cli_model import float_input, message, number  # noqa: E402


def float_const(name, dims, values):  # TensorProto{dims..., data_type FLOAT, name, raw_data}
    body = b"".join(number(1, d) for d in dims) + number(2, 1) + message(8, name)
    return body + message(9, struct.pack("<%df" % len(values), *values))


def main():
    op = sys.argv[1]
    if op not in ("LayerNormalization", "Softmax", "LSTM"):
        sys.exit("op_model.py: unknown operator %r (LayerNormalization, Softmax or LSTM)" % op)
    dims = [int(d) for d in sys.argv[3].split(",")]
    axis = int(sys.argv[4]) if sys.argv[4:] else -1
    attr = message(1, b"axis") + number(3, axis) + number(20, 2)  # AttributeProto{name, i, type INT}
    consts = b""
    if op == "LayerNormalization":
        norm = dims[axis:]
        count = 1
        for d in norm:
            count *= d
        scale = [1.0 + 0.01 * ((i * 37) % 17 - 8) for i in range(count)]
        bias = [0.002 * ((i * 11) % 13 - 6) for i in range(count)]
        ins = message(1, b"x") + message(1, b"scale") + message(1, b"bias")
        consts = message(5, float_const(b"scale", norm, scale)) + message(5, float_const(b"bias", norm, bias))
        opset = 17
    elif op == "LSTM":
        hid = dims[2]
        attr = message(1, b"hidden_size") + number(3, hid) + number(20, 2)
        w = [0.02 * ((i * 37) % 17 - 8) for i in range(4 * hid * hid)]
        rw = [0.02 * ((i * 29) % 13 - 6) for i in range(4 * hid * hid)]
        bias = [0.01 * ((i * 11) % 7 - 3) for i in range(8 * hid)]
        ins = message(1, b"x") + message(1, b"w") + message(1, b"r") + message(1, b"b")
        consts = (message(5, float_const(b"w", [1, 4 * hid, hid], w)) +
                  message(5, float_const(b"r", [1, 4 * hid, hid], rw)) +
                  message(5, float_const(b"b", [1, 8 * hid], bias)))
        opset = 14
    else:
        ins = message(1, b"x")
        opset = 13
    ydims = [dims[0], 1, dims[1], dims[2]] if op == "LSTM" else dims
    node = ins + message(2, b"y") + message(3, b"op") + message(4, op.encode()) + message(5, attr)
    graph = message(1, node) + message(2, op.lower().encode()) + consts
    graph += message(11, float_input(b"x", dims)) + message(12, float_input(b"y", ydims))
    model = number(1, 8) + message(7, graph) + message(8, number(2, opset))  # IR 8, default domain
    with open(sys.argv[2], "wb") as f:
        f.write(model)


if __name__ == "__main__":
    main()
