// SPDX-License-Identifier: MIT
/* Files read and written whole. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

int cella_file_write_atomic_at(int dfd, const char *name, const void *data, size_t len, mode_t mode)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t nlen = strlen(name);
	char *tmp = malloc(nlen + sizeof(".XXXXXX"));
	int fd = -1, err = 0;

	if (!tmp)
		return ENOMEM;
	memcpy(tmp, name, nlen);
	tmp[nlen] = '.';
	tmp[nlen + 7] = '\0';
	/* A fresh name beside `name`, created exclusively (so never through a link someone planted), 0600 until the
	 * content is complete. */
	for (int attempt = 0; fd < 0 && attempt < 100; attempt++) {
		uint8_t rnd[6];
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			err = errno ? errno : EIO;
			break;
		}
		for (size_t i = 0; i < sizeof(rnd); i++)
			tmp[nlen + 1 + i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		err = err ? err : errno;
		free(tmp);
		return err;
	}
	if (fchmod(fd, mode) != 0)
		err = errno;
	for (size_t done = 0; !err && done < len;) {
		ssize_t k = write(fd, (const uint8_t *)data + done, len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			err = k < 0 ? errno : EIO;
		else
			done += (size_t)k;
	}
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (!err && renameat(dfd, tmp, dfd, name) != 0)
		err = errno;
	if (err)
		unlinkat(dfd, tmp, 0);
	free(tmp);
	return err;
}

int cella_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	return cella_file_write_atomic_at(AT_FDCWD, path, data, len, mode);
}

/* A stream (pipe, terminal, socket) from fd to its end, at most max bytes, into a new buffer with a NUL after it. */
static cella_result read_to_end(int fd, uint64_t max, uint8_t **buf, size_t *len)
{
	size_t n = 0, cap = 0;
	uint8_t *nb;
	for (;;) {
		ssize_t k;
		if (n == cap) {
			if ((uint64_t)cap > max)
				return CELLA_ERR_TOO_LARGE;
			cap = cap ? 2 * cap : 65536;
			if ((uint64_t)cap > max + 1)
				cap = (size_t)max + 1; /* one byte more than allowed tells a stream that is too long */
			if (!(nb = realloc(*buf, cap + 1)))
				return CELLA_ERR_OUT_OF_MEMORY;
			*buf = nb;
		}
		k = read(fd, *buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return CELLA_ERR_IO;
		if (k == 0)
			break;
		n += (size_t)k;
	}
	*len = n;
	return (uint64_t)n > max ? CELLA_ERR_TOO_LARGE : CELLA_OK;
}

/*
 * The file at path, whole: a regular file (opened non-blocking, so a FIFO in its place is refused at once), or,
 * with `streams`, also a pipe, terminal or socket, read to its end as a command-line tool reads what it is given.
 */
static cella_result read_path(const char *path, uint64_t max, bool streams, uint8_t **data, size_t *len)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	uint8_t *buf = NULL;
	struct stat st;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | (streams ? 0 : O_NONBLOCK));

	if (fd < 0)
		CELLA_FAIL(errno == ENOENT ? CELLA_ERR_NO_FILE : CELLA_ERR_IO);
	if (fstat(fd, &st) != 0)
		CELLA_FAIL(CELLA_ERR_IO);
	if (streams && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode))) {
		CELLA_CHECK(read_to_end(fd, max, &buf, &n));
	} else if (!S_ISREG(st.st_mode)) { /* errno names it for the caller's message */
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		CELLA_FAIL(CELLA_ERR_IO);
	} else {
		if ((uint64_t)st.st_size > max)
			CELLA_FAIL(CELLA_ERR_TOO_LARGE);
		n = (size_t)st.st_size;
		buf = malloc(n + 1);
		if (!buf)
			CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
		for (size_t done = 0; done < n;) {
			ssize_t k = read(fd, buf + done, n - done);
			if (k < 0 && errno == EINTR)
				continue;
			if (k == 0)
				errno = ENODATA; /* the file shrank while it was read */
			if (k <= 0)
				CELLA_FAIL(CELLA_ERR_IO);
			done += (size_t)k;
		}
	}
	buf[n] = 0;
	*data = buf;
	*len = n;
	buf = NULL;
	r = CELLA_OK;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}

/* see file.h */
cella_result cella_file_read(const char *path, uint64_t max, uint8_t **data, size_t *len)
{
	return read_path(path, max, false, data, len);
}

/* see file.h */
const char *cella_file_read_why(cella_result r, uint64_t max, char *buf, size_t n)
{
	int e = errno;
	if (r == CELLA_ERR_TOO_LARGE)
		snprintf(buf, n, "larger than %llu bytes", (unsigned long long)max);
	else if (r == CELLA_ERR_IO && e == EINVAL)
		snprintf(buf, n, "not a regular file");
	else if (r == CELLA_ERR_IO || r == CELLA_ERR_NO_FILE)
		snprintf(buf, n, "%s", strerror(e));
	else
		snprintf(buf, n, "%s", cella_result_name(r));
	return buf;
}

/* see file.h */
cella_result cella_cli_file_read(const char *path, uint64_t max, uint8_t **data, size_t *len)
{
	return read_path(path, max, true, data, len); /* a stream the user named is read, as cat does */
}

/* see file.h */
uint8_t *cella_cli_file(const char *prog, const char *path, uint64_t max, size_t *len)
{
	uint8_t *data = NULL;
	char why[96];
	cella_result r = cella_cli_file_read(path, max, &data, len);
	if (r == CELLA_OK)
		return data;
	fprintf(stderr, "%s: %s: %s\n", prog, path, cella_file_read_why(r, max, why, sizeof(why)));
	return NULL;
}
