// SPDX-License-Identifier: MIT
/*
 * Platform services on SGX, with the message contract of platform_sandbox.c (cella/abi/monitor.h): EREPORT
 * and EGETKEY are the CPU's; a quote is a report targeted at the host's quoting enclave, turned into a DCAP
 * quote by the host (two builtin ocalls). Everything the host returns is length-checked; a quote needs no
 * trust in the host because the relying party verifies it.
 */
#include "sgx_rt.h"

#include <cella/abi/monitor.h>
#include <cella/enclave.h>
#include <string.h>

#include "sgx_abi.h"

static cella_result report(const void *req, size_t len, void *rep, size_t cap, size_t *got)
{
	struct cella_emsg_report_req q;
	struct cella_emsg_report_rep r;
	struct cella_report out;

	if (len != sizeof(q) || cap < sizeof(r))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&q, req, sizeof(q));
	memset(&r, 0, sizeof(r));
	r.type = CELLA_EMSG_REPORT;
	r.seq = q.seq;
	r.status = rt_sgx_ereport(q.has_target ? (const struct cella_target_info *)(const void *)q.target_info : NULL,
				  q.report_data, &out);
	memcpy(r.report, &out, sizeof(r.report));
	memcpy(rep, &r, sizeof(r));
	*got = sizeof(r);
	return CELLA_OK;
}

static cella_result getkey(const void *req, size_t len, void *rep, size_t cap, size_t *got)
{
	struct cella_emsg_getkey_req q;
	struct cella_emsg_getkey_rep r;

	if (len != sizeof(q) || cap < sizeof(r))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&q, req, sizeof(q));
	memset(&r, 0, sizeof(r));
	r.type = CELLA_EMSG_GETKEY;
	r.seq = q.seq;
	r.status = rt_sgx_egetkey((const struct cella_key_request *)(const void *)q.key_request, r.key);
	memcpy(rep, &r, sizeof(r));
	memset(&r, 0, sizeof(r));
	__asm__ __volatile__("" : : "r"(&r) : "memory");
	*got = sizeof(struct cella_emsg_getkey_rep);
	return CELLA_OK;
}

static cella_result quote(const void *req, size_t len, uint8_t *rep, size_t cap, size_t *got)
{
	struct cella_emsg_quote_req q;
	struct cella_emsg_quote_rep r;
	struct cella_target_info qe;
	struct cella_report app;
	size_t w = 0;
	cella_result st;

	if (len != sizeof(q) || cap < sizeof(r))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&q, req, sizeof(q));
	memset(&r, 0, sizeof(r));
	r.type = CELLA_EMSG_QUOTE;
	r.seq = q.seq;
	st = cella_ocall(CELLA_SGX_OCALL_QE_TARGET_INFO, NULL, 0, &qe, sizeof(qe), &w);
	if (st == CELLA_OK && w != sizeof(qe))
		st = CELLA_ERR_MARSHAL;
	if (st == CELLA_OK)
		st = rt_sgx_ereport(&qe, q.report_data, &app);
	if (st == CELLA_OK) {
		size_t room = cap - sizeof(r) < CELLA_QUOTE_MAX_BYTES ? cap - sizeof(r) : CELLA_QUOTE_MAX_BYTES;
		st = cella_ocall(CELLA_SGX_OCALL_QUOTE, &app, sizeof(app), rep + sizeof(r), room, &w);
		if (st == CELLA_OK)
			r.quote_bytes = (uint32_t)w; /* cella_ocall checked w <= room */
	}
	r.status = st;
	memcpy(rep, &r, sizeof(r));
	*got = sizeof(r) + (st == CELLA_OK ? r.quote_bytes : 0);
	return CELLA_OK;
}

/* see sgx_rt.h */
cella_result rt_sgx_platform_call(const void *req, size_t req_len, void *rep, size_t cap, size_t *got)
{
	uint32_t type;

	if (req_len < sizeof(type))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&type, req, sizeof(type));
	switch (type) {
	case CELLA_EMSG_REPORT:
		return report(req, req_len, rep, cap, got);
	case CELLA_EMSG_GETKEY:
		return getkey(req, req_len, rep, cap, got);
	case CELLA_EMSG_QUOTE:
		return quote(req, req_len, rep, cap, got);
	default:
		return CELLA_ERR_INVALID_FUNCTION;
	}
}
