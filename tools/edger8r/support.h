/* ---- cella-edger8r support code: identical in every generated file (tools/edger8r/support.h) ---- */
#define CELLA_EDL_NULL UINT64_MAX
#define CELLA_EDL_MAX_DEPTH 32
#define CELLA_EDL_UNUSED __attribute__((unused))

/* Member kinds in a struct descriptor. */
#define CELLA_EDL_M_PLAIN 0u   /* bytes (scalars, foreign types, unions, arrays of them) */
#define CELLA_EDL_M_LDOUBLE 1u /* long double (or an array of them): 10 value bytes, the rest padding */
#define CELLA_EDL_M_STRUCT 2u  /* an EDL struct by value (or an array of them) */
#define CELLA_EDL_M_PTR 3u     /* a pointer without size=/count=: passed as a raw value */
#define CELLA_EDL_M_DEEP 4u    /* a pointer with size=/count=: its buffer is deep-copied */
#define CELLA_EDL_M_BOOL 5u    /* bool (or an array of them): the receiver reads each byte as 0 or 1 */

/* Scrub modes for deep pointer members of data that leaves this side. */
#define CELLA_EDL_PTR_ZERO 0     /* pointer becomes NULL */
#define CELLA_EDL_PTR_PRESENCE 1 /* pointer becomes 1 (present) or NULL: no address crosses */

struct cella_edl_sdesc;
struct cella_edl_member {
	uint32_t off, size;     /* offset and byte size of the member (arrays: the whole array) */
	uint32_t elem_size;     /* DEEP: sizeof(*member) (void: 1); STRUCT/LDOUBLE: sizeof one element */
	uint32_t n; /* STRUCT/LDOUBLE: number of elements; DEEP: 1 if the elements are long double, 2 if bool */
	uint8_t kind, has_size, has_count, is_len;
	uint8_t size_bytes, size_signed, count_bytes, count_signed;
	uint32_t size_off, count_off; /* offsets of the members size=/count= name, or UINT32_MAX for a constant */
	uint64_t size_const, count_const;
	const struct cella_edl_sdesc *sub; /* EDL struct of a STRUCT member or of a DEEP member's elements */
};
struct cella_edl_sdesc {
	uint32_t size, nmembers;
	const struct cella_edl_member *m;
};

static CELLA_EDL_UNUSED inline uint64_t cella_edl_align16(uint64_t x)
{
	return (x + 15u) & ~(uint64_t)15u;
}

/* Checked arithmetic for size=/count= expressions: the first failure is kept in *bad. */
static CELLA_EDL_UNUSED inline uint64_t cella_edl_s(cella_result *bad, long long v)
{
	if (v < 0) {
		if (*bad == CELLA_OK)
			*bad = CELLA_ERR_INVALID_ARG;
		return 0;
	}
	return (uint64_t)v;
}
static CELLA_EDL_UNUSED inline uint64_t cella_edl_neg(cella_result *bad, uint64_t v)
{
	if (v != 0 && *bad == CELLA_OK)
		*bad = CELLA_ERR_INVALID_ARG;
	return 0;
}
static CELLA_EDL_UNUSED inline uint64_t cella_edl_mul(cella_result *bad, uint64_t a, uint64_t b)
{
	uint64_t r;
	if (__builtin_mul_overflow(a, b, &r)) {
		if (*bad == CELLA_OK)
			*bad = CELLA_ERR_OVERFLOW;
		return 0;
	}
	return r;
}
static CELLA_EDL_UNUSED inline uint64_t cella_edl_add(cella_result *bad, uint64_t a, uint64_t b)
{
	uint64_t r;
	if (__builtin_add_overflow(a, b, &r)) {
		if (*bad == CELLA_OK)
			*bad = CELLA_ERR_OVERFLOW;
		return 0;
	}
	return r;
}
static CELLA_EDL_UNUSED inline uint64_t cella_edl_sub(cella_result *bad, uint64_t a, uint64_t b)
{
	if (b > a) {
		if (*bad == CELLA_OK)
			*bad = CELLA_ERR_INVALID_ARG;
		return 0;
	}
	return a - b;
}
static CELLA_EDL_UNUSED inline uint64_t cella_edl_div(cella_result *bad, uint64_t a, uint64_t b)
{
	if (b == 0) {
		if (*bad == CELLA_OK)
			*bad = CELLA_ERR_INVALID_ARG;
		return 0;
	}
	return a / b;
}

