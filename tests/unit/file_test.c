// SPDX-License-Identifier: MIT
/*
 * src/common/file.h: a file is replaced whole, gets exactly the mode asked for whatever the umask, and a failed
 * write leaves the old file and no temporary file behind.
 */
#include "file.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cella_test.h"

static char dir[] = "/tmp/cella-file-test.XXXXXX";

/* Entries in dir other than . and .. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	CT_ASSERT(d != NULL);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void expect_content(const char *path, const char *want, mode_t mode)
{
	char buf[256];
	struct stat st;
	FILE *f = fopen(path, "rb");
	size_t n;
	CT_ASSERT(f != NULL);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CT_EQ(n, strlen(want));
	CT_EQ_MEM(buf, want, n);
	CT_ASSERT(stat(path, &st) == 0);
	CT_EQ(st.st_mode & 07777, mode);
}

static void writes_and_replaces(void)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/a.json", dir);
	umask(077); /* the mode given wins over the umask */
	CT_EQ(cella_file_write_atomic(path, "first", 5, 0644), 0);
	expect_content(path, "first", 0644);
	CT_EQ(cella_file_write_atomic(path, "second, longer", 14, 0600), 0);
	expect_content(path, "second, longer", 0600);
	CT_EQ(cella_file_write_atomic(path, "", 0, 0640), 0);
	expect_content(path, "", 0640);
	CT_EQ(entries(), 1);
	cella_test_pass("a file is created, replaced by longer and by empty content, with exactly the mode given");
}

static void failures_leave_old_state(void)
{
	char path[64], sub[64], inner[96];
	snprintf(path, sizeof(path), "%s/a.json", dir);
	CT_EQ(cella_file_write_atomic(path, "kept", 4, 0644), 0);
	/* the target is a directory: the rename fails, the temporary file goes */
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	CT_ASSERT(mkdir(sub, 0755) == 0);
	snprintf(inner, sizeof(inner), "%s/x", sub);
	CT_ASSERT(mkdir(inner, 0755) == 0); /* a non-empty directory cannot be replaced */
	CT_EQ(cella_file_write_atomic(sub, "data", 4, 0644), EISDIR);
	CT_EQ(entries(), 2);
	/* no such directory, and a parent that is a file: the errno of mkstemp */
	snprintf(inner, sizeof(inner), "%s/none/b.json", dir);
	CT_EQ(cella_file_write_atomic(inner, "data", 4, 0644), ENOENT);
	snprintf(inner, sizeof(inner), "%s/a.json/b.json", dir);
	CT_EQ(cella_file_write_atomic(inner, "data", 4, 0644), ENOTDIR);
	CT_EQ(entries(), 2);
	/* a write that fails part way (the file size limit, as a full disk would): EFBIG, nothing replaced */
	{
		struct rlimit old, lim;
		CT_ASSERT(getrlimit(RLIMIT_FSIZE, &old) == 0);
		lim = old;
		lim.rlim_cur = 3;
		signal(SIGXFSZ, SIG_IGN);
		CT_ASSERT(setrlimit(RLIMIT_FSIZE, &lim) == 0);
		CT_EQ(cella_file_write_atomic(path, "longer than three bytes", 23, 0644), EFBIG);
		CT_ASSERT(setrlimit(RLIMIT_FSIZE, &old) == 0);
	}
	CT_EQ(entries(), 2);
	expect_content(path, "kept", 0644);
	snprintf(inner, sizeof(inner), "%s/x", sub);
	rmdir(inner);
	rmdir(sub);
	cella_test_pass("a failed rename or an impossible path leaves the old file and no temporary file (EISDIR, "
			"ENOENT, ENOTDIR), and so does a write cut short (EFBIG)");
}

int main(void)
{
	char path[64];
	CT_ASSERT(mkdtemp(dir) != NULL);
	writes_and_replaces();
	failures_leave_old_state();
	snprintf(path, sizeof(path), "%s/a.json", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}
