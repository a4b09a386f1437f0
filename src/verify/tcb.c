// SPDX-License-Identifier: MIT
/* TCB level selection and status convergence, following Intel's QVL (TcbLevelCheck, QuoteVerifier). */
#include "verify_internal.h"

#include <string.h>

static const char *const status_names[] = {
	[CELLA_TCB_UNKNOWN] = "Unknown",
	[CELLA_TCB_UP_TO_DATE] = "UpToDate",
	[CELLA_TCB_SW_HARDENING_NEEDED] = "SWHardeningNeeded",
	[CELLA_TCB_CONFIGURATION_NEEDED] = "ConfigurationNeeded",
	[CELLA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED] = "ConfigurationAndSWHardeningNeeded",
	[CELLA_TCB_OUT_OF_DATE] = "OutOfDate",
	[CELLA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED] = "OutOfDateConfigurationNeeded",
	[CELLA_TCB_REVOKED] = "Revoked",
	[CELLA_TCB_TD_RELAUNCH_ADVISED] = "TDRelaunchAdvised",
	[CELLA_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED] = "TDRelaunchAdvisedConfigurationNeeded",
};

/* see cella/verify.h */
const char *cella_tcb_status_name(cella_tcb_status s)
{
	if ((unsigned)s >= sizeof(status_names) / sizeof(status_names[0]))
		return "Unknown";
	return status_names[s];
}

/* see cella/verify.h */
cella_result cella_tcb_status_parse(const char *name, cella_tcb_status *out)
{
	for (unsigned i = CELLA_TCB_UP_TO_DATE; i <= CELLA_TCB_REVOKED; i++) /* the derived ones are never read */
		if (strcmp(name, status_names[i]) == 0) {
			*out = (cella_tcb_status)i;
			return CELLA_OK;
		}
	return CELLA_ERR_NOT_FOUND;
}

const struct vfy_level *cella_vfy_tcb_match(const struct vfy_tcb_info *t, const struct cella_pck_info *pck,
					    const struct cella_tdx_report *tdx)
{
	for (size_t i = 0; i < t->level_count; i++) {
		const struct vfy_level *l = &t->levels[i];
		int ok = 1;
		for (int c = 0; c < 16 && ok; c++)
			ok = pck->tcb_comp_svn[c] >= l->sgx_svn[c];
		if (!ok || pck->pce_svn < l->pce_svn)
			continue;
		if (tdx) {
			/* With a TDX module version (TEE_TCB_SVN[1]) the first two bytes are the module's own SVN
			 * and version, judged through tdxModuleIdentities instead. */
			for (int c = tdx->tee_tcb_svn[1] > 0 ? 2 : 0; c < 16 && ok; c++)
				ok = tdx->tee_tcb_svn[c] >= l->tdx_svn[c];
			if (!ok)
				continue;
		}
		return l;
	}
	return NULL;
}

const struct vfy_level *cella_vfy_isv_match(const struct vfy_level *levels, size_t n, uint16_t svn)
{
	for (size_t i = 0; i < n; i++)
		if (levels[i].isv_svn <= svn)
			return &levels[i];
	return NULL;
}

/*
 * Intel QVL (QuoteVerifier.cpp, convergeTcbStatusWithQeTcbStatus): an out-of-date QE downgrades an otherwise
 * current platform to OutOfDate (or OutOfDateConfigurationNeeded when the platform needs configuration);
 * a revoked QE makes everything Revoked; otherwise the platform's status stands.
 */
/* The QE's level status as QVL's EnclaveReportVerifier (4.1.2.9.9) reports it: UpToDate and Revoked stand, any
 * other (SWHardeningNeeded, ConfigurationNeeded, ...) is ISVSVN_OUT_OF_DATE. */
cella_tcb_status cella_vfy_qe_status(cella_tcb_status level)
{
	return level == CELLA_TCB_UP_TO_DATE || level == CELLA_TCB_REVOKED ? level : CELLA_TCB_OUT_OF_DATE;
}

cella_tcb_status cella_vfy_converge(cella_tcb_status platform, cella_tcb_status qe)
{
	if (qe == CELLA_TCB_REVOKED)
		return CELLA_TCB_REVOKED;
	if (qe == CELLA_TCB_OUT_OF_DATE || qe == CELLA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED) {
		switch (platform) {
		case CELLA_TCB_UP_TO_DATE:
		case CELLA_TCB_SW_HARDENING_NEEDED:
			return CELLA_TCB_OUT_OF_DATE;
		case CELLA_TCB_CONFIGURATION_NEEDED:
		case CELLA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED:
			return CELLA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
		default:
			return platform;
		}
	}
	return platform;
}
