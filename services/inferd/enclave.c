// SPDX-License-Identifier: MIT
/*
 * cella-inferd's enclave: loads the ONNX model the host hands it (as many copies as requests may run at once), then
 * serves PredictRequests over attested TLS on every thread the host sends in (inferd.h has the protocol). Requests,
 * inputs and outputs exist in the clear only in enclave memory; the host moves encrypted records. The model comes
 * from the host, so each session starts with the SHA-256 of the model loaded, for the client to check.
 */
#include <bearssl.h>
#include <cella/enclave.h>
#include <cella/onnx.h>
#include <cella/seal.h>
#include <cella/tls.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inferd.h"
/* Wipes below are explicit_bzero: a memset the compiler sees followed by free, or by the end of a buffer's life, is a
 * dead store it may drop. */
#include "predict.pb-c.h"

/* One copy of the model, and the last line its engine logged (the reason a run failed). */
struct instance {
	struct cella_onnx_model *m;
	int busy;
	char why[256];
};

static struct {
	pthread_mutex_t lock; /* guards busy, workers and loaded */
	pthread_cond_t freed; /* an instance became free */
	struct instance inst[INFERD_MAX_INSTANCES];
	uint32_t n_inst, workers, instances;
	int loaded; /* 0 nothing, 1 LOAD done (key and certificate made), 2 loading or unloading */
	int model;  /* MODEL_*: guarded by lock */
	int encrypted; /* the model file given is encrypted */
	uint8_t *enc; /* an encrypted model file (enclave memory), while it waits for its key */
	size_t enc_len;
	size_t n_in, n_out;
	const char **in_names, **out_names; /* instance 0's: the same in every copy */
	struct cella_tls_key key;
	uint8_t cert[CELLA_ATTEST_CERT_MAX_BYTES];
	size_t cert_len;
	uint8_t hello[INFERD_HELLO_BYTES];
} g = {.lock = PTHREAD_MUTEX_INITIALIZER, .freed = PTHREAD_COND_INITIALIZER};

enum { MODEL_NONE, MODEL_LOCKED, MODEL_UNLOCKING, MODEL_READY };

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void keep_log(void *ctx, const char *msg)
{
	struct instance *in = ctx;
	snprintf(in->why, sizeof(in->why), "%s", msg);
}

/* ---------------------------------------------------------------------------------------------------------------
 * LOAD and UNLOAD
 */

static void unload_models(void)
{
	for (uint32_t i = 0; i < g.n_inst; i++)
		cella_onnx_model_free(g.inst[i].m);
	free(g.in_names);
	free(g.out_names);
	memset(g.inst, 0, sizeof(g.inst));
	g.in_names = g.out_names = NULL;
	g.n_inst = 0;
}

/* The model's copies, and the names of its inputs and outputs, which must all be tensors. The engine's reason for
 * refusing a model goes to the host's output only for a model in the clear: an encrypted one's structure is not
 * the host's to see. */
static cella_result load_models(const uint8_t *bytes, size_t len, uint32_t copies)
{
	struct cella_onnx_model *m;
	struct cella_onnx_tensor info;
	cella_result r;
	for (uint32_t i = 0; i < copies; i++) {
		struct cella_onnx_options o = {.log = keep_log, .log_ctx = &g.inst[i]};
		if ((r = cella_onnx_model_new(bytes, len, &o, &g.inst[i].m)) != CELLA_OK) {
			printf("enclave: the model does not load: %s%s%s\n", cella_result_str(r),
			       g.inst[i].why[0] && !g.encrypted ? ": " : "", g.encrypted ? "" : g.inst[i].why);
			return r;
		}
		g.n_inst = i + 1;
	}
	m = g.inst[0].m;
	g.n_in = cella_onnx_model_input_count(m);
	g.n_out = cella_onnx_model_output_count(m);
	if (!(g.in_names = calloc(g.n_in + 1, sizeof(char *))) || !(g.out_names = calloc(g.n_out + 1, sizeof(char *))))
		return CELLA_ERR_OUT_OF_MEMORY;
	for (size_t i = 0; i < g.n_in; i++)
		if (cella_onnx_model_input_form(m, i) != 0 ||
		    cella_onnx_model_input_info(m, i, &g.in_names[i], &info) != CELLA_OK) {
			printf("enclave: the model's input %zu is not a tensor: this service takes tensors\n", i);
			return CELLA_ERR_MODEL_UNSUPPORTED;
		}
	for (size_t i = 0; i < g.n_out; i++)
		if (cella_onnx_model_output_form(m, i) != 0 ||
		    cella_onnx_model_output_info(m, i, &g.out_names[i], &info) != CELLA_OK) {
			printf("enclave: the model's output %zu is not a tensor: this service answers tensors\n", i);
			return CELLA_ERR_MODEL_UNSUPPORTED;
		}
	return CELLA_OK;
}

