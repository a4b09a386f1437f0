/* SPDX-License-Identifier: MIT */
/*
 * The hostile-host library: drives an enclave below the host library and the generated stubs, by writing
 * raw call slots and buffers in the shared window, answering ocalls with crafted replies, and racing fields.
 */
#ifndef CELLA_TEST_HOSTILE_H
#define CELLA_TEST_HOSTILE_H

#include <cella/abi/window.h>
#include <cella/host.h>

struct hostile {
	struct cella_enclave *e;
	uint32_t slot;
	struct cella_abi_slot *s;
	uint8_t *win;
	uint64_t win_bytes;
	uint64_t buf;     /* offset of this slot's call buffer */
	uint64_t buf_len;
	uint64_t slots_off;
};

/* An ocall answer: the handler gets the raw slot and window and writes whatever it likes. */
typedef void (*hostile_ocall_fn)(struct hostile *h, void *ctx);

/* Takes TCS `slot` away from the host library (so it never uses it) and describes the window. */
void hostile_bind(struct hostile *h, struct cella_enclave *e, uint32_t slot);
void hostile_unbind(struct hostile *h);

/* Result of a raw call that never came back (the enclave ignored it) within the timeout. */
#define HOSTILE_TIMEOUT 0xffff0001u
#define HOSTILE_LOST 0xffff0002u

/*
 * Writes the slot fields raw, releases the call and waits (timeout_ms) for ECALL_DONE, answering OCALL
 * requests with on_ocall (NULL: reply CELLA_ERR_UNSUPPORTED). Returns the slot's status (a cella_result) or
 * HOSTILE_TIMEOUT / HOSTILE_LOST; *written gets out_written.
 */
uint32_t hostile_ecall(struct hostile *h, uint32_t fn, uint64_t off, uint64_t in_bytes, uint64_t out_bytes,
		       uint64_t *written, hostile_ocall_fn on_ocall, void *ctx, int timeout_ms);

/* hostile_ecall's second half, for a call the caller released itself: waits, answers ocalls, returns alike. */
uint32_t hostile_wait(struct hostile *h, uint64_t *written, hostile_ocall_fn on_ocall, void *ctx, int timeout_ms);

/* Sets the slot's state word (and wakes the enclave thread) without any other field. */
void hostile_poke_state(struct hostile *h, uint32_t state);

/*
 * Returns 0 once the enclave thread of the slot has looked at the state word after this call began, found
 * nothing to do and gone to sleep on it; HOSTILE_TIMEOUT / HOSTILE_LOST if it does not within timeout_ms. The
 * thread sets CELLA_SLOT_ENCLAVE_SLEEPS just before its last look ahead of the futex wait: this clears the bit,
 * then wakes the thread until it is set again. Called twice in a row, the second return also proves that the
 * thread went round its wait loop once more after the look the first one saw, so whatever it did on that look
 * (had it acted) is finished.
 */
uint32_t hostile_await_sleep(struct hostile *h, int timeout_ms);

#endif
