// SPDX-License-Identifier: MIT
/* The ioctl layer on the real driver: /dev/sgx_enclave (in-tree, Linux >= 5.11), else /dev/sgx/enclave. */
#include "sgx_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sgx_arch.h"

const char *const cella_sgx_device_paths[] = {"/dev/sgx_enclave", "/dev/sgx/enclave", NULL};
const char *const cella_sgx_provision_paths[] = {"/dev/sgx_provision", "/dev/sgx/provision", NULL};

/* see sgx_internal.h */
cella_result cella_sgx_device_open(const char *const *paths, struct cella_sgx_device *d, char *why, size_t n)
{
	size_t used = 0;
	cella_result r = CELLA_ERR_NO_DEVICE;

	memset(d, 0, sizeof(*d));
	d->fd = d->provision_fd = -1;
	if (n)
		why[0] = 0;
	for (const char *const *p = paths; *p; p++) {
		struct stat st;
		int fd, k;
		if (stat(*p, &st) != 0) {
			k = snprintf(why + used, n > used ? n - used : 0, "%s%s: %s", used ? "; " : "", *p, strerror(errno));
		} else if (!S_ISCHR(st.st_mode)) {
			k = snprintf(why + used, n > used ? n - used : 0, "%s%s: not a character device", used ? "; " : "", *p);
			r = CELLA_ERR_BACKEND;
		} else if ((fd = open(*p, O_RDWR | O_CLOEXEC)) < 0) {
			int e = errno;
			k = snprintf(why + used, n > used ? n - used : 0, "%s%s: %s%s", used ? "; " : "", *p, strerror(e),
				     e == EACCES || e == EPERM ? " (add the user to the device's group, or in Kubernetes "
								 "request sgx.intel.com/enclave)" : "");
			r = e == EACCES || e == EPERM ? CELLA_ERR_PERMISSION : CELLA_ERR_BACKEND;
		} else {
			d->fd = fd;
			snprintf(d->path, sizeof(d->path), "%s", *p);
			return CELLA_OK;
		}
		if (k > 0)
			used = (size_t)k + used < n ? used + (size_t)k : (n ? n - 1 : 0);
	}
	return r;
}

/* see sgx_internal.h */
void cella_sgx_device_close(struct cella_sgx_device *d)
{
	if (!d)
		return;
	if (d->base)
		munmap(d->base, d->size);
	if (d->fd >= 0)
		close(d->fd);
	if (d->provision_fd >= 0)
		close(d->provision_fd);
	memset(d, 0, sizeof(*d));
	d->fd = d->provision_fd = -1;
}

static cella_result dev_reserve(void *ctx, uint64_t size, uint64_t *base)
{
	struct cella_sgx_device *d = ctx;
	uint8_t *p, *b;
	if (size == 0 || (size & (size - 1)) || size > (1ull << 46))
		return CELLA_ERR_INVALID_ARG;
	/* Twice the size, then trim to a naturally aligned window: SECS.BASEADDR must be a multiple of SIZE. */
	p = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return CELLA_ERR_OUT_OF_MEMORY;
	b = (uint8_t *)(((uintptr_t)p + size - 1) & ~(uintptr_t)(size - 1));
	if (b > p)
		munmap(p, (size_t)(b - p));
	if (b + size < p + 2 * size)
		munmap(b + size, (size_t)(p + 2 * size - (b + size)));
	d->base = b;
	d->size = size;
	*base = (uint64_t)(uintptr_t)b;
	return CELLA_OK;
}

static cella_result dev_create(void *ctx, const struct cella_sgx_secs *secs)
{
	struct cella_sgx_device *d = ctx;
	struct cella_sgx_enclave_create c = {.src = (uint64_t)(uintptr_t)secs};
	if (ioctl(d->fd, CELLA_SGX_IOC_ENCLAVE_CREATE, &c) != 0)
		return errno == ENOMEM ? CELLA_ERR_OUT_OF_MEMORY : CELLA_ERR_BACKEND;
	d->secs_flags = secs->attributes.flags; /* to name what EINIT's EACCES refused */
	return CELLA_OK;
}

static cella_result dev_add(void *ctx, uint64_t offset, const uint8_t *src, uint64_t length,
			    const struct cella_sgx_secinfo *si, uint64_t flags)
{
	struct cella_sgx_device *d = ctx;
	struct cella_sgx_secinfo secinfo __attribute__((aligned(64))) = *si;
	uint64_t done = 0;
	/* The driver may stop early (pending signal, rescheduling): continue from what it reports. */
	while (done < length) {
		struct cella_sgx_enclave_add_pages a = {
			.src = (uint64_t)(uintptr_t)(src + done),
			.offset = offset + done,
			.length = length - done,
			.secinfo = (uint64_t)(uintptr_t)&secinfo,
			.flags = flags,
			.count = 0,
		};
		int rc = ioctl(d->fd, CELLA_SGX_IOC_ENCLAVE_ADD_PAGES, &a);
		if (a.count > length - done || a.count % CELLA_PAGE_BYTES)
			return CELLA_ERR_BACKEND;
		done += a.count;
		if (rc != 0 && errno != EINTR && errno != EAGAIN)
			return errno == ENOMEM || errno == EBUSY ? CELLA_ERR_OUT_OF_MEMORY : CELLA_ERR_BACKEND;
	}
	return CELLA_OK;
}

