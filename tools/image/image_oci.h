/* SPDX-License-Identifier: MIT */
/* cella-image's parts: what it reads of a signed enclave, and its two commands. */
#ifndef CELLA_IMAGE_OCI_H
#define CELLA_IMAGE_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROG "cella-image"

/* What the image labels and the manifests say of the enclave, from its SIGSTRUCT and layout. */
struct enclave_info {
	uint8_t mrenclave[32];
	uint8_t mrsigner[32];
	uint16_t isv_prod_id, isv_svn;
	bool debug;
	uint64_t enclave_size; /* bytes of ELRANGE: the EPC the enclave takes */
};

/*
 * Reads the enclave image at path and checks that it is signed, that the signature verifies and that the
 * SIGSTRUCT's ENCLAVEHASH is the image's MRENCLAVE; a debug enclave only with allow_debug. 0, or 1 after saying
 * why on stderr.
 */
int cella_image_enclave_info(const char *path, bool allow_debug, struct enclave_info *out);

/* Lowercase hex of n bytes into out[2n + 1]. */
void cella_image_hex(const uint8_t *p, size_t n, char *out);

/* The commands: argv[0] is the command's name; exit status. */
int cella_image_cmd_build(int argc, char **argv);
int cella_image_cmd_k8s(int argc, char **argv);

#endif
