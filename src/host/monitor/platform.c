// SPDX-License-Identifier: MIT
/*
 * The sandbox's software platform. It plays the parts of the CPU (EREPORT, EGETKEY: keys derived from one
 * root secret with SGX's derivation inputs) and of Intel's quoting enclave and PCK infrastructure (a software
 * CA hierarchy whose root verifiers must be told to trust). Secrets never enter the enclave process: the monitor
 * opens the platform only after forking it.
 */
#include "platform.h"
#include "file.h"

#include <cella/abi/properties.h>


#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_BYTES 32

struct cella_platform {
	uint8_t secret[SECRET_BYTES];
	EVP_MAC_CTX *hmac;  /* HMAC-SHA-256 keyed with the secret; duplicated per derivation */
	EVP_MAC *cmac;      /* fetched once: OpenSSL 3's algorithm fetches take global locks */
	EVP_PKEY *pck_key;
	EVP_PKEY *attest_key;
	uint8_t attest_pub[64];
	char *chain_pem; /* PCK certificate, platform CA, root CA */
	size_t chain_len;
};

/* The sandbox's CPU security version: fixed; raising it would model a microcode update. */
static const uint8_t cpu_svn[16] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};

void cella_platform_cpu_svn(uint8_t out[16])
{
	memcpy(out, cpu_svn, 16);
}

static void why_f(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void why_f(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	if (!why || !n)
		return;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

/* secure_getenv: in a monitor started by a setuid or file-capability program, its caller's environment does not
 * choose the platform; the home directory then comes from the password database. */
void cella_platform_default_dir(char *buf, size_t n)
{
	const char *env = secure_getenv("CELLA_PLATFORM_DIR"), *home = secure_getenv("HOME");
	struct passwd *pw;
	if ((!home || !*home) && geteuid() != 0 && (pw = getpwuid(geteuid())))
		home = pw->pw_dir;
	if (env && *env)
		snprintf(buf, n, "%s", env);
	else if (geteuid() == 0 || !home || !*home)
		snprintf(buf, n, "/var/lib/cella/platform");
	else
		snprintf(buf, n, "%s/.local/state/cella/platform", home);
}

/*
 * A directory on the way to the platform directory, or above it: root's or ours, and writable by no one else
 * unless sticky (as /tmp is, where others cannot rename or remove what is ours). Whoever else can write one could
 * put another directory, or a symbolic link, in the place of the one below it. NULL if it is so, else what is
 * wrong, in `buf`.
 */
/*
 * Whether gid is uid's own group: its primary group, with no other member and no other account's primary group (a
 * user-private group, as umask 002 systems give every user). Group write is then only the owner's, as OpenSSH's
 * StrictModes judges it on Debian.
 */
static bool private_group(uid_t uid, gid_t gid)
{
	struct passwd *pw = getpwuid(uid), *other;
	struct group *gr;
	char name[256];
	bool private = true;
	if (!pw || pw->pw_gid != gid || snprintf(name, sizeof(name), "%s", pw->pw_name) >= (int)sizeof(name) ||
	    !(gr = getgrgid(gid)))
		return false;
	for (char **m = gr->gr_mem; *m; m++)
		if (strcmp(*m, name) != 0)
			return false;
	setpwent();
	while (private && (other = getpwent()))
		private = other->pw_gid != gid || other->pw_uid == uid;
	endpwent();
	return private;
}

static const char *untrusted_dir(const struct stat *st, char *buf, size_t n)
{
	if (!S_ISDIR(st->st_mode))
		return "not a directory";
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(buf, n, "owned by uid %u, neither root nor uid %u", (unsigned)st->st_uid, (unsigned)geteuid());
		return buf;
	}
	if (st->st_mode & S_ISVTX)
		return NULL;
	if (st->st_mode & 002)
		return "writable by others and not sticky";
	if ((st->st_mode & 020) && !private_group(st->st_uid, st->st_gid)) {
		snprintf(buf, n, "writable by group %u, which has members besides uid %u, and not sticky",
			 (unsigned)st->st_gid, (unsigned)st->st_uid);
		return buf;
	}
	return NULL;
}

static cella_result refuse_above(const char *name, const char *dir, const char *what, char *why, size_t n)
{
	why_f(why, n, "%s, on the way to the platform directory %s, is %s: whoever else can write it could put another "
		      "directory in the platform's place (chmod go-w, or choose another with CELLA_PLATFORM_DIR)",
	      name, dir, what);
	return CELLA_ERR_PERMISSION;
}

/*
 * Walks the path to the platform directory as it is written, making the directories missing on it (0755), and
 * checks each before anything is made in it: a symbolic link on the way must be root's or ours, and the directory
 * each prefix leads to must pass untrusted_dir(). The platform directory itself is left to open_dir().
 */
static cella_result make_way(const char *dir, char *why, size_t n)
{
	char tmp[4096], what[96];
	size_t len = strlen(dir);
	struct stat st;
	const char *bad;
	bool link;
	if (len == 0 || len >= sizeof(tmp)) {
		why_f(why, n, "the platform directory's path is empty or too long");
		return CELLA_ERR_INVALID_ARG;
	}
	memcpy(tmp, dir, len + 1);
	while (len > 1 && tmp[len - 1] == '/')
		tmp[--len] = 0;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
			why_f(why, n, "cannot create %s for the platform directory %s: %s", tmp, dir, strerror(errno));
			return CELLA_ERR_IO;
		}
		if (lstat(tmp, &st) != 0) {
			why_f(why, n, "cannot examine %s, on the way to the platform directory %s: %s", tmp, dir,
			      strerror(errno));
			return CELLA_ERR_IO;
		}
		if (S_ISLNK(st.st_mode) && st.st_uid != 0 && st.st_uid != geteuid()) {
			snprintf(what, sizeof(what), "a symbolic link owned by uid %u", (unsigned)st.st_uid);
			return refuse_above(tmp, dir, what, why, n);
		}
		link = S_ISLNK(st.st_mode);
		if (stat(tmp, &st) != 0)
			return refuse_above(tmp, dir, "a link that leads nowhere", why, n);
		if ((bad = untrusted_dir(&st, what, sizeof(what)))) {
			char real[PATH_MAX], shown[sizeof(tmp) + PATH_MAX + 32];
			if (link && realpath(tmp, real))
				snprintf(shown, sizeof(shown), "%s (a link to %s)", tmp, real);
			else
				snprintf(shown, sizeof(shown), "%s", tmp);
			return refuse_above(shown, dir, bad, why, n);
		}
		*p = '/';
	}
	return CELLA_OK;
}

