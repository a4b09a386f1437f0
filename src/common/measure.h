/* SPDX-License-Identifier: MIT */
/* MRENCLAVE: SHA-256 over the ECREATE/EADD/EEXTEND records of a page list, exactly as SGX computes it. */
#ifndef CELLA_COMMON_MEASURE_H
#define CELLA_COMMON_MEASURE_H

#include <cella/result.h>

#include "layout.h"

/*
 * Hashes, in order (Intel SDM Vol. 3D ch. 38, ECREATE/EADD/EEXTEND; sdk-anchors §4.3), 64-byte records:
 *   ECREATE: "ECREATE\0" | SSAFRAMESIZE u32 = CELLA_SSA_FRAME_PAGES | SIZE u64 = l->r.enclave_size | 44 zero
 *   per page: EADD: "EADD\0\0\0\0" | rva u64 | SECINFO.FLAGS u64 | 40 zero
 *             if measured, per 256-byte chunk: "EEXTEND\0" | rva of chunk u64 | 48 zero | 256 data bytes
 * into *mrenclave (out; written only on success). Host only (OpenSSL). Streams; allocates nothing per page.
 * Errors: CELLA_ERR_INVALID_ARG, CELLA_ERR_CRYPTO.
 */
CELLA_MUST_USE cella_result cella_measure(const struct cella_layout *l, struct cella_hash *mrenclave);

#endif
