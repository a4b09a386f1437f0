// SPDX-License-Identifier: MIT
/*
 * The host's socket ocalls for enclave TLS servers (cella/tls_host.h), called as the enclave would call them:
 * - a closed connection's handle stays dead when the next accepted connection gets the same fd number (handles
 *   were fd numbers, and the stale one then read the new peer's bytes);
 * - a connection is its accepting enclave's; unknown handles, a listener named as a connection and the reverse,
 *   and malformed requests are refused with their codes;
 * - closing a connection while another thread is blocked receiving on it wakes that thread with end of stream
 *   (it used to sleep out its 30 s timeout on an fd number the process could already have reused), and
 *   unlistening wakes an accept that waits forever (it used to hang);
 * - forgetting an enclave closes its connections (waking a receive blocked on one) and no other enclave's.
 * The blocked calls are observed in the kernel (/proc/self/task/TID/syscall), not guessed from a sleep.
 *   tls_host_test          the above, on 127.0.0.1
 *   tls_host_test ipv6     a listener on ::1 serves an IPv6 client; exits 77 only on a machine without IPv6
 *                          loopback (no AF_INET6 sockets, or no ::1)
 */
#include <cella/tls.h>
#include <cella/tls_host.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cella_test.h"

/* two enclaves, as the handlers see them: only their addresses matter */
static char enclave_a, enclave_b;
#define EA ((struct cella_enclave *)&enclave_a)
#define EB ((struct cella_enclave *)&enclave_b)

static uint16_t port;