/*
 * The directories the platform directory really lies in, from its parent up to the root (walked through "..", so
 * a symbolic link on the way, or a relative path, cannot hide one): each must pass untrusted_dir().
 */
static cella_result check_above(int dfd, const char *dir, char *why, size_t n)
{
	char what[96], name[4096], fdpath[64];
	struct stat here, up;
	int cur = dfd, parent = -1;
	cella_result r = CELLA_ERR_IO;
	const char *bad;
	if (fstat(dfd, &here) != 0)
		goto out;
	for (unsigned depth = 0; depth < 4096; depth++) {
		ssize_t k;
		parent = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC); /* search permission is enough */
		if (parent < 0 || fstat(parent, &up) != 0)
			goto out;
		if ((bad = untrusted_dir(&up, what, sizeof(what)))) {
			snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", parent);
			k = readlink(fdpath, name, sizeof(name) - 1);
			name[k > 0 ? k : 0] = 0;
			r = refuse_above(k > 0 ? name : "a directory above it", dir, bad, why, n);
			goto out;
		}
		if (up.st_dev == here.st_dev && up.st_ino == here.st_ino) { /* the root: its ".." is itself */
			r = CELLA_OK;
			goto out;
		}
		if (cur != dfd)
			close(cur);
		cur = parent;
		parent = -1;
		here = up;
	}
out:
	if (r == CELLA_ERR_IO)
		why_f(why, n, "cannot check the directories above the platform directory %s: %s", dir, strerror(errno));
	if (parent >= 0)
		close(parent);
	if (cur != dfd)
		close(cur);
	return r;
}

/*
 * Opens the platform directory (made 0700 if missing) after make_way(): the directory itself, never a symbolic
 * link (a link could be pointed elsewhere between two runs), ours and writable by no one else, with nothing
 * above it that others could change (check_above). Every file of the platform is then opened relative to *dfd.
 */
