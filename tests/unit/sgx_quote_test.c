// SPDX-License-Identifier: MIT
/*
 * Quotes through run-time loaded DCAP libraries: every missing piece (library, device, configuration, aesmd
 * socket) gives its own error and a message naming it; the call path runs against a fake library.
 * sgx_quote_test <fake-dcap.so> <scratch dir>
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cella_test.h"
#include "sgx_internal.h"

static char dir[512], conf[600], sock[600], missing[600], regular[600], node[600];
static const char *fake;

static void base_env(struct cella_sgx_quote_env *env, const char *const *prov)
{
	cella_sgx_quote_env_default(env);
	env->ql_lib = fake;
	env->qpl_lib = fake;
	env->quote_ex_lib = fake;
	env->provision_paths = prov;
	env->qcnl_conf = conf;
	env->aesm_addr = NULL;
	env->aesm_socket = sock;
}

static void expect(const struct cella_sgx_quote_env *env, cella_result want, const char *needle1, const char *needle2)
{
	struct cella_sgx_quoter q;
	char why[1024];
	CT_RESULT(cella_sgx_quote_open(env, &q, why, sizeof(why)), want);
	printf("  %s: %s\n", cella_result_name(want), why);
	if (needle1 && !strstr(why, needle1))
		cella_test_fail(__FILE__, __LINE__, "message lacks '%s': %s", needle1, why);
	if (needle2 && !strstr(why, needle2))
		cella_test_fail(__FILE__, __LINE__, "message lacks '%s': %s", needle2, why);
	CT_ASSERT(q.lib == NULL); /* nothing stays loaded after a failure */
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");
	CT_ASSERT(f);
	fputs("{\"pccs_url\": \"https://pccs.invalid/sgx/certification/v4/\"}\n", f);
	fclose(f);
}

static void test_errors(void)
{
	const char *const devnull[] = {"/dev/null", NULL};
	const char *const none[] = {missing, NULL};
	const char *const notdev[] = {regular, NULL};
	struct cella_sgx_quote_env env;

	base_env(&env, none);
	expect(&env, CELLA_ERR_NO_DEVICE, missing, "sgx.intel.com/provision");
	base_env(&env, notdev);
	expect(&env, CELLA_ERR_NO_DEVICE, regular, "not a character device");
	base_env(&env, devnull);
	env.ql_lib = "libsgx_dcap_ql_not_installed.so.1";
	expect(&env, CELLA_ERR_NOT_FOUND, "libsgx_dcap_ql_not_installed.so.1", "libsgx-dcap-ql");
	base_env(&env, devnull);
	env.qpl_lib = "libdcap_quoteprov_not_installed.so.1";
	expect(&env, CELLA_ERR_NOT_FOUND, "libdcap_quoteprov_not_installed.so.1", "quote provider");
	base_env(&env, devnull);
	env.qcnl_conf = missing;
	expect(&env, CELLA_ERR_NO_FILE, missing, "pccs_url");
	base_env(&env, devnull);
	env.ql_lib = "libc.so.6"; /* loads, but is not a quote library */
	expect(&env, CELLA_ERR_NOT_FOUND, "libc.so.6", "lacks the DCAP quoting functions");
	/* out of process (SGX_AESM_ADDR): the socket, then the client library; no provisioning device needed */
	base_env(&env, none);
	env.aesm_addr = "1";
	env.aesm_socket = missing;
	expect(&env, CELLA_ERR_NO_FILE, missing, "--enable-sgxquotehelper");
	base_env(&env, none);
	env.aesm_addr = "1";
	env.quote_ex_lib = "libsgx_quote_ex_not_installed.so.1";
	expect(&env, CELLA_ERR_NOT_FOUND, "libsgx_quote_ex_not_installed.so.1", "libsgx-quote-ex");
	cella_test_pass("each missing piece is named");
}

/*
 * Probes `path` as a provisioning device: 0 if it is refused as a permission error that names it, by the quoting
 * library's check and by the loader's open (the loader must not report the absent path listed after it).
 */
static int refused(const char *path)
{
	const char *const prov[] = {path, missing, NULL}, *const absent[] = {missing, NULL};
	int fd = -1;
	if (cella_sgx_open_any(prov, &fd) != CELLA_ERR_PERMISSION || cella_sgx_open_any(absent, &fd) != CELLA_ERR_NO_DEVICE)
		return 1;
	struct cella_sgx_quote_env env;
	struct cella_sgx_quoter q;
	char why[1024];
	cella_result r;
	base_env(&env, prov);
	r = cella_sgx_quote_open(&env, &q, why, sizeof(why));
	printf("  uid %u: %s: %s\n", (unsigned)getuid(), cella_result_name(r), why);
	return r == CELLA_ERR_PERMISSION && strstr(why, path) && strstr(why, "sgx_prv") ? 0 : 1;
}

/*
 * A provisioning device the caller may not open: as root, a root-only node probed by a child that became nobody;
 * otherwise a root-only device of the system's (/dev/mem, /dev/port), probed as we are. Returns NULL, or why the
 * case could not run (the test then ends as skipped, after its other cases).
 */
