/* SPDX-License-Identifier: MIT */
/* Files read and written whole, shared by the host libraries, tools and services. */
#ifndef CELLA_COMMON_FILE_H
#define CELLA_COMMON_FILE_H

#include <cella/result.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Reads the regular file at `path`, at most `max` bytes, into a new buffer (*data, freed by the caller) with a NUL
 * after its *len bytes. It is opened non-blocking, so a FIFO at the path is refused at once instead of waiting for
 * a writer. Errors: CELLA_ERR_NO_FILE, CELLA_ERR_IO (errno says why: EISDIR or EINVAL for a directory or another
 * file that is not regular, ENODATA when the file shrank while it was read), CELLA_ERR_TOO_LARGE,
 * CELLA_ERR_OUT_OF_MEMORY.
 */
CELLA_MUST_USE cella_result cella_file_read(const char *path, uint64_t max, uint8_t **data, size_t *len);

/*
 * Why cella_file_read(path, max, ...) returned r, for a message that names the path: "not a regular file", "larger
 * than MAX bytes", or errno's text ("No such file or directory", "Is a directory", ...). Call it before anything
 * else can change errno. Writes into buf[0..n) and returns buf.
 */
const char *cella_file_read_why(cella_result r, uint64_t max, char *buf, size_t n);

/*
 * For command-line tools: the file's bytes (*len set), or NULL after "PROG: PATH: why" on stderr. A regular file is
 * read as cella_file_read reads it; a pipe, terminal or socket the user named (`/dev/stdin`, `<(...)`, a FIFO) is
 * read to its end, blocking as any command-line tool does on one, at most max bytes.
 */
uint8_t *cella_cli_file(const char *prog, const char *path, uint64_t max, size_t *len);
/* The same read, printing nothing: CELLA_OK with *data (caller frees) and *len, or the failure, which
 * cella_file_read_why (called next, errno intact) puts in words. */
cella_result cella_cli_file_read(const char *path, uint64_t max, uint8_t **data, size_t *len);

/*
 * Writes data[0..len) to `path` so that a reader sees either the file as it was or the whole new content, never a
 * part of it, even across a crash: the data goes to a new temporary file beside `path` (a random name, created
 * O_EXCL | O_NOFOLLOW, so never through a link), which gets exactly `mode` (the umask does not apply), is written
 * unbuffered (no copy of the data stays in a stdio buffer), flushed to disk and then renamed over `path`. On failure
 * the temporary file is removed and `path` is left as it was. Returns 0, or the errno of the step that failed.
 */
int cella_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* The same, with `name` relative to the directory descriptor dfd (or AT_FDCWD), as openat(2) resolves it. */
int cella_file_write_atomic_at(int dfd, const char *name, const void *data, size_t len, mode_t mode);

#endif