static cella_result open_dir(const char *dir, int *dfd, char *why, size_t n)
{
	struct stat st;
	cella_result r = make_way(dir, why, n);
	int fd;
	if (r != CELLA_OK)
		return r;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		why_f(why, n, "cannot create the platform directory %s: %s", dir, strerror(errno));
		return CELLA_ERR_IO;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		bool link = errno == ELOOP || (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode));
		if (link)
			why_f(why, n, "the platform directory %s is a symbolic link: name the directory itself (a link could be "
				      "pointed elsewhere)", dir);
		else
			why_f(why, n, "cannot open the platform directory %s: %s", dir, strerror(errno));
		return link ? CELLA_ERR_PERMISSION : CELLA_ERR_IO;
	}
	/* The platform secret derives every key of the platform: a directory someone else owns or can write
	 * (where they could have placed a secret of their choosing, or replace ours) is not ours to use. */
	if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		why_f(why, n, "the platform directory %s must be a directory owned by uid %u that no one else can write "
			      "(chmod go-w, or choose another with CELLA_PLATFORM_DIR)",
		      dir, (unsigned)geteuid());
		close(fd);
		return CELLA_ERR_PERMISSION;
	}
	r = check_above(fd, dir, why, n);
	if (r != CELLA_OK) {
		close(fd);
		return r;
	}
	*dfd = fd;
	return CELLA_OK;
}

/* Writes `name` in the platform directory dfd with cella_file_write_atomic_at: a reader sees either the file as it
 * was or the whole new content, never through a link. false with errno set, for the caller's message. */
static bool write_at(int dfd, const char *name, const void *data, size_t len, mode_t mode)
{
	int err = cella_file_write_atomic_at(dfd, name, data, len, mode);
	errno = err;
	return err == 0;
}

static EVP_PKEY *new_p256(void)
{
	return EVP_EC_gen("P-256");
}

static bool add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return false;
	X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return true;
}

/* A certificate for `key` named `cn`, issued by issuer/issuer_key (NULL: self-signed), valid `days` from now. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, long days, bool ca)
{
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();
	uint8_t serial[16];
	BIGNUM *bn = NULL;
	bool ok = c && name && RAND_bytes(serial, sizeof(serial)) == 1;

	serial[0] &= 0x7f;
	ok = ok && (bn = BN_bin2bn(serial, sizeof(serial), NULL)) && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c));
	ok = ok && X509_set_version(c, 2) &&
	     X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Cella software TEE (NOT INTEL SGX)", -1, -1, 0) &&
	     X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) &&
	     X509_set_subject_name(c, name) && X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name) &&
	     X509_gmtime_adj(X509_getm_notBefore(c), -3600) && X509_gmtime_adj(X509_getm_notAfter(c), days * 86400L) &&
	     X509_set_pubkey(c, key);
	ok = ok && add_ext(c, issuer ? issuer : c, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
	     add_ext(c, issuer ? issuer : c, NID_key_usage,
		     ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation") &&
	     add_ext(c, issuer ? issuer : c, NID_subject_key_identifier, "hash");
	ok = ok && X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256()) > 0;
	BN_free(bn);
	X509_NAME_free(name);
	if (!ok) {
		X509_free(c);
		return NULL;
	}
	return c;
}

static char *pem_of(X509 *c, EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;
	if (!b)
		return NULL;
	if ((c && PEM_write_bio_X509(b, c)) || (k && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL))) {
		n = BIO_get_mem_data(b, &data);
		out = malloc((size_t)n + 1);
		if (out) {
			memcpy(out, data, (size_t)n);
			out[n] = 0;
		}
	}
	BIO_free(b);
	return out;
}

static bool write_pem(int dfd, const char *name, X509 *c, EVP_PKEY *k, mode_t mode)
{
	char *pem = pem_of(c, k);
	bool ok = pem && write_at(dfd, name, pem, strlen(pem), mode);
	if (pem) {
		OPENSSL_cleanse(pem, strlen(pem));
		free(pem);
	}
	return ok;
}

/* First use: the root secret and the software CA hierarchy, in the directory dfd (named dir in messages). */
static cella_result create_platform(int dfd, const char *dir, char *why, size_t n)
{
	uint8_t secret[SECRET_BYTES];
	EVP_PKEY *root_key = new_p256(), *ca_key = new_p256(), *pck_key = new_p256(), *att_key = new_p256();
	X509 *root = NULL, *ca = NULL, *pck = NULL;
	cella_result r = CELLA_ERR_CRYPTO;

	if (!root_key || !ca_key || !pck_key || !att_key || RAND_priv_bytes(secret, sizeof(secret)) != 1)
		goto out;
	root = make_cert(root_key, "Cella Software TEE Root CA", NULL, NULL, 20 * 365, true);
	ca = root ? make_cert(ca_key, "Cella Software TEE Platform CA", root, root_key, 10 * 365, true) : NULL;
	pck = ca ? make_cert(pck_key, "Cella Software TEE PCK Certificate", ca, ca_key, 5 * 365, false) : NULL;
	if (!pck)
		goto out;
	r = CELLA_ERR_IO;
	/* Keys first, the root secret last: its presence marks a complete platform. */
	if (!write_pem(dfd, "root-ca.pem", root, NULL, 0644) || !write_pem(dfd, "platform-ca.pem", ca, NULL, 0644) ||
	    !write_pem(dfd, "pck.pem", pck, NULL, 0644) || !write_pem(dfd, "pck.key", NULL, pck_key, 0600) ||
	    !write_pem(dfd, "attest.key", NULL, att_key, 0600) ||
	    !write_at(dfd, "platform.secret", secret, sizeof(secret), 0600)) {
		why_f(why, n, "cannot write the platform state in %s: %s", dir, strerror(errno));
		goto out;
	}
	r = CELLA_OK;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(pck_key);
	EVP_PKEY_free(att_key);
	X509_free(root);
	X509_free(ca);
	X509_free(pck);
	if (r == CELLA_ERR_CRYPTO)
		why_f(why, n, "cannot create the software platform keys");
	return r;
}

