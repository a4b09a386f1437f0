// SPDX-License-Identifier: MIT
/*
 * The window's placement between the host library and cella-monitor (src/host/proto.h, CELLA_WINDOW_ROUNDS),
 * driven from a fake host so that the host's address can be one the monitor certainly has taken: the start of a
 * mapping read from the monitor's /proc/<pid>/maps. The monitor must offer a range of its own, accept the window
 * there and boot the enclave; refuse after CELLA_WINDOW_ROUNDS taken addresses; refuse a size that changes. And
 * an enclave refuses a window of another ABI version, saying so; a window that is not sealed against shrinking
 * is refused, and a sealed one cannot shrink under the monitor.
 *
 * usage: monitor_window_test CELLA_MONITOR ENCLAVE_IMAGE
 */
#include "cella_test.h"
#include "internal.h"
#include "proto.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct session {
	pid_t pid;
	int ctl;
	struct cella_enclave e; /* only what the window's layout needs */
	int memfd;
	char logs[8192];        /* the monitor's LOG texts so far */
};

static void send_m(struct session *s, struct cella_pmsg *m, int fd)
{
	CT_RESULT(cella_pmsg_send(s->ctl, m, fd), CELLA_OK);
}

/* The next message that is not a LOG. */
static void recv_m(struct session *s, struct cella_pmsg *m)
{
	for (;;) {
		CT_EQ(recv(s->ctl, m, sizeof(*m), 0), (ssize_t)sizeof(*m));
		m->text[sizeof(m->text) - 1] = 0;
		if (m->type != CELLA_PMSG_LOG)
			return;
		strncat(s->logs, m->text, sizeof(s->logs) - strlen(s->logs) - 1);
	}
}

/* A monitor with the image open and a window laid out for it (not yet sent), sealed at its size as the host
 * library seals it unless `unsealed`. */
static void start_window(struct session *s, const char *monitor, const char *image, bool unsealed)
{
	int sv[2];
	posix_spawn_file_actions_t fa;
	char *argv[] = {(char *)monitor, NULL};
	struct cella_pmsg m;
	uint64_t bytes;
	uint8_t *p;

	memset(s, 0, sizeof(*s));
	CT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	CT_EQ(posix_spawn_file_actions_init(&fa), 0);
	CT_EQ(posix_spawn_file_actions_adddup2(&fa, sv[1], CELLA_MONITOR_CONTROL_FD), 0);
	CT_EQ(posix_spawn(&s->pid, monitor, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	s->ctl = sv[0];

	memset(&m, 0, sizeof(m));
	m.type = CELLA_PMSG_OPEN;
	m.flags = CELLA_ENCLAVE_FLAG_DEBUG;
	snprintf(m.text, sizeof(m.text), "%s", image);
	send_m(s, &m, -1);
	recv_m(s, &m);
	CT_EQ(m.type, CELLA_PMSG_OPENED);
	CT_RESULT((cella_result)m.status, CELLA_OK);

	s->e.tcs_count = m.tcs_count;
	s->e.s.call_buffer_bytes = 64u << 10;
	s->e.s.arena_bytes = 1u << 20;
	s->e.log_level = 1;
	bytes = cella_window_bytes(&s->e);
	s->memfd = memfd_create("test-window", MFD_CLOEXEC | (unsealed ? 0 : MFD_ALLOW_SEALING));
	CT_ASSERT(s->memfd >= 0);
	CT_EQ(ftruncate(s->memfd, (off_t)bytes), 0);
	if (!unsealed)
		CT_EQ(fcntl(s->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), 0);
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, s->memfd, 0);
	CT_ASSERT(p != MAP_FAILED);
	CT_RESULT(cella_window_lay_out(&s->e, p, bytes), CELLA_OK);
}

static void start(struct session *s, const char *monitor, const char *image)
{
	start_window(s, monitor, image, false);
}

/* Ends the session; the monitor must exit on its own, with status 0 (not killed by a signal). */
static void finish(struct session *s, bool booted)
{
	struct cella_pmsg m;
	int status = 0;
	if (booted) {
		memset(&m, 0, sizeof(m));
		m.type = CELLA_PMSG_TERMINATE;
		send_m(s, &m, -1);
		recv_m(s, &m);
		CT_EQ(m.type, CELLA_PMSG_BYE);
	}
	close(s->ctl);
	CT_EQ(waitpid(s->pid, &status, 0), s->pid);
	CT_ASSERT(WIFEXITED(status));
	munmap(s->e.win, s->e.win_bytes);
	cella_arena_fini(&s->e.arena);
	close(s->memfd);
}

/* The start of a mapping the monitor holds (its first line in /proc/<pid>/maps). */
static uint64_t taken_in(pid_t pid)
{
	char path[64];
	unsigned long lo = 0;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	CT_ASSERT(f != NULL);
	CT_EQ(fscanf(f, "%lx-", &lo), 1);
	fclose(f);
	CT_ASSERT(lo != 0 && lo % 4096 == 0);
	return lo;
}

/* True if the monitor has a mapping starting exactly at addr. */
static bool mapped_in(pid_t pid, uint64_t addr)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	CT_ASSERT(f != NULL);
	while (!found && fgets(line, sizeof(line), f))
		found = strtoull(line, NULL, 16) == addr;
	fclose(f);
	return found;
}

