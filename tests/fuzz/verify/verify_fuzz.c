// SPDX-License-Identifier: MIT
/* libFuzzer harness: quote parsing (+ PCK extension, signature checks), collateral JSON, TCB Info, QE Identity,
 * PEM chains. Every input goes through every parser. */
#include "verify_internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cella_quote q;
	struct cella_detail d;
	struct cella_collateral *c = NULL;
	struct vfy_tcb_info t;
	struct vfy_qe_identity qe;
	X509 *chain[4] = {NULL, NULL, NULL, NULL};
	size_t n = 0;

	if (cella_quote_parse(data, size, &q, &d) == CELLA_OK) {
		struct cella_pck_info pck;
		struct cella_sgx_report r;
		if (q.len > size || q.body + q.body_len > data + size || q.pck_chain + q.pck_chain_len > (const char *)data + size)
			abort();
		cella_sgx_report_decode(q.qe_report, &r);
		(void)cella_quote_pck_info(&q, &pck, &d);
		(void)cella_quote_check_signatures(&q, &d);
	}
	if (cella_collateral_new_json((const char *)data, size, &c, &d) == CELLA_OK) {
		char *json = NULL;
		size_t len = 0;
		int64_t next;
		(void)cella_collateral_next_update(c, &next);
		if (cella_collateral_to_json(c, &json, &len) == CELLA_OK)
			free(json);
		cella_collateral_free(c);
	}
	if (cella_vfy_tcb_info_parse((const char *)data, size, &t, &d) == CELLA_OK)
		cella_vfy_tcb_info_fini(&t);
	if (cella_vfy_qe_identity_parse((const char *)data, size, &qe, &d) == CELLA_OK)
		cella_vfy_qe_identity_fini(&qe);
	if (cella_vfy_pem_chain((const char *)data, size, chain, 4, 0, &n, NULL, &d) == CELLA_OK) {
		struct cella_pck_info pck;
		(void)cella_vfy_pck_ext(chain[0], &pck, &d);
		for (size_t i = 0; i < n; i++)
			X509_free(chain[i]);
	}
	return 0;
}