static bool prepare_macs(struct cella_platform *p);

/*
 * Opens a file holding a secret of the platform (the root secret, the keys that sign evidence): a regular file,
 * not a symbolic link, owned by us, that no one else can read or write. Returns the descriptor; -1 (errno set)
 * if it cannot be opened; -2 if it exists but fails those checks.
 */
static int open_private(int dfd, const char *name)
{
	struct stat st;
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ELOOP ? -2 : -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
		close(fd);
		return -2;
	}
	return fd;
}

/* The whole of a small file (under 1 MiB), NUL-terminated; closes f. A short read's bytes are wiped before they
 * are freed: read_key reads private keys through here. */
static char *read_stream(FILE *f, size_t *len)
{
	char *buf = NULL;
	long sz;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) > 0 && sz < (1 << 20) && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)sz + 1)) && fread(buf, 1, (size_t)sz, f) == (size_t)sz) {
		buf[sz] = 0;
		*len = (size_t)sz;
	} else {
		if (buf)
			OPENSSL_cleanse(buf, (size_t)sz);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* A public file of the platform (a certificate), never through a link. */
static char *read_text(int dfd, const char *name, size_t *len)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (fd >= 0 && !f)
		close(fd);
	return read_stream(f, len);
}

/* A private key file (open_private's checks); *unsafe is set if it exists but fails them. */
static EVP_PKEY *read_key(int dfd, const char *name, bool *unsafe)
{
	size_t len = 0;
	int fd = open_private(dfd, name);
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	char *pem;
	if (fd == -2)
		*unsafe = true;
	if (fd >= 0 && !f)
		close(fd);
	pem = read_stream(f, &len);
	BIO *b = pem ? BIO_new_mem_buf(pem, (int)len) : NULL;
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (pem) {
		OPENSSL_cleanse(pem, len);
		free(pem);
	}
	return k;
}

static bool pub64(EVP_PKEY *k, uint8_t out[64])
{
	uint8_t buf[65];
	size_t n = 0;
	if (!EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof(buf), &n) || n != 65 ||
	    buf[0] != 4)
		return false;
	memcpy(out, buf + 1, 64);
	return true;
}