/* Reserves an aligned region of n bytes at *pos: *at gets its start, *pos moves past it (16-aligned). */
static CELLA_EDL_UNUSED inline bool cella_edl_reserve(uint64_t *pos, uint64_t n, uint64_t *at)
{
	uint64_t end;
	if (__builtin_add_overflow(*pos, n, &end) || end > UINT64_MAX - 15u)
		return false;
	*at = *pos;
	*pos = cella_edl_align16(end);
	return true;
}

/* True iff [at, at+n) lies inside a buffer of cap bytes. */
static CELLA_EDL_UNUSED inline bool cella_edl_fits(uint64_t at, uint64_t n, uint64_t cap)
{
	return at <= cap && n <= cap - at;
}

/* True iff the n-byte string at p (n >= 1) ends with its only NUL. */
static CELLA_EDL_UNUSED bool cella_edl_str_ok(const void *p, uint64_t n)
{
	const char *s = p;
	if (n == 0 || s[n - 1] != 0)
		return false;
	return memchr(s, 0, (size_t)(n - 1)) == NULL;
}

/* Same for wide strings: n bytes, a multiple of sizeof(wchar_t). */
static CELLA_EDL_UNUSED bool cella_edl_wstr_ok(const void *p, uint64_t n)
{
	const uint8_t *b = p;
	wchar_t ch;
	if (n < sizeof(wchar_t) || n % sizeof(wchar_t))
		return false;
	for (uint64_t i = 0; i + sizeof(wchar_t) <= n; i += sizeof(wchar_t)) {
		memcpy(&ch, b + i, sizeof(ch));
		if ((ch == 0) != (i + sizeof(wchar_t) == n))
			return false;
	}
	return true;
}

/* Zeroes the padding bytes of each long double (x86-64: 10 value bytes in a 16-byte slot). */
static CELLA_EDL_UNUSED void cella_edl_scrub_ld(void *p, uint64_t n)
{
	uint8_t *b = p;
	for (uint64_t i = 0; i < n; i++)
		memset(b + i * sizeof(long double) + 10, 0, sizeof(long double) - 10);
}

/* Zeroes, in place, every byte of an EDL struct that belongs to no member; deep pointers per `mode`. */
static CELLA_EDL_UNUSED void cella_edl_scrub(const struct cella_edl_sdesc *d, uint8_t *p, int mode, int depth)
{
	uint32_t end = 0;
	for (uint32_t i = 0; i < d->nmembers; i++) {
		const struct cella_edl_member *m = &d->m[i];
		if (m->off > end)
			memset(p + end, 0, m->off - end);
		if (m->kind == CELLA_EDL_M_STRUCT && depth < CELLA_EDL_MAX_DEPTH) {
			for (uint32_t k = 0; k < m->n; k++)
				cella_edl_scrub(m->sub, p + m->off + (uint64_t)k * m->elem_size, mode, depth + 1);
		} else if (m->kind == CELLA_EDL_M_LDOUBLE) {
			cella_edl_scrub_ld(p + m->off, m->n);
		} else if (m->kind == CELLA_EDL_M_DEEP) {
			void *q;
			memcpy(&q, p + m->off, sizeof(q));
			q = (q && mode == CELLA_EDL_PTR_PRESENCE) ? (void *)(uintptr_t)1 : NULL;
			memcpy(p + m->off, &q, sizeof(q));
		}
		if (m->off + m->size > end)
			end = m->off + m->size;
	}
	if (d->size > end)
		memset(p + end, 0, d->size - end);
}

static CELLA_EDL_UNUSED void cella_edl_scrub_n(const struct cella_edl_sdesc *d, void *p, uint64_t n, int mode)
{
	for (uint64_t i = 0; i < n; i++)
		cella_edl_scrub(d, (uint8_t *)p + i * d->size, mode, 0);
}

/*
 * Received bool bytes become 0 or 1 before anything reads them as bool: the sender chooses every byte, and a bool
 * holding another value is undefined behaviour (an index such as table[b] may then read out of bounds).
 */
static CELLA_EDL_UNUSED void cella_edl_bools(void *p, uint64_t n)
{
	uint8_t *b = p;
	for (uint64_t i = 0; i < n; i++)
		b[i] = b[i] != 0;
}

