// SPDX-License-Identifier: MIT
/*
 * The sandbox's software platform state (src/host/monitor/platform.c): created on first use, refused when the
 * directory or the secret could be someone else's (another owner, writable by others, readable by others, a
 * symbolic link).
 *   platform_test WORKDIR
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cella/abi/properties.h>

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

/* Root's group has no member and is no other account's primary group (so group write on it is root's alone). */
static bool root_group_private(void)
{
	struct group *gr = getgrgid(0);
	struct passwd *pw;
	bool private = gr && !gr->gr_mem[0];
	setpwent();
	while (private && (pw = getpwent()))
		private = pw->pw_gid != 0 || pw->pw_uid == 0;
	endpwent();
	if (!private)
		printf("note: root's group is shared here; its group-write case is not checked\n");
	return private;
}

static cella_result open_path(const char *path, char *why, size_t n)
{
	struct cella_platform *p = NULL;
	cella_result r = cella_platform_open(path, &p, why, n);
	CT_ASSERT((r == CELLA_OK) == (p != NULL));
	cella_platform_close(p);
	return r;
}

/* Refused with CELLA_ERR_PERMISSION, and the reason names `named`. */
static void path_refused(const char *path, const char *named, const char *reason)
{
	char why[1024] = "";
	CT_RESULT(open_path(path, why, sizeof(why)), CELLA_ERR_PERMISSION);
	if (!strstr(why, named) || !strstr(why, reason))
		cella_test_fail(__FILE__, __LINE__, "the reason should name %s and say '%s': %s", named, reason, why);
}

/*
 * The way to the platform directory: every directory on it must be root's or ours and not writable by others
 * unless sticky (or whoever can write it can put another directory, or a link, in the platform's place), a
 * symbolic link on it must be root's or ours, and the platform directory itself must not be a link. The old check
 * stat()ed the directory alone, through links: a link another user owns, to a directory of ours, was accepted,
 * and so was a directory under one that everyone can write.
 */
static void path_rules(const char *work)
{
	char base[4000], a[4100], b[4100], c[4100], why[1024];
	snprintf(base, sizeof(base), "%s/platform-paths", work);
	snprintf(a, sizeof(a), "rm -rf '%s'", base);
	CT_EQ(system(a), 0);
	CT_EQ(mkdir(base, 0755), 0);

	/* the directory itself a symbolic link (to a good platform directory) */
	snprintf(a, sizeof(a), "%s/real", base);
	snprintf(b, sizeof(b), "%s/link", base);
	CT_RESULT(open_path(a, why, sizeof(why)), CELLA_OK);
	CT_EQ(symlink(a, b), 0);
	path_refused(b, b, "symbolic link");

	/* a parent everyone can write: refused, and named; sticky (as /tmp is), allowed */
	snprintf(a, sizeof(a), "%s/open", base);
	snprintf(b, sizeof(b), "%s/open/platform", base);
	CT_EQ(mkdir(a, 0700), 0);
	CT_EQ(chmod(a, 0777), 0);
	path_refused(b, a, "not sticky");
	CT_ASSERT(access(b, F_OK) != 0); /* nothing was made under it */
	CT_EQ(chmod(a, 01777), 0);
	CT_RESULT(open_path(b, why, sizeof(why)), CELLA_OK);
	CT_EQ(chmod(a, 0775), 0);
	if (geteuid() == 0) {
		/* group-writable by a group with other members (nogroup is not root's own): refused, named */
		CT_EQ(chown(a, 0, 65534), 0);
		path_refused(b, a, "writable by group 65534");
		CT_EQ(chown(a, 0, 0), 0);
		/* by root's own group, when it is private (no members, no other account's primary group), as a
		 * user-private group is on umask 002 systems: allowed */
		if (root_group_private())
			CT_RESULT(open_path(b, why, sizeof(why)), CELLA_OK);
	}
	CT_EQ(chmod(a, 0755), 0);
	CT_RESULT(open_path(b, why, sizeof(why)), CELLA_OK);

	/* reached through a link of ours whose target lies in a directory everyone can write: the directories above
	 * the platform directory are the ones it really is in */
	snprintf(a, sizeof(a), "%s/open2", base);
	CT_EQ(mkdir(a, 0700), 0);
	snprintf(b, sizeof(b), "%s/open2/sub", base);
	CT_EQ(mkdir(b, 0755), 0);
	CT_EQ(chmod(a, 0777), 0);
	snprintf(c, sizeof(c), "%s/via", base);
	CT_EQ(symlink(b, c), 0);
	snprintf(b, sizeof(b), "%s/via/platform", base);
	path_refused(b, a, "not sticky");
	CT_EQ(chmod(a, 0755), 0);
	CT_RESULT(open_path(b, why, sizeof(why)), CELLA_OK); /* a link of ours on the way is fine */

	if (geteuid() == 0) {
		/* a directory on the way that others may search but not read (0711, as /home on shared hosts): the
		 * ancestors are examined without reading them (it used to be "Permission denied" for every user) */
		char x[4100], home[4100], plat[4100];
		pid_t pid;
		int st = 0;
		snprintf(x, sizeof(x), "%s/x", base);
		snprintf(home, sizeof(home), "%s/x/home", base);
		snprintf(plat, sizeof(plat), "%s/x/home/platform", base);
		CT_EQ(mkdir(x, 0711), 0);
		CT_EQ(chmod(x, 0711), 0);
		CT_EQ(mkdir(home, 0755), 0);
		CT_EQ(chown(home, 65534, 65534), 0);
		pid = fork();
		CT_ASSERT(pid >= 0);
		if (pid == 0) {
			char w[1024] = "";
			cella_result r = CELLA_ERR_UNEXPECTED;
			if (setgid(65534) == 0 && setuid(65534) == 0)
				r = open_path(plat, w, sizeof(w));
			if (r != CELLA_OK)
				fprintf(stderr, "as uid 65534: %s: %s\n", cella_result_name(r), w);
			_exit(r == CELLA_OK ? 0 : 1);
		}
		CT_EQ(waitpid(pid, &st, 0), pid);
		CT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}

	if (geteuid() == 0) { /* another owner, on the way: root can make one */
		CT_EQ(lchown(c, 65534, 65534), 0);
		path_refused(b, c, "symbolic link");
		CT_EQ(lchown(c, 0, 0), 0);
		snprintf(a, sizeof(a), "%s/open2/sub", base);
		CT_EQ(chown(a, 65534, 65534), 0);
		path_refused(b, a, "owned by uid 65534");
		CT_EQ(chown(a, 0, 0), 0);
		CT_RESULT(open_path(b, why, sizeof(why)), CELLA_OK);
	}
	snprintf(a, sizeof(a), "rm -rf '%s'", base);
	CT_EQ(system(a), 0);
	cella_test_pass("platform directory: refused when it is a symbolic link, or when a directory or link on the way "
			"to it is another user's or writable by others (sticky allowed), naming it");
}