cella_result cella_platform_open(const char *dir_in, struct cella_platform **out, char *why, size_t n)
{
	char dir[4000];
	struct cella_platform *p = NULL;
	cella_result r = CELLA_ERR_IO;
	size_t len = 0;
	int dfd = -1, lock = -1, fd = -1;
	char *a = NULL, *b = NULL, *c = NULL;
	size_t la = 0, lb = 0, lc = 0;
	struct stat st;

	*out = NULL;
	if (dir_in)
		snprintf(dir, sizeof(dir), "%s", dir_in);
	else
		cella_platform_default_dir(dir, sizeof(dir));
	r = open_dir(dir, &dfd, why, n);
	if (r != CELLA_OK)
		return r;
	r = CELLA_ERR_IO;
	lock = openat(dfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) != 0) {
		why_f(why, n, "cannot lock %s/.lock: %s", dir, strerror(errno));
		goto out;
	}
	if (fstatat(dfd, "platform.secret", &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT) {
			why_f(why, n, "cannot look for the platform secret in %s: %s", dir, strerror(errno));
			goto out;
		}
		r = create_platform(dfd, dir, why, n);
		if (r != CELLA_OK)
			goto out;
	}
	r = CELLA_ERR_IO;
	p = calloc(1, sizeof(*p));
	if (!p) {
		r = CELLA_ERR_OUT_OF_MEMORY;
		goto out;
	}
	fd = open_private(dfd, "platform.secret");
	if (fd == -2) {
		why_f(why, n, "the platform secret %s/platform.secret must be a file owned by uid %u that only its owner "
			      "can read or write (chmod 600)",
		      dir, (unsigned)geteuid());
		r = CELLA_ERR_PERMISSION;
		goto out;
	}
	if (fd < 0 || read(fd, p->secret, SECRET_BYTES) != SECRET_BYTES) {
		why_f(why, n, "cannot read the platform secret %s/platform.secret", dir);
		goto out;
	}
	if (!prepare_macs(p)) {
		why_f(why, n, "OpenSSL has no HMAC-SHA-256 or AES-CMAC");
		r = CELLA_ERR_CRYPTO;
		goto out;
	}
	{
		bool unsafe = false;
		p->pck_key = read_key(dfd, "pck.key", &unsafe);
		p->attest_key = read_key(dfd, "attest.key", &unsafe);
		if (unsafe) { /* they sign the platform's evidence: whoever reads them can forge it */
			why_f(why, n, "the platform keys %s/pck.key and %s/attest.key must be files owned by uid %u that "
				      "only their owner can read or write (chmod 600)",
			      dir, dir, (unsigned)geteuid());
			r = CELLA_ERR_PERMISSION;
			goto out;
		}
	}
	a = read_text(dfd, "pck.pem", &la);
	b = read_text(dfd, "platform-ca.pem", &lb);
	c = read_text(dfd, "root-ca.pem", &lc);
	if (!p->pck_key || !p->attest_key || !a || !b || !c || !pub64(p->attest_key, p->attest_pub)) {
		why_f(why, n, "the platform state in %s is incomplete or damaged (remove it to start a new platform)", dir);
		r = CELLA_ERR_BAD_FORMAT;
		goto out;
	}
	len = la + lb + lc;
	p->chain_pem = malloc(len + 1);
	if (!p->chain_pem) {
		r = CELLA_ERR_OUT_OF_MEMORY;
		goto out;
	}
	memcpy(p->chain_pem, a, la);
	memcpy(p->chain_pem + la, b, lb);
	memcpy(p->chain_pem + la + lb, c, lc);
	p->chain_pem[len] = 0;
	p->chain_len = len;
	*out = p;
	p = NULL;
	r = CELLA_OK;
out:
	free(a);
	free(b);
	free(c);
	if (fd >= 0)
		close(fd);
	if (lock >= 0)
		close(lock);
	if (dfd >= 0)
		close(dfd);
	cella_platform_close(p);
	return r;
}

void cella_platform_close(struct cella_platform *p)
{
	if (!p)
		return;
	OPENSSL_cleanse(p->secret, sizeof(p->secret));
	EVP_MAC_CTX_free(p->hmac);
	EVP_MAC_free(p->cmac);
	EVP_PKEY_free(p->pck_key);
	EVP_PKEY_free(p->attest_key);
	free(p->chain_pem);
	free(p);
}

/*
 * The inputs EGETKEY mixes into a key (Intel SDM 38.17, "Key Derivation"): fields a policy does not select are
 * zero. The key is HMAC-SHA-256(root secret, label || inputs), truncated to 128 bits.
 */
struct derivation {
	uint16_t key_name;
	uint16_t key_policy;
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint16_t config_svn;
	uint16_t reserved0;
	uint32_t misc_select;
	struct cella_sgx_attributes attributes;
	uint8_t mr_enclave[32];
	uint8_t mr_signer[32];
	uint8_t key_id[32];
	uint8_t cpu_svn[16];
	uint8_t config_id[64];
	uint8_t isv_family_id[16];
	uint8_t isv_ext_prod_id[16];
};