/* The model in an encrypted file (g.enc), decrypted with key into a new buffer; CELLA_ERR_MAC_MISMATCH when the
 * key is not the one it was encrypted under (or the file was changed). */
static cella_result decrypt_model(const uint8_t key[INFERD_KEY_BYTES], uint8_t **pt, size_t *pt_len)
{
	br_aes_x86ni_ctr_keys x86;
	br_aes_ct64_ctr_keys ct;
	br_gcm_context gcm;
	const br_block_ctr_class *vt = br_aes_x86ni_ctr_get_vtable();
	br_ghash gh = br_ghash_pclmul_get();
	size_t n = g.enc_len - INFERD_MODEL_HEADER - INFERD_MODEL_TAG;
	uint8_t *b = malloc(n);
	cella_result r = CELLA_OK;
	if (!b)
		return CELLA_ERR_OUT_OF_MEMORY;
	if (!gh)
		gh = br_ghash_ctmul64;
	if (vt) {
		br_aes_x86ni_ctr_init(&x86, key, INFERD_KEY_BYTES);
		br_gcm_init(&gcm, &x86.vtable, gh);
	} else {
		br_aes_ct64_ctr_init(&ct, key, INFERD_KEY_BYTES);
		br_gcm_init(&gcm, &ct.vtable, gh);
	}
	br_gcm_reset(&gcm, g.enc + 16, 12);
	br_gcm_aad_inject(&gcm, g.enc, INFERD_MODEL_HEADER);
	br_gcm_flip(&gcm);
	memcpy(b, g.enc + INFERD_MODEL_HEADER, n);
	br_gcm_run(&gcm, 0, b, n);
	if (!br_gcm_check_tag(&gcm, g.enc + g.enc_len - INFERD_MODEL_TAG)) {
		explicit_bzero(b, n);
		free(b);
		r = CELLA_ERR_MAC_MISMATCH;
	} else {
		*pt = b;
		*pt_len = n;
	}
	explicit_bzero(&x86, sizeof(x86));
	explicit_bzero(&ct, sizeof(ct));
	explicit_bzero(&gcm, sizeof(gcm));
	return r;
}

/* Decrypts and loads the encrypted model with key, then frees its encrypted copy (the caller alone is unlocking it:
 * LOAD, or a session that set MODEL_UNLOCKING); *why names what failed. */
static cella_result unlock_model(const uint8_t key[INFERD_KEY_BYTES], const char **why)
{
	uint8_t *pt = NULL;
	size_t n = 0;
	cella_result r = decrypt_model(key, &pt, &n);
	if (r != CELLA_OK) {
		*why = r == CELLA_ERR_MAC_MISMATCH ? "the key does not decrypt the model (another key, or a changed file)"
						   : "no memory to decrypt the model";
		return r;
	}
	r = load_models(pt, n, g.instances);
	explicit_bzero(pt, n); /* the model in the clear, now held by the engine */
	free(pt);
	if (r != CELLA_OK) {
		unload_models();
		*why = "the decrypted model does not load";
	} else {
		free(g.enc); /* only a locked model is unlocked: its encrypted copy is done with */
		g.enc = NULL;
	}
	return r;
}

