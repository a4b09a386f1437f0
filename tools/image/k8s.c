// SPDX-License-Identifier: MIT
/*
 * cella-image k8s: a Deployment (and a Service) for an image cella-image built, with the SGX resources Intel's
 * device plugin serves (../shared/reference/deploy.md §1.5): sgx.intel.com/epc sized from the enclave; the
 * admission webhook then adds sgx.intel.com/enclave (and provision for an in-process quote provider), or, with
 * --no-webhook, the manifest asks for them itself. --software asks for none: the host then runs the enclave on
 * the sandbox backend, with the same MRENCLAVE.
 */
#include "image_oci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* A DNS-1123 label, as Kubernetes names Deployments, Services and containers. */
static bool dns_label(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= '0' && s[i] <= '9') && s[i] != '-')
			return false;
	return true;
}

/* An image reference as a container spec takes it: printable, no spaces or quotes. */
static bool image_ref_ok(const char *s)
{
	if (!*s || strlen(s) > 4096)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '"' || *s == '\'' || *s == '\\' || *s == '#')
			return false;
	return true;
}

/* "registry/path/name:tag@digest" → "name", if that is a DNS-1123 label. */
static bool name_from_ref(const char *ref, char *out, size_t n)
{
	const char *s = strrchr(ref, '/');
	size_t k;
	s = s ? s + 1 : ref;
	k = strcspn(s, ":@");
	if (k == 0 || k >= n)
		return false;
	memcpy(out, s, k);
	out[k] = 0;
	return dns_label(out);
}

int cella_image_cmd_k8s(int argc, char **argv)
{
	const char *image = NULL, *enclave = NULL, *name = NULL, *qp = NULL;
	long long port = 0, replicas = 1;
	bool webhook = true, software = false, allow_debug = false;
	struct enclave_info ei;
	char derived[64], mre[65], mrs[65], epc[32];

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(o, "--no-webhook")) {
			webhook = false;
			continue;
		}
		if (!strcmp(o, "--software")) {
			software = true;
			continue;
		}
		if (!strcmp(o, "--allow-debug")) {
			allow_debug = true;
			continue;
		}
		if (!v) {
			fprintf(stderr, PROG " k8s: %s needs a value\n", o);
			return 2;
		}
		i++;
		if (!strcmp(o, "--image"))
			image = v;
		else if (!strcmp(o, "--enclave"))
			enclave = v;
		else if (!strcmp(o, "--name"))
			name = v;
		else if (!strcmp(o, "--quote-provider"))
			qp = v;
		else if (!strcmp(o, "--port"))
			port = cella_cli_int(PROG, "--port", v, 1, 65535);
		else if (!strcmp(o, "--replicas"))
			replicas = cella_cli_int(PROG, "--replicas", v, 0, 1000);
		else {
			fprintf(stderr, PROG " k8s: unknown option %s\n", o);
			return 2;
		}
	}
	if (!image || !enclave) {
		fprintf(stderr, PROG " k8s: --image and --enclave are required\n");
		return 2;
	}
	if (!image_ref_ok(image)) {
		fprintf(stderr, PROG " k8s: --image %s: not an image reference\n", image);
		return 2;
	}
	if (!name) {
		if (!name_from_ref(image, derived, sizeof(derived))) {
			fprintf(stderr, PROG " k8s: the image's name is not a Kubernetes name (lowercase letters, "
					"digits and '-', at most 63); give one with --name\n");
			return 2;
		}
		name = derived;
	} else if (!dns_label(name)) {
		fprintf(stderr, PROG " k8s: --name %s: a Kubernetes name is 1 to 63 of [a-z0-9-], not starting or "
				"ending with '-'\n", name);
		return 2;
	}
	if (qp && strcmp(qp, "aesmd") != 0 && strcmp(qp, "inproc") != 0) {
		fprintf(stderr,
			PROG " k8s: --quote-provider %s: aesmd (the node's aesmd) or inproc (in the container)\n", qp);
		return 2;
	}
	if (software && (qp || !webhook)) {
		fprintf(stderr, PROG " k8s: --software asks for no SGX resources: --quote-provider and --no-webhook do "
				"not apply\n");
		return 2;
	}
	if (cella_image_enclave_info(enclave, allow_debug, &ei))
		return 1;
	cella_image_hex(ei.mrenclave, 32, mre);
	cella_image_hex(ei.mrsigner, 32, mrs);
	/* EPC: the whole ELRANGE is committed at load (SGX1), rounded up to MiB */
	snprintf(epc, sizeof(epc), "%lluMi", (unsigned long long)((ei.enclave_size + (1u << 20) - 1) >> 20));

	printf("# cella-image k8s: %s on %s\n", image, software ? "the sandbox backend (no SGX)" : "SGX nodes");
	printf("# enclave %s: MRENCLAVE %s, MRSIGNER %s, ISVPRODID %u, ISVSVN %u%s\n", enclave, mre, mrs,
	       ei.isv_prod_id, ei.isv_svn, ei.debug ? ", DEBUG" : "");
	printf("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  labels:\n"
	       "    app.kubernetes.io/name: %s\n    app.kubernetes.io/managed-by: cella-image\n",
	       name, name);
	printf("spec:\n  replicas: %lld\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: %s\n", replicas,
	       name);
	printf("  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: %s\n      annotations:\n"
	       "        cella.dev/mrenclave: \"%s\"\n        cella.dev/mrsigner: \"%s\"\n"
	       "        cella.dev/backend: %s\n",
	       name, mre, mrs, software ? "sandbox" : "sgx");
	if (qp && webhook) /* the webhook: provision for the container of that name, or the aesmd mount and env */
		printf("        sgx.intel.com/quote-provider: %s\n", !strcmp(qp, "aesmd") ? "aesmd" : name);
	printf("    spec:\n      containers:\n      - name: %s\n        image: \"%s\"\n", name, image);
	if (port)
		printf("        ports:\n        - containerPort: %lld\n          protocol: TCP\n", port);
	if (qp && !strcmp(qp, "aesmd") && !webhook)
		printf("        env:\n        - name: SGX_AESM_ADDR\n          value: \"1\"\n"
		       "        volumeMounts:\n        - name: aesmd\n          mountPath: /var/run/aesmd\n");
	if (!software) {
		for (int k = 0; k < 2; k++) {
			printf("%s", k == 0 ? "        resources:\n          limits:\n" : "          requests:\n");
			printf("            sgx.intel.com/epc: \"%s\"\n", epc);
			if (!webhook)
				printf("            sgx.intel.com/enclave: 1\n");
			if (!webhook && qp && !strcmp(qp, "inproc"))
				printf("            sgx.intel.com/provision: 1\n");
		}
	}
	if (qp && !strcmp(qp, "aesmd") && !webhook)
		printf("      volumes:\n      - name: aesmd\n        hostPath:\n          path: /var/run/aesmd\n"
		       "          type: DirectoryOrCreate\n");
	if (port)
		printf("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  labels:\n"
		       "    app.kubernetes.io/name: %s\n    app.kubernetes.io/managed-by: cella-image\n"
		       "spec:\n  selector:\n    app.kubernetes.io/name: %s\n  ports:\n  - port: %lld\n"
		       "    targetPort: %lld\n    protocol: TCP\n",
		       name, name, name, port, port);
	return 0;
}