static void window_msg(struct session *s, uint64_t bytes, uint64_t addr)
{
	struct cella_pmsg m;
	memset(&m, 0, sizeof(m));
	m.type = CELLA_PMSG_WINDOW;
	m.a = bytes;
	m.b = addr;
	send_m(s, &m, s->memfd);
}

/* m is the monitor's READY answer with status `want` and, if `why`, a reason containing it. */
static void expect_ready(const struct cella_pmsg *m, cella_result want, const char *why)
{
	CT_EQ(m->type, CELLA_PMSG_READY);
	CT_RESULT((cella_result)m->status, want);
	if (why)
		CT_ASSERT(strstr(m->text, why) != NULL);
}

/* Moves the window to the monitor's offer (free here too: any other outcome is the host library's next round). */
static void move_to(struct session *s, uint64_t addr)
{
	uint8_t *q = mmap((void *)(uintptr_t)addr, s->e.win_bytes, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_FIXED_NOREPLACE, s->memfd, 0);
	CT_ASSERT(q == (uint8_t *)(uintptr_t)addr);
	munmap(s->e.win, s->e.win_bytes);
	cella_window_rebase(&s->e, q);
}

/* The host's address is taken in the monitor: it offers one of its own, and the enclave boots there. */
static void moves(const char *monitor, const char *image)
{
	struct session s;
	struct cella_pmsg m;
	uint64_t taken;
	start(&s, monitor, image);
	taken = taken_in(s.pid);
	window_msg(&s, s.e.win_bytes, taken);
	recv_m(&s, &m);
	CT_EQ(m.type, CELLA_PMSG_WINDOW_AT);
	CT_EQ(m.a, s.e.win_bytes);
	CT_ASSERT(m.b != taken && m.b % 4096 == 0);
	CT_ASSERT(mapped_in(s.pid, m.b)); /* reserved there */
	move_to(&s, m.b);
	window_msg(&s, s.e.win_bytes, m.b);
	recv_m(&s, &m);
	expect_ready(&m, CELLA_OK, NULL);
	CT_EQ(__atomic_load_n(&s.e.hdr->state, __ATOMIC_SEQ_CST), CELLA_WINDOW_READY);
	finish(&s, true);
	cella_test_pass("a window address taken in the monitor: it offers its own, the enclave boots there");
}

