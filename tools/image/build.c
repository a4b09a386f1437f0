// SPDX-License-Identifier: MIT
/*
 * cella-image build: one OCI image layer made here (libarchive writes the tar, zlib compresses it), its config
 * and manifest (jansson), written as blobs of an OCI image layout (image-spec 1.0: oci-layout, index.json,
 * blobs/sha256/). No base image: the layer holds exactly what the host program and the monitor load, found by
 * asking the program's own dynamic loader (`ld.so --list`), as ldd does.
 *
 * Reproducible: entries sorted by path, owned by 0:0, dated SOURCE_DATE_EPOCH (else 0); gzip without a name or
 * a time; JSON in a fixed order. The same inputs give the same manifest digest on any machine.
 */
#include "image_oci.h"

#include <archive.h>
#include <archive_entry.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "file.h"
#include "parse.h"

#define MONITOR_PATH "/usr/libexec/cella/cella-monitor"
#define LIB_DIR "usr/lib/x86_64-linux-gnu"
#define MAX_FILE_BYTES (512u << 20)
#define MAX_LIST_BYTES (1u << 20)

struct file {
	char *dst;  /* in the image, without the leading '/' */
	char *src;  /* on this machine */
	unsigned mode;
};

struct plan {
	struct file *f;
	size_t n, cap;
};

static char *dup_str(const char *s)
{
	char *d = strdup(s);
	if (!d) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(1);
	}
	return d;
}

/* A path in the image: absolute, no empty, "." or ".." component, no trailing '/'. */
static bool image_path_ok(const char *p)
{
	if (p[0] != '/' || !p[1])
		return false;
	for (const char *c = p + 1;;) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!e)
			return true;
		c = e + 1;
	}
}

/* Adds src at dst ("/..." in the image); the same file twice is one entry, two files for one path an error. */
static int plan_add(struct plan *p, const char *src, const char *dst, unsigned mode)
{
	char a[PATH_MAX], b[PATH_MAX];
	if (!image_path_ok(dst)) {
		fprintf(stderr, PROG ": %s: not a path for the image (absolute, without \".\", \"..\" or \"//\")\n",
			dst);
		return 1;
	}
	if (!realpath(src, a)) {
		fprintf(stderr, PROG ": %s: %s\n", src, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->f[i].dst, dst + 1) != 0)
			continue;
		if (realpath(p->f[i].src, b) && !strcmp(a, b))
			return 0;
		fprintf(stderr, PROG ": two files for %s in the image: %s and %s\n", dst, p->f[i].src, src);
		return 1;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 32;
		struct file *f = realloc(p->f, cap * sizeof(*f));
		if (!f) {
			fprintf(stderr, PROG ": out of memory\n");
			return 1;
		}
		p->f = f;
		p->cap = cap;
	}
	p->f[p->n++] = (struct file){dup_str(dst + 1), dup_str(src), mode};
	return 0;
}

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->f[i].dst);
		free(p->f[i].src);
	}
	free(p->f);
}

/* The ELF program interpreter of path into out: 0, 1 if it has none (static), -1 after saying why. */
static int elf_interp(const char *path, char *out, size_t n)
{
	uint8_t *d = NULL;
	size_t len = 0;
	int rc = -1;
	cella_result r = cella_cli_file_read(path, MAX_FILE_BYTES, &d, &len);
	if (r != CELLA_OK) {
		char why[96];
		fprintf(stderr, PROG ": %s: %s\n", path, cella_file_read_why(r, MAX_FILE_BYTES, why, sizeof(why)));
		return -1;
	}
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)d;
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64 || (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > len ||
	    (len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum) {
		fprintf(stderr, PROG ": %s: not an x86-64 ELF program\n", path);
		goto out;
	}
	rc = 1;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, d + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset || ph.p_filesz < 2 || ph.p_filesz > n ||
		    d[ph.p_offset + ph.p_filesz - 1] != 0 || memchr(d + ph.p_offset, 0, ph.p_filesz - 1)) {
			fprintf(stderr, PROG ": %s: malformed PT_INTERP\n", path);
			rc = -1;
			goto out;
		}
		memcpy(out, d + ph.p_offset, ph.p_filesz);
		rc = 0;
		break;
	}
out:
	free(d);
	return rc;
}

