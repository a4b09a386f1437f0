// SPDX-License-Identifier: MIT
/*
 * cella-info: prints what this machine offers an enclave: SGX1/SGX2/FLC from CPUID, EPC size, the device
 * nodes, the vDSO entry, the quote libraries, and which backend cella_enclave_create() would choose and why.
 * `cella-info --dry-run <image>` runs the SGX loader against the recorder and prints the SECS and MRENCLAVE.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "layout.h"
#include "measure.h"
#include "sgx_internal.h"
#include "sigstruct.h"

static const char *yn(bool b)
{
	return b ? "yes" : "no";
}

/* "present", "present, not accessible (...)", or "absent". */
static const char *node_state(const char *path, char *buf, size_t n)
{
	struct stat st;
	int fd;
	if (stat(path, &st) != 0)
		return "absent";
	if (!S_ISCHR(st.st_mode))
		return "present but not a character device";
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(buf, n, "present, not accessible to this user (%s)", strerror(errno));
		return buf;
	}
	close(fd);
	return "present, accessible";
}

static void cpu_brand(char *out, size_t n)
{
	unsigned int r[12] = {0}, max = __get_cpuid_max(0x80000000u, NULL);
	if (max < 0x80000004u) {
		snprintf(out, n, "unknown");
		return;
	}
	for (unsigned i = 0; i < 3; i++)
		__cpuid(0x80000002u + i, r[4 * i], r[4 * i + 1], r[4 * i + 2], r[4 * i + 3]);
	snprintf(out, n, "%.48s", (const char *)r);
}

static int info(void)
{
	struct cella_sgx_platform p;
	struct cella_sgx_quote_env env;
	struct cella_sgx_quoter q;
	cella_sgx_enter_fn enter;
	const char *dev = NULL, *env_backend = getenv("CELLA_BACKEND");
	char brand[64], buf[256], why[1024];
	bool vdso;

	cella_sgx_platform_probe(&p);
	cpu_brand(brand, sizeof(brand));
	printf("cpu: %s\n", brand);
	printf("sgx: %s (SGX1 %s, SGX2 %s, FLC %s, KSS %s, AEX-Notify %s)\n", yn(p.sgx), yn(p.sgx1), yn(p.sgx2),
	       yn(p.flc), yn(p.kss), yn(p.aexnotify));
	if (p.sgx) {
		printf("epc: %llu MiB in %u section(s)\n", (unsigned long long)(p.epc_total >> 20), p.epc_sections);
		for (unsigned i = 0; i < p.epc_sections; i++)
			printf("  section %u: base %#llx, %llu MiB\n", i, (unsigned long long)p.epc_base[i],
			       (unsigned long long)(p.epc_bytes[i] >> 20));
		printf("max enclave size: 2^%u bytes\n", p.max_enclave_log2_64);
		printf("miscselect supported: %#x; attributes supported: %#llx; xfrm supported: %#llx\n", p.misc_select,
		       (unsigned long long)p.attributes, (unsigned long long)p.xfrm);
	} else {
		printf("epc: none (CPUID reports no SGX: not an SGX CPU, disabled in the BIOS, or hidden from this VM)\n");
	}
	printf("xcr0: %#llx\n", (unsigned long long)p.xcr0);
	for (const char *const *d = cella_sgx_device_paths; *d; d++) {
		const char *s = node_state(*d, buf, sizeof(buf));
		printf("device %s: %s\n", *d, s);
		if (!dev && strncmp(s, "absent", 6) != 0)
			dev = *d;
	}
	for (const char *const *d = cella_sgx_provision_paths; *d; d++)
		printf("device %s: %s\n", *d, node_state(*d, buf, sizeof(buf)));
	vdso = cella_sgx_vdso_enter(&enter) == CELLA_OK;
	printf("vdso %s: %s\n", CELLA_SGX_VDSO_ENTER_SYMBOL, vdso ? "found" : "missing (kernel without CONFIG_X86_SGX)");
	cella_sgx_quote_env_default(&env);
	if (cella_sgx_quote_open(&env, &q, why, sizeof(why)) == CELLA_OK) {
		printf("quotes: %s, libraries found\n", q.out_of_process ? "out-of-process through aesmd" : "in-process");
		cella_sgx_quote_close(&q);
	} else {
		printf("quotes: unavailable: %s\n", why);
	}
	if (env_backend && *env_backend && strcmp(env_backend, "sgx") != 0 && strcmp(env_backend, "sandbox") != 0)
		printf("backend: none (CELLA_BACKEND=%s is neither 'sgx' nor 'sandbox')\n", env_backend);
	else if (env_backend && strcmp(env_backend, "sandbox") == 0)
		printf("backend: sandbox (CELLA_BACKEND=sandbox)\n");
	else if (env_backend && strcmp(env_backend, "sgx") == 0)
		printf("backend: %s (CELLA_BACKEND=sgx%s)\n", dev ? "sgx" : "none",
		       dev ? "" : ", but neither /dev/sgx_enclave nor /dev/sgx/enclave exists: CELLA_ERR_NO_DEVICE");
	else if (dev)
		printf("backend: sgx (%s exists; images built before SGX support fall back to sandbox)\n", dev);
	else
		printf("backend: sandbox (no /dev/sgx_enclave or /dev/sgx/enclave)\n");
	return 0;
}

