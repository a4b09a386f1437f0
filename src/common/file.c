// SPDX-License-Identifier: MIT
/* Files written whole or not at all. */
#include "file.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cella_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + sizeof(".XXXXXX"));
	int fd, err = 0;

	if (!tmp)
		return ENOMEM;
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".XXXXXX", sizeof(".XXXXXX"));
	fd = mkstemp(tmp); /* O_RDWR | O_CREAT | O_EXCL, mode 0600: nobody else can open it meanwhile */
	if (fd < 0) {
		err = errno;
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
	if (!err && rename(tmp, path) != 0)
		err = errno;
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}
