// SPDX-License-Identifier: MIT
/*
 * Backend selection and the SGX backend's error paths on a machine without SGX: a missing device, a node that
 * is not an SGX device, images without the SGX entry. sgx_backend_test <image> <scratch dir>
 */
#include <cella/host.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cella_test.h"
#include "image.h"
#include "sgx_arch.h"
#include "sgx_internal.h"

static char logbuf[8192];

static void capture(void *ctx, enum cella_log_level level, const char *msg)
{
	size_t n = strlen(logbuf);
	(void)ctx, (void)level;
	snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", msg);
}

static cella_result create(const char *image, uint32_t flags, const char *backend_env, struct cella_enclave **e)
{
	struct cella_enclave_settings s = {.size = sizeof(s), .log = capture};
	logbuf[0] = 0;
	if (backend_env)
		setenv("CELLA_BACKEND", backend_env, 1);
	else
		unsetenv("CELLA_BACKEND");
	return cella_enclave_create(image, flags, &s, e);
}

static void test_selection(const char *image)
{
	struct cella_enclave *e = NULL;

	if (access("/dev/sgx_enclave", F_OK) == 0 || access("/dev/sgx/enclave", F_OK) == 0) {
		printf("note: this machine has an SGX device, so the no-device cases cannot run here\n");
		return;
	}
	CT_RESULT(create(image, CELLA_ENCLAVE_FLAG_DEBUG, "sgx", &e), CELLA_ERR_NO_DEVICE);
	CT_ASSERT(e == NULL);
	CT_ASSERT(strstr(logbuf, "/dev/sgx_enclave") && strstr(logbuf, "/dev/sgx/enclave"));
	CT_RESULT(create(image, CELLA_ENCLAVE_FLAG_DEBUG | CELLA_ENCLAVE_FLAG_SGX, NULL, &e), CELLA_ERR_NO_DEVICE);
	CT_ASSERT(strstr(logbuf, "/dev/sgx_enclave") && strstr(logbuf, "/dev/sgx/enclave"));
	/* the flag wins over the environment, both ways */
	CT_RESULT(create(image, CELLA_ENCLAVE_FLAG_DEBUG | CELLA_ENCLAVE_FLAG_SGX, "sandbox", &e), CELLA_ERR_NO_DEVICE);
	CT_RESULT(create(image, CELLA_ENCLAVE_FLAG_DEBUG | CELLA_ENCLAVE_FLAG_SANDBOX, "sgx", &e), CELLA_OK);
	CT_ASSERT(strcmp(cella_enclave_backend(e), "sandbox") == 0);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	CT_RESULT(create(image, CELLA_ENCLAVE_FLAG_DEBUG, "tdx", &e), CELLA_ERR_INVALID_ARG);
	CT_ASSERT(strstr(logbuf, "CELLA_BACKEND=tdx"));
	CT_RESULT(create(image, CELLA_ENCLAVE_FLAG_DEBUG | CELLA_ENCLAVE_FLAG_SGX | CELLA_ENCLAVE_FLAG_SANDBOX, NULL, &e),
		  CELLA_ERR_INVALID_ARG);
	/* no device, nothing asked: the sandbox */
	CT_RESULT(create(image, CELLA_ENCLAVE_FLAG_DEBUG, NULL, &e), CELLA_OK);
	CT_ASSERT(strcmp(cella_enclave_backend(e), "sandbox") == 0);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	CT_RESULT(create(image, CELLA_ENCLAVE_FLAG_DEBUG, "sandbox", &e), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	unsetenv("CELLA_BACKEND");
	cella_test_pass("backend selection without a device");
}

static void test_device_open(const char *scratch)
{
	char a[600], b[600], why[1024];
	const char *paths[3] = {a, b, NULL};
	const char *devnull[] = {"/dev/null", NULL};
	struct cella_sgx_device d;
	struct cella_sgx_secs secs;
	uint64_t base = 0;
	FILE *f;

	snprintf(a, sizeof(a), "%s/sgx_enclave.%d", scratch, (int)getpid());
	snprintf(b, sizeof(b), "%s/sgx/enclave.%d", scratch, (int)getpid());
	CT_RESULT(cella_sgx_device_open(paths, &d, why, sizeof(why)), CELLA_ERR_NO_DEVICE);
	CT_ASSERT(strstr(why, a) && strstr(why, b));
	CT_EQ(d.fd, -1);
	f = fopen(a, "w");
	CT_ASSERT(f);
	fclose(f);
	CT_RESULT(cella_sgx_device_open(paths, &d, why, sizeof(why)), CELLA_ERR_BACKEND);
	CT_ASSERT(strstr(why, "not a character device"));
	unlink(a);
	CT_ASSERT(strcmp(cella_sgx_device_paths[0], "/dev/sgx_enclave") == 0);
	CT_ASSERT(strcmp(cella_sgx_device_paths[1], "/dev/sgx/enclave") == 0);
	CT_ASSERT(cella_sgx_device_paths[2] == NULL);

	/* A character device that is not the SGX driver: opens, then ECREATE fails cleanly (ENOTTY). */
	CT_RESULT(cella_sgx_device_open(devnull, &d, why, sizeof(why)), CELLA_OK);
	CT_RESULT(cella_sgx_device_ops.reserve(&d, 1 << 20, &base), CELLA_OK);
	CT_EQ(base % (1 << 20), 0);
	memset(&secs, 0, sizeof(secs));
	secs.size = 1 << 20;
	secs.base_addr = base;
	CT_RESULT(cella_sgx_device_ops.create(&d, &secs), CELLA_ERR_BACKEND);
	CT_RESULT(cella_sgx_device_ops.init(&d, &(struct cella_sgx_sigstruct){0}), CELLA_ERR_BACKEND);
	CT_RESULT(cella_sgx_device_ops.map(&d, 1 << 20, 4096, PROT_READ), CELLA_ERR_INVALID_ARG);
	cella_sgx_device_close(&d);
	cella_sgx_device_close(&d); /* repeat: no-op */
	CT_EQ(d.fd, -1);
	cella_test_pass("device open and ioctl errors");
}

static void test_einit_status(void)
{
	static const struct {
		int status;
		cella_result r;
	} t[] = {{0, CELLA_OK},
		 {CELLA_SGX_INVALID_SIG_STRUCT, CELLA_ERR_SIGSTRUCT},
		 {CELLA_SGX_INVALID_ATTRIBUTE, CELLA_ERR_ATTRIBUTES},
		 {CELLA_SGX_INVALID_MEASUREMENT, CELLA_ERR_MEASUREMENT},
		 {CELLA_SGX_INVALID_SIGNATURE, CELLA_ERR_SIGNATURE},
		 {CELLA_SGX_INVALID_EINITTOKEN, CELLA_ERR_BACKEND},
		 {CELLA_SGX_UNMASKED_EVENT, CELLA_ERR_BACKEND},
		 {77, CELLA_ERR_BACKEND}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *why = "unset";
		CT_RESULT(cella_sgx_einit_result(t[i].status, &why), t[i].r);
		CT_ASSERT(t[i].status == 0 ? why == NULL : why != NULL && strstr(why, "EINIT") != NULL);
	}
	{
		const char *why = NULL;
		(void)cella_sgx_einit_result(CELLA_SGX_INVALID_EINITTOKEN, &why);
		CT_ASSERT(strstr(why, "Flexible Launch Control"));
	}
	/* the ioctl's outcome: the in-tree driver says EPERM for any EINIT status (not a device permission) */
	{
		static const struct {
			int rc, err;
			cella_result r;
			const char *says;
		} u[] = {{0, 0, CELLA_OK, NULL},
			 {CELLA_SGX_INVALID_SIGNATURE, 0, CELLA_ERR_SIGNATURE, "SGX_INVALID_SIGNATURE"},
			 {-1, EPERM, CELLA_ERR_BACKEND, "launch control"},
			 {-1, EACCES, CELLA_ERR_ATTRIBUTES, "PROVISIONKEY"}, /* SECS 0x16: PROVISIONKEY not granted */
			 {-1, EINVAL, CELLA_ERR_SIGSTRUCT, "vendor"},
			 {-1, EIO, CELLA_ERR_ENCLAVE_LOST, "power transition"},
			 {-1, ENOMEM, CELLA_ERR_BACKEND, "SGX_IOC_ENCLAVE_INIT"}};
		for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
			const char *why = "unset";
			char buf[320];
			CT_RESULT(cella_sgx_einit_ioctl_result(u[i].rc, u[i].err, 0x16, buf, sizeof(buf), &why), u[i].r);
			if (u[i].says ? !why || !strstr(why, u[i].says) : why != NULL)
				cella_test_fail(__FILE__, __LINE__, "case %zu: %s", i, why ? why : "(none)");
		}
	}
	/* EACCES names the SECS attributes the driver refused (what sgx_encl_init compares with its mask) */
	{
		static const struct {
			uint64_t secs;
			const char *says;
		} a[] = {
			{0x26, "does not allow SECS ATTRIBUTES 0x20 (EINITTOKENKEY (bit 5))"},
			{0x406, "does not allow SECS ATTRIBUTES 0x400 (AEX-Notify (bit 10))"},
			{0x800000000000c26ull, "0x800000000000c20 (EINITTOKENKEY (bit 5), AEX-Notify (bit 10), bit 11, bit 59)"},
			{0x96, "refused an attribute it has not allowed (SECS ATTRIBUTES 0x96; PROVISIONKEY needs"},
		};
		for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
			char buf[320];
			const char *why = NULL;
			CT_RESULT(cella_sgx_einit_ioctl_result(-1, EACCES, a[i].secs, buf, sizeof(buf), &why),
				  CELLA_ERR_ATTRIBUTES);
			if (why != buf || !strstr(why, a[i].says))
				cella_test_fail(__FILE__, __LINE__, "case %zu: %s", i, why ? why : "(none)");
		}
		/* a short buffer is cut, never overrun; no buffer: a fixed phrase */
		char small[24];
		const char *why = NULL;
		memset(small, 'x', sizeof(small));
		CT_RESULT(cella_sgx_einit_ioctl_result(-1, EACCES, 0x26, small, 16, &why), CELLA_ERR_ATTRIBUTES);
		CT_ASSERT(why == small && strlen(small) == 15 && small[16] == 'x');
		CT_RESULT(cella_sgx_einit_ioctl_result(-1, EACCES, 0x26, NULL, 0, &why), CELLA_ERR_ATTRIBUTES);
		CT_ASSERT(why && strstr(why, "has not allowed"));
	}
	cella_test_pass("EINIT status codes, and the ioctl's errno from the in-tree driver");
}

