// SPDX-License-Identifier: MIT
/*
 * The sandbox's software platform state (src/host/monitor/platform.c): created on first use, refused when the
 * directory or the secret could be someone else's (another owner, writable by others, readable by others, a
 * symbolic link).
 *   platform_test WORKDIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cella_test.h"
#include "platform.h"

static char dir[4000], secret[4100];

static cella_result open_it(char *why, size_t n)
{
	struct cella_platform *p = NULL;
	cella_result r = cella_platform_open(dir, &p, why, n);
	CT_ASSERT((r == CELLA_OK) == (p != NULL));
	cella_platform_close(p);
	return r;
}

/* The file at path replaced by a symbolic link to it (right owner and mode): refused; then restored. */
static void link_refused(const char *path)
{
	char real[4300], why[512];
	snprintf(real, sizeof(real), "%s.real", path);
	CT_EQ(rename(path, real), 0);
	CT_EQ(symlink(real, path), 0);
	CT_RESULT(open_it(why, sizeof(why)), CELLA_ERR_PERMISSION);
	CT_EQ(unlink(path), 0);
	CT_EQ(rename(real, path), 0);
	CT_RESULT(open_it(why, sizeof(why)), CELLA_OK);
}

int main(int argc, char **argv)
{
	char why[512];
	if (argc != 2)
		return 2;
	snprintf(dir, sizeof(dir), "%s/platform-perms", argv[1]);
	snprintf(secret, sizeof(secret), "%s/platform.secret", dir);
	{
		char cmd[4200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CT_EQ(system(cmd), 0);
	}
	CT_RESULT(open_it(why, sizeof(why)), CELLA_OK); /* created */
	CT_RESULT(open_it(why, sizeof(why)), CELLA_OK); /* and opened again */

	CT_EQ(chmod(dir, 0777), 0);
	CT_RESULT(open_it(why, sizeof(why)), CELLA_ERR_PERMISSION);
	CT_ASSERT(strstr(why, "no one else can write") != NULL);
	CT_EQ(chmod(dir, 0755), 0); /* readable by others is fine: the secret itself is not */
	CT_RESULT(open_it(why, sizeof(why)), CELLA_OK);

	CT_EQ(chmod(secret, 0644), 0);
	CT_RESULT(open_it(why, sizeof(why)), CELLA_ERR_PERMISSION);
	CT_ASSERT(strstr(why, "chmod 600") != NULL);
	CT_EQ(chmod(secret, 0600), 0);
	CT_RESULT(open_it(why, sizeof(why)), CELLA_OK);

	/* the keys that sign evidence: readable by others, a symbolic link, not ours (below) */
	for (int i = 0; i < 2; i++) {
		char key[4200];
		snprintf(key, sizeof(key), "%s/%s", dir, i ? "attest.key" : "pck.key");
		CT_EQ(chmod(key, 0640), 0);
		CT_RESULT(open_it(why, sizeof(why)), CELLA_ERR_PERMISSION);
		CT_ASSERT(strstr(why, "attest.key") != NULL && strstr(why, "chmod 600") != NULL);
		CT_EQ(chmod(key, 0600), 0);
		link_refused(key);
	}

	link_refused(secret); /* a symbolic link in the secret's place */
	if (geteuid() == 0) { /* another owner: root can make one */
		CT_EQ(chown(dir, 65534, 65534), 0);
		CT_RESULT(open_it(why, sizeof(why)), CELLA_ERR_PERMISSION);
		CT_EQ(chown(dir, 0, 0), 0);
		CT_EQ(chown(secret, 65534, 65534), 0);
		CT_RESULT(open_it(why, sizeof(why)), CELLA_ERR_PERMISSION);
		CT_EQ(chown(secret, 0, 0), 0);
		for (int i = 0; i < 2; i++) {
			char key[4200];
			snprintf(key, sizeof(key), "%s/%s", dir, i ? "attest.key" : "pck.key");
			CT_EQ(chown(key, 65534, 65534), 0);
			CT_RESULT(open_it(why, sizeof(why)), CELLA_ERR_PERMISSION);
			CT_EQ(chown(key, 0, 0), 0);
		}
		CT_RESULT(open_it(why, sizeof(why)), CELLA_OK);
	}
	cella_test_pass("platform state: created once, refused when its directory is writable by others or not ours, "
			"or its secret or evidence-signing keys are readable by others, not ours or symbolic links");
	return 0;
}