/* Whether a model file is an encrypted one (its magic); check_encrypted then checks the rest of its header. */
static int encrypted(const uint8_t *b, size_t n)
{
	return n >= 8 && memcmp(b, INFERD_MODEL_MAGIC, 8) == 0;
}

/* An encrypted file's header: version 1, reserved 0, and room for a tag. */
static cella_result check_encrypted(const uint8_t *b, size_t n)
{
	uint32_t version, reserved;
	if (n < INFERD_MODEL_HEADER + INFERD_MODEL_TAG + 1) {
		printf("enclave: the encrypted model is %zu bytes: too short for its header and tag\n", n);
		return CELLA_ERR_TRUNCATED;
	}
	memcpy(&version, b + 8, 4);
	memcpy(&reserved, b + 12, 4);
	if (version != INFERD_MODEL_VERSION || reserved != 0) {
		printf("enclave: the encrypted model is of version %u (reserved %u): this service reads version 1\n",
		       version, reserved);
		return CELLA_ERR_UNSUPPORTED;
	}
	return CELLA_OK;
}

/* The model key sealed to this enclave's signer (MRSIGNER policy), the model file's hash as AAD, to the host; with
 * nothing when it cannot be sealed (the host learns the model is loaded either way). */
static void keep_sealed(const uint8_t key[INFERD_KEY_BYTES])
{
	uint8_t blob[INFERD_MAX_SEALED];
	size_t len = 0, got = 0;
	cella_result r = cella_seal(CELLA_SEAL_POLICY_MRSIGNER, g.hello + 16, 32, key, INFERD_KEY_BYTES, blob,
				    sizeof(blob), &len);
	if (r != CELLA_OK) { /* the model is loaded all the same; only a restart will need the key again */
		printf("enclave: the model key cannot be sealed: %s\n", cella_result_str(r));
		len = 0;
	}
	if ((r = cella_ocall(INFERD_OCALL_KEEP_SEALED, blob, len, NULL, 0, &got)) != CELLA_OK)
		printf("enclave: the host did not keep the sealed model key: %s\n", cella_result_str(r));
}

/* The key in a sealed blob from the host: sealed by this enclave's signer, for this model file. */
static cella_result unseal_key(const uint8_t *blob, size_t len, uint8_t key[INFERD_KEY_BYTES])
{
	uint8_t aad[32];
	size_t al = 0, kl = 0, want_a = 0, want_k = 0;
	cella_result r = cella_sealed_lengths(blob, len, &want_a, &want_k);
	if (r == CELLA_OK && (want_a != sizeof(aad) || want_k != INFERD_KEY_BYTES))
		r = CELLA_ERR_SEALED_BLOB;
	if (r == CELLA_OK)
		r = cella_unseal(blob, len, key, INFERD_KEY_BYTES, &kl, aad, sizeof(aad), &al);
	/* the lengths are the ones checked above: the header that announces them is authenticated */
	if (r == CELLA_OK && memcmp(aad, g.hello + 16, 32) != 0) {
		explicit_bzero(key, INFERD_KEY_BYTES);
		r = CELLA_ERR_SEALED_BLOB; /* a key sealed for another model file */
	}
	if (r != CELLA_OK)
		printf("enclave: the sealed model key does not open for this enclave and model: %s\n",
		       cella_result_str(r));
	return r;
}

/* Everything LOAD made, freed and the key wiped, back to nothing loaded (the caller is the one loading or
 * unloading). */
static void release_all(void)
{
	unload_models();
	cella_tls_key_fini(&g.key);
	memset(g.cert, 0, sizeof(g.cert));
	free(g.enc);
	g.enc = NULL;
	g.encrypted = 0;
	pthread_mutex_lock(&g.lock);
	g.loaded = 0;
	g.model = MODEL_NONE;
	pthread_mutex_unlock(&g.lock);
}