static const char *test_permission(void)
{
	pid_t pid;
	int st = 0;
	if (getuid() != 0) {
		const char *sys = access("/dev/mem", F_OK) == 0 ? "/dev/mem" : "/dev/port";
		if (access(sys, F_OK) != 0)
			return "the permission case needs root, or a root-only /dev/mem or /dev/port";
		CT_EQ(refused(sys), 0);
		cella_test_pass("an inaccessible provisioning device is a permission error");
		return NULL;
	}
	CT_EQ(mknod(node, S_IFCHR | 0600, makedev(1, 3)), 0);
	pid = fork();
	CT_ASSERT(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(3);
		_exit(refused(node));
	}
	CT_ASSERT(waitpid(pid, &st, 0) == pid);
	unlink(node);
	CT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cella_test_pass("an inaccessible provisioning device is a permission error");
	return NULL;
}

static void test_calls(bool out_of_process)
{
	const char *const devnull[] = {"/dev/null", NULL};
	struct cella_sgx_quote_env env;
	struct cella_sgx_quoter q;
	uint8_t ti[512], report[432], *quote = NULL;
	size_t len = 0;
	char why[1024];

	base_env(&env, devnull);
	if (out_of_process)
		env.aesm_addr = "1";
	CT_RESULT(cella_sgx_quote_open(&env, &q, why, sizeof(why)), CELLA_OK);
	CT_EQ(q.out_of_process, out_of_process);
	CT_RESULT(cella_sgx_quote_target_info(&q, ti, why, sizeof(why)), CELLA_OK);
	CT_EQ(ti[0], out_of_process ? 0x6b : 0x5a);
	CT_EQ(ti[511], out_of_process ? 0x6b : 0x5a);
	memset(report, 0xc3, sizeof(report));
	CT_RESULT(cella_sgx_quote_get(&q, report, &quote, &len, why, sizeof(why)), CELLA_OK);
	if (out_of_process) {
		CT_EQ(len, 16);
		CT_EQ(quote[0], 0xc3);
		CT_EQ(quote[15], 0x33);
	} else {
		CT_EQ(len, 440);
		CT_EQ_MEM(quote, "FAKEQUOT", 8);
		CT_EQ_MEM(quote + 8, report, 432);
	}
	free(quote);
	/* a DCAP status is reported by value with its usual remedy */
	setenv("FAKE_DCAP_STATUS", "e019", 1);
	CT_RESULT(cella_sgx_quote_target_info(&q, ti, why, sizeof(why)), CELLA_ERR_BACKEND);
	CT_ASSERT(strstr(why, "0xe019") && strstr(why, "PCCS"));
	quote = NULL;
	CT_RESULT(cella_sgx_quote_get(&q, report, &quote, &len, why, sizeof(why)), CELLA_ERR_BACKEND);
	CT_ASSERT(quote == NULL);
	unsetenv("FAKE_DCAP_STATUS");
	cella_sgx_quote_close(&q);
	cella_sgx_quote_close(&q); /* repeat is a no-op */
	CT_RESULT(cella_sgx_quote_target_info(&q, ti, why, sizeof(why)), CELLA_ERR_INVALID_STATE);
	cella_test_pass(out_of_process ? "out-of-process quote path (aesmd client)" : "in-process quote path");
}

int main(int argc, char **argv)
{
	const char *not_run;
	if (argc != 3)
		return 2;
	fake = argv[1];
	snprintf(dir, sizeof(dir), "%s/sgx-quote-test.%d", argv[2], (int)getpid());
	CT_ASSERT(mkdir(dir, 0755) == 0);
	snprintf(conf, sizeof(conf), "%s/sgx_default_qcnl.conf", dir);
	snprintf(sock, sizeof(sock), "%s/aesm.socket", dir);
	snprintf(missing, sizeof(missing), "%s/does-not-exist", dir);
	snprintf(regular, sizeof(regular), "%s/regular-file", dir);
	snprintf(node, sizeof(node), "%s/sgx_provision", dir);
	touch(conf);
	touch(sock);
	touch(regular);
	test_errors();
	not_run = test_permission();
	test_calls(false);
	test_calls(true);
	CT_ASSERT(strstr(cella_sgx_quote_status_str(0xe011), "PCK"));
	/* quote3_error_t (sgx_ql_lib_common.h): 0xE001 UNEXPECTED, 0xE002 INVALID_PARAMETER, 0xE003 OUT_OF_MEMORY */
	CT_ASSERT(strcmp(cella_sgx_quote_status_str(0xe001), "SGX_QL_ERROR_UNEXPECTED") == 0);
	CT_ASSERT(strcmp(cella_sgx_quote_status_str(0xe002), "SGX_QL_ERROR_INVALID_PARAMETER") == 0);
	CT_ASSERT(strcmp(cella_sgx_quote_status_str(0xe003), "SGX_QL_ERROR_OUT_OF_MEMORY") == 0);
	CT_ASSERT(strcmp(cella_sgx_quote_status_str(0xe004), "SGX_QL_ERROR_ECDSA_ID_MISMATCH") == 0);
	unlink(conf);
	unlink(sock);
	unlink(regular);
	rmdir(dir);
	if (not_run)
		cella_test_skip(not_run);
	return 0;
}