/* see sgx_internal.h */
cella_result cella_sgx_open_any(const char *const *paths, int *fd)
{
	bool refused = false; /* a path that exists but we may not open: PERMISSION, whatever the later paths say */
	for (const char *const *path = paths; *path; path++) {
		*fd = open(*path, O_RDONLY | O_CLOEXEC);
		if (*fd >= 0)
			return CELLA_OK;
		if (errno != ENOENT)
			refused = true;
	}
	return refused ? CELLA_ERR_PERMISSION : CELLA_ERR_NO_DEVICE;
}

static cella_result dev_provision(void *ctx)
{
	struct cella_sgx_device *d = ctx;
	struct cella_sgx_enclave_provision p;
	cella_result r = d->provision_fd >= 0 ? CELLA_OK : cella_sgx_open_any(cella_sgx_provision_paths, &d->provision_fd);
	if (r != CELLA_OK)
		return r;
	p.fd = (uint64_t)d->provision_fd;
	return ioctl(d->fd, CELLA_SGX_IOC_ENCLAVE_PROVISION, &p) == 0 ? CELLA_OK : CELLA_ERR_PERMISSION;
}

/* see sgx_internal.h */
cella_result cella_sgx_einit_result(int status, const char **detail)
{
	const char *why;
	cella_result r;
	switch (status) {
	case 0:
		why = NULL;
		r = CELLA_OK;
		break;
	case CELLA_SGX_INVALID_SIG_STRUCT:
		why = "EINIT: SIGSTRUCT malformed (SGX_INVALID_SIG_STRUCT)";
		r = CELLA_ERR_SIGSTRUCT;
		break;
	case CELLA_SGX_INVALID_ATTRIBUTE:
		why = "EINIT: SECS attributes do not match SIGSTRUCT (SGX_INVALID_ATTRIBUTE)";
		r = CELLA_ERR_ATTRIBUTES;
		break;
	case CELLA_SGX_INVALID_MEASUREMENT:
		why = "EINIT: MRENCLAVE differs from SIGSTRUCT.ENCLAVEHASH (SGX_INVALID_MEASUREMENT)";
		r = CELLA_ERR_MEASUREMENT;
		break;
	case CELLA_SGX_INVALID_SIGNATURE:
		why = "EINIT: SIGSTRUCT signature does not verify (SGX_INVALID_SIGNATURE)";
		r = CELLA_ERR_SIGNATURE;
		break;
	case CELLA_SGX_INVALID_EINITTOKEN:
		why = "EINIT: launch control refused the signer (SGX_INVALID_EINITTOKEN; needs Flexible Launch "
		      "Control, CPUID.(7,0):ECX[30], enabled in the BIOS)";
		r = CELLA_ERR_BACKEND;
		break;
	case CELLA_SGX_UNMASKED_EVENT:
		why = "EINIT: interrupted (SGX_UNMASKED_EVENT)";
		r = CELLA_ERR_BACKEND;
		break;
	default:
		why = "EINIT failed with an SGX status this loader does not know";
		r = CELLA_ERR_BACKEND;
		break;
	}
	if (detail)
		*detail = why;
	return r;
}

/* Appends to buf[0..n) at *used (printf-style), keeping it NUL-terminated and *used at most n - 1. */
static void append(char *buf, size_t n, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t n, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int k;
	if (*used + 1 >= n)
		return;
	va_start(ap, fmt);
	k = vsnprintf(buf + *used, n - *used, fmt, ap);
	va_end(ap);
	if (k > 0)
		*used = (size_t)k < n - *used ? *used + (size_t)k : n - 1;
}