/* The output of `interp --list path` (NUL-terminated, caller frees), or NULL after saying why. */
static char *loader_list(const char *interp, const char *path)
{
	int fd[2];
	pid_t pid;
	char *buf = NULL;
	size_t n = 0;
	int st = 0;
	if (pipe(fd) != 0 || !(buf = malloc(MAX_LIST_BYTES + 1))) {
		fprintf(stderr, PROG ": cannot run %s: %s\n", interp, strerror(errno));
		free(buf);
		return NULL;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(fd[1], 1);
		if (null >= 0)
			dup2(null, 2);
		close(fd[0]);
		execl(interp, interp, "--list", path, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	for (ssize_t k; pid > 0 && n < MAX_LIST_BYTES && (k = read(fd[0], buf + n, MAX_LIST_BYTES - n)) != 0;) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		n += (size_t)k;
	}
	close(fd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || n == MAX_LIST_BYTES) {
		fprintf(stderr, PROG ": %s: its loader %s cannot list the libraries it needs\n", path, interp);
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

/*
 * The shared libraries path loads, each at LIB_DIR/<name it is asked for by>, and the loader itself at its own
 * path: lines "\tname => /path (0x...)", "\t/interp (0x...)", and the vDSO's "\tlinux-vdso.so.1 (0x...)".
 */
static int add_libraries(struct plan *p, const char *path)
{
	char interp[PATH_MAX], *list, *line, *save = NULL;
	int rc = elf_interp(path, interp, sizeof(interp));
	if (rc != 0)
		return rc < 0;
	if (!(list = loader_list(interp, path)))
		return 1;
	if (plan_add(p, interp, interp, 0755))
		rc = 1;
	for (line = strtok_r(list, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		char name[256], file[PATH_MAX], dst[PATH_MAX];
		const char *arrow = strstr(line, " => ");
		if (!arrow)
			continue; /* the vDSO or the loader itself */
		if (sscanf(line, " %255s => %4095s", name, file) != 2 || file[0] != '/' || strchr(name, '/')) {
			fprintf(stderr, PROG ": %s: needs %.*s, which its loader cannot find\n", path,
				(int)(arrow - line), line + strspn(line, " \t"));
			rc = 1;
			break;
		}
		snprintf(dst, sizeof(dst), "/" LIB_DIR "/%s", name);
		rc = plan_add(p, file, dst, 0755);
	}
	free(list);
	return rc;
}

/* ---- the layer ---- */

struct sink {
	uint8_t *p;
	size_t n, cap;
	bool failed;
};

static la_ssize_t sink_write(struct archive *a, void *ud, const void *buf, size_t len)
{
	struct sink *s = ud;
	(void)a;
	if (s->n + len > s->cap) {
		size_t cap = s->cap ? s->cap : 1u << 20;
		while (cap < s->n + len)
			cap *= 2;
		uint8_t *q = realloc(s->p, cap);
		if (!q) {
			s->failed = true;
			return -1;
		}
		s->p = q;
		s->cap = cap;
	}
	memcpy(s->p + s->n, buf, len);
	s->n += len;
	return (la_ssize_t)len;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->dst, ((const struct file *)b)->dst);
}

static int add_entry(struct archive *a, const char *name, unsigned type, unsigned mode, const void *data,
		     size_t size, int64_t date)
{
	struct archive_entry *e = archive_entry_new();
	int ok;
	if (!e)
		return 1;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, mode);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, (time_t)date, 0);
	ok = archive_write_header(a, e) == ARCHIVE_OK &&
	     (!size || archive_write_data(a, data, size) == (la_ssize_t)size);
	archive_entry_free(e);
	if (!ok)
		fprintf(stderr, PROG ": cannot write %s into the layer: %s\n", name, archive_error_string(a));
	return !ok;
}

/* The uncompressed tar of the plan (sorted here), with every parent directory, into *out. */
static int make_tar(struct plan *p, int64_t date, struct sink *out)
{
	struct archive *a = archive_write_new();
	char done[PATH_MAX] = "";
	int rc = 1;
	qsort(p->f, p->n, sizeof(*p->f), cmp_file);
	if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open(a, out, NULL, sink_write, NULL) != ARCHIVE_OK) {
		fprintf(stderr, PROG ": cannot start the layer: %s\n", a ? archive_error_string(a) : "out of memory");
		goto out;
	}
	for (size_t i = 0; i < p->n; i++) {
		char dir[PATH_MAX];
		uint8_t *d = NULL;
		size_t len = 0;
		/* parents first, each once: "app/", "usr/", "usr/lib/", ... (sorted input keeps them in order) */
		for (const char *s = strchr(p->f[i].dst, '/'); s; s = strchr(s + 1, '/')) {
			size_t k = (size_t)(s - p->f[i].dst) + 1;
			memcpy(dir, p->f[i].dst, k);
			dir[k] = 0;
			if (strncmp(done, dir, k) == 0 && (done[k - 1] == '/'))
				continue;
			if (add_entry(a, dir, AE_IFDIR, 0755, NULL, 0, date))
				goto out;
			snprintf(done, sizeof(done), "%s", dir);
		}
		cella_result r = cella_cli_file_read(p->f[i].src, MAX_FILE_BYTES, &d, &len);
		if (r != CELLA_OK) {
			char why[96];
			fprintf(stderr, PROG ": %s: %s\n", p->f[i].src,
				cella_file_read_why(r, MAX_FILE_BYTES, why, sizeof(why)));
			goto out;
		}
		int e = add_entry(a, p->f[i].dst, AE_IFREG, p->f[i].mode, d, len, date);
		free(d);
		if (e)
			goto out;
	}
	if (archive_write_close(a) != ARCHIVE_OK || out->failed) {
		fprintf(stderr, PROG ": cannot finish the layer: %s\n", archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	if (a)
		archive_write_free(a);
	return rc;
}

/* gzip of in (no file name, time 0: zlib's own header), into *out. */
static int gzip(const struct sink *in, struct sink *out)
{
	z_stream z = {0};
	int zr;
	if (in->n > UINT32_MAX) /* one deflate call: the layer must fit zlib's 32-bit counts */
		return 1;
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return 1;
	out->cap = deflateBound(&z, in->n) + 64;
	if (!(out->p = malloc(out->cap))) {
		deflateEnd(&z);
		return 1;
	}
	z.next_in = in->p;
	z.avail_in = (uInt)in->n;
	z.next_out = out->p;
	z.avail_out = (uInt)out->cap;
	zr = deflate(&z, Z_FINISH);
	out->n = out->cap - z.avail_out;
	deflateEnd(&z);
	return zr != Z_STREAM_END;
}

/* ---- blobs ---- */

/* "sha256:<hex>" of p[0..n) into out[72]. */
static void digest(const void *p, size_t n, char *out)
{
	uint8_t h[32];
	unsigned hl = 0;
	memcpy(out, "sha256:", 7);
	if (EVP_Digest(p, n, h, &hl, EVP_sha256(), NULL) != 1 || hl != 32) {
		fprintf(stderr, PROG ": SHA-256 failed\n");
		exit(1);
	}
	cella_image_hex(h, 32, out + 7);
}

/* Writes path from p[0..n) through a temporary file and a rename: a reader sees the old file or the new one. */
static int write_file(const char *path, const void *p, size_t n)
{
	char tmp[PATH_MAX];
	FILE *f;
	int ok;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "wb"))) {
		fprintf(stderr, PROG ": %s: %s\n", tmp, strerror(errno));
		return 1;
	}
	ok = fwrite(p, 1, n, f) == n;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return 1;
	}
	return 0;
}