static cella_result load(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct inferd_load_in a;
	struct inferd_load_out o = {0};
	const uint8_t *model, *sealed;
	uint8_t key[INFERD_KEY_BYTES];
	const char *why = NULL;
	br_sha256_context h;
	cella_result r;

	/* the call's input is the runtime's private copy in enclave memory: its header checked before the rest */
	if (n < sizeof(a) || on < sizeof(o))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&a, in, sizeof(a));
	if (a.model_bytes == 0 || a.model_bytes > n - sizeof(a) || a.sealed_bytes != n - sizeof(a) - a.model_bytes ||
	    a.sealed_bytes > INFERD_MAX_SEALED || a.instances == 0 || a.instances > INFERD_MAX_INSTANCES || a.reserved)
		return CELLA_ERR_INVALID_ARG;
	model = in + sizeof(a);
	sealed = model + a.model_bytes;
	pthread_mutex_lock(&g.lock);
	r = g.loaded ? CELLA_ERR_INVALID_STATE : CELLA_OK;
	g.loaded |= 2; /* loading: a second LOAD, a WORK or an UNLOAD meanwhile is refused */
	pthread_mutex_unlock(&g.lock);
	if (r != CELLA_OK)
		return r;
	g.instances = a.instances;
	br_sha256_init(&h);
	br_sha256_update(&h, model, (size_t)a.model_bytes);
	br_sha256_out(&h, g.hello + 16);
	if (!encrypted(model, (size_t)a.model_bytes)) {
		r = a.sealed_bytes ? CELLA_ERR_INVALID_ARG : CELLA_OK; /* a sealed key for a model in the clear */
		if (r != CELLA_OK)
			printf("enclave: a sealed model key was given for a model that is not encrypted\n");
		else if ((r = load_models(model, (size_t)a.model_bytes, a.instances)) == CELLA_OK)
			g.model = MODEL_READY;
	} else if ((r = check_encrypted(model, (size_t)a.model_bytes)) == CELLA_OK) {
		g.encrypted = 1;
		if (!(g.enc = malloc((size_t)a.model_bytes))) {
			r = CELLA_ERR_OUT_OF_MEMORY;
		} else {
			memcpy(g.enc, model, (size_t)a.model_bytes);
			g.enc_len = (size_t)a.model_bytes;
			g.model = MODEL_LOCKED;
			if (a.sealed_bytes && (r = unseal_key(sealed, (size_t)a.sealed_bytes, key)) == CELLA_OK) {
				if ((r = unlock_model(key, &why)) == CELLA_OK)
					g.model = MODEL_READY;
				else
					printf("enclave: %s\n", why);
			}
			explicit_bzero(key, sizeof(key));
		}
	}
	if (r == CELLA_OK)
		r = cella_tls_key_generate(&g.key);
	/* the model file's hash bound into the quote with the key: a client requires it in the handshake itself */
	if (r == CELLA_OK)
		r = cella_attest_cert_bound(&g.key, "cella-inferd", g.hello + 16, g.cert, sizeof(g.cert), &g.cert_len);
	if (r != CELLA_OK) {
		release_all();
		return r;
	}
	memcpy(g.hello, INFERD_MAGIC, 8);
	put32(g.hello + 8, INFERD_VERSION);
	put32(g.hello + 12, INFERD_MAX_REQUEST);
	memcpy(o.model_sha256, g.hello + 16, 32);
	o.inputs = (uint32_t)g.n_in;
	o.outputs = (uint32_t)g.n_out;
	o.locked = g.model == MODEL_LOCKED;
	memcpy(out, &o, sizeof(o));
	*w = sizeof(o);
	pthread_mutex_lock(&g.lock);
	g.loaded = 1;
	pthread_mutex_unlock(&g.lock);
	return CELLA_OK;
}

