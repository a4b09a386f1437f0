// SPDX-License-Identifier: MIT
/* Pre-parse walk of the protobuf wire format: bounds nesting before protobuf-c (which recurses without a limit). */
#include "pb_check.h"

enum { K_NONE, K_MODEL, K_GRAPH, K_NODE, K_ATTR, K_VINFO, K_TYPE, K_TSEQ, K_TMAP, K_TOPT, K_FUNC, K_TRAIN };

/* Which length-delimited fields of a message kind are themselves messages that can nest back into graphs/types. */
static int child_kind(int kind, uint32_t field)
{
	switch (kind) {
	case K_MODEL: return field == 7 ? K_GRAPH : field == 20 ? K_TRAIN : field == 25 ? K_FUNC : K_NONE;
	case K_TRAIN: return field == 1 || field == 2 ? K_GRAPH : K_NONE;
	case K_FUNC: return field == 7 ? K_NODE : K_NONE;
	case K_GRAPH: return field == 1 ? K_NODE : (field >= 11 && field <= 13) ? K_VINFO : K_NONE;
	case K_NODE: return field == 5 ? K_ATTR : K_NONE;
	case K_ATTR: return field == 6 || field == 11 ? K_GRAPH : field == 14 || field == 15 ? K_TYPE : K_NONE;
	case K_VINFO: return field == 2 ? K_TYPE : K_NONE;
	case K_TYPE: return field == 4 ? K_TSEQ : field == 5 ? K_TMAP : field == 9 ? K_TOPT : K_NONE;
	case K_TSEQ: return field == 1 ? K_TYPE : K_NONE;
	case K_TMAP: return field == 2 ? K_TYPE : K_NONE;
	case K_TOPT: return field == 1 ? K_TYPE : K_NONE;
	default: return K_NONE;
	}
}

static int read_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *v)
{
	uint64_t x = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*pos >= len)
			return -1;
		uint8_t b = p[(*pos)++];
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

static cella_result walk(const uint8_t *p, size_t len, int kind, int depth)
{
	size_t pos = 0;
	if (depth > PB_MAX_DEPTH)
		return CELLA_ERR_MODEL;
	while (pos < len) {
		uint64_t key, v;
		if (read_varint(p, len, &pos, &key))
			return CELLA_ERR_MODEL;
		uint32_t field = (uint32_t)(key >> 3);
		if (field == 0 || (key >> 3) > 0x1fffffff)
			return CELLA_ERR_MODEL;
		switch (key & 7) {
		case 0:
			if (read_varint(p, len, &pos, &v))
				return CELLA_ERR_MODEL;
			break;
		case 1:
			if (len - pos < 8)
				return CELLA_ERR_MODEL;
			pos += 8;
			break;
		case 5:
			if (len - pos < 4)
				return CELLA_ERR_MODEL;
			pos += 4;
			break;
		case 2: {
			if (read_varint(p, len, &pos, &v) || v > len - pos)
				return CELLA_ERR_MODEL;
			int ck = child_kind(kind, field);
			if (ck != K_NONE) {
				cella_result r = walk(p + pos, (size_t)v, ck, depth + 1);
				if (r != CELLA_OK)
					return r;
			}
			pos += (size_t)v;
			break;
		}
		default:
			return CELLA_ERR_MODEL; /* groups (3, 4) are not used by onnx.proto */
		}
	}
	return CELLA_OK;
}

cella_result onnx_pb_check_model(const void *bytes, size_t len)
{
	return walk(bytes, len, K_MODEL, 0);
}