/* The keyed HMAC and the CMAC algorithm, prepared once per platform. */
static bool prepare_macs(struct cella_platform *p)
{
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
			       OSSL_PARAM_construct_end()};
	p->hmac = m ? EVP_MAC_CTX_new(m) : NULL;
	EVP_MAC_free(m); /* the context keeps its own reference */
	p->cmac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	return p->hmac && p->cmac && EVP_MAC_init(p->hmac, p->secret, sizeof(p->secret), params);
}

static cella_result derive(const struct cella_platform *p, const struct derivation *d, uint8_t key[16])
{
	static const char label[] = "CELLA-SANDBOX-EGETKEY-v1";
	uint8_t mac[32];
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(p->hmac);
	size_t outl = 0;
	bool ok = ctx && EVP_MAC_update(ctx, (const uint8_t *)label, sizeof(label)) &&
		  EVP_MAC_update(ctx, (const uint8_t *)d, sizeof(*d)) && EVP_MAC_final(ctx, mac, &outl, sizeof(mac));
	EVP_MAC_CTX_free(ctx);
	if (!ok || outl != sizeof(mac))
		return CELLA_ERR_CRYPTO;
	memcpy(key, mac, 16);
	OPENSSL_cleanse(mac, sizeof(mac));
	return CELLA_OK;
}

static cella_result cmac(const struct cella_platform *p, const uint8_t key[16], const void *msg, size_t len,
			 uint8_t out[16])
{
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)"AES-128-CBC", 0),
			       OSSL_PARAM_construct_end()};
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(p->cmac);
	size_t outl = 0;
	bool ok = ctx && EVP_MAC_init(ctx, key, 16, params) && EVP_MAC_update(ctx, msg, len) &&
		  EVP_MAC_final(ctx, out, &outl, 16);
	EVP_MAC_CTX_free(ctx);
	return ok && outl == 16 ? CELLA_OK : CELLA_ERR_CRYPTO;
}

/* The report key of the enclave described by a TARGETINFO (EREPORT) or by the caller's own SECS (EGETKEY). */
static cella_result report_key(const struct cella_platform *p, const uint8_t mr_enclave[32],
			       const struct cella_sgx_attributes *attr, uint32_t misc, uint16_t config_svn,
			       const uint8_t config_id[64], const uint8_t key_id[32], uint8_t key[16])
{
	struct derivation d;
	cella_result r;
	memset(&d, 0, sizeof(d));
	d.key_name = CELLA_KEYNAME_REPORT;
	memcpy(d.mr_enclave, mr_enclave, 32);
	d.attributes = *attr;
	d.misc_select = misc;
	d.config_svn = config_svn;
	memcpy(d.config_id, config_id, 64);
	memcpy(d.key_id, key_id, 32);
	memcpy(d.cpu_svn, cpu_svn, 16);
	r = derive(p, &d, key);
	OPENSSL_cleanse(&d, sizeof(d));
	return r;
}

cella_result cella_platform_report(struct cella_platform *p, const struct cella_identity *id,
				   const struct cella_target_info *target, const uint8_t report_data[64],
				   struct cella_report *out)
{
	struct cella_report rep;
	uint8_t key[16];
	cella_result r;

	memset(&rep, 0, sizeof(rep));
	memcpy(rep.body.cpu_svn, cpu_svn, 16);
	rep.body.misc_select = id->misc_select;
	memcpy(rep.body.isv_ext_prod_id, id->isv_ext_prod_id, 16);
	rep.body.attributes = id->attributes;
	memcpy(rep.body.mr_enclave, id->mr_enclave, 32);
	memcpy(rep.body.mr_signer, id->mr_signer, 32);
	memcpy(rep.body.config_id, id->config_id, 64);
	rep.body.isv_prod_id = id->isv_prod_id;
	rep.body.isv_svn = id->isv_svn;
	rep.body.config_svn = id->config_svn;
	memcpy(rep.body.isv_family_id, id->isv_family_id, 16);
	memcpy(rep.body.report_data, report_data, 64);
	if (RAND_bytes(rep.key_id, sizeof(rep.key_id)) != 1)
		return CELLA_ERR_CRYPTO;
	if (target)
		r = report_key(p, target->mr_enclave, &target->attributes, target->misc_select, target->config_svn,
			       target->config_id, rep.key_id, key);
	else
		r = report_key(p, id->mr_enclave, &id->attributes, id->misc_select, id->config_svn, id->config_id,
			       rep.key_id, key);
	if (r == CELLA_OK)
		r = cmac(p, key, &rep.body, sizeof(rep.body), rep.mac);
	OPENSSL_cleanse(key, sizeof(key));
	if (r == CELLA_OK)
		*out = rep;
	return r;
}