/* The same for the bool members of a received EDL struct, nested structs included (unions are left as sent). */
static CELLA_EDL_UNUSED void cella_edl_norm(const struct cella_edl_sdesc *d, uint8_t *p, int depth)
{
	for (uint32_t i = 0; i < d->nmembers; i++) {
		const struct cella_edl_member *m = &d->m[i];
		if (m->kind == CELLA_EDL_M_BOOL)
			cella_edl_bools(p + m->off, m->size);
		else if (m->kind == CELLA_EDL_M_STRUCT && depth < CELLA_EDL_MAX_DEPTH)
			for (uint32_t k = 0; k < m->n; k++)
				cella_edl_norm(m->sub, p + m->off + (uint64_t)k * m->elem_size, depth + 1);
	}
}

static CELLA_EDL_UNUSED void cella_edl_norm_n(const struct cella_edl_sdesc *d, void *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		cella_edl_norm(d, (uint8_t *)p + i * d->size, 0);
}

/* Reads a size=/count= member (1, 2, 4 or 8 bytes) of element e; false if negative. */
static CELLA_EDL_UNUSED bool cella_edl_read_len(const uint8_t *e, uint32_t off, uint8_t bytes, uint8_t is_signed,
						uint64_t konst, uint64_t *v)
{
	uint8_t b1;
	uint16_t b2;
	uint32_t b4;
	uint64_t b8;
	if (off == UINT32_MAX) {
		*v = konst;
		return true;
	}
	switch (bytes) {
	case 1:
		memcpy(&b1, e + off, 1);
		*v = is_signed ? (uint64_t)(int64_t)(int8_t)b1 : b1;
		break;
	case 2:
		memcpy(&b2, e + off, 2);
		*v = is_signed ? (uint64_t)(int64_t)(int16_t)b2 : b2;
		break;
	case 4:
		memcpy(&b4, e + off, 4);
		*v = is_signed ? (uint64_t)(int64_t)(int32_t)b4 : b4;
		break;
	default:
		memcpy(&b8, e + off, 8);
		*v = b8;
		break;
	}
	return !(is_signed && (int64_t)*v < 0);
}

/* Byte length of deep member m of element e. */
static CELLA_EDL_UNUSED cella_result cella_edl_member_len(const struct cella_edl_member *m, const uint8_t *e,
							  uint64_t *len)
{
	uint64_t s = 0, c = 0;
	if (m->has_size && !cella_edl_read_len(e, m->size_off, m->size_bytes, m->size_signed, m->size_const, &s))
		return CELLA_ERR_INVALID_ARG;
	if (m->has_count && !cella_edl_read_len(e, m->count_off, m->count_bytes, m->count_signed, m->count_const, &c))
		return CELLA_ERR_INVALID_ARG;
	if (m->has_size && m->has_count)
		return __builtin_mul_overflow(s, c, len) ? CELLA_ERR_OVERFLOW : CELLA_OK;
	if (m->has_count)
		return __builtin_mul_overflow(c, (uint64_t)m->elem_size, len) ? CELLA_ERR_OVERFLOW : CELLA_OK;
	*len = m->has_size ? s : m->elem_size;
	return CELLA_OK;
}

/*
 * Where a caller's copy-back writes: an ocall's [in, out] deep data goes back into the enclave's structs and the
 * buffers they point to, each next pointer and length read from those structs. Were two regions to overlap, the
 * host's reply written to one could forge the pointer the next write follows. So the enclave caller lists every
 * region the copy-back will write while it sizes its parameters (cella_edl_deep_size, over its own structs only)
 * and refuses the call if any two overlap. Regions of no bytes write nothing and are not listed.
 * The first CELLA_EDL_SPANS_INLINE regions are kept in the caller's frame and compared pairwise: no heap and no
 * sort for the few regions most calls have. Past that, all of them move to the heap and are sorted.
 */
#define CELLA_EDL_SPANS_INLINE 8
struct cella_edl_span {
	uintptr_t lo, hi;
};
struct cella_edl_spans {
	struct cella_edl_span in[CELLA_EDL_SPANS_INLINE]; /* the regions, while there are at most this many */
	struct cella_edl_span *heap;                      /* NULL, or (once `in` overflowed) every region */
	uint64_t n, cap;                                  /* regions listed; room for them (in `in` or heap) */
	cella_result r;                                   /* the first failure; later calls do nothing */
};

