// SPDX-License-Identifier: MIT
/*
 * The enclave's page allocator (src/enclave/heap.c), run on the host over an anonymous mapping that stands in
 * for the layout's heap region: every page it hands out is one the application may fill, so no two hand-outs
 * overlap, none lies in the allocator's bitmap, and the allocator's own bookkeeping never writes into them.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "cella_test.h"
#include "rt.h"

#define PAGE CELLA_PAGE_BYTES

struct rt_state rt;

/* Pages the bitmap takes: one bit a page, in whole 64-bit words, in whole pages. */
static uint64_t bitmap_pages(uint64_t pages)
{
	return ((pages + 63) / 64 * 8 + PAGE - 1) / PAGE;
}

/* The application's data in page p: every 8-byte word differs, and bit 0 of each is clear (a free page's bit). */
static uint64_t pattern(uint64_t p, uint64_t word)
{
	return (p << 32 | word << 8 | 0x5a) & ~1ull;
}

static uint8_t *heap_over(uint64_t pages)
{
	uint8_t *base = mmap(NULL, pages ? pages * PAGE : PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CT_ASSERT(base != MAP_FAILED);
	memset(&rt, 0, sizeof(rt));
	rt.base = base;
	rt.regions.heap_rva = 0;
	rt.regions.heap_bytes = pages * PAGE;
	return base;
}

/* Maps one page at a time until ENOMEM, filling each; then checks that every page kept its data. */
static void fill_heap(uint64_t pages)
{
	uint8_t *base = heap_over(pages);
	uint8_t *given = calloc(pages, 1);
	uint64_t first = bitmap_pages(pages), count = 0;
	struct cella_heap_stats st;
	uint64_t used0;
	long a;

	CT_ASSERT(given);
	CT_RESULT(rt_heap_init(), CELLA_OK);
	cella_heap_stats(&st);
	used0 = st.used_bytes; /* the counters run on across these stand-in heaps */
	while ((a = rt_heap_mmap(PAGE)) >= 0) {
		uint64_t p = ((uint64_t)a - (uint64_t)base) / PAGE;
		uint64_t *w = (uint64_t *)(uintptr_t)a;
		CT_EQ((uint64_t)a % PAGE, 0);
		CT_ASSERT((uint64_t)a >= (uint64_t)base && p < pages);
		if (p < first || given[p])
			cella_test_fail(__FILE__, __LINE__, "%llu-page heap: page %llu handed out %s",
					(unsigned long long)pages, (unsigned long long)p,
					given[p] ? "twice" : "from the bitmap");
		given[p] = 1;
		count++;
		for (uint64_t i = 0; i < PAGE / 8; i++) {
			CT_EQ(w[i], 0); /* fresh pages read as zero */
			w[i] = pattern(p, i);
		}
	}
	CT_EQ(a, -ENOMEM);
	CT_EQ(count, pages - first);
	for (uint64_t p = first; p < pages; p++) {
		const uint64_t *w = (const uint64_t *)(base + p * PAGE);
		for (uint64_t i = 0; i < PAGE / 8; i++)
			if (w[i] != pattern(p, i))
				cella_test_fail(__FILE__, __LINE__,
						"%llu-page heap: word %llu of page %llu changed to %#llx",
						(unsigned long long)pages, (unsigned long long)i,
						(unsigned long long)p, (unsigned long long)w[i]);
	}
	cella_heap_stats(&st);
	CT_EQ(st.heap_bytes, (pages - first) * PAGE);
	CT_EQ(st.used_bytes - used0, count * PAGE);
	/* a page given back is zeroed and handed out again; the bitmap pages never are */
	CT_EQ(rt_heap_munmap((uint64_t)(base + (pages - 1) * PAGE), PAGE), 0);
	CT_EQ(rt_heap_mmap(PAGE), (long)(base + (pages - 1) * PAGE));
	CT_EQ(*(const uint64_t *)(base + (pages - 1) * PAGE), 0);
	CT_EQ(rt_heap_munmap((uint64_t)base, PAGE), -EINVAL);
	CT_EQ(rt_heap_munmap((uint64_t)(base + (first - 1) * PAGE), PAGE), -EINVAL);
	free(given);
	CT_EQ(munmap(base, pages * PAGE), 0);
}

/* Heaps with no page beyond the bitmap: refused at init, and nothing is ever handed out. */
static void too_small(uint64_t pages)
{
	uint8_t *base = heap_over(pages);
	struct cella_heap_stats st;
	CT_RESULT(rt_heap_init(), CELLA_ERR_IMAGE_PROPERTIES);
	CT_EQ(rt_heap_mmap(PAGE), -ENOMEM);
	CT_EQ(rt_heap_munmap((uint64_t)base, PAGE), -EINVAL);
	cella_heap_stats(&st);
	CT_EQ(st.heap_bytes, 0);
	CT_EQ(munmap(base, pages ? pages * PAGE : PAGE), 0);
}

static void bad_args(void)
{
	uint8_t *base = heap_over(16);
	long a;
	CT_RESULT(rt_heap_init(), CELLA_OK);
	CT_EQ(rt_heap_mmap(0), -EINVAL);
	CT_EQ(rt_heap_mmap(16 * PAGE + 1), -ENOMEM);
	CT_EQ(rt_heap_mmap(15 * PAGE + 1), -ENOMEM); /* one page more than there is after the bitmap */
	a = rt_heap_mmap(15 * PAGE);
	CT_EQ(a, (long)(base + PAGE));
	CT_EQ(rt_heap_munmap((uint64_t)a + 1, PAGE), -EINVAL);  /* unaligned */
	CT_EQ(rt_heap_munmap((uint64_t)a, 0), -EINVAL);         /* empty */
	CT_EQ(rt_heap_munmap((uint64_t)a, 16 * PAGE), -EINVAL); /* runs past the heap */
	CT_EQ(rt_heap_munmap((uint64_t)a, UINT64_MAX), -EINVAL); /* would round to 0 and free nothing */
	CT_EQ(rt_heap_munmap((uint64_t)a, UINT64_MAX - PAGE + 2), -EINVAL);
	/* mprotect: Linux's argument errors, then only heap pages, never executable, and nothing changes */
	CT_EQ(rt_heap_mprotect((uint64_t)a + 1, PAGE, PROT_READ), -EINVAL);
	CT_EQ(rt_heap_mprotect((uint64_t)a, 0, PROT_READ), -EINVAL);
	CT_EQ(rt_heap_mprotect((uint64_t)a, UINT64_MAX - PAGE + 2, PROT_READ), -EINVAL);
	CT_EQ(rt_heap_mprotect((uint64_t)a, UINT64_MAX - PAGE + 1, PROT_READ), -EACCES); /* wraps: past the heap */
	CT_EQ(rt_heap_mprotect((uint64_t)a, 16 * PAGE, PROT_READ), -EACCES);
	CT_EQ(rt_heap_mprotect((uint64_t)base, PAGE, PROT_READ), -EACCES); /* the allocator's bitmap */
	CT_EQ(rt_heap_mprotect((uint64_t)a, PAGE, PROT_READ | PROT_EXEC), -EACCES);
	CT_EQ(rt_heap_mprotect((uint64_t)a, 15 * PAGE - 1, PROT_NONE), 0);
	memset((void *)a, 0x5a, 15 * PAGE); /* still writable */
	CT_EQ(rt_heap_munmap((uint64_t)a, 15 * PAGE), 0);
	CT_EQ(munmap(base, 16 * PAGE), 0);
}

/* Unmapping a range that includes free pages (as Linux allows) frees, and counts, only the used ones. */
static void partial_unmap(void)
{
	uint8_t *base = heap_over(16);
	struct cella_heap_stats st;
	long a, b;
	CT_RESULT(rt_heap_init(), CELLA_OK);
	a = rt_heap_mmap(2 * PAGE);
	b = rt_heap_mmap(2 * PAGE);
	CT_ASSERT(a > 0 && b == a + 2 * (long)PAGE);
	CT_EQ(rt_heap_munmap((uint64_t)a, 2 * PAGE), 0);
	cella_heap_stats(&st);
	CT_EQ(st.used_bytes, 2 * PAGE);
	CT_EQ(rt_heap_munmap((uint64_t)a, 4 * PAGE), 0); /* two pages already free, two in use */
	cella_heap_stats(&st);
	CT_EQ(st.used_bytes, 0);
	CT_EQ(st.zeroed_bytes, 4 * PAGE);
	b = rt_heap_mmap(PAGE); /* still works, and its used count is one page */
	cella_heap_stats(&st);
	CT_ASSERT(b > 0);
	CT_EQ(st.used_bytes, PAGE);
	CT_EQ(munmap(base, 16 * PAGE), 0);
}

/* cella_heap_stats_ecall: the statistics as bytes for the host, refused (nothing written) into a short buffer */
static void stats_ecall(void)
{
	uint8_t *base = heap_over(16);
	struct cella_heap_stats st, got;
	size_t w = 99;
	CT_RESULT(rt_heap_init(), CELLA_OK);
	CT_ASSERT(rt_heap_mmap(3 * PAGE) > 0);
	memset(&got, 0xa5, sizeof(got));
	CT_RESULT(cella_heap_stats_ecall(NULL, 0, (uint8_t *)&got, sizeof(got) - 1, &w), CELLA_ERR_BUFFER_TOO_SMALL);
	CT_EQ(w, 99);
	CT_EQ(got.used_bytes, 0xa5a5a5a5a5a5a5a5ull);
	CT_RESULT(cella_heap_stats_ecall(NULL, 0, (uint8_t *)&got, sizeof(got) + 8, &w), CELLA_OK);
	CT_EQ(w, sizeof(got));
	cella_heap_stats(&st);
	CT_EQ(got.used_bytes, 3 * PAGE);
	CT_EQ(got.peak_used_bytes, 3 * PAGE);
	CT_EQ(got.map_calls, 1);
	CT_EQ_MEM(&got, &st, sizeof(st));
	CT_EQ(munmap(base, 16 * PAGE), 0);
}

int main(void)
{
	/* around the sizes where the bitmap's last word starts a new page (32768 pages fill one bitmap page) */
	static const uint64_t sizes[] = {2, 3, 7, 8, 65, 32767, 32768, 32769, 32775, 32776, 32832, 32833};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		fill_heap(sizes[i]);
	cella_test_pass("every page handed out once, none from the bitmap, none written by the allocator");
	too_small(0);
	too_small(1);
	cella_test_pass("a heap with no page beyond its bitmap is refused");
	bad_args();
	cella_test_pass("bad lengths and addresses are refused");
	partial_unmap();
	cella_test_pass("an unmap over free and used pages counts the used ones");
	stats_ecall();
	cella_test_pass("the heap statistics ecall gives cella_heap_stats, and refuses a short buffer");
	return 0;
}
