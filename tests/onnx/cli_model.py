# SPDX-License-Identifier: MIT
# Writes a one-node model for cli_test.sh: y = Abs(x), x and y float [3], plus COUNT (default 1) graph inputs
# "unused0"... that no node reads, float with the given dims (comma-separated). The protobuf wire format is written
# by hand: the test needs no onnx package. Usage: cli_model.py OUT.onnx DIM,DIM,... [COUNT]
# Importable: bench/onnx/layernorm_model.py builds its model with the same helpers.
import sys


def varint(v):  # a negative v as its 64-bit two's complement, as protobuf writes int64
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        low, v = v & 0x7F, v >> 7
        out.append(low | (0x80 if v else 0))
        if not v:
            return bytes(out)


def number(field, v):  # wire type 0
    return varint(field << 3) + varint(v)


def message(field, body):  # wire type 2: bytes, strings and submessages
    return varint(field << 3 | 2) + varint(len(body)) + body


def float_input(name, dims):  # ValueInfoProto{name, TypeProto{tensor_type{elem_type FLOAT, shape{dim...}}}}
    shape = b"".join(message(1, number(1, d)) for d in dims)
    return message(1, name) + message(2, message(1, number(1, 1) + message(2, shape)))


def main():
    node = message(1, b"x") + message(2, b"y") + message(4, b"Abs")
    dims = [int(d) for d in sys.argv[2].split(",")]
    count = int(sys.argv[3] if sys.argv[3:] else 1)
    unused = b"".join(message(11, float_input(b"unused%d" % i, dims)) for i in range(count))
    graph = message(1, node) + message(2, b"cli") + message(11, float_input(b"x", [3])) + unused
    graph += message(12, float_input(b"y", [3]))
    model = number(1, 7) + message(7, graph) + message(8, number(2, 13))  # IR 7, default domain opset 13
    with open(sys.argv[1], "wb") as f:
        f.write(model)


if __name__ == "__main__":
    main()