/* A blob: DIR/blobs/sha256/<hex>; its digest into dg[72]. */
static int put_blob(const char *dir, const void *p, size_t n, char *dg)
{
	char path[PATH_MAX];
	digest(p, n, dg);
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", dir, dg + 7);
	return write_file(path, p, n);
}

static json_t *descriptor(const char *media, const char *dg, size_t size)
{
	return json_pack("{s:s, s:s, s:I}", "mediaType", media, "digest", dg, "size", (json_int_t)size);
}

/* Writes json compactly as a blob; its digest and size. */
static int put_json(const char *dir, json_t *j, char *dg, size_t *size)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	int rc = !s || put_blob(dir, s, strlen(s), dg);
	if (s)
		*size = strlen(s);
	free(s);
	return rc;
}

/* DIR: created, or empty, or already an OCI image layout. */
static int prepare_dir(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s/oci-layout", dir);
	if (stat(path, &st) != 0) {
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, PROG ": %s: %s\n", dir, strerror(errno));
			return 1;
		}
		if (rmdir(dir) == 0 && mkdir(dir, 0755) == 0) /* was empty (or just made) */
			;
		else {
			fprintf(stderr, PROG ": %s exists and is not an OCI image layout (no oci-layout file)\n", dir);
			return 1;
		}
		static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
		if (write_file(path, layout, sizeof(layout) - 1))
			return 1;
	}
	snprintf(path, sizeof(path), "%s/blobs", dir);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		goto fail;
	snprintf(path, sizeof(path), "%s/blobs/sha256", dir);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		goto fail;
	return 0;
