// SPDX-License-Identifier: MIT
/*
 * The enclave heap: a page allocator over the layout's heap region behind the syscall layer's mmap/munmap
 * (musl's malloc sits on top). A bitmap at the start of the heap marks used pages; one spinlock guards it
 * because the syscall layer runs in signal context on any TCS thread.
 */
#include "rt.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

static struct {
	uint64_t *bits;   /* 1 = page in use */
	uint64_t first;   /* first allocatable page (after the bitmap) */
	uint64_t pages;   /* heap pages */
	uint64_t hint;    /* next-fit start */
	uint64_t fresh;   /* pages from here on were never handed out: on SGX their contents are the host's */
	uint8_t *start;
	volatile int lock;
	struct cella_heap_stats st; /* under lock */
} heap;

static void lock(void)
{
	while (__atomic_exchange_n(&heap.lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

static void unlock(void)
{
	__atomic_store_n(&heap.lock, 0, __ATOMIC_RELEASE);
}

static bool used(uint64_t p)
{
	return heap.bits[p / 64] >> (p % 64) & 1;
}

static void mark(uint64_t p, uint64_t n, bool on)
{
	for (uint64_t i = p; i < p + n; i++) {
		if (on)
			heap.bits[i / 64] |= 1ull << (i % 64);
		else
			heap.bits[i / 64] &= ~(1ull << (i % 64));
	}
}

/* see rt.h */
cella_result rt_heap_init(void)
{
	uint64_t pages = rt.regions.heap_bytes / CELLA_PAGE_BYTES;
	/* The bitmap is read and written in whole 64-bit words: its last word, too, lies in the pages kept back. */
	uint64_t bitmap_bytes = (pages + 63) / 64 * 8;
	uint64_t bitmap_pages = (bitmap_bytes + CELLA_PAGE_BYTES - 1) / CELLA_PAGE_BYTES;

	memset(&heap.st, 0, sizeof(heap.st));
	heap.start = rt.base + rt.regions.heap_rva;
	heap.bits = (uint64_t *)heap.start;
	heap.first = bitmap_pages;
	heap.hint = bitmap_pages;
	heap.fresh = bitmap_pages;
	if (pages <= bitmap_pages) {
		/* no page left after the bitmap (the layout refuses such heaps): an empty heap, every map fails */
		heap.pages = heap.first = heap.hint = heap.fresh = 0;
		return CELLA_ERR_IMAGE_PROPERTIES;
	}
	heap.pages = pages;
	/*
	 * The heap is added to the enclave unmeasured (EADD without EEXTEND): on SGX the host chose its bytes and
	 * MRENCLAVE does not show them. Nothing is read from it before it is written: the bitmap is cleared here,
	 * each page the first time it is handed out (rt_heap_mmap), and every page again when it is freed.
	 */
	memset(heap.bits, 0, bitmap_pages * CELLA_PAGE_BYTES);
	mark(0, bitmap_pages, true);
	return CELLA_OK;
}

/* First fit from `from` to `to`; returns the first page or ~0. */
static uint64_t find(uint64_t from, uint64_t to, uint64_t n)
{
	uint64_t run = 0;
	for (uint64_t p = from; p < to; p++) {
		if ((p % 64) == 0 && heap.bits[p / 64] == ~0ull && p + 64 <= to) {
			run = 0;
			p += 63;
			continue;
		}
		if (used(p)) {
			run = 0;
			continue;
		}
		if (++run == n)
			return p + 1 - n;
	}
	return ~0ull;
}

long rt_heap_mmap(uint64_t len)
{
	uint64_t n, p, z = 0, zn = 0;
	if (len == 0)
		return -EINVAL;
	if (len > rt.regions.heap_bytes)
		return -ENOMEM;
	n = (len + CELLA_PAGE_BYTES - 1) / CELLA_PAGE_BYTES;
	lock();
	p = find(heap.hint, heap.pages, n);
	if (p == ~0ull)
		p = find(heap.first, heap.pages, n);
	if (p != ~0ull) {
		mark(p, n, true);
		heap.hint = p + n;
		if (p + n > heap.fresh) {
			z = p > heap.fresh ? p : heap.fresh;
			zn = p + n - z;
			heap.fresh = p + n;
		}
		heap.st.map_calls++;
		heap.st.used_bytes += n * CELLA_PAGE_BYTES;
		if (heap.st.used_bytes > heap.st.peak_used_bytes)
			heap.st.peak_used_bytes = heap.st.used_bytes;
	} else {
		heap.st.failed_maps++;
	}
	unlock();
	if (p == ~0ull)
		return -ENOMEM;
	/* mmap's contract is zeroed memory: freed pages were zeroed in munmap, never-used ones are zeroed now (theirs
	 * alone: the pages are marked used, so no other thread can be given them meanwhile) */
	if (zn)
		memset(heap.start + z * CELLA_PAGE_BYTES, 0, zn * CELLA_PAGE_BYTES);
	return (long)(heap.start + p * CELLA_PAGE_BYTES);
}

/* see cella/enclave.h */
void cella_heap_stats(struct cella_heap_stats *out)
{
	lock();
	*out = heap.st;
	out->heap_bytes = (heap.pages - heap.first) * CELLA_PAGE_BYTES;
	unlock();
}

/* see cella/enclave.h */
cella_result cella_heap_stats_ecall(const uint8_t *in, size_t in_bytes, uint8_t *out, size_t out_bytes,
				    size_t *out_written)
{
	struct cella_heap_stats st;
	(void)in, (void)in_bytes;
	if (out_bytes < sizeof(st))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	cella_heap_stats(&st);
	memcpy(out, &st, sizeof(st));
	*out_written = sizeof(st);
	return CELLA_OK;
}

bool rt_heap_contains(uint64_t addr, uint64_t len)
{
	uint64_t lo = (uint64_t)heap.start + heap.first * CELLA_PAGE_BYTES;
	uint64_t hi = (uint64_t)heap.start + heap.pages * CELLA_PAGE_BYTES;
	return addr >= lo && addr <= hi && len <= hi - addr;
}

/* Linux's argument check for munmap and mprotect: a length within a page of 2^64 would round to 0. */
static bool page_args_ok(uint64_t addr, uint64_t len)
{
	return addr % CELLA_PAGE_BYTES == 0 && len != 0 && len <= UINT64_MAX - (CELLA_PAGE_BYTES - 1);
}

long rt_heap_mprotect(uint64_t addr, uint64_t len, long prot)
{
	if (!page_args_ok(addr, len))
		return -EINVAL;
	return rt_heap_contains(addr, len) && !(prot & PROT_EXEC) ? 0 : -EACCES;
}

long rt_heap_munmap(uint64_t addr, uint64_t len)
{
	uint64_t p, n;
	if (!page_args_ok(addr, len))
		return -EINVAL;
	len = (len + CELLA_PAGE_BYTES - 1) & ~(uint64_t)(CELLA_PAGE_BYTES - 1);
	if (!rt_heap_contains(addr, len))
		return -EINVAL;
	p = (addr - (uint64_t)heap.start) / CELLA_PAGE_BYTES;
	n = len / CELLA_PAGE_BYTES;
	memset((void *)addr, 0, len);
	lock();
	/* as on Linux, a range may include pages that were not mapped: only those that were count as freed */
	for (uint64_t i = p; i < p + n; i++)
		if (used(i)) {
			heap.st.used_bytes -= CELLA_PAGE_BYTES;
			heap.st.zeroed_bytes += CELLA_PAGE_BYTES;
		}
	mark(p, n, false);
	if (p < heap.hint)
		heap.hint = p;
	heap.st.unmap_calls++;
	unlock();
	return 0;
}
