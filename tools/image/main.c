// SPDX-License-Identifier: MIT
/*
 * cella-image: packs a Cella application (host program, signed enclave, the sandbox monitor and the shared
 * libraries they load) into an OCI image layout, without a container daemon, and writes the Kubernetes manifests
 * that run it. See docs/deploy.md.
 */
#include "image_oci.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cella-image build --host PROGRAM --enclave SIGNED -o DIR [--tag TAG] [--arg ARG]...\n"
		"                         [--env NAME=VALUE]... [--add FILE:PATH]... [--port N] [--monitor PATH]\n"
		"                         [--allow-debug]\n"
		"       cella-image k8s --image REF --enclave SIGNED [--name NAME] [--port N] [--replicas N]\n"
		"                       [--quote-provider aesmd|inproc] [--no-webhook] [--software] [--allow-debug]\n"
		"build writes (or adds TAG, default \"latest\", to) the OCI image layout DIR: one layer with the\n"
		"host at /app/, the enclave next to it, the monitor, and every shared library the two programs load;\n"
		"the entrypoint runs the host on the enclave, then the ARGs. The same inputs give the same image\n"
		"digest (file times are SOURCE_DATE_EPOCH, else 0). It refuses an enclave that is not signed, whose\n"
		"signature does not verify, or (without --allow-debug) that is a debug enclave.\n"
		"k8s prints a Deployment (and a Service with --port) for the image: sgx.intel.com/epc sized from\n"
		"the enclave, or (--software) no SGX resources, the sandbox backend.\n"
		"Exit status: 0 done, 1 refused (the enclave, a file, the layout), 2 usage.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "build"))
		return cella_image_cmd_build(argc - 1, argv + 1);
	if (!strcmp(argv[1], "k8s"))
		return cella_image_cmd_k8s(argc - 1, argv + 1);
	fprintf(stderr, "cella-image: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
