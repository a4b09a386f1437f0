// SPDX-License-Identifier: MIT
/* cella-attestd configuration: an embedded default, overlaid by a JSON file and then by command-line options. */
#include "attestd_internal.h"
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char default_json[] =
	"{\n"
	"  \"listen\": \"127.0.0.1:8443\",\n"
	"  \"tls\": true,\n"
	"  \"database\": \"cella-attestd.db\",\n"
	"  \"token_alg\": \"RS256\",\n"
	"  \"token_lifetime_seconds\": 28800,\n"
	"  \"max_body_bytes\": 1048576,\n"
	"  \"request_timeout_seconds\": 10,\n"
	"  \"connection_limit\": 1024,\n"
	"  \"policy_mode\": \"aad\",\n"
	"  \"tcb_baseline_default\": 10,\n"
	"  \"test_mode\": false\n"
	"}\n";

const char *attestd_config_default_json(void)
{
	return default_json;
}

static bool set_str(char **dst, json_t *v)
{
	if (!json_is_string(v))
		return false;
	free(*dst);
	*dst = strdup(json_string_value(v));
	return *dst != NULL;
}

static bool set_list(char ***dst, size_t *n, json_t *v)
{
	size_t i;
	json_t *x;
	if (!json_is_array(v))
		return false;
	for (i = 0; i < *n; i++)
		free((*dst)[i]);
	free(*dst);
	*dst = calloc(json_array_size(v) + 1, sizeof(char *));
	*n = 0;
	if (!*dst)
		return false;
	json_array_foreach(v, i, x)
	{
		if (!json_is_string(x) || !((*dst)[i] = strdup(json_string_value(x))))
			return false;
		(*n)++;
	}
	return true;
}

static bool set_uint(unsigned *dst, json_t *v, unsigned min, unsigned max)
{
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return false;
	*dst = (unsigned)json_integer_value(v);
	return true;
}

static bool set_listen(struct attestd_config *c, json_t *v)
{
	const char *s = json_string_value(v), *colon, *host;
	long long port;
	size_t n;
	if (!s || !(colon = strrchr(s, ':')))
		return false;
	if (cella_parse_int(colon + 1, 0, 65535, &port) != 0 || colon == s)
		return false;
	host = s;
	n = (size_t)(colon - s);
	if (s[0] == '[') { /* "[v6-address]:port": the address without its brackets */
		if (n < 3 || colon[-1] != ']')
			return false;
		host++;
		n -= 2;
	}
	free(c->listen_host);
	c->listen_host = strndup(host, n);
	c->port = (unsigned)port;
	return c->listen_host != NULL;
}

