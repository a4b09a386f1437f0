// SPDX-License-Identifier: MIT
/*
 * cella-attestd state in one SQLite file: signing keys, the TLS certificate, policies. Several instances may
 * share the file: keys are created inside an IMMEDIATE transaction (the second instance finds the first's key),
 * and PRAGMA data_version tells an instance when another one committed a change.
 */
#include "attestd_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct attestd_store {
	sqlite3 *db;
	pthread_mutex_t mu;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS signing_keys(id INTEGER PRIMARY KEY, alg TEXT NOT NULL, kid TEXT NOT NULL,"
	" key_pem TEXT NOT NULL, cert_pem TEXT NOT NULL, created INTEGER NOT NULL, active INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS tls(id INTEGER PRIMARY KEY CHECK (id = 1), key_pem TEXT NOT NULL,"
	" cert_pem TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS policies(type TEXT PRIMARY KEY, text TEXT NOT NULL, jws TEXT NOT NULL,"
	" updated INTEGER NOT NULL);";

/*
 * The file holds private keys: it is created 0600 (SQLite gives its -wal and -shm files the database's mode) and
 * an existing file, or journal, that group or others may read is made owner-only, or refused if it cannot be.
 * A file that does not exist is fine for the journals. Returns false with err set.
 */
static bool owner_only(const char *path, bool create, char err[ATTESTD_ERR_BYTES])
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (fd < 0) {
		if (!create && errno == ENOENT)
			return true;
		snprintf(err, ATTESTD_ERR_BYTES, "cannot open database %s: %s", path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, ATTESTD_ERR_BYTES, "database %s is not a regular file", path);
		close(fd);
		return false;
	}
	if ((st.st_mode & 077) && fchmod(fd, st.st_mode & 0700) != 0) {
		snprintf(err, ATTESTD_ERR_BYTES,
			 "database %s holds private keys but others may read it (mode %03o) and it cannot be made "
			 "owner-only: %s",
			 path, (unsigned)(st.st_mode & 0777), strerror(errno));
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

cella_result attestd_store_open(const char *path, struct attestd_store **out, char err[ATTESTD_ERR_BYTES])
{
	struct attestd_store *s;
	char *msg = NULL;
	if (strcmp(path, ":memory:") != 0) {
		char journal[4096];
		if (!owner_only(path, true, err))
			return CELLA_ERR_IO;
		for (int i = 0; i < 2; i++) {
			if ((size_t)snprintf(journal, sizeof(journal), "%s-%s", path, i ? "shm" : "wal") >= sizeof(journal)) {
				snprintf(err, ATTESTD_ERR_BYTES, "database path too long");
				return CELLA_ERR_IO;
			}
			if (!owner_only(journal, false, err))
				return CELLA_ERR_IO;
		}
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return CELLA_ERR_OUT_OF_MEMORY;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
	    SQLITE_OK) {
		snprintf(err, ATTESTD_ERR_BYTES, "cannot open database %s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		sqlite3_close(s->db);
		free(s);
		return CELLA_ERR_IO;
	}
	sqlite3_busy_timeout(s->db, 10000);
	/* FULL: a policy answered "Updated" or a signing key whose tokens are out survives a power loss (writes are
	 * rare; NORMAL in WAL mode may roll the last commits back) */
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, ATTESTD_ERR_BYTES, "cannot initialise database %s: %s", path,
			 msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		sqlite3_close(s->db);
		free(s);
		return CELLA_ERR_IO;
	}
	pthread_mutex_init(&s->mu, NULL);
	*out = s;
	return CELLA_OK;
}

void attestd_store_close(struct attestd_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? strdup((const char *)t) : NULL;
}

cella_result attestd_store_signing_key(struct attestd_store *s, attestd_alg alg, const char *cn,
				       struct attestd_key *out)
{
	sqlite3_stmt *st = NULL;
	cella_result r = CELLA_ERR_IO;
	struct attestd_key k;
	bool in_tx = false;
	memset(&k, 0, sizeof(k));
	pthread_mutex_lock(&s->mu);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	in_tx = true;
	if (sqlite3_prepare_v2(s->db, "SELECT key_pem, cert_pem FROM signing_keys WHERE alg = ?1 AND active = 1 "
				      "ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, attestd_alg_name(alg), -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		r = attestd_key_load((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
				     &k);
		sqlite3_finalize(st);
		st = NULL;
		if (r != CELLA_OK)
			goto out;
	} else {
		sqlite3_finalize(st);
		st = NULL;
		r = attestd_key_generate(alg, cn, &k);
		if (r != CELLA_OK)
			goto out;
		r = CELLA_ERR_IO;
		if (sqlite3_prepare_v2(s->db, "INSERT INTO signing_keys(alg, kid, key_pem, cert_pem, created, active) "
					      "VALUES (?1, ?2, ?3, ?4, ?5, 1)", -1, &st, NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_text(st, 1, attestd_alg_name(alg), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, k.kid, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, k.key_pem, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, k.cert_pem, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	in_tx = false;
	*out = k;
	memset(&k, 0, sizeof(k));
	r = CELLA_OK;
out:
	sqlite3_finalize(st);
	if (in_tx)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_unlock(&s->mu);
	attestd_key_fini(&k);
	return r;
}

/* A self-signed TLS certificate for localhost / 127.0.0.1 (generated with the token-key code, then extended). */

static cella_result tls_generate(char **key_pem, char **cert_pem)
{
	struct attestd_key k;
	X509 *c;
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	BIO *b;
	char *data;
	long n;
	cella_result r = attestd_key_generate(ATTESTD_ALG_ES256, "localhost", &k);
	if (r != CELLA_OK)
		return r;
	c = k.cert;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, c, c, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
	r = CELLA_ERR_CRYPTO;
	if (!ext || X509_add_ext(c, ext, -1) != 1 || X509_sign(c, k.pkey, EVP_sha256()) <= 0) {
		X509_EXTENSION_free(ext);
		attestd_key_fini(&k);
		return r;
	}
	X509_EXTENSION_free(ext);
	b = BIO_new(BIO_s_mem());
	if (b && PEM_write_bio_X509(b, c) == 1 && (n = BIO_get_mem_data(b, &data)) > 0 &&
	    (*cert_pem = strndup(data, (size_t)n)) && (*key_pem = strdup(k.key_pem)))
		r = CELLA_OK;
	BIO_free(b);
	attestd_key_fini(&k);
	return r;
}

cella_result attestd_store_tls(struct attestd_store *s, char **key_pem, char **cert_pem)
{
	sqlite3_stmt *st = NULL;
	cella_result r = CELLA_ERR_IO;
	bool in_tx = false;
	*key_pem = *cert_pem = NULL;
	pthread_mutex_lock(&s->mu);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	in_tx = true;
	if (sqlite3_prepare_v2(s->db, "SELECT key_pem, cert_pem FROM tls WHERE id = 1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*key_pem = col_dup(st, 0);
		*cert_pem = col_dup(st, 1);
		r = *key_pem && *cert_pem ? CELLA_OK : CELLA_ERR_OUT_OF_MEMORY;
	} else {
		sqlite3_finalize(st);
		st = NULL;
		r = tls_generate(key_pem, cert_pem);
		if (r != CELLA_OK)
			goto out;
		r = CELLA_ERR_IO;
		if (sqlite3_prepare_v2(s->db, "INSERT INTO tls(id, key_pem, cert_pem) VALUES (1, ?1, ?2)", -1, &st,
				       NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_text(st, 1, *key_pem, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, *cert_pem, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_DONE)
			r = CELLA_OK;
	}
	if (r == CELLA_OK && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		in_tx = false;
	else
		r = CELLA_ERR_IO;
out:
	sqlite3_finalize(st);
	if (in_tx)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_unlock(&s->mu);
	if (r != CELLA_OK) {
		free(*key_pem);
		free(*cert_pem);
		*key_pem = *cert_pem = NULL;
	}
	return r;
}

cella_result attestd_store_policy_get(struct attestd_store *s, const char *type, char **text, char **jws)
{
	sqlite3_stmt *st = NULL;
	cella_result r = CELLA_ERR_IO;
	*text = *jws = NULL;
	pthread_mutex_lock(&s->mu);
	if (sqlite3_prepare_v2(s->db, "SELECT text, jws FROM policies WHERE type = ?1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		*text = col_dup(st, 0);
		*jws = col_dup(st, 1);
		r = *text && *jws ? CELLA_OK : CELLA_ERR_OUT_OF_MEMORY;
		break;
	case SQLITE_DONE:
		r = CELLA_ERR_NOT_FOUND;
		break;
	default:
		break;
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->mu);
	if (r != CELLA_OK) {
		free(*text);
		free(*jws);
		*text = *jws = NULL;
	}
	return r;
}

cella_result attestd_store_policy_set(struct attestd_store *s, const char *type, const char *text, const char *jws)
{
	sqlite3_stmt *st = NULL;
	cella_result r = CELLA_ERR_IO;
	pthread_mutex_lock(&s->mu);
	if (sqlite3_prepare_v2(s->db, "INSERT INTO policies(type, text, jws, updated) VALUES (?1, ?2, ?3, ?4) "
				      "ON CONFLICT(type) DO UPDATE SET text = excluded.text, jws = excluded.jws, "
				      "updated = excluded.updated", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, jws, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
		if (sqlite3_step(st) == SQLITE_DONE)
			r = CELLA_OK;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->mu);
	return r;
}

cella_result attestd_store_policy_reset(struct attestd_store *s, const char *type)
{
	sqlite3_stmt *st = NULL;
	cella_result r = CELLA_ERR_IO;
	pthread_mutex_lock(&s->mu);
	if (sqlite3_prepare_v2(s->db, "DELETE FROM policies WHERE type = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_DONE)
			r = CELLA_OK;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->mu);
	return r;
}

int64_t attestd_store_version(struct attestd_store *s)
{
	/* data_version changes on commits by other connections; our own commits are counted by the caller */
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	pthread_mutex_lock(&s->mu);
	if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->mu);
	return v;
}