/* Before any region, and before anything can jump to cella_edl_spans_fini. */
static CELLA_EDL_UNUSED inline void cella_edl_spans_init(struct cella_edl_spans *s)
{
	s->heap = NULL;
	s->n = 0;
	s->cap = CELLA_EDL_SPANS_INLINE;
	s->r = CELLA_OK;
}

static CELLA_EDL_UNUSED void cella_edl_span_add(struct cella_edl_spans *s, const void *p, uint64_t len)
{
	uintptr_t lo = (uintptr_t)p;
	if (s->r != CELLA_OK || !p || len == 0)
		return;
	if (len > UINTPTR_MAX - lo) {
		s->r = CELLA_ERR_INVALID_ARG; /* wraps around */
		return;
	}
	if (s->n == s->cap) {
		struct cella_edl_span *v;
		if (s->cap > SIZE_MAX / 2 / sizeof(*v)) {
			s->r = CELLA_ERR_OVERFLOW;
			return;
		}
		v = realloc(s->heap, (size_t)s->cap * 2 * sizeof(*v));
		if (!v) {
			s->r = CELLA_ERR_OUT_OF_MEMORY;
			return;
		}
		if (!s->heap)
			memcpy(v, s->in, sizeof(s->in));
		s->heap = v;
		s->cap *= 2;
	}
	(s->heap ? s->heap : s->in)[s->n++] = (struct cella_edl_span){lo, lo + (uintptr_t)len};
}

static CELLA_EDL_UNUSED int cella_edl_span_cmp(const void *a, const void *b)
{
	const struct cella_edl_span *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* After the last region: CELLA_OK iff listing them failed nowhere and no two overlap (touching is not overlapping). */
static CELLA_EDL_UNUSED cella_result cella_edl_spans_disjoint(struct cella_edl_spans *s)
{
	if (s->r != CELLA_OK)
		return s->r;
	if (s->heap) {
		qsort(s->heap, (size_t)s->n, sizeof(*s->heap), cella_edl_span_cmp);
		for (uint64_t i = 1; i < s->n; i++)
			if (s->heap[i].lo < s->heap[i - 1].hi)
				return CELLA_ERR_INVALID_ARG;
		return CELLA_OK;
	}
	for (uint64_t i = 1; i < s->n; i++)
		for (uint64_t j = 0; j < i; j++)
			if (s->in[i].lo < s->in[j].hi && s->in[j].lo < s->in[i].hi)
				return CELLA_ERR_INVALID_ARG;
	return CELLA_OK;
}

/* On every way out of the caller. */
static CELLA_EDL_UNUSED inline void cella_edl_spans_fini(struct cella_edl_spans *s)
{
	free(s->heap);
	s->heap = NULL;
}

/*
 * Sender side, pass 1: adds to *pos the regions the deep members of n structs at arr need (16-aligned each),
 * depth first. Pass 2 (cella_edl_deep_write) lays them out in the same order. `inside` (the enclave's
 * cella_is_within_enclave, NULL on the host): every nested buffer an ocall sends must lie in the enclave, as the
 * top-level one must. `sp` (non-NULL for an ocall's [in, out] data) gets each buffer a copy-back will write.
 */
static CELLA_EDL_UNUSED cella_result cella_edl_deep_size(const struct cella_edl_sdesc *d, const uint8_t *arr,
							 uint64_t n, uint64_t *pos,
							 bool (*inside)(const void *, size_t),
							 struct cella_edl_spans *sp, int depth)
{
	cella_result r;
	if (depth >= CELLA_EDL_MAX_DEPTH)
		return CELLA_ERR_TOO_LARGE;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *e = arr + i * d->size;
		for (uint32_t k = 0; k < d->nmembers; k++) {
			const struct cella_edl_member *m = &d->m[k];
			const uint8_t *q;
			uint64_t len, at;
			if (m->kind != CELLA_EDL_M_DEEP)
				continue;
			memcpy(&q, e + m->off, sizeof(q));
			if (!q)
				continue;
			if ((r = cella_edl_member_len(m, e, &len)) != CELLA_OK)
				return r;
			if (m->sub && len % m->sub->size)
				return CELLA_ERR_INVALID_ARG;
			if (inside && (len > SIZE_MAX || !inside(q, (size_t)len)))
				return CELLA_ERR_INVALID_ARG;
			if (!cella_edl_reserve(pos, len, &at))
				return CELLA_ERR_OVERFLOW;
			if (sp)
				cella_edl_span_add(sp, q, len);
			if (m->sub &&
			    (r = cella_edl_deep_size(m->sub, q, len / m->sub->size, pos, inside, sp, depth + 1)) != CELLA_OK)
				return r;
		}
	}
	return CELLA_OK;
}