/* see sgx_internal.h */
void cella_sgx_eacces_why(uint64_t secs_flags, char *buf, size_t n)
{
	static const char *const names[64] = {[0] = "INIT", [5] = "EINITTOKENKEY", [6] = "CET", [10] = "AEX-Notify"};
	uint64_t refused = secs_flags & ~CELLA_SGX_DRIVER_ATTRIBUTES;
	size_t used = 0;

	if (n == 0)
		return;
	buf[0] = 0;
	if (refused == 0) {
		append(buf, n, &used,
		       "EINIT: the driver refused an attribute it has not allowed (SECS ATTRIBUTES 0x%llx; PROVISIONKEY "
		       "needs SGX_IOC_ENCLAVE_PROVISION with /dev/sgx_provision)",
		       (unsigned long long)secs_flags);
		return;
	}
	append(buf, n, &used, "EINIT: the driver does not allow SECS ATTRIBUTES 0x%llx (", (unsigned long long)refused);
	for (unsigned bit = 0, first = 1; bit < 64; bit++) {
		if (!(refused >> bit & 1))
			continue;
		if (names[bit])
			append(buf, n, &used, "%s%s (bit %u)", first ? "" : ", ", names[bit], bit);
		else
			append(buf, n, &used, "%sbit %u", first ? "" : ", ", bit);
		first = 0;
	}
	append(buf, n, &used,
	       "): it grants an enclave DEBUG, MODE64BIT, KSS (AEX-Notify too since Linux 6.2) and, after "
	       "SGX_IOC_ENCLAVE_PROVISION with /dev/sgx_provision, PROVISIONKEY");
}

/* see sgx_internal.h */
cella_result cella_sgx_einit_ioctl_result(int rc, int err, uint64_t secs_flags, char *buf, size_t n,
					  const char **detail)
{
	const char *why;
	cella_result r;
	if (rc >= 0) /* 0, or the legacy driver's ENCLS[EINIT] status */
		return cella_sgx_einit_result(rc, detail);
	/* the in-tree driver (arch/x86/kernel/cpu/sgx/ioctl.c) turns every EINIT status into EPERM */
	switch (err) {
	case EPERM:
		why = "EINIT refused by the CPU (the driver says EPERM; it logs the SGX status only with dynamic debug "
		      "on for arch/x86/kernel/cpu/sgx/ioctl.c). The image passed Cella's own copy of every other EINIT "
		      "check (SIGSTRUCT fields and signature, ISVFAMILYID only with KSS, measurement, attributes and "
		      "MISCSELECT), so launch control is the likely cause: Flexible Launch Control "
		      "(CPUID.(7,0):ECX[30]) disabled in the BIOS, or its key hash locked to another signer";
		r = CELLA_ERR_BACKEND;
		break;
	case EACCES: /* sgx_encl_init: SECS attributes outside what the driver allowed this enclave */
		if (buf && n > 0) {
			cella_sgx_eacces_why(secs_flags, buf, n);
			why = buf;
		} else {
			why = "EINIT: the enclave asks for an attribute the driver has not allowed";
		}
		r = CELLA_ERR_ATTRIBUTES;
		break;
	case EINVAL:
		why = "EINIT: the driver refused the SIGSTRUCT (a vendor other than 0 or 0x8086, or reserved "
		      "ATTRIBUTES, MISCSELECT or XFRM bits required)";
		r = CELLA_ERR_SIGSTRUCT;
		break;
	case EIO:
		why = "EINIT: the enclave's EPC pages were lost (a power transition)";
		r = CELLA_ERR_ENCLAVE_LOST;
		break;
	default:
		why = "EINIT (SGX_IOC_ENCLAVE_INIT) failed";
		r = CELLA_ERR_BACKEND;
		break;
	}
	if (detail)
		*detail = why;
	return r;
}

static cella_result dev_init(void *ctx, const struct cella_sgx_sigstruct *sig)
{
	struct cella_sgx_device *d = ctx;
	struct cella_sgx_enclave_init in = {.sigstruct = (uint64_t)(uintptr_t)sig};
	int rc = -1;
	/* the in-tree driver retries SGX_UNMASKED_EVENT itself; the legacy one returns it */
	for (int tries = 0; tries < 8; tries++) {
		rc = ioctl(d->fd, CELLA_SGX_IOC_ENCLAVE_INIT, &in);
		if (!(rc < 0 && errno == EINTR) && rc != (int)CELLA_SGX_UNMASKED_EVENT)
			break;
	}
	return cella_sgx_einit_ioctl_result(rc, rc < 0 ? errno : 0, d->secs_flags, d->einit_why, sizeof(d->einit_why),
					    &d->einit_detail);
}

static cella_result dev_map(void *ctx, uint64_t offset, uint64_t length, int prot)
{
	struct cella_sgx_device *d = ctx;
	void *p;
	if (!d->base || offset > d->size || length > d->size - offset)
		return CELLA_ERR_INVALID_ARG;
	/* The enclave fd's pages are found by address; the file offset is ignored. */
	p = mmap(d->base + offset, (size_t)length, prot, MAP_SHARED | MAP_FIXED, d->fd, 0);
	return p == MAP_FAILED ? CELLA_ERR_BACKEND : CELLA_OK;
}

const struct cella_sgx_ops cella_sgx_device_ops = {
	.name = "device",
	.reserve = dev_reserve,
	.create = dev_create,
	.add_pages = dev_add,
	.provision = dev_provision,
	.init = dev_init,
	.map = dev_map,
};
