# SPDX-License-Identifier: MIT
# Writes a one-node model for cli_test.sh: y = Abs(x), x and y float [3], plus COUNT (default 1) graph inputs
# "unused0"... that no node reads, float with the given dims (comma-separated); or, given a KIND instead of dims, a
# model of sequences, optionals or strings (see value_model). The protobuf wire format is written by hand: the test
# needs no onnx package. Usage: cli_model.py OUT.onnx DIM,DIM,... [COUNT] | cli_model.py OUT.onnx KIND
# Importable: bench/onnx/op_model.py builds its models with the same helpers, cli_test.sh its .pb values.
import struct
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


FLOAT, INT64, STRING, BOOL = 1, 7, 8, 9


def tensor_type(elem, dims):  # TypeProto{tensor_type{elem_type, shape{dim...}}}; a dim of -1 is dynamic (no value)
    shape = b"".join(message(1, number(1, d) if d >= 0 else b"") for d in dims)
    return message(1, number(1, elem) + message(2, shape))


def sequence_type(elem, dims):  # TypeProto{sequence_type{elem_type: a tensor type}}
    return message(4, message(1, tensor_type(elem, dims)))


def optional_type(inner):  # TypeProto{optional_type{elem_type: inner}}
    return message(9, message(1, inner))


def value_info(name, type_proto):
    return message(1, name) + message(2, type_proto)


def node(op, inputs, outputs, attrs=b""):  # GraphProto.node: NodeProto{input..., output..., op_type, attribute...}
    body = b"".join(message(1, i) for i in inputs) + b"".join(message(2, o) for o in outputs) + message(4, op)
    return message(1, body + attrs)


def tensor_pb(elem, dims, values):  # TensorProto{dims, data_type, float_data | string_data | int32_data (bool)}
    body = b"".join(number(1, d) for d in dims) + number(2, elem)
    if elem == FLOAT:
        body += message(4, struct.pack("<%df" % len(values), *values))
    elif elem == STRING:
        body += b"".join(message(6, v) for v in values)
    else:
        body += message(5, b"".join(varint(v) for v in values))
    return body


def sequence_pb(tensors):  # SequenceProto{elem_type TENSOR, tensor_values...}
    return number(2, 1) + b"".join(message(3, t) for t in tensors)


def optional_pb(tensor=None, sequence=None):  # OptionalProto{elem_type TENSOR or SEQUENCE, its value}, or empty
    if sequence is not None:
        return number(2, 3) + message(5, sequence)
    return b"" if tensor is None else number(2, 1) + message(3, tensor)


def value_model(kind):
    """The graph of a model of one KIND:
    sequence: s, a sequence of float [-1]; t = SequenceAt(s, 1) and s2 = SequenceInsert(s, t) (t appended);
              outputs s2 (a sequence) and t.
    optional: o, an optional float [2]; h = OptionalHasElement(o) (bool []) and p = Identity(o) (an optional).
    string:   x, string [-1]; y = StringNormalizer(x), case_change_action UPPER.
    unsupported: x, float [3]; y = SecretOp(x), an operator no opset has (the engine refuses it by name)."""
    if kind == "sequence":
        one = message(5, message(1, b"value_int") + number(3, 1) + number(20, 2))  # Constant value_int 1 (INT)
        nodes = node(b"Constant", [], [b"one"], one) + node(b"SequenceAt", [b"s", b"one"], [b"t"])
        nodes += node(b"SequenceInsert", [b"s", b"t"], [b"s2"])
        ins = [value_info(b"s", sequence_type(FLOAT, [-1]))]
        outs = [value_info(b"s2", sequence_type(FLOAT, [-1])), value_info(b"t", tensor_type(FLOAT, [-1]))]
    elif kind == "optional":
        nodes = node(b"OptionalHasElement", [b"o"], [b"h"]) + node(b"Identity", [b"o"], [b"p"])
        ins = [value_info(b"o", optional_type(tensor_type(FLOAT, [2])))]
        outs = [value_info(b"h", tensor_type(BOOL, [])), value_info(b"p", optional_type(tensor_type(FLOAT, [2])))]
    elif kind == "string":
        upper = message(5, message(1, b"case_change_action") + message(4, b"UPPER") + number(20, 3))  # STRING
        nodes = node(b"StringNormalizer", [b"x"], [b"y"], upper)
        ins = [value_info(b"x", tensor_type(STRING, [-1]))]
        outs = [value_info(b"y", tensor_type(STRING, [-1]))]
    elif kind == "unsupported":
        nodes = node(b"SecretOp", [b"x"], [b"y"])
        ins = [value_info(b"x", tensor_type(FLOAT, [3]))]
        outs = [value_info(b"y", tensor_type(FLOAT, [3]))]
    else:
        raise SystemExit("cli_model.py: unknown kind " + kind)
    graph = nodes + message(2, b"cli") + b"".join(message(11, i) for i in ins)
    graph += b"".join(message(12, o) for o in outs)
    return number(1, 8) + message(7, graph) + message(8, number(2, 16))  # IR 8, default domain opset 16


def main():
    if not sys.argv[2][:1].isdigit():
        with open(sys.argv[1], "wb") as f:
            f.write(value_model(sys.argv[2]))
        return
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