/* Sender side, pass 2: copies the deep buffers into dst (cap bytes); `scrub` when the data leaves the enclave. */
static CELLA_EDL_UNUSED cella_result cella_edl_deep_write(const struct cella_edl_sdesc *d, const uint8_t *arr,
							  uint64_t n, uint8_t *dst, uint64_t cap, uint64_t *pos,
							  int scrub, int depth)
{
	cella_result r;
	if (depth >= CELLA_EDL_MAX_DEPTH)
		return CELLA_ERR_TOO_LARGE;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *e = arr + i * d->size;
		for (uint32_t k = 0; k < d->nmembers; k++) {
			const struct cella_edl_member *m = &d->m[k];
			const uint8_t *q;
			uint64_t len, at;
			if (m->kind != CELLA_EDL_M_DEEP)
				continue;
			memcpy(&q, e + m->off, sizeof(q));
			if (!q)
				continue;
			if ((r = cella_edl_member_len(m, e, &len)) != CELLA_OK)
				return r;
			if (m->sub && len % m->sub->size)
				return CELLA_ERR_INVALID_ARG;
			/* the caller's data may have changed since pass 1: never write past the buffer */
			if (!cella_edl_reserve(pos, len, &at) || !cella_edl_fits(at, cella_edl_align16(len), cap))
				return CELLA_ERR_INVALID_ARG;
			memcpy(dst + at, q, len);
			memset(dst + at + len, 0, cella_edl_align16(len) - len);
			if (scrub && !m->sub && m->n == 1)
				cella_edl_scrub_ld(dst + at, len / sizeof(long double));
			if (m->sub) {
				if (scrub)
					cella_edl_scrub_n(m->sub, dst + at, len / m->sub->size, CELLA_EDL_PTR_PRESENCE);
				r = cella_edl_deep_write(m->sub, q, len / m->sub->size, dst, cap, pos, scrub, depth + 1);
				if (r != CELLA_OK)
					return r;
			}
		}
	}
	return CELLA_OK;
}

/*
 * Receiver side. `src` is a private copy of one parameter's region (cap bytes): n structs at arr_at, then the
 * deep buffers at *pos onwards. Lengths come from the private copy, never from the sender again.
 * mode 0 validates only; mode 1 points each deep member at its buffer in src; mode 2 copies the buffers to the
 * same offsets in dst (the [in, out] region, already holding the structs) and points dst's members there.
 */
static CELLA_EDL_UNUSED cella_result cella_edl_deep_in(const struct cella_edl_sdesc *d, uint64_t arr_at, uint64_t n,
						       uint8_t *src, uint64_t cap, uint8_t *dst, uint64_t *pos,
						       int mode, int depth)
{
	cella_result r;
	if (depth >= CELLA_EDL_MAX_DEPTH)
		return CELLA_ERR_TOO_LARGE;
	for (uint64_t i = 0; i < n; i++) {
		uint8_t *se = src + arr_at + i * d->size;
		uint8_t *te = mode == 2 ? dst + arr_at + i * d->size : se;
		if (mode)
			cella_edl_norm(d, te, 0);
		for (uint32_t k = 0; k < d->nmembers; k++) {
			const struct cella_edl_member *m = &d->m[k];
			void *q;
			uint64_t len, at;
			if (m->kind != CELLA_EDL_M_DEEP)
				continue;
			memcpy(&q, se + m->off, sizeof(q)); /* the sender's pointer: only whether it was NULL matters */
			if (!q)
				continue;
			if ((r = cella_edl_member_len(m, se, &len)) != CELLA_OK)
				return r;
			if (m->sub && len % m->sub->size)
				return CELLA_ERR_MARSHAL;
			if (!cella_edl_reserve(pos, len, &at) || !cella_edl_fits(at, len, cap))
				return CELLA_ERR_MARSHAL;
			if (mode == 2)
				memcpy(dst + at, src + at, len);
			if (mode) {
				q = (mode == 2 ? dst : src) + at;
				memcpy(te + m->off, &q, sizeof(q));
				if (!m->sub && m->n == 2)
					cella_edl_bools(q, len);
			}
			if (m->sub) {
				r = cella_edl_deep_in(m->sub, at, len / m->sub->size, src, cap, dst, pos, mode, depth + 1);
				if (r != CELLA_OK)
					return r;
			}
		}
	}
	return CELLA_OK;
}

