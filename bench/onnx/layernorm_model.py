# SPDX-License-Identifier: MIT
# Writes a one-node LayerNormalization-17 model for run.sh: y = LayerNormalization(x, Scale, B) over the axes from
# AXIS (default -1) on, x and y float of the given dims (comma-separated), Scale and B constants of the normalised
# shape (deterministic values near 1 and near 0, as a trained transformer's). Written in the protobuf wire format
# with tests/onnx/cli_model.py's helpers: no onnx package needed. Usage: layernorm_model.py OUT.onnx DIMS [AXIS]
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
    dims = [int(d) for d in sys.argv[2].split(",")]
    axis = int(sys.argv[3]) if sys.argv[3:] else -1
    norm = dims[axis:]
    count = 1
    for d in norm:
        count *= d
    scale = [1.0 + 0.01 * ((i * 37) % 17 - 8) for i in range(count)]
    bias = [0.002 * ((i * 11) % 13 - 6) for i in range(count)]
    attr = message(1, b"axis") + number(3, axis) + number(20, 2)  # AttributeProto{name, i, type INT}
    node = message(1, b"x") + message(1, b"scale") + message(1, b"bias") + message(2, b"y")
    node += message(3, b"ln") + message(4, b"LayerNormalization") + message(5, attr)
    graph = message(1, node) + message(2, b"layernorm")
    graph += message(5, float_const(b"scale", norm, scale)) + message(5, float_const(b"bias", norm, bias))
    graph += message(11, float_input(b"x", dims)) + message(12, float_input(b"y", dims))
    model = number(1, 8) + message(7, graph) + message(8, number(2, 17))  # IR 8, default domain opset 17
    with open(sys.argv[1], "wb") as f:
        f.write(model)


if __name__ == "__main__":
    main()