fail:
	fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
	return 1;
}

/* index.json with TAG pointing at the manifest (any other manifest tagged TAG dropped; the rest kept). */
static int put_index(const char *dir, const char *tag, json_t *manifest_desc)
{
	char path[PATH_MAX];
	json_error_t err;
	json_t *index, *list, *keep;
	size_t i;
	json_t *m;
	int rc = 1;
	snprintf(path, sizeof(path), "%s/index.json", dir);
	index = json_load_file(path, 0, &err);
	if (!index && access(path, F_OK) == 0) {
		fprintf(stderr, PROG ": %s: not JSON: %s (line %d)\n", path, err.text, err.line);
		return 1;
	}
	if (!index)
		index = json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType",
				  "application/vnd.oci.image.index.v1+json", "manifests");
	list = json_object_get(index, "manifests");
	if (!json_is_object(index) || json_integer_value(json_object_get(index, "schemaVersion")) != 2 ||
	    !json_is_array(list)) {
		fprintf(stderr, PROG ": %s: not an OCI image index (schemaVersion 2, manifests[])\n", path);
		goto out;
	}
	keep = json_array();
	json_array_foreach(list, i, m) {
		const char *ref = json_string_value(json_object_get(json_object_get(m, "annotations"),
								    "org.opencontainers.image.ref.name"));
		if (!ref || strcmp(ref, tag) != 0)
			json_array_append(keep, m);
	}
	json_array_append(keep, manifest_desc);
	json_object_set_new(index, "manifests", keep);
	char *s = json_dumps(index, JSON_COMPACT);
	rc = !s || write_file(path, s, strlen(s));
	free(s);
out:
	json_decref(index);
	return rc;
}

/* ---- the command ---- */