/*
 * Enclave, after an ecall with an [in, out] deep parameter: the region in dst goes back to the host. Padding
 * and deep pointers are cleared, and size/count members are restored from the private input copy (src), so
 * what the host copies back never exceeds what it sent.
 */
static CELLA_EDL_UNUSED void cella_edl_deep_fix(const struct cella_edl_sdesc *d, uint64_t arr_at, uint64_t n,
						const uint8_t *src, uint8_t *dst, uint64_t *pos, int depth)
{
	if (depth >= CELLA_EDL_MAX_DEPTH)
		return;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *se = src + arr_at + i * d->size;
		uint8_t *te = dst + arr_at + i * d->size;
		cella_edl_scrub(d, te, CELLA_EDL_PTR_ZERO, 0);
		for (uint32_t k = 0; k < d->nmembers; k++)
			if (d->m[k].is_len)
				memcpy(te + d->m[k].off, se + d->m[k].off, d->m[k].size);
		for (uint32_t k = 0; k < d->nmembers; k++) {
			const struct cella_edl_member *m = &d->m[k];
			const void *q;
			uint64_t len, at;
			if (m->kind != CELLA_EDL_M_DEEP)
				continue;
			memcpy(&q, se + m->off, sizeof(q));
			if (!q || cella_edl_member_len(m, se, &len) != CELLA_OK || !cella_edl_reserve(pos, len, &at))
				continue;
			if (!m->sub && m->n == 1)
				cella_edl_scrub_ld(dst + at, len / sizeof(long double));
			if (m->sub)
				cella_edl_deep_fix(m->sub, at, len / m->sub->size, src, dst, pos, depth + 1);
		}
	}
}

/*
 * Caller side, after the call: copies an [in, out] deep region (src, cap bytes, structs at arr_at) back into the
 * caller's own structs at arr. Members other than deep pointers and their size/count are copied; the deep
 * buffers are copied into the caller's own buffers, with lengths taken from the caller's own structs.
 */
static CELLA_EDL_UNUSED cella_result cella_edl_deep_back(const struct cella_edl_sdesc *d, uint8_t *arr, uint64_t n,
							 const uint8_t *src, uint64_t cap, uint64_t arr_at,
							 uint64_t *pos, int depth)
{
	cella_result r;
	if (depth >= CELLA_EDL_MAX_DEPTH)
		return CELLA_ERR_TOO_LARGE;
	for (uint64_t i = 0; i < n; i++) {
		uint8_t *e = arr + i * d->size;
		const uint8_t *se = src + arr_at + i * d->size;
		if (!cella_edl_fits(arr_at + i * d->size, d->size, cap))
			return CELLA_ERR_MARSHAL;
		for (uint32_t k = 0; k < d->nmembers; k++)
			if (d->m[k].kind != CELLA_EDL_M_DEEP && !d->m[k].is_len)
				memcpy(e + d->m[k].off, se + d->m[k].off, d->m[k].size);
		cella_edl_norm(d, e, 0);
		for (uint32_t k = 0; k < d->nmembers; k++) {
			const struct cella_edl_member *m = &d->m[k];
			uint8_t *q;
			uint64_t len, at;
			if (m->kind != CELLA_EDL_M_DEEP)
				continue;
			memcpy(&q, e + m->off, sizeof(q));
			if (!q)
				continue;
			if ((r = cella_edl_member_len(m, e, &len)) != CELLA_OK)
				return r;
			if (!cella_edl_reserve(pos, len, &at) || !cella_edl_fits(at, len, cap))
				return CELLA_ERR_MARSHAL;
			if (m->sub) {
				r = cella_edl_deep_back(m->sub, q, len / m->sub->size, src, cap, at, pos, depth + 1);
			} else {
				memcpy(q, src + at, len);
				if (m->n == 2)
					cella_edl_bools(q, len);
			}
			if (r != CELLA_OK)
				return r;
		}
	}
	return CELLA_OK;
}

/* ---- end of support code ---- */
