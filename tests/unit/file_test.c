// SPDX-License-Identifier: MIT
/*
 * src/common/file.h: a file is replaced whole, gets exactly the mode asked for whatever the umask, and a failed
 * write leaves the old file and no temporary file behind.
 */
#include "file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* Relative to a directory descriptor, as the monitor writes its platform directory: a link at the name is replaced,
 * never followed, and what it pointed at stays as it was. */
static void writes_relative_to_a_directory(void)
{
	char victim[64], link_path[64], got[64];
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	CT_ASSERT(dfd >= 0);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(link_path, sizeof(link_path), "%s/secret", dir);
	CT_EQ(cella_file_write_atomic(victim, "untouched", 9, 0644), 0);
	CT_ASSERT(symlink(victim, link_path) == 0);
	CT_EQ(cella_file_write_atomic_at(dfd, "secret", "0123456789abcdef", 16, 0600), 0);
	CT_ASSERT(lstat(link_path, &st) == 0);
	CT_ASSERT(S_ISREG(st.st_mode));
	expect_content(link_path, "0123456789abcdef", 0600);
	expect_content(victim, "untouched", 0644);
	CT_EQ(entries(), 3); /* a.json, victim, secret: no temporary file left */
	/* a name under a file, relative to dfd: ENOTDIR, nothing left */
	CT_EQ(cella_file_write_atomic_at(dfd, "victim/x", "data", 4, 0644), ENOTDIR);
	CT_EQ(cella_file_write_atomic_at(-1, "secret", "data", 4, 0644), EBADF);
	CT_EQ(entries(), 3);
	snprintf(got, sizeof(got), "%s/secret", dir);
	unlink(got);
	unlink(victim);
	close(dfd);
	cella_test_pass("relative to a directory descriptor: a link at the name is replaced by the new file and its "
			"target is untouched; ENOTDIR and EBADF leave no temporary file");
}

int main(void)
{
	char path[64];
	CT_ASSERT(mkdtemp(dir) != NULL);
	writes_and_replaces();
	failures_leave_old_state();
	writes_relative_to_a_directory();
	snprintf(path, sizeof(path), "%s/a.json", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}