static void test_entry_check(const char *image)
{
	static const uint8_t sig[] = {0x48, 0x85, 0xc9, 0x75, 0x05, 0xe9, 0, 0, 0, 0};
	uint8_t *data = NULL;
	size_t size = 0;
	struct cella_image img;
	uint64_t foff = 0;
	bool found = false;

	CT_RESULT(cella_image_read_file(image, &data, &size), CELLA_OK);
	CT_RESULT(cella_image_parse(data, size, &img), CELLA_OK);
	printf("%s: %s the SGX entry\n", image, cella_sgx_image_has_entry(&img) ? "has" : "lacks");
	for (size_t i = 0; i < img.nsegments; i++)
		if (img.entry_rva >= img.segments[i].vaddr && img.entry_rva < img.segments[i].vaddr + img.segments[i].filesz) {
			foff = img.segments[i].offset + (img.entry_rva - img.segments[i].vaddr);
			found = true;
		}
	CT_ASSERT(found && foff + sizeof(sig) <= size);
	memcpy(data + foff, sig, sizeof(sig));
	CT_ASSERT(cella_sgx_image_has_entry(&img)); /* img.data points at data */
	data[foff + 3] = 0x74;                      /* je instead of jne: not ours */
	CT_ASSERT(!cella_sgx_image_has_entry(&img));
	memset(data + foff, 0x90, sizeof(sig));
	CT_ASSERT(!cella_sgx_image_has_entry(&img));
	free(data);
	cella_test_pass("two-world entry detection");
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	test_selection(argv[1]);
	test_device_open(argv[2]);
	test_einit_status();
	test_entry_check(argv[1]);
	return 0;
}
