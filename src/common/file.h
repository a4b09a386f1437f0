/* SPDX-License-Identifier: MIT */
/* Files written whole or not at all, shared by the host libraries, tools and services. */
#ifndef CELLA_COMMON_FILE_H
#define CELLA_COMMON_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Writes data[0..len) to `path` so that a reader sees either the file as it was or the whole new content, never a
 * part of it, even across a crash: the data goes to a new temporary file beside `path` (mkstemp), which gets exactly
 * `mode` (the umask does not apply), is flushed to disk and then renamed over `path`. On failure the temporary file
 * is removed and `path` is left as it was. Returns 0, or the errno of the step that failed.
 */
int cella_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

#endif