/* SVN a <= b, component by component (CPUSVN is 16 one-byte components). */
static bool svn_le(const uint8_t a[16], const uint8_t b[16])
{
	for (int i = 0; i < 16; i++)
		if (a[i] > b[i])
			return false;
	return true;
}

cella_result cella_platform_getkey(struct cella_platform *p, const struct cella_identity *id,
				   const struct cella_key_request *req, uint8_t key[16])
{
	struct derivation d;
	cella_result r;
	static const uint8_t zero[434];

	if (req->key_policy & ~0x3fu || req->reserved1 || memcmp(req->reserved2, zero, sizeof(zero)) != 0)
		return CELLA_ERR_INVALID_ARG;
	/* EGETKEY's #GP: the KSS policy bits and CONFIGSVN are for KSS enclaves only */
	if (!(id->attributes.flags & CELLA_ATTR_KSS) && ((req->key_policy & CELLA_KEYPOLICY_KSS_ONLY) || req->config_svn))
		return CELLA_ERR_INVALID_ARG;
	if (req->key_name == CELLA_KEYNAME_REPORT)
		return report_key(p, id->mr_enclave, &id->attributes, id->misc_select, id->config_svn, id->config_id,
				  req->key_id, key);
	if (req->key_name == CELLA_KEYNAME_PROVISION || req->key_name == CELLA_KEYNAME_PROVISION_SEAL) {
		if (!(id->attributes.flags & CELLA_ATTR_PROVISIONKEY))
			return CELLA_ERR_INVALID_KEYNAME;
	} else if (req->key_name != CELLA_KEYNAME_SEAL) {
		return CELLA_ERR_INVALID_KEYNAME; /* EINITTOKEN needs the launch enclave's attribute; none here */
	}
	if (req->isv_svn > id->isv_svn)
		return CELLA_ERR_INVALID_ISVSVN;
	if (req->key_name == CELLA_KEYNAME_SEAL && req->config_svn > id->config_svn)
		return CELLA_ERR_INVALID_ISVSVN; /* EGETKEY's code for it too: keys of a later configuration stay out */
	if (!svn_le(req->cpu_svn, cpu_svn))
		return CELLA_ERR_INVALID_CPUSVN;
	memset(&d, 0, sizeof(d));
	d.key_name = req->key_name;
	d.key_policy = req->key_policy;
	if (req->key_policy & CELLA_KEYPOLICY_MRENCLAVE)
		memcpy(d.mr_enclave, id->mr_enclave, 32);
	if (req->key_policy & CELLA_KEYPOLICY_MRSIGNER)
		memcpy(d.mr_signer, id->mr_signer, 32);
	if (!(req->key_policy & CELLA_KEYPOLICY_NOISVPRODID))
		d.isv_prod_id = id->isv_prod_id;
	if (req->key_policy & CELLA_KEYPOLICY_CONFIGID) {
		memcpy(d.config_id, id->config_id, 64);
		d.config_svn = req->config_svn;
	}
	if (req->key_policy & CELLA_KEYPOLICY_ISVFAMILYID)
		memcpy(d.isv_family_id, id->isv_family_id, 16);
	if (req->key_policy & CELLA_KEYPOLICY_ISVEXTPRODID)
		memcpy(d.isv_ext_prod_id, id->isv_ext_prod_id, 16);
	d.isv_svn = req->isv_svn;
	memcpy(d.cpu_svn, req->cpu_svn, 16);
	/* SGX always mixes in INIT and DEBUG, whatever the mask says: a debug enclave never gets a production key. */
	d.attributes.flags = id->attributes.flags & (req->attribute_mask.flags | CELLA_ATTR_INIT | CELLA_ATTR_DEBUG);
	d.attributes.xfrm = id->attributes.xfrm & req->attribute_mask.xfrm;
	d.misc_select = id->misc_select & req->misc_mask;
	memcpy(d.key_id, req->key_id, 32);
	r = derive(p, &d, key);
	OPENSSL_cleanse(&d, sizeof(d));
	return r;
}