/* A host that keeps sending taken addresses is refused after CELLA_WINDOW_ROUNDS of them. */
static void gives_up(const char *monitor, const char *image)
{
	struct session s;
	struct cella_pmsg m;
	unsigned offers = 0;
	start(&s, monitor, image);
	for (;;) {
		window_msg(&s, s.e.win_bytes, taken_in(s.pid));
		recv_m(&s, &m);
		if (m.type != CELLA_PMSG_WINDOW_AT)
			break;
		offers++;
	}
	CT_EQ(offers, CELLA_WINDOW_ROUNDS - 1);
	expect_ready(&m, CELLA_ERR_BACKEND, "no address is free for the window");
	finish(&s, false);
	cella_test_pass("refused after CELLA_WINDOW_ROUNDS taken addresses, with the reason");
}

/* The size may not change between rounds; nor may the address be unaligned. */
static void refusals(const char *monitor, const char *image)
{
	struct session s;
	struct cella_pmsg m;
	start(&s, monitor, image);
	window_msg(&s, s.e.win_bytes, taken_in(s.pid));
	recv_m(&s, &m);
	CT_EQ(m.type, CELLA_PMSG_WINDOW_AT);
	window_msg(&s, s.e.win_bytes - 4096, m.b);
	recv_m(&s, &m);
	expect_ready(&m, CELLA_ERR_INVALID_ARG, "window size changed");
	finish(&s, false);

	start(&s, monitor, image);
	window_msg(&s, s.e.win_bytes, (uint64_t)(uintptr_t)s.e.win + 8);
	recv_m(&s, &m);
	expect_ready(&m, CELLA_ERR_INVALID_ARG, "not page aligned");
	finish(&s, false);
	cella_test_pass("a size that changes while the window moves, an unaligned address: refused");
}

/* Sends the window at its own address, moving it as the host library does when the monitor offers another. */
static void place(struct session *s, struct cella_pmsg *m)
{
	for (unsigned round = 0; round < CELLA_WINDOW_ROUNDS; round++) {
		window_msg(s, s->e.win_bytes, (uint64_t)(uintptr_t)s->e.win);
		recv_m(s, m);
		if (m->type != CELLA_PMSG_WINDOW_AT)
			return;
		move_to(s, m->b);
	}
}

/* A window from a host library of another window ABI: the enclave refuses it and says why. */
static void stale_abi(const char *monitor, const char *image)
{
	struct session s;
	struct cella_pmsg m;
	start(&s, monitor, image);
	s.e.hdr->abi_version = CELLA_WINDOW_ABI_VERSION - 1;
	place(&s, &m);
	expect_ready(&m, CELLA_ERR_ENCLAVE_LOST, NULL);
	CT_ASSERT(strstr(s.logs, "host uses another window ABI: rebuild with its Cella") != NULL);
	finish(&s, false);
	cella_test_pass("a window of another ABI version: the enclave refuses it, naming the cause");
}

/* A WINDOW message carrying a second descriptor: the monitor uses the first, closes the other, and boots. */
static void extra_fd(const char *monitor, const char *image)
{
	struct session s;
	struct cella_pmsg m;
	int pfd[2], fds[2];
	char cbuf[CMSG_SPACE(sizeof(fds))], path[64], link[128], want[64];
	struct iovec iov = {&m, sizeof(m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	struct stat st;
	DIR *d;
	struct dirent *de;
	bool held = false;

	start(&s, monitor, image);
	CT_EQ(pipe(pfd), 0);
	CT_EQ(fstat(pfd[0], &st), 0);
	snprintf(want, sizeof(want), "pipe:[%llu]", (unsigned long long)st.st_ino);
	memset(&m, 0, sizeof(m));
	m.type = CELLA_PMSG_WINDOW;
	m.a = s.e.win_bytes;
	m.b = (uint64_t)(uintptr_t)s.e.win;
	fds[0] = s.memfd;
	fds[1] = pfd[0];
	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	CT_EQ(sendmsg(s.ctl, &mh, 0), (ssize_t)sizeof(m));
	recv_m(&s, &m);
	while (m.type == CELLA_PMSG_WINDOW_AT) { /* the host's address was taken there: move as the library does */
		move_to(&s, m.b);
		window_msg(&s, s.e.win_bytes, m.b);
		recv_m(&s, &m);
	}
	expect_ready(&m, CELLA_OK, NULL);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)s.pid);
	CT_ASSERT((d = opendir(path)) != NULL);
	while ((de = readdir(d)) != NULL) {
		char fp[384];
		ssize_t n;
		snprintf(fp, sizeof(fp), "%s/%s", path, de->d_name);
		n = readlink(fp, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = 0;
			held |= strcmp(link, want) == 0;
		}
	}
	closedir(d);
	CT_ASSERT(!held);
	close(pfd[0]);
	close(pfd[1]);
	finish(&s, true);
	cella_test_pass("a second descriptor with the window is closed by the monitor, which boots the enclave");
}