/* EGETKEY's rules for the KSS fields: without ATTRIBUTES.KSS, the KSS policy bits and a CONFIGSVN are refused
 * (the hardware faults); a seal key's CONFIGSVN above the enclave's is INVALID_ISVSVN, as the hardware says. */
static void getkey_kss_rules(void)
{
	struct cella_platform *p = NULL;
	struct cella_identity kss = {.isv_svn = 3, .config_svn = 1}, plain = {.isv_svn = 3};
	struct cella_key_request kr;
	uint8_t k1[16], k2[16];
	char why[512];

	CT_RESULT(cella_platform_open(dir, &p, why, sizeof(why)), CELLA_OK);
	kss.attributes.flags = CELLA_ATTR_INIT | CELLA_ATTR_MODE64BIT | CELLA_ATTR_KSS;
	plain.attributes.flags = CELLA_ATTR_INIT | CELLA_ATTR_MODE64BIT;
	memset(&kr, 0, sizeof(kr));
	kr.key_name = CELLA_KEYNAME_SEAL;
	kr.key_policy = CELLA_KEYPOLICY_MRSIGNER | CELLA_KEYPOLICY_CONFIGID;
	kr.isv_svn = 3;
	kr.config_svn = 1;
	CT_RESULT(cella_platform_getkey(p, &kss, &kr, k1), CELLA_OK);
	kr.config_svn = 2; /* a later configuration's key */
	CT_RESULT(cella_platform_getkey(p, &kss, &kr, k2), CELLA_ERR_INVALID_ISVSVN);
	kr.config_svn = 0; /* an earlier one's is reachable, and another key */
	CT_RESULT(cella_platform_getkey(p, &kss, &kr, k2), CELLA_OK);
	CT_ASSERT(memcmp(k1, k2, 16) != 0);

	CT_RESULT(cella_platform_getkey(p, &plain, &kr, k2), CELLA_ERR_INVALID_ARG); /* CONFIGID without KSS */
	static const uint16_t kss_bits[] = {CELLA_KEYPOLICY_NOISVPRODID, CELLA_KEYPOLICY_CONFIGID,
					    CELLA_KEYPOLICY_ISVFAMILYID, CELLA_KEYPOLICY_ISVEXTPRODID};
	for (unsigned i = 0; i < sizeof(kss_bits) / sizeof(kss_bits[0]); i++) {
		kr.key_policy = (uint16_t)(CELLA_KEYPOLICY_MRSIGNER | kss_bits[i]);
		CT_RESULT(cella_platform_getkey(p, &plain, &kr, k2), CELLA_ERR_INVALID_ARG);
		CT_RESULT(cella_platform_getkey(p, &kss, &kr, k2), CELLA_OK);
	}
	kr.key_policy = CELLA_KEYPOLICY_MRSIGNER;
	kr.config_svn = 1; /* a CONFIGSVN without KSS, whatever the policy */
	CT_RESULT(cella_platform_getkey(p, &plain, &kr, k2), CELLA_ERR_INVALID_ARG);
	kr.key_name = CELLA_KEYNAME_REPORT;
	CT_RESULT(cella_platform_getkey(p, &plain, &kr, k2), CELLA_ERR_INVALID_ARG);
	kr.key_name = CELLA_KEYNAME_SEAL;
	kr.config_svn = 0;
	CT_RESULT(cella_platform_getkey(p, &plain, &kr, k2), CELLA_OK);
	memset(k1, 0, sizeof(k1));
	memset(k2, 0, sizeof(k2));
	cella_platform_close(p);
	cella_test_pass("EGETKEY: KSS policy bits and CONFIGSVN only for KSS enclaves, no seal key of a later CONFIGSVN");
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
	getkey_kss_rules();
	path_rules(argv[1]);
	cella_test_pass("platform state: created once, refused when its directory is writable by others or not ours, "
			"or its secret or evidence-signing keys are readable by others, not ours or symbolic links");
	return 0;
}