/* ECDSA-P256-SHA256 over msg, as the raw r || s (32 bytes each, big-endian) quotes carry. */
static cella_result sign_raw(EVP_PKEY *k, const void *msg, size_t len, uint8_t out[64])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t der[80];
	size_t dl = sizeof(der);
	const uint8_t *pp = der;
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r, *s;
	cella_result res = CELLA_ERR_CRYPTO;

	if (md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
	    EVP_DigestSign(md, der, &dl, msg, len) == 1 && (sig = d2i_ECDSA_SIG(NULL, &pp, (long)dl))) {
		ECDSA_SIG_get0(sig, &r, &s);
		if (BN_bn2binpad(r, out, 32) == 32 && BN_bn2binpad(s, out + 32, 32) == 32)
			res = CELLA_OK;
	}
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	return res;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

cella_result cella_platform_quote(struct cella_platform *p, const struct cella_identity *id,
				  const uint8_t report_data[64], uint8_t **quote, size_t *len)
{
	static const char auth[] = "Cella software quoting component";
	static const char qe_name[] = "Cella software quoting component v1";
	struct cella_quote_header h;
	struct cella_report isv;
	struct cella_report_body qe;
	uint8_t *q = NULL, *w;
	size_t auth_len = sizeof(auth) - 1, sig_len, total;
	uint8_t digest_in[64 + sizeof(auth)];
	cella_result r;

	*quote = NULL;
	*len = 0;
	r = cella_platform_report(p, id, NULL, report_data, &isv);
	if (r != CELLA_OK)
		return r;
	memset(&h, 0, sizeof(h));
	h.version = CELLA_QUOTE_V3;
	h.att_key_type = CELLA_QUOTE_ATT_KEY_ECDSA_P256;
	memcpy(h.qe_vendor_id, CELLA_SOFTWARE_QE_VENDOR_ID, 16);

	/* The quoting component's own report: binds the attestation key (report data = SHA-256(key || auth)). */
	memset(&qe, 0, sizeof(qe));
	memcpy(qe.cpu_svn, cpu_svn, 16);
	qe.attributes.flags = CELLA_ATTR_INIT | CELLA_ATTR_MODE64BIT;
	qe.attributes.xfrm = 3;
	SHA256((const uint8_t *)qe_name, sizeof(qe_name) - 1, qe.mr_enclave);
	SHA256((const uint8_t *)p->chain_pem, p->chain_len, qe.mr_signer);
	qe.isv_prod_id = 1;
	memcpy(digest_in, p->attest_pub, 64);
	memcpy(digest_in + 64, auth, auth_len);
	SHA256(digest_in, 64 + auth_len, qe.report_data);

	sig_len = 64 + 64 + sizeof(qe) + 64 + 2 + auth_len + 2 + 4 + p->chain_len;
	total = sizeof(h) + sizeof(isv.body) + 4 + sig_len;
	q = calloc(1, total);
	if (!q)
		return CELLA_ERR_OUT_OF_MEMORY;
	w = q;
	memcpy(w, &h, sizeof(h));
	w += sizeof(h);
	memcpy(w, &isv.body, sizeof(isv.body));
	w += sizeof(isv.body);
	put32(w, (uint32_t)sig_len);
	w += 4;
	r = sign_raw(p->attest_key, q, sizeof(h) + sizeof(isv.body), w); /* quote signature over header || body */
	w += 64;
	memcpy(w, p->attest_pub, 64);
	w += 64;
	memcpy(w, &qe, sizeof(qe));
	if (r == CELLA_OK)
		r = sign_raw(p->pck_key, w, sizeof(qe), w + sizeof(qe)); /* QE report signature by the PCK key */
	w += sizeof(qe) + 64;
	put16(w, (uint16_t)auth_len);
	memcpy(w + 2, auth, auth_len);
	w += 2 + auth_len;
	put16(w, 5); /* certification data type 5: PCK certificate chain, PEM */
	put32(w + 2, (uint32_t)p->chain_len);
	memcpy(w + 6, p->chain_pem, p->chain_len);
	if (r != CELLA_OK) {
		free(q);
		return r;
	}
	*quote = q;
	*len = total;
	return CELLA_OK;
}