static cella_result unload(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	cella_result r = CELLA_OK;
	(void)in, (void)n, (void)out, (void)on, (void)w;
	pthread_mutex_lock(&g.lock);
	if (g.loaded != 1 || g.workers)
		r = CELLA_ERR_INVALID_STATE;
	else
		g.loaded = 2; /* unloading */
	pthread_mutex_unlock(&g.lock);
	if (r != CELLA_OK)
		return r;
	release_all();
	return CELLA_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
 * One request
 */

/* An answer: status, length, payload, as one buffer (one write: one TLS record's worth of flushing, not two). */
struct answer {
	uint8_t *buf; /* NULL: head alone (a key's answer, or no memory for a message) */
	size_t len;
	uint32_t status;
	uint8_t head[8];
};

/* An error answer: status r and the message, then ": " and r's text. */
__attribute__((format(printf, 3, 4))) static void refuse(struct answer *a, cella_result r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1;
	n = snprintf(msg + len, sizeof(msg) - len, ": %s", cella_result_str(r));
	len += n < 0 ? 0 : (size_t)n < sizeof(msg) - len ? (size_t)n : sizeof(msg) - len - 1;
	a->status = (uint32_t)r;
	a->len = 8 + len;
	if (!(a->buf = malloc(a->len)))
		len = 0;
	put32(a->head, (uint32_t)r);
	put32(a->head + 4, (uint32_t)len);
	if (a->buf) {
		memcpy(a->buf, a->head, 8);
		memcpy(a->buf + 8, msg, len);
	}
}

/* Sends the answer (the status alone when there was no memory for it) and frees it; the outputs are wiped. */
static cella_result send_answer(struct cella_tls_server *s, struct answer *a)
{
	cella_result r = a->buf ? cella_tls_server_write(s, a->buf, a->len) : cella_tls_server_write(s, a->head, 8);
	if (a->buf && a->status == 0)
		explicit_bzero(a->buf, a->len); /* the client's output */
	free(a->buf);
	a->buf = NULL;
	return r;
}

static size_t find(const char **names, size_t n, const char *name)
{
	size_t i = 0;
	while (i < n && strcmp(names[i], name) != 0)
		i++;
	return i;
}

static struct instance *take_instance(void)
{
	struct instance *in = NULL;
	pthread_mutex_lock(&g.lock);
	for (;;) {
		for (uint32_t i = 0; i < g.n_inst && !in; i++)
			if (!g.inst[i].busy)
				in = &g.inst[i];
		if (in)
			break;
		pthread_cond_wait(&g.freed, &g.lock);
	}
	in->busy = 1;
	in->why[0] = 0;
	pthread_mutex_unlock(&g.lock);
	return in;
}

static void give_instance(struct instance *in)
{
	pthread_mutex_lock(&g.lock);
	in->busy = 0;
	pthread_cond_signal(&g.freed);
	pthread_mutex_unlock(&g.lock);
}

/* The chosen outputs of a run, as a PredictResponse after an 8-byte header. */
static cella_result respond(const struct cella_onnx_tensor *outs, const uint8_t *want, struct answer *a,
			    const char **what)
{
	Cella__Inferd__PredictResponse rsp = CELLA__INFERD__PREDICT_RESPONSE__INIT;
	Cella__Inferd__TensorEntry *ent = calloc(g.n_out ? g.n_out : 1, sizeof(*ent));
	Cella__Inferd__TensorEntry **ep = calloc(g.n_out ? g.n_out : 1, sizeof(*ep));
	cella_result r = ent && ep ? CELLA_OK : CELLA_ERR_OUT_OF_MEMORY;
	size_t k = 0;
	for (size_t i = 0; i < g.n_out && r == CELLA_OK; i++) {
		if (!want[i])
			continue;
		cella__inferd__tensor_entry__init(&ent[k]);
		ent[k].key = (char *)g.out_names[i]; /* packing only reads it */
		r = cella_onnx_tensor_encode(&outs[i], g.out_names[i], &ent[k].value.data, &ent[k].value.len);
		if (r != CELLA_OK)
			*what = g.out_names[i];
		ep[k] = &ent[k];
		k++;
	}
	if (r == CELLA_OK) {
		rsp.n_outputs = k;
		rsp.outputs = ep;
		size_t len = cella__inferd__predict_response__get_packed_size(&rsp);
		if (len > UINT32_MAX) {
			r = CELLA_ERR_TOO_LARGE;
			*what = "the answer";
		} else if (!(a->buf = malloc(8 + len))) {
			r = CELLA_ERR_OUT_OF_MEMORY;
		} else {
			a->status = 0;
			put32(a->buf, 0);
			put32(a->buf + 4, (uint32_t)len);
			a->len = 8 + cella__inferd__predict_response__pack(&rsp, a->buf + 8);
		}
	}
	for (size_t i = 0; ent && i < k; i++) { /* the client's outputs */
		if (ent[i].value.data)
			explicit_bzero(ent[i].value.data, ent[i].value.len);
		free(ent[i].value.data);
	}
	free(ent);
	free(ep);
	return r;
}

/* The answer to a PredictRequest (decrypted, in enclave memory): the outputs asked for, or what was wrong. */
static void predict(const uint8_t *req, size_t len, struct answer *a)
{
	Cella__Inferd__PredictRequest *p;
	struct cella_onnx_tensor *ins = NULL, *outs = NULL;
	uint8_t *have = NULL, *want = NULL;
	struct instance *inst;
	const char *what = NULL;
	cella_result r;
	size_t i, k;

	pthread_mutex_lock(&g.lock);
	int ready = g.model == MODEL_READY;
	pthread_mutex_unlock(&g.lock);
	if (!ready) {
		refuse(a, CELLA_ERR_INVALID_STATE, "the model is encrypted and has no key yet (cella-infer --provision-key)");
		return;
	}
	if (!(p = cella__inferd__predict_request__unpack(NULL, len, req))) {
		refuse(a, CELLA_ERR_MODEL, "the request is not a PredictRequest");
		return;
	}
	ins = calloc(g.n_in ? g.n_in : 1, sizeof(*ins));
	have = calloc(g.n_in + 1, 1);
	want = calloc(g.n_out + 1, 1);
	if (!ins || !have || !want) {
		refuse(a, CELLA_ERR_OUT_OF_MEMORY, "the request");
		goto out;
	}
	for (i = 0; i < p->n_inputs; i++) {
		const char *name = p->inputs[i]->key;
		if ((k = find(g.in_names, g.n_in, name)) == g.n_in) {
			refuse(a, CELLA_ERR_NOT_FOUND, "input '%s': the model has no input of that name", name);
			goto out;
		}
		if (have[k]) {
			refuse(a, CELLA_ERR_INVALID_ARG, "input '%s' is given twice", name);
			goto out;
		}
		r = cella_onnx_tensor_decode(p->inputs[i]->value.data, p->inputs[i]->value.len, &ins[k]);
		if (r != CELLA_OK) {
			refuse(a, r, "input '%s' is not an ONNX TensorProto the engine takes", name);
			goto out;
		}
		have[k] = 1;
	}
	for (k = 0; k < g.n_in; k++)
		if (!have[k]) {
			refuse(a, CELLA_ERR_INVALID_ARG, "input '%s' is missing", g.in_names[k]);
			goto out;
		}
	for (i = 0; i < p->n_output_filter; i++) {
		if ((k = find(g.out_names, g.n_out, p->output_filter[i])) == g.n_out) {
			refuse(a, CELLA_ERR_NOT_FOUND, "output '%s' in the filter: the model has no output of that name",
			       p->output_filter[i]);
			goto out;
		}
		want[k] = 1;
	}
	if (!p->n_output_filter)
		memset(want, 1, g.n_out);

	/* the outputs are the instance's until its next run: encoded before it is given back */
	if (!(outs = calloc(g.n_out ? g.n_out : 1, sizeof(*outs)))) {
		refuse(a, CELLA_ERR_OUT_OF_MEMORY, "the outputs");
		goto out;
	}
	inst = take_instance();
	r = cella_onnx_model_run(inst->m, ins, g.n_in, outs, g.n_out);
	/* the engine's reason, except what would show an encrypted model's structure (its nodes) to the client: of
	 * those only the checks of the inputs against the model's declared ones, which a client must know */
	if (r != CELLA_OK && g.encrypted && strncmp(inst->why, "input ", 6) != 0)
		refuse(a, r, "the model failed on the inputs (the model is confidential: no detail)");
	else if (r != CELLA_OK)
		refuse(a, r, "the model refused the inputs: %s", inst->why[0] ? inst->why : "(no detail)");
	else if ((r = respond(outs, want, a, &what)) != CELLA_OK)
		refuse(a, r, "output '%s' cannot be sent", what ? what : "");
	give_instance(inst);
out:
	free(outs);
	/* the client's inputs, as decoded and as unpacked (a string tensor's records only: their bytes follow them in
	 * one block of a size the tensor does not give) */
	for (k = 0; ins && k < g.n_in; k++) {
		if (ins[k].data)
			explicit_bzero(ins[k].data, ins[k].bytes);
		cella_onnx_tensor_fini(&ins[k]);
	}
	for (i = 0; i < p->n_inputs; i++)
		if (p->inputs[i]->value.data)
			explicit_bzero(p->inputs[i]->value.data, p->inputs[i]->value.len);
	free(ins);
	free(have);
	free(want);
	cella__inferd__predict_request__free_unpacked(p, NULL);
}

/* The answer to a model key (INFERD_PROVISION_KEY): the encrypted model decrypted with it and loaded, the key kept
 * sealed by the host for restarts; or what was wrong. One session at a time unlocks; the others are refused meanwhile. */
static void provision(const uint8_t *key, size_t len, struct answer *a)
{
	const char *why = NULL;
	cella_result r;
	int was;
	pthread_mutex_lock(&g.lock);
	was = g.model;
	if (len == INFERD_KEY_BYTES && was == MODEL_LOCKED)
		g.model = MODEL_UNLOCKING;
	pthread_mutex_unlock(&g.lock);
	if (len != INFERD_KEY_BYTES) {
		refuse(a, CELLA_ERR_INVALID_ARG, "a model key is %u bytes, not %zu", INFERD_KEY_BYTES, len);
		return;
	}
	if (was != MODEL_LOCKED) {
		refuse(a, CELLA_ERR_INVALID_STATE, "%s",
		       was == MODEL_UNLOCKING ? "another session is unlocking the model"
		       : g.encrypted	      ? "the model is unlocked already"
					      : "the model is not encrypted");
		return;
	}
	r = unlock_model(key, &why);
	if (r == CELLA_OK) {
		keep_sealed(key);
		printf("enclave: the model key was provisioned: the model is loaded (%zu inputs, %zu outputs)\n", g.n_in,
		       g.n_out);
	}
	pthread_mutex_lock(&g.lock);
	g.model = r == CELLA_OK ? MODEL_READY : MODEL_LOCKED;
	pthread_mutex_unlock(&g.lock);
	if (r != CELLA_OK) {
		refuse(a, r, "%s", why);
		return;
	}
	a->status = 0; /* the status alone: send_answer writes a->head, all zeros */
	memset(a->head, 0, sizeof(a->head));
}

/* ---------------------------------------------------------------------------------------------------------------
 * Sessions
 */

/* One session: the hello, then requests until the client ends it (CELLA_OK) or it fails. */
static cella_result session(struct cella_tls_server *s, struct inferd_work_out *st)
{
	cella_result r = cella_tls_server_write(s, g.hello, sizeof(g.hello));
	while (r == CELLA_OK) {
		struct answer a = {0};
		uint8_t head[8], *req;
		uint32_t kind, len;
		if ((r = cella_tls_server_read_full(s, head, 8)) != CELLA_OK)
			break;
		kind = (uint32_t)head[0] | (uint32_t)head[1] << 8 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 24;
		len = (uint32_t)head[4] | (uint32_t)head[5] << 8 | (uint32_t)head[6] << 16 | (uint32_t)head[7] << 24;
		req = len == 0 || len > INFERD_MAX_REQUEST ? NULL : malloc(len);
		if (!req) { /* the request's bytes are not read, so the session cannot go on: answered, then ended */
			cella_result why = len == 0 || len > INFERD_MAX_REQUEST ? CELLA_ERR_TOO_LARGE : CELLA_ERR_OUT_OF_MEMORY;
			refuse(&a, why, "the request's length %u (1 byte to %u MiB)", len, INFERD_MAX_REQUEST >> 20);
			st->refused++;
			r = send_answer(s, &a);
			return r == CELLA_OK ? why : r;
		}
		if ((r = cella_tls_server_read_full(s, req, len)) != CELLA_OK) {
			free(req);
			return r == CELLA_ERR_PEER_CLOSED ? CELLA_ERR_TRUNCATED : r;
		}
		if (kind == INFERD_PREDICT)
			predict(req, len, &a);
		else if (kind == INFERD_PROVISION_KEY)
			provision(req, len, &a);
		else
			refuse(&a, CELLA_ERR_INVALID_ARG, "request kind %u (1: a prediction, 2: a model key)", kind);
		explicit_bzero(req, len); /* the client's input, or a key */
		free(req);
		(*(a.status == 0 ? &st->answered : &st->refused))++;
		r = send_answer(s, &a);
	}
	return r == CELLA_ERR_PEER_CLOSED ? CELLA_OK : r;
}

/* Whether the host is stopping the service (a failed ocall, or a reply not of one byte, is taken as yes). */
static int stopping(void)
{
	uint8_t yes = 1;
	size_t got = 0;
	if (cella_ocall(INFERD_OCALL_STOPPING, NULL, 0, &yes, 1, &got) != CELLA_OK || got != 1)
		return 1;
	return yes != 0;
}

/*
 * A worker: sessions one after another until the host stops the service. The host stops it by closing the
 * listener (a waiting accept then fails) and, after a grace period, the connections still open; a failure is then
 * the stop, not a session's, once the host says it is stopping. A failed session (a client whose handshake the
 * server refuses, one that goes away) is counted and logged, and the worker goes on.
 */
static cella_result work(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static const struct cella_tls_ocalls oc = {INFERD_OCALL_ACCEPT, INFERD_OCALL_RECV, INFERD_OCALL_SEND,
						   INFERD_OCALL_CLOSE};
	struct inferd_work_out st = {0};
	struct cella_tls_server *s = NULL;
	struct inferd_work_in a;
	cella_result r;

	if (n != sizeof(a) || on < sizeof(st))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&a, in, sizeof(a));
	pthread_mutex_lock(&g.lock);
	r = g.loaded == 1 ? CELLA_OK : CELLA_ERR_INVALID_STATE; /* LOAD first */
	g.workers += r == CELLA_OK;
	pthread_mutex_unlock(&g.lock);
	if (r != CELLA_OK)
		return r;
	r = cella_tls_server_new(&g.key, g.cert, g.cert_len, &oc, &s);
	while (r == CELLA_OK) {
		if ((r = cella_tls_server_accept(s, a.listener, 0)) == CELLA_OK) {
			st.sessions++;
			r = session(s, &st);
		}
		if (r != CELLA_OK && stopping()) {
			r = CELLA_OK;
			break;
		}
		if (r != CELLA_OK && r != CELLA_ERR_PERMISSION) { /* PERMISSION: the host knows no such listener */
			const char *d = cella_tls_server_detail(s);
			printf("enclave: a session failed (%s)%s%s\n", cella_result_name(r), *d ? ": " : "", d);
			st.failed++;
			r = CELLA_OK;
		}
		(void)cella_tls_server_close(s);
	}
	cella_tls_server_free(s);
	pthread_mutex_lock(&g.lock);
	g.workers--;
	pthread_mutex_unlock(&g.lock);
	memcpy(out, &st, sizeof(st));
	*w = sizeof(st);
	return r;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[INFERD_ECALL_LOAD] = {load, CELLA_ECALL_PUBLIC},
	[INFERD_ECALL_WORK] = {work, CELLA_ECALL_PUBLIC},
	[INFERD_ECALL_UNLOAD] = {unload, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);