/* A window whose file could shrink is refused (the monitor's writes past a shrunk end would kill it with SIGBUS);
 * a sealed one cannot shrink or grow under the running enclave, and the monitor outlives the attempt. */
static void sealing(const char *monitor, const char *image)
{
	struct session s;
	struct cella_pmsg m;
	start_window(&s, monitor, image, true);
	window_msg(&s, s.e.win_bytes, (uint64_t)(uintptr_t)s.e.win);
	recv_m(&s, &m);
	expect_ready(&m, CELLA_ERR_INVALID_ARG, "not sealed against shrinking");
	finish(&s, false);

	start(&s, monitor, image);
	place(&s, &m);
	expect_ready(&m, CELLA_OK, NULL);
	errno = 0;
	CT_EQ(ftruncate(s.memfd, 0), -1);
	CT_EQ(errno, EPERM);
	errno = 0;
	CT_EQ(ftruncate(s.memfd, (off_t)s.e.win_bytes * 2), -1);
	CT_EQ(errno, EPERM);
	CT_EQ(fcntl(s.memfd, F_ADD_SEALS, F_SEAL_WRITE), -1); /* F_SEAL_SEAL: no further seals */
	finish(&s, true); /* TERMINATE marks the window lost (a write into it) and says BYE; exit 0 */
	cella_test_pass("an unsealed window is refused; a sealed one cannot shrink under the monitor");
}

/* A starter that ignores SIGCHLD and blocks SIGTERM, and does not reset them for the monitor as the host library
 * does: the monitor resets them itself (else the kernel would reap its enclave process behind its waitpid). */
static void inherited_signals(const char *monitor, const char *image)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigset_t term, old_mask;
	unsigned long long sig_ign = ~0ull, sig_blk = ~0ull;
	struct session s;
	struct cella_pmsg m;
	char path[64], line[256];
	FILE *f;

	CT_EQ(sigaction(SIGCHLD, &ign, &old), 0);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	CT_EQ(sigprocmask(SIG_BLOCK, &term, &old_mask), 0);
	start(&s, monitor, image); /* the monitor has run its main: it answered OPEN */
	CT_EQ(sigprocmask(SIG_SETMASK, &old_mask, NULL), 0);
	CT_EQ(sigaction(SIGCHLD, &old, NULL), 0);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)s.pid);
	CT_ASSERT((f = fopen(path, "r")) != NULL);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "SigIgn:", 7) == 0)
			sig_ign = strtoull(line + 7, NULL, 16);
		else if (strncmp(line, "SigBlk:", 7) == 0)
			sig_blk = strtoull(line + 7, NULL, 16);
	}
	fclose(f);
	CT_EQ(sig_blk, 0);
	CT_EQ(sig_ign & (1ull << (SIGCHLD - 1)), 0);
	place(&s, &m);
	expect_ready(&m, CELLA_OK, NULL);
	finish(&s, true);
	cella_test_pass("a monitor started with SIGCHLD ignored and SIGTERM blocked resets both");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s CELLA_MONITOR ENCLAVE_IMAGE\n", argv[0]);
		return 2;
	}
	moves(argv[1], argv[2]);
	gives_up(argv[1], argv[2]);
	refusals(argv[1], argv[2]);
	stale_abi(argv[1], argv[2]);
	extra_fd(argv[1], argv[2]);
	sealing(argv[1], argv[2]);
	inherited_signals(argv[1], argv[2]);
	return 0;
}
