// SPDX-License-Identifier: MIT
/*
 * DCAP quotes through Intel's libraries, loaded at run time so nothing links against them: in-process with
 * libsgx_dcap_ql (which runs the QE/PCE enclaves and needs /dev/sgx_provision and a quote provider library),
 * or out-of-process through aesmd with libsgx_quote_ex when SGX_AESM_ADDR is set. Every failure names the
 * missing piece and its remedy: these are the most common support questions.
 */
#include "sgx_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QE_REPORT_INFO_BYTES 960 /* sgx_qe_report_info_t: nonce (16) + app TARGETINFO (512) + QE REPORT (432) */

/* see sgx_internal.h */
void cella_sgx_quote_env_default(struct cella_sgx_quote_env *env)
{
	const char *a = secure_getenv("SGX_AESM_ADDR"); /* not the caller's choice of aesmd socket in a setuid program */
	env->ql_lib = "libsgx_dcap_ql.so.1";
	env->qpl_lib = "libdcap_quoteprov.so.1";
	env->quote_ex_lib = "libsgx_quote_ex.so.1";
	env->provision_paths = cella_sgx_provision_paths;
	env->qcnl_conf = "/etc/sgx_default_qcnl.conf";
	env->aesm_addr = a && *a ? a : NULL;
	env->aesm_socket = "/var/run/aesmd/aesm.socket";
}

/* see sgx_internal.h */
const char *cella_sgx_quote_status_str(uint32_t status)
{
	switch (status) {
	case 0:
		return "success";
	case 0xe001:
		return "SGX_QL_ERROR_UNEXPECTED";
	case 0xe002:
		return "SGX_QL_ERROR_INVALID_PARAMETER";
	case 0xe003:
		return "SGX_QL_ERROR_OUT_OF_MEMORY";
	case 0xe004:
		return "SGX_QL_ERROR_ECDSA_ID_MISMATCH";
	case 0xe012:
		return "SGX_QL_OUT_OF_EPC: not enough EPC to load the quoting enclave";
	case 0xe011:
		return "SGX_QL_NO_PLATFORM_CERT_DATA: the PCCS has no PCK certificate for this platform (register "
		       "it, or on Azure set pccs_url to https://global.acccache.azure.net/sgx/certification/v4/)";
	case 0xe019:
		return "SGX_QL_NETWORK_ERROR: the quote provider cannot reach its PCCS (pccs_url in "
		       "/etc/sgx_default_qcnl.conf; 'localhost' does not work inside a container)";
	default:
		return "DCAP error (see sgx_ql_lib_common.h / sgx_error.h for the value)";
	}
}

static void say(char *why, size_t n, const char *fmt, const char *a, const char *b)
	__attribute__((format(printf, 3, 0)));
static void say(char *why, size_t n, const char *fmt, const char *a, const char *b)
{
	if (n)
		snprintf(why, n, fmt, a, b ? b : "");
}

static void *sym(void *lib, const char *name, bool *ok)
{
	void *p = dlsym(lib, name);
	if (!p)
		*ok = false;
	return p;
}

/* /dev/sgx_provision: the in-process QE/PCE need it (ATTRIBUTES.PROVISIONKEY). */
static cella_result check_provision(const struct cella_sgx_quote_env *env, char *why, size_t n)
{
	const char *first = env->provision_paths[0] ? env->provision_paths[0] : "/dev/sgx_provision";
	for (const char *const *p = env->provision_paths; *p; p++) {
		struct stat st;
		int fd;
		if (stat(*p, &st) != 0)
			continue;
		if (!S_ISCHR(st.st_mode)) {
			say(why, n, "%s is not a character device%s", *p, NULL);
			return CELLA_ERR_NO_DEVICE;
		}
		fd = open(*p, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			say(why, n, "%s exists but cannot be opened (%s): add the user to its group (sgx_prv), or in "
				    "Kubernetes request sgx.intel.com/provision (quote-provider annotation)",
			    *p, strerror(e));
			return e == EACCES || e == EPERM ? CELLA_ERR_PERMISSION : CELLA_ERR_NO_DEVICE;
		}
		close(fd);
		return CELLA_OK;
	}
	say(why, n, "in-process quoting needs %s, which does not exist (Linux >= 5.11 SGX driver; in Kubernetes "
		    "request sgx.intel.com/provision), or set SGX_AESM_ADDR=1 to quote through aesmd%s",
	    first, NULL);
	return CELLA_ERR_NO_DEVICE;
}