static int dry_run(const char *path, bool debug)
{
	struct cella_image img;
	struct cella_image_diag diag = {0};
	struct cella_layout l = {0};
	struct cella_hash mr;
	struct cella_einit_info *ei = malloc(sizeof(*ei));
	struct cella_sgx_platform p;
	struct cella_sgx_recorder rec;
	struct cella_sgx_loaded ld;
	const char *detail = NULL;
	uint8_t *data = NULL;
	size_t size = 0, adds = 0;
	char buf[512];
	cella_result r;
	int rc = 1;

	cella_sgx_recorder_init(&rec);
	if (!ei)
		goto out;
	r = cella_image_read_file(path, &data, &size);
	if (r == CELLA_OK && (r = cella_image_parse_diag(data, size, &img, &diag)) != CELLA_OK) {
		cella_image_diag_format(r, &diag, buf, sizeof(buf));
		fprintf(stderr, "cella-info: %s: %s\n", path, buf);
		goto out;
	}
	if (r == CELLA_OK)
		r = cella_layout_build(&img, &l);
	if (r == CELLA_OK)
		r = cella_measure(&l, &mr);
	if (r == CELLA_OK)
		r = cella_einit_check_diag(&img, &mr, debug, ei, &detail);
	if (r != CELLA_OK) {
		fprintf(stderr, "cella-info: %s: %s%s%s\n", path, cella_result_str(r), detail ? ": " : "",
			detail ? detail : "");
		goto out;
	}
	cella_sgx_platform_dryrun(&p);
	r = cella_sgx_load(&cella_sgx_recorder_ops, &rec, &l, ei, &p, &ld, &detail);
	if (r != CELLA_OK || rec.error) {
		fprintf(stderr, "cella-info: %s: dry run failed: %s (%s)\n", path, rec.error ? rec.error : detail,
			cella_result_str(r));
		goto out;
	}
	for (size_t i = 0; i < rec.n; i++)
		adds += rec.recs[i].kind == CELLA_SGX_REC_ADD;
	printf("image: %s\n", path);
	printf("SGX entry: %s\n", cella_sgx_image_has_entry(&img) ? "yes" : "no (built before SGX support)");
	printf("SECS: SIZE %#llx SSAFRAMESIZE %u MISCSELECT %#x ATTRIBUTES %#llx XFRM %#llx (this machine's XCR0)\n",
	       (unsigned long long)ld.secs.size, ld.secs.ssa_frame_size, ld.secs.misc_select,
	       (unsigned long long)ld.secs.attributes.flags, (unsigned long long)ld.secs.attributes.xfrm);
	printf("pages: %zu in %zu ADD_PAGES calls, %u TCS\n", l.npages, adds, ld.tcs_count);
	printf("MRENCLAVE ");
	for (int i = 0; i < 32; i++)
		printf("%02x", mr.b[i]);
	printf("\nMRSIGNER ");
	for (int i = 0; i < 32; i++)
		printf("%02x", ei->mrsigner.b[i]);
	printf("%s\n", ei->debug_signed_at_load ? " (unsigned image: debug key)" : "");
	rc = 0;
out:
	cella_sgx_recorder_fini(&rec);
	cella_layout_fini(&l);
	free(data);
	free(ei);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 1)
		return info();
	if (argc == 3 && strcmp(argv[1], "--dry-run") == 0)
		return dry_run(argv[2], true);
	if (argc == 4 && strcmp(argv[1], "--dry-run") == 0 && strcmp(argv[2], "--release") == 0)
		return dry_run(argv[3], false);
	bool help = argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
	fprintf(help ? stdout : stderr,
		"usage: cella-info               platform, devices, quote libraries, backend\n"
		"       cella-info --dry-run [--release] <image>\n"
		"                                 SGX load without hardware: SECS, ioctls, MRENCLAVE\n"
		"                                 (--release: an image signed for production)\n");
	return help ? 0 : 2;
}
