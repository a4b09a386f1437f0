// SPDX-License-Identifier: MIT
/* Any single-byte change in a signed region of a vector (quote, QE report, signatures, chains, TCB Info,
 * QE Identity, CRLs) makes verification fail. Large text regions are sampled unless CELLA_TAMPER_EXHAUSTIVE=1. */
#include "cella_test.h"
#include "testutil.h"
#include "verify_internal.h"

#include <stdio.h>
#include <string.h>

static struct tv t;
static struct cella_collateral *base;
static int64_t at;
static int exhaustive;
static size_t checked;

/* Offsets to mutate in a region of n bytes. */
static int next_pos(size_t n, size_t i, size_t *pos)
{
	if (exhaustive || n <= 1024) {
		*pos = i;
		return i < n;
	}
	if (i < 256) {
		*pos = i;
		return 1;
	}
	if (i < 512) {
		*pos = n - 512 + i;
		return 1;
	}
	if (i < 1024) {
		*pos = 256 + (i - 512) * (n - 512) / 512;
		return 1;
	}
	return 0;
}

static void quote_region(const char *what, size_t off, size_t n)
{
	uint8_t *b = malloc(t.quote_len);
	size_t pos;
	static const uint8_t flips[2] = {0x01, 0x80};
	for (size_t i = 0; next_pos(n, i, &pos); i++) {
		for (int f = 0; f < 2; f++) {
			struct cella_quote q;
			struct cella_verify_result res;
			cella_result r;
			memcpy(b, t.quote, t.quote_len);
			b[off + pos] ^= flips[f];
			r = cella_quote_parse(b, t.quote_len, &q, NULL);
			if (r == CELLA_OK)
				r = cella_quote_verify(&q, base, at, &res);
			if (r == CELLA_OK)
				cella_test_fail(__FILE__, __LINE__, "%s: change ^%02x at byte %zu still verifies", what,
						flips[f], pos);
			checked++;
		}
	}
	free(b);
	cella_test_pass(what);
}

/* which: index of the collateral part to change. */
enum { P_PCK_CRL_CHAIN, P_ROOT_CRL, P_PCK_CRL, P_TCB_CHAIN, P_TCB_INFO, P_TCB_SIG, P_QE_CHAIN, P_QE_ID, P_QE_SIG };

static void collateral_region(const char *what, int which, const struct cella_quote *q)
{
	const struct cella_collateral *c = base;
	struct vfy_parts p = {c->pck_crl_chain, c->pck_crl_chain_len, c->root_crl, c->root_crl_len, c->pck_crl,
			      c->pck_crl_len, c->tcb_chain, c->tcb_chain_len, c->tcb_info, c->tcb_info_len,
			      c->tcb_sig, c->qe_chain, c->qe_chain_len, c->qe_identity, c->qe_identity_len,
			      c->qe_sig};
	const uint8_t *src;
	size_t n, pos;
	uint8_t *copy;
	switch (which) {
	case P_PCK_CRL_CHAIN: src = (const uint8_t *)p.pck_crl_chain; n = p.pck_crl_chain_len; break;
	case P_ROOT_CRL: src = p.root_crl; n = p.root_crl_len; break;
	case P_PCK_CRL: src = p.pck_crl; n = p.pck_crl_len; break;
	case P_TCB_CHAIN: src = (const uint8_t *)p.tcb_chain; n = p.tcb_chain_len; break;
	case P_TCB_INFO: src = (const uint8_t *)p.tcb_info; n = p.tcb_info_len; break;
	case P_TCB_SIG: src = p.tcb_sig; n = 64; break;
	case P_QE_CHAIN: src = (const uint8_t *)p.qe_chain; n = p.qe_chain_len; break;
	case P_QE_ID: src = (const uint8_t *)p.qe_identity; n = p.qe_identity_len; break;
	default: src = p.qe_sig; n = 64; break;
	}
	copy = malloc(n);
	switch (which) {
	case P_PCK_CRL_CHAIN: p.pck_crl_chain = (const char *)copy; break;
	case P_ROOT_CRL: p.root_crl = copy; break;
	case P_PCK_CRL: p.pck_crl = copy; break;
	case P_TCB_CHAIN: p.tcb_chain = (const char *)copy; break;
	case P_TCB_INFO: p.tcb_info = (const char *)copy; break;
	case P_TCB_SIG: p.tcb_sig = copy; break;
	case P_QE_CHAIN: p.qe_chain = (const char *)copy; break;
	case P_QE_ID: p.qe_identity = (const char *)copy; break;
	default: p.qe_sig = copy; break;
	}
	for (size_t i = 0; next_pos(n, i, &pos); i++) {
		struct cella_collateral *m = NULL;
		struct cella_verify_result res;
		cella_result r;
		memcpy(copy, src, n);
		copy[pos] ^= 0x01;
		CT_RESULT(cella_vfy_collateral_new_parts(&p, &m), CELLA_OK);
		r = cella_quote_verify(q, m, at, &res);
		if (r == CELLA_OK)
			cella_test_fail(__FILE__, __LINE__, "%s: change at byte %zu still verifies", what, pos);
		cella_collateral_free(m);
		checked++;
	}
	free(copy);
	cella_test_pass(what);
}