/* A tag as OCI and Docker take it: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
static bool tag_ok(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n > 128 || t[0] == '.' || t[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(t[i] >= 'a' && t[i] <= 'z') && !(t[i] >= 'A' && t[i] <= 'Z') && !(t[i] >= '0' && t[i] <= '9') &&
		    t[i] != '_' && t[i] != '.' && t[i] != '-')
			return false;
	return true;
}

static bool env_ok(const char *e)
{
	const char *eq = strchr(e, '=');
	if (!eq || eq == e || (e[0] >= '0' && e[0] <= '9'))
		return false;
	for (const char *c = e; c < eq; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') && !(*c >= '0' && *c <= '9') && *c != '_')
			return false;
	return true;
}

/* The monitor next to this program (<dir>/../libexec/cella/cella-monitor), as the host library finds it. */
static int find_monitor(char *out, size_t n)
{
	char self[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *env = getenv("CELLA_MONITOR");
	if (env && *env) {
		snprintf(out, n, "%s", env);
		return 0;
	}
	if (k > 0) {
		self[k] = 0;
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			if ((size_t)snprintf(out, n, "%s/../libexec/cella/cella-monitor", self) < n &&
			    access(out, X_OK) == 0)
				return 0;
		}
	}
	fprintf(stderr, PROG ": cannot find cella-monitor next to this program; give it with --monitor PATH\n");
	return 1;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

int cella_image_cmd_build(int argc, char **argv)
{
	const char *host = NULL, *enclave = NULL, *dir = NULL, *tag = "latest", *monitor = NULL;
	const char **args = calloc((size_t)argc, sizeof(char *)), **envs = calloc((size_t)argc, sizeof(char *));
	const char **adds = calloc((size_t)argc, sizeof(char *));
	size_t nargs = 0, nenvs = 0, nadds = 0;
	long long port = 0;
	bool allow_debug = false;
	int64_t date = 0;
	struct enclave_info ei;
	struct plan p = {0};
	struct sink tar = {0}, gz = {0};
	char mon[PATH_MAX], dst[PATH_MAX], hex[65], layer_dg[72], diff_dg[72], config_dg[72], manifest_dg[72];
	size_t config_size = 0, manifest_size = 0;
	json_t *env = NULL, *entry = NULL, *cmd = NULL, *labels = NULL, *config = NULL, *manifest = NULL, *desc = NULL;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	int rc = 1;

	if (!args || !envs || !adds)
		return 1;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(o, "--allow-debug")) {
			allow_debug = true;
			continue;
		}
		if (!v) {
			fprintf(stderr, PROG " build: %s needs a value\n", o);
			goto usage;
		}
		i++;
		if (!strcmp(o, "--host"))
			host = v;
		else if (!strcmp(o, "--enclave"))
			enclave = v;
		else if (!strcmp(o, "-o"))
			dir = v;
		else if (!strcmp(o, "--tag"))
			tag = v;
		else if (!strcmp(o, "--monitor"))
			monitor = v;
		else if (!strcmp(o, "--arg"))
			args[nargs++] = v;
		else if (!strcmp(o, "--env"))
			envs[nenvs++] = v;
		else if (!strcmp(o, "--add"))
			adds[nadds++] = v;
		else if (!strcmp(o, "--port"))
			port = cella_cli_int(PROG, "--port", v, 1, 65535);
		else {
			fprintf(stderr, PROG " build: unknown option %s\n", o);
			goto usage;
		}
	}
	if (!host || !enclave || !dir) {
		fprintf(stderr, PROG " build: --host, --enclave and -o are required\n");
		goto usage;
	}
	if (!tag_ok(tag)) {
		fprintf(stderr,
			PROG " build: --tag %s: a tag is 1 to 128 of [A-Za-z0-9_.-], not starting with . or -\n", tag);
		goto usage;
	}
	for (size_t i = 0; i < nenvs; i++)
		if (!env_ok(envs[i])) {
			fprintf(stderr, PROG " build: --env %s: not NAME=VALUE with NAME of [A-Za-z0-9_]\n", envs[i]);
			goto usage;
		}
	if (sde && *sde)
		date = cella_cli_int(PROG, "SOURCE_DATE_EPOCH", sde, 0, 253402300799LL);
	if (cella_image_enclave_info(enclave, allow_debug, &ei))
		goto out;
	if (!monitor) {
		if (find_monitor(mon, sizeof(mon)))
			goto out;
		monitor = mon;
	}

	/* the files: host and enclave in /app, the monitor, their libraries, the extras */
	snprintf(dst, sizeof(dst), "/app/%s", base_name(host));
	if (plan_add(&p, host, dst, 0755))
		goto out;
	snprintf(dst, sizeof(dst), "/app/%s", base_name(enclave));
	if (plan_add(&p, enclave, dst, 0644) || plan_add(&p, monitor, MONITOR_PATH, 0755) ||
	    add_libraries(&p, host) || add_libraries(&p, monitor))
		goto out;
	for (size_t i = 0; i < nadds; i++) {
		const char *colon = strrchr(adds[i], ':');
		char src[PATH_MAX];
		struct stat st;
		if (!colon || colon == adds[i] || (size_t)(colon - adds[i]) >= sizeof(src)) {
			fprintf(stderr, PROG " build: --add %s: not FILE:PATH\n", adds[i]);
			goto out;
		}
		memcpy(src, adds[i], (size_t)(colon - adds[i]));
		src[colon - adds[i]] = 0;
		if (stat(src, &st) != 0 || !S_ISREG(st.st_mode)) {
			fprintf(stderr, PROG " build: --add %s: %s is not a regular file\n", adds[i], src);
			goto out;
		}
		if (plan_add(&p, src, colon + 1, (st.st_mode & 0111) ? 0755 : 0644))
			goto out;
	}

	/* layer, config, manifest, index */
	if (prepare_dir(dir) || make_tar(&p, date, &tar))
		goto out;
	if (gzip(&tar, &gz)) {
		fprintf(stderr, PROG ": cannot compress the layer (%zu bytes; at most 4 GiB)\n", tar.n);
		goto out;
	}
	digest(tar.p, tar.n, diff_dg);
	if (put_blob(dir, gz.p, gz.n, layer_dg))
		goto out;

	env = json_pack("[s, s]", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"CELLA_MONITOR=" MONITOR_PATH);
	for (size_t i = 0; i < nenvs; i++)
		json_array_append_new(env, json_string(envs[i]));
	snprintf(dst, sizeof(dst), "/app/%s", base_name(host));
	entry = json_pack("[s]", dst);
	snprintf(dst, sizeof(dst), "/app/%s", base_name(enclave));
	json_array_append_new(entry, json_string(dst));
	cmd = json_array();
	for (size_t i = 0; i < nargs; i++)
		json_array_append_new(cmd, json_string(args[i]));
	labels = json_object();
	json_object_set_new(labels, "dev.cella.enclave", json_string(dst));
	cella_image_hex(ei.mrenclave, 32, hex);
	json_object_set_new(labels, "dev.cella.mrenclave", json_string(hex));
	cella_image_hex(ei.mrsigner, 32, hex);
	json_object_set_new(labels, "dev.cella.mrsigner", json_string(hex));
	{ /* labels are strings */
		char num[24];
		snprintf(num, sizeof(num), "%u", ei.isv_prod_id);
		json_object_set_new(labels, "dev.cella.isvprodid", json_string(num));
		snprintf(num, sizeof(num), "%u", ei.isv_svn);
		json_object_set_new(labels, "dev.cella.isvsvn", json_string(num));
		snprintf(num, sizeof(num), "%llu", (unsigned long long)ei.enclave_size);
		json_object_set_new(labels, "dev.cella.enclave-size", json_string(num));
	}
	json_object_set_new(labels, "dev.cella.debug", json_string(ei.debug ? "true" : "false"));
	{
		char created[32];
		time_t t = (time_t)date;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
		config = json_pack("{s:s, s:s, s:s, s:{s:o, s:O, s:s, s:o}, s:{s:s, s:[s]}, s:[{s:s, s:s}]}",
				   "created", created, "architecture", "amd64", "os", "linux", "config", "Env", env,
				   "Entrypoint", entry, "WorkingDir", "/app", "Labels", labels, "rootfs", "type",
				   "layers", "diff_ids", diff_dg, "history", "created", created, "created_by",
				   "cella-image build");
		env = labels = NULL;
	}
	if (!config)
		goto nomem;
	if (nargs)
		json_object_set(json_object_get(config, "config"), "Cmd", cmd);
	if (port) {
		char ps[16];
		snprintf(ps, sizeof(ps), "%lld/tcp", port);
		json_object_set_new(json_object_get(config, "config"), "ExposedPorts", json_pack("{s:{}}", ps));
	}
	if (put_json(dir, config, config_dg, &config_size))
		goto out;
	manifest = json_pack("{s:i, s:s, s:o, s:[o]}", "schemaVersion", 2, "mediaType",
			     "application/vnd.oci.image.manifest.v1+json", "config",
			     descriptor("application/vnd.oci.image.config.v1+json", config_dg, config_size), "layers",
			     descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer_dg, gz.n));
	if (!manifest || put_json(dir, manifest, manifest_dg, &manifest_size))
		goto nomem;
	desc = descriptor("application/vnd.oci.image.manifest.v1+json", manifest_dg, manifest_size);
	if (!desc)
		goto nomem;
	json_object_set_new(desc, "annotations", json_pack("{s:s}", "org.opencontainers.image.ref.name", tag));
	if (put_index(dir, tag, desc))
		goto out;
	cella_image_hex(ei.mrenclave, 32, hex);
	printf("image %s:%s\nmanifest %s\nlayer %s (%zu bytes, %zu files)\nmrenclave %s%s\n", dir, tag, manifest_dg,
	       layer_dg, gz.n, p.n, hex, ei.debug ? " (debug enclave)" : "");
	rc = 0;
	goto out;
nomem:
	fprintf(stderr, PROG ": out of memory\n");
out:
	json_decref(env);
	json_decref(entry);
	json_decref(cmd);
	json_decref(labels);
	json_decref(config);
	json_decref(manifest);
	json_decref(desc);
	free(tar.p);
	free(gz.p);
	plan_free(&p);
	free(args);
	free(envs);
	free(adds);
	return rc;
usage:
	fprintf(stderr, "run \"" PROG " --help\" for usage\n");
	rc = 2;
	goto out;
}