static int dial(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CT_ASSERT(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CT_ASSERT(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	return fd;
}

static cella_result do_accept(struct cella_enclave *e, uint64_t listener, uint32_t timeout_ms, uint64_t *conn)
{
	struct cella_tls_accept_in req = {.listener = listener, .timeout_ms = timeout_ms};
	uint8_t out[8];
	size_t w = 0;
	cella_result r = cella_tls_host_accept(e, (const uint8_t *)&req, sizeof(req), out, sizeof(out), &w);
	if (r == CELLA_OK) {
		CT_EQ(w, sizeof(*conn));
		memcpy(conn, out, sizeof(*conn));
	}
	return r;
}

static cella_result do_recv(struct cella_enclave *e, uint64_t conn, uint8_t *buf, size_t max, size_t *got)
{
	struct cella_tls_recv_in req = {.conn = conn, .max = (uint32_t)max};
	*got = 0;
	return cella_tls_host_recv(e, (const uint8_t *)&req, sizeof(req), buf, max, got);
}

static cella_result do_send(struct cella_enclave *e, uint64_t conn, const char *s)
{
	uint8_t in[64], out[4];
	struct cella_tls_send_in req = {.conn = conn};
	size_t n = strlen(s), w = 0;
	memcpy(in, &req, sizeof(req));
	memcpy(in + sizeof(req), s, n);
	return cella_tls_host_send(e, in, sizeof(req) + n, out, sizeof(out), &w);
}

static cella_result do_close(struct cella_enclave *e, uint64_t conn)
{
	struct cella_tls_close_in req = {.conn = conn};
	size_t w = 0;
	return cella_tls_host_close(e, (const uint8_t *)&req, sizeof(req), NULL, 0, &w);
}

/* The system call thread tid is blocked in (the first number of its syscall file; "running" gives -2). */
static long blocked_in(pid_t tid)
{
	char path[64], line[256];
	long nr = -2;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	f = fopen(path, "r");
	CT_ASSERT(f);
	if (fgets(line, sizeof(line), f) && line[0] >= '0' && line[0] <= '9')
		nr = strtol(line, NULL, 10);
	fclose(f);
	return nr;
}

/* Waits until thread tid is blocked in one of the given system calls. */
static void wait_in_syscall(pid_t tid, long a, long b)
{
	long nr;
	while ((nr = blocked_in(tid)) != a && nr != b)
		sched_yield();
}

struct blocked {
	pthread_t t;
	pid_t tid;
	uint64_t handle;
	cella_result r;
	size_t got;
	uint64_t conn;
};

static void *recv_thread(void *arg)
{
	struct blocked *b = arg;
	uint8_t buf[16];
	__atomic_store_n(&b->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	b->r = do_recv(EA, b->handle, buf, sizeof(buf), &b->got);
	return NULL;
}

static void *accept_thread(void *arg)
{
	struct blocked *b = arg;
	__atomic_store_n(&b->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	b->r = do_accept(EA, b->handle, 0, &b->conn); /* waits for ever */
	return NULL;
}

static pid_t started(struct blocked *b)
{
	pid_t tid;
	while ((tid = __atomic_load_n(&b->tid, __ATOMIC_ACQUIRE)) == 0)
		sched_yield();
	return tid;
}

/* A listener on ::1: an IPv6 client's bytes reach the enclave's handle and its reply comes back. */
static int ipv6(void)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	uint64_t listener, conn;
	uint8_t buf[16];
	size_t got;
	int probe = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), p;
	if (probe < 0 && errno == EAFNOSUPPORT) {
		printf("SKIP: this machine has no IPv6 sockets\n");
		return 77;
	}
	CT_ASSERT(probe >= 0);
	if (bind(probe, (struct sockaddr *)&a, sizeof(a)) != 0) {
		CT_ASSERT(errno == EADDRNOTAVAIL); /* anything else is a failure */
		printf("SKIP: this machine has no ::1\n");
		return 77;
	}
	close(probe);
	CT_RESULT(cella_tls_host_listen("::1", 0, &listener, &port), CELLA_OK);
	CT_ASSERT(port != 0);
	p = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin6_port = htons(port);
	CT_ASSERT(p >= 0 && connect(p, (struct sockaddr *)&a, sizeof(a)) == 0);
	CT_RESULT(do_accept(EA, listener, 5000, &conn), CELLA_OK);
	CT_ASSERT(write(p, "over v6", 7) == 7);
	CT_RESULT(do_recv(EA, conn, buf, sizeof(buf), &got), CELLA_OK);
	CT_EQ(got, 7);
	CT_ASSERT(memcmp(buf, "over v6", 7) == 0);
	CT_RESULT(do_send(EA, conn, "back"), CELLA_OK);
	CT_EQ(read(p, buf, sizeof(buf)), 4);
	CT_ASSERT(memcmp(buf, "back", 4) == 0);
	CT_RESULT(do_close(EA, conn), CELLA_OK);
	close(p);
	cella_tls_host_unlisten(listener);
	cella_test_pass("a listener on ::1 serves an IPv6 client");
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t listener, c1, c2, c3;
	uint8_t buf[16];
	size_t got;
	int p1, p2, p3;

	if (argc > 1)
		return strcmp(argv[1], "ipv6") ? 2 : ipv6();
	CT_RESULT(cella_tls_host_listen("127.0.0.1", 0, &listener, &port), CELLA_OK);
	CT_ASSERT(port != 0);
	/* only numeric addresses: a name would need a resolver the host application did not choose */
	static const char *const not_numeric[] = {"localhost", "1.2.3", "::g", "127.0.0.1:80", "[::1]", ""};
	for (size_t i = 0; i < sizeof(not_numeric) / sizeof(not_numeric[0]); i++)
		CT_RESULT(cella_tls_host_listen(not_numeric[i], 0, &c3, NULL), CELLA_ERR_INVALID_ARG);

	/* a stale handle names nothing, though its fd number now serves another connection */
	p1 = dial();
	CT_RESULT(do_accept(EA, listener, 5000, &c1), CELLA_OK);
	p2 = dial(); /* before the close: the next accept gets the fd number the close frees */
	CT_RESULT(do_close(EA, c1), CELLA_OK);
	CT_RESULT(do_close(EA, c1), CELLA_ERR_PERMISSION);
	CT_RESULT(do_accept(EA, listener, 5000, &c2), CELLA_OK);
	CT_ASSERT(c2 != c1);
	CT_ASSERT(write(p2, "new peer", 8) == 8);
	CT_RESULT(do_recv(EA, c1, buf, sizeof(buf), &got), CELLA_ERR_PERMISSION);
	CT_EQ(got, 0);
	CT_RESULT(do_send(EA, c1, "to the old peer"), CELLA_ERR_PERMISSION);
	CT_RESULT(do_close(EA, c1), CELLA_ERR_PERMISSION);
	CT_RESULT(do_recv(EA, c2, buf, sizeof(buf), &got), CELLA_OK);
	CT_EQ(got, 8);
	CT_ASSERT(memcmp(buf, "new peer", 8) == 0);
	/* the old peer saw its connection end */
	CT_EQ(read(p1, buf, sizeof(buf)), 0);
	close(p1);
	cella_test_pass("a closed connection's handle stays dead when its fd number is reused");

	/* the connection is enclave A's */
	CT_RESULT(do_recv(EB, c2, buf, sizeof(buf), &got), CELLA_ERR_PERMISSION);
	CT_RESULT(do_send(EB, c2, "x"), CELLA_ERR_PERMISSION);
	CT_RESULT(do_close(EB, c2), CELLA_ERR_PERMISSION);
	CT_RESULT(do_send(EA, c2, "reply"), CELLA_OK);
	CT_EQ(read(p2, buf, sizeof(buf)), 5);
	CT_ASSERT(memcmp(buf, "reply", 5) == 0);
	/* unknown handles, and each kind named as the other */
	uint64_t unknown[] = {0, 1, 0xffffffffffffffffull, c2 ^ (1ull << 32), c2 + 1, (uint64_t)p2};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		CT_RESULT(do_recv(EA, unknown[i], buf, sizeof(buf), &got), CELLA_ERR_PERMISSION);
		CT_RESULT(do_close(EA, unknown[i]), CELLA_ERR_PERMISSION);
		CT_RESULT(do_accept(EA, unknown[i], 1, &c3), CELLA_ERR_PERMISSION);
	}
	CT_RESULT(do_recv(EA, listener, buf, sizeof(buf), &got), CELLA_ERR_PERMISSION);
	CT_RESULT(do_accept(EA, c2, 1, &c3), CELLA_ERR_PERMISSION);
	/* malformed requests */
	struct cella_tls_recv_in rq = {.conn = c2, .max = 4};
	struct cella_tls_accept_in aq = {.listener = listener, .timeout_ms = 1};
	size_t w;
	CT_RESULT(cella_tls_host_recv(EA, (const uint8_t *)&rq, sizeof(rq) - 1, buf, sizeof(buf), &w), CELLA_ERR_MARSHAL);
	CT_RESULT(cella_tls_host_accept(EA, (const uint8_t *)&aq, sizeof(aq), buf, 7, &w), CELLA_ERR_MARSHAL);
	CT_RESULT(cella_tls_host_send(EA, (const uint8_t *)&rq, sizeof(struct cella_tls_send_in), buf, 4, &w),
		  CELLA_ERR_MARSHAL); /* no data */
	CT_RESULT(cella_tls_host_close(EA, (const uint8_t *)&rq, sizeof(struct cella_tls_close_in) + 1, NULL, 0, &w),
		  CELLA_ERR_MARSHAL);
	/* no pending connection within the timeout */
	CT_RESULT(do_accept(EA, listener, 1, &c3), CELLA_ERR_IO);
	cella_test_pass("foreign, unknown and mistyped handles and malformed requests refused");

	/* closing wakes a receive blocked on the connection: it ends with end of stream */
	struct blocked rb = {.handle = c2};
	CT_ASSERT(pthread_create(&rb.t, NULL, recv_thread, &rb) == 0);
	wait_in_syscall(started(&rb), SYS_recvfrom, SYS_recvfrom);
	CT_RESULT(do_close(EA, c2), CELLA_OK);
	CT_ASSERT(pthread_join(rb.t, NULL) == 0);
	CT_RESULT(rb.r, CELLA_OK);
	CT_EQ(rb.got, 0);
	CT_RESULT(do_recv(EA, c2, buf, sizeof(buf), &got), CELLA_ERR_PERMISSION);
	CT_EQ(read(p2, buf, sizeof(buf)), 0);
	close(p2);
	cella_test_pass("close wakes a blocked receive");

	p3 = dial();
	CT_RESULT(do_accept(EA, listener, 5000, &c3), CELLA_OK);

	/* forgetting an enclave closes its connections, whatever the host application left open; others stay */
	uint64_t cb;
	p1 = dial();
	CT_RESULT(do_accept(EB, listener, 5000, &cb), CELLA_OK);
	struct blocked fb = {.handle = c3};
	CT_ASSERT(pthread_create(&fb.t, NULL, recv_thread, &fb) == 0);
	wait_in_syscall(started(&fb), SYS_recvfrom, SYS_recvfrom);
	cella_tls_host_forget(EA);
	CT_ASSERT(pthread_join(fb.t, NULL) == 0);
	CT_RESULT(fb.r, CELLA_OK); /* the blocked receive woke with end of stream */
	CT_EQ(fb.got, 0);
	CT_RESULT(do_send(EA, c3, "x"), CELLA_ERR_PERMISSION);
	CT_EQ(read(p3, buf, sizeof(buf)), 0);
	close(p3);
	CT_RESULT(do_send(EB, cb, "still"), CELLA_OK);
	CT_EQ(read(p1, buf, sizeof(buf)), 5);
	cella_tls_host_forget(EB);
	CT_EQ(read(p1, buf, sizeof(buf)), 0);
	close(p1);
	cella_test_pass("forgetting an enclave closes its connections only");

	/* unlistening wakes an accept waiting forever; the listener is gone after */
	struct blocked ab = {.handle = listener};
	CT_ASSERT(pthread_create(&ab.t, NULL, accept_thread, &ab) == 0);
	wait_in_syscall(started(&ab), SYS_poll, SYS_ppoll);
	cella_tls_host_unlisten(listener);
	CT_ASSERT(pthread_join(ab.t, NULL) == 0);
	CT_RESULT(ab.r, CELLA_ERR_IO);
	CT_RESULT(do_accept(EA, listener, 1, &c3), CELLA_ERR_PERMISSION);
	cella_test_pass("unlisten wakes a blocked accept");
	return 0;
}