int main(int argc, char **argv)
{
	const char *root = tv_root(argc, argv);
	const char *name = argc > 2 ? argv[2] : "dcapqvl_sgx_v3";
	struct cella_quote q;
	struct cella_verify_result res;
	const char *e = getenv("CELLA_TAMPER_EXHAUSTIVE");
	exhaustive = e && *e == '1';
	/* every issuer signature below through its key's table (keytab.c); the vectors tests take the generic path */
	cella_vfy_keytab_after(1);
	tv_load(root, name, &t);
	at = t.verify_time;
	CT_RESULT(cella_quote_parse(t.quote, t.quote_len, &q, NULL), CELLA_OK);
	CT_RESULT(cella_collateral_new_json(t.collateral, t.collateral_len, &base, NULL), CELLA_OK);
	CT_RESULT(cella_quote_verify(&q, base, at, &res), CELLA_OK); /* the untouched inputs verify */

#define OFF(p) ((size_t)((const uint8_t *)(p) - t.quote))
	quote_region("quote header and report body", 0, q.signed_len);
	quote_region("quote signature", OFF(q.signature), 64);
	quote_region("attestation key", OFF(q.attest_key), 64);
	quote_region("QE report", OFF(q.qe_report), 384);
	quote_region("QE report signature", OFF(q.qe_report_sig), 64);
	quote_region("QE authentication data", OFF(q.qe_auth), q.qe_auth_len);
	quote_region("PCK certificate chain", OFF(q.pck_chain), q.pck_chain_len);
	collateral_region("TCB Info text", P_TCB_INFO, &q);
	collateral_region("TCB Info signature", P_TCB_SIG, &q);
	collateral_region("QE Identity text", P_QE_ID, &q);
	collateral_region("QE Identity signature", P_QE_SIG, &q);
	collateral_region("root CA CRL", P_ROOT_CRL, &q);
	collateral_region("PCK CRL", P_PCK_CRL, &q);
	collateral_region("TCB Info issuer chain", P_TCB_CHAIN, &q);
	collateral_region("QE Identity issuer chain", P_QE_CHAIN, &q);
	collateral_region("PCK CRL issuer chain", P_PCK_CRL_CHAIN, &q);
	/* the root, the PCK CA and the TCB signing key each checked its signatures through a table */
	CT_ASSERT(cella_vfy_keytab_built() >= 3);
	printf("%zu single-byte changes, all refused%s\n", checked, exhaustive ? " (exhaustive)" : "");
	cella_collateral_free(base);
	tv_free(&t);
	return 0;
}