cella_result attestd_config_apply_json(struct attestd_config *c, const char *text, size_t len,
				       char err[ATTESTD_ERR_BYTES])
{
	json_error_t je;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je), *v;
	const char *k;
	bool ok = true;
	if (!json_is_object(j)) {
		snprintf(err, ATTESTD_ERR_BYTES, "configuration is not a JSON object (line %d: %s)", je.line, je.text);
		json_decref(j);
		return CELLA_ERR_BAD_FORMAT;
	}
	if (c->threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		c->threads = n <= 0 ? 2 : n < 64 ? (unsigned)n : 64; /* one a CPU, up to the limit of 64 */
	}
	json_object_foreach(j, k, v)
	{
		if (strcmp(k, "listen") == 0)
			ok = set_listen(c, v);
		else if (strcmp(k, "tls") == 0)
			ok = json_is_boolean(v) && ((c->tls = json_is_true(v)), true);
		else if (strcmp(k, "tls_cert") == 0)
			ok = set_str(&c->tls_cert, v);
		else if (strcmp(k, "tls_key") == 0)
			ok = set_str(&c->tls_key, v);
		else if (strcmp(k, "database") == 0)
			ok = set_str(&c->db, v);
		else if (strcmp(k, "issuer") == 0)
			ok = set_str(&c->issuer, v);
		else if (strcmp(k, "token_alg") == 0)
			ok = (c->token_alg = attestd_alg_parse(json_string_value(v))) != ATTESTD_ALG_NONE;
		else if (strcmp(k, "token_lifetime_seconds") == 0)
			ok = json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) <= 366 * 86400 &&
			     ((c->token_lifetime = json_integer_value(v)), true);
		else if (strcmp(k, "max_body_bytes") == 0)
			ok = json_is_integer(v) && json_integer_value(v) >= 1024 && json_integer_value(v) <= (1 << 28) &&
			     ((c->max_body = (size_t)json_integer_value(v)), true);
		else if (strcmp(k, "threads") == 0)
			ok = set_uint(&c->threads, v, 1, 64);
		else if (strcmp(k, "request_timeout_seconds") == 0)
			ok = set_uint(&c->request_timeout, v, 1, 3600);
		else if (strcmp(k, "connection_limit") == 0)
			ok = set_uint(&c->connection_limit, v, 4, 65536);
		else if (strcmp(k, "admin_token") == 0)
			ok = set_str(&c->admin_token, v) && strlen(c->admin_token) >= ATTESTD_ADMIN_TOKEN_MIN;
		else if (strcmp(k, "admin_token_file") == 0) {
			char *t = NULL;
			size_t n;
			ok = json_is_string(v) && attestd_read_file(json_string_value(v), 4096, &t, &n) == CELLA_OK;
			if (ok) {
				while (n && (t[n - 1] == '\n' || t[n - 1] == '\r'))
					t[--n] = 0;
				free(c->admin_token);
				c->admin_token = t;
				/* an empty token would let anyone in; a NUL would make it shorter than it was checked */
				ok = n >= ATTESTD_ADMIN_TOKEN_MIN && strlen(t) == n;
			}
		} else if (strcmp(k, "admin_client_ca") == 0)
			ok = set_str(&c->admin_client_ca, v);
		else if (strcmp(k, "policy_mode") == 0) {
			const char *m = json_string_value(v);
			ok = m && (strcmp(m, "aad") == 0 || strcmp(m, "isolated") == 0);
			c->isolated = ok && strcmp(m, "isolated") == 0;
		} else if (strcmp(k, "policy_signers") == 0)
			ok = set_list(&c->policy_signers, &c->n_policy_signers, v);
		else if (strcmp(k, "collateral_files") == 0)
			ok = set_list(&c->collateral_files, &c->n_collateral_files, v);
		else if (strcmp(k, "pccs_url") == 0)
			ok = set_str(&c->pccs_url, v);
		else if (strcmp(k, "collateral_cache_dir") == 0)
			ok = set_str(&c->collateral_cache_dir, v);
		else if (strcmp(k, "collateral_retry_seconds") == 0)
			ok = set_uint(&c->collateral_retry_seconds, v, 0, 3600) && (c->collateral_retry_set = true);
		else if (strcmp(k, "collateral_cache_entries") == 0)
			ok = set_uint(&c->collateral_cache_entries, v, 1, 256);
		else if (strcmp(k, "tcb_baseline_default") == 0)
			ok = set_uint(&c->tcb_baseline_default, v, 1, 100000);
		else if (strcmp(k, "pccs_update") == 0)
			ok = json_is_string(v) &&
			     (!strcmp(json_string_value(v), "early") || !strcmp(json_string_value(v), "standard")) &&
			     set_str(&c->pccs_update, v);
		else if (strcmp(k, "pccs_insecure_tls") == 0)
			ok = json_is_boolean(v) && ((c->pccs_insecure_tls = json_is_true(v)), true);
		else if (strcmp(k, "cella_enclave_root") == 0)
			ok = set_str(&c->cella_root, v);
		else if (strcmp(k, "test_mode") == 0)
			ok = json_is_boolean(v) && ((c->test_mode = json_is_true(v)), true);
		else if (strcmp(k, "verify_time") == 0) {
			ok = json_is_integer(v) && ((c->verify_time = json_integer_value(v)), true);
		} else {
			snprintf(err, ATTESTD_ERR_BYTES, "unknown configuration key \"%s\"", k);
			json_decref(j);
			return CELLA_ERR_BAD_FORMAT;
		}
		if (!ok) {
			snprintf(err, ATTESTD_ERR_BYTES, "invalid value for configuration key \"%s\"", k);
			json_decref(j);
			return CELLA_ERR_BAD_FORMAT;
		}
	}
	json_decref(j);
	return CELLA_OK;
}

void attestd_config_fini(struct attestd_config *c)
{
	free(c->listen_host);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->db);
	free(c->issuer);
	if (c->admin_token) {
		memset(c->admin_token, 0, strlen(c->admin_token));
		free(c->admin_token);
	}
	free(c->admin_client_ca);
	for (size_t i = 0; i < c->n_policy_signers; i++)
		free(c->policy_signers[i]);
	free(c->policy_signers);
	for (size_t i = 0; i < c->n_collateral_files; i++)
		free(c->collateral_files[i]);
	free(c->collateral_files);
	free(c->pccs_url);
	free(c->pccs_update);
	free(c->collateral_cache_dir);
	free(c->cella_root);
	memset(c, 0, sizeof(*c));
}
