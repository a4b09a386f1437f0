/* SPDX-License-Identifier: MIT */
/* The sandbox's software platform: root secret, EREPORT/EGETKEY semantics, the software quoting component. */
#ifndef CELLA_MONITOR_PLATFORM_H
#define CELLA_MONITOR_PLATFORM_H

#include <cella/abi/report.h>
#include <cella/result.h>
#include <cella/types.h>

/* The identity EREPORT attests and EGETKEY derives from: what EINIT established for the calling enclave. */
struct cella_identity {
	uint8_t mr_enclave[32];
	uint8_t mr_signer[32];
	struct cella_sgx_attributes attributes;
	uint32_t misc_select;
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint16_t config_svn;
	uint8_t config_id[64];
	uint8_t isv_family_id[16];
	uint8_t isv_ext_prod_id[16];
};

struct cella_platform;

/*
 * Opens the platform state in `dir` (CELLA_PLATFORM_DIR; else /var/lib/cella/platform for root, else
 * $HOME/.local/state/cella/platform; both variables ignored under AT_SECURE, where the home directory is the
 * password database's), creating it on first use: a 32-byte root secret (mode 0600) and a
 * software CA hierarchy (root CA -> platform CA -> PCK certificate, P-256) plus the attestation key.
 * Concurrent first uses are serialised with a lock file. `why` (n bytes) explains a failure.
 * CELLA_ERR_PERMISSION if the state could be someone else's: the directory is a symbolic link, is not ours or is
 * writable by others; a directory on the way to it (as the path is written, and as it really lies up to /) is
 * not root's or ours, or is writable by others and not sticky; a symbolic link on the way is not root's or ours;
 * the secret or a key is not a regular file of ours that only we can read. Files are opened relative to the
 * directory, never through a link.
 */
CELLA_MUST_USE cella_result cella_platform_open(const char *dir, struct cella_platform **out, char *why, size_t n);
void cella_platform_close(struct cella_platform *p);
/* The directory cella_platform_open() uses when given NULL (buf of n bytes). */
void cella_platform_default_dir(char *buf, size_t n);

/* The sandbox's CPUSVN (what EREPORT reports and EGETKEY accepts up to). */
void cella_platform_cpu_svn(uint8_t out[16]);

/* EREPORT for `id`: target NULL = the caller itself. */
CELLA_MUST_USE cella_result cella_platform_report(struct cella_platform *p, const struct cella_identity *id,
						  const struct cella_target_info *target, const uint8_t report_data[64],
						  struct cella_report *out);
/* EGETKEY for `id`. */
CELLA_MUST_USE cella_result cella_platform_getkey(struct cella_platform *p, const struct cella_identity *id,
						  const struct cella_key_request *req, uint8_t key[16]);
/* A DCAP ECDSA quote v3 for `id` with report_data; *quote is malloc'd (caller frees). */
CELLA_MUST_USE cella_result cella_platform_quote(struct cella_platform *p, const struct cella_identity *id,
						 const uint8_t report_data[64], uint8_t **quote, size_t *len);

#endif