/* see sgx_internal.h */
cella_result cella_sgx_quote_open(const struct cella_sgx_quote_env *env, struct cella_sgx_quoter *q, char *why,
				  size_t n)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	void *qpl = NULL;
	bool ok = true;

	memset(q, 0, sizeof(*q));
	if (n)
		why[0] = 0;
	if (env->aesm_addr) {
		struct stat st;
		q->out_of_process = true;
		if (stat(env->aesm_socket, &st) != 0) {
			say(why, n, "SGX_AESM_ADDR is set but the aesmd socket %s does not exist: mount the host's "
				    "/var/run/aesmd into the container (on AKS enable the confcom add-on's quote helper, "
				    "--enable-sgxquotehelper)%s", env->aesm_socket, NULL);
			CELLA_FAIL(CELLA_ERR_NO_FILE);
		}
		q->lib = dlopen(env->quote_ex_lib, RTLD_NOW | RTLD_LOCAL);
		if (!q->lib) {
			say(why, n, "cannot load %s (install libsgx-quote-ex, Intel's out-of-process quote client): %s",
			    env->quote_ex_lib, dlerror());
			CELLA_FAIL(CELLA_ERR_NOT_FOUND);
		}
		q->select_att_key_id = sym(q->lib, "sgx_select_att_key_id", &ok);
		q->init_quote_ex = sym(q->lib, "sgx_init_quote_ex", &ok);
		q->get_quote_size_ex = sym(q->lib, "sgx_get_quote_size_ex", &ok);
		q->get_quote_ex = sym(q->lib, "sgx_get_quote_ex", &ok);
	} else {
		CELLA_CHECK(check_provision(env, why, n));
		q->lib = dlopen(env->ql_lib, RTLD_NOW | RTLD_LOCAL);
		if (!q->lib) {
			say(why, n, "cannot load %s (install libsgx-dcap-ql from Intel's SGX repository, or set "
				    "SGX_AESM_ADDR=1 to quote through aesmd): %s", env->ql_lib, dlerror());
			CELLA_FAIL(CELLA_ERR_NOT_FOUND);
		}
		qpl = dlopen(env->qpl_lib, RTLD_NOW | RTLD_LOCAL);
		if (!qpl) {
			say(why, n, "cannot load the quote provider library %s (install libsgx-dcap-default-qpl, or "
				    "Azure's az-dcap-client): %s", env->qpl_lib, dlerror());
			CELLA_FAIL(CELLA_ERR_NOT_FOUND);
		}
		dlclose(qpl);
		if (access(env->qcnl_conf, R_OK) != 0) {
			say(why, n, "the quote provider's configuration %s is missing or unreadable: it names the PCCS "
				    "(pccs_url; on Azure https://global.acccache.azure.net/sgx/certification/v4/)%s",
			    env->qcnl_conf, NULL);
			CELLA_FAIL(CELLA_ERR_NO_FILE);
		}
		q->qe_get_target_info = sym(q->lib, "sgx_qe_get_target_info", &ok);
		q->qe_get_quote_size = sym(q->lib, "sgx_qe_get_quote_size", &ok);
		q->qe_get_quote = sym(q->lib, "sgx_qe_get_quote", &ok);
	}
	if (!ok) {
		say(why, n, "%s lacks the DCAP quoting functions (wrong or too old a version)%s",
		    q->out_of_process ? env->quote_ex_lib : env->ql_lib, NULL);
		CELLA_FAIL(CELLA_ERR_NOT_FOUND);
	}
	r = CELLA_OK;
out:
	if (r != CELLA_OK)
		cella_sgx_quote_close(q);
	return r;
}

/* see sgx_internal.h */
void cella_sgx_quote_close(struct cella_sgx_quoter *q)
{
	if (!q)
		return;
	if (q->lib)
		dlclose(q->lib);
	memset(q, 0, sizeof(*q));
}

static cella_result failed(const char *what, uint32_t st, char *why, size_t n)
{
	if (n)
		snprintf(why, n, "%s: %#x %s", what, st, cella_sgx_quote_status_str(st));
	return CELLA_ERR_BACKEND;
}

/* see sgx_internal.h */
cella_result cella_sgx_quote_target_info(struct cella_sgx_quoter *q, uint8_t ti[512], char *why, size_t n)
{
	int st;
	if (!q->lib)
		return CELLA_ERR_INVALID_STATE;
	if (q->out_of_process) {
		size_t pub = 0;
		uint8_t *pubkey;
		st = q->select_att_key_id(NULL, 0, q->att_key_id);
		if (st != 0)
			return failed("sgx_select_att_key_id", (uint32_t)st, why, n);
		st = q->init_quote_ex(q->att_key_id, ti, &pub, NULL); /* first call: the public key id's size */
		if (st != 0)
			return failed("sgx_init_quote_ex", (uint32_t)st, why, n);
		pubkey = malloc(pub ? pub : 1);
		if (!pubkey)
			return CELLA_ERR_OUT_OF_MEMORY;
		st = q->init_quote_ex(q->att_key_id, ti, &pub, pubkey);
		free(pubkey);
		return st == 0 ? CELLA_OK : failed("sgx_init_quote_ex", (uint32_t)st, why, n);
	}
	st = q->qe_get_target_info(ti);
	return st == 0 ? CELLA_OK : failed("sgx_qe_get_target_info", (uint32_t)st, why, n);
}

/* see sgx_internal.h */
cella_result cella_sgx_quote_get(struct cella_sgx_quoter *q, const uint8_t report[432], uint8_t **quote, size_t *len,
				 char *why, size_t n)
{
	uint32_t size = 0;
	uint8_t *buf;
	int st;

	if (!q->lib)
		return CELLA_ERR_INVALID_STATE;
	st = q->out_of_process ? q->get_quote_size_ex(q->att_key_id, &size) : q->qe_get_quote_size(&size);
	if (st != 0)
		return failed("get quote size", (uint32_t)st, why, n);
	if (size == 0 || size > (1u << 20))
		return failed("get quote size: implausible size", size, why, n);
	buf = malloc(size);
	if (!buf)
		return CELLA_ERR_OUT_OF_MEMORY;
	if (q->out_of_process) {
		uint8_t info[QE_REPORT_INFO_BYTES] = {0};
		st = q->get_quote_ex(report, q->att_key_id, info, buf, size);
	} else {
		st = q->qe_get_quote(report, size, buf);
	}
	if (st != 0) {
		free(buf);
		return failed("get quote", (uint32_t)st, why, n);
	}
	*quote = buf;
	*len = size;
	return CELLA_OK;
}
