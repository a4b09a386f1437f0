// SPDX-License-Identifier: MIT
/*
 * The sandbox backend, host side: starts cella-monitor (which measures the image and runs the enclave process),
 * creates the shared window, and talks to the monitor over a private socket.
 */
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CELLA_MONITOR_INSTALL_PATH
#define CELLA_MONITOR_INSTALL_PATH "/usr/local/libexec/cella/cella-monitor"
#endif
#define BOOT_TIMEOUT_MS 30000

extern char **environ;

/*
 * CELLA_MONITOR, else <dir of this library or program>/../libexec/cella/cella-monitor, else the install path.
 * secure_getenv: a setuid or file-capability program that links this library must not run a monitor of its
 * caller's choosing with its privileges (the monitor is the platform: it could trace the enclave, forge its keys).
 */
static void monitor_path(char *buf, size_t n)
{
	const char *env = secure_getenv("CELLA_MONITOR");
	Dl_info info;
	char self[PATH_MAX - 64];
	ssize_t k;

	if (env && *env) {
		snprintf(buf, n, "%s", env);
		return;
	}
	if (dladdr((void *)cella_enclave_create, &info) && info.dli_fname && strchr(info.dli_fname, '/')) {
		char *slash;
		snprintf(self, sizeof(self), "%s", info.dli_fname);
		slash = strrchr(self, '/');
		*slash = 0;
		if ((size_t)snprintf(buf, n, "%s/../libexec/cella/cella-monitor", self) < n && access(buf, X_OK) == 0)
			return;
	}
	k = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (k > 0) {
		char *slash;
		self[k] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			if ((size_t)snprintf(buf, n, "%s/../libexec/cella/cella-monitor", self) < n &&
			    access(buf, X_OK) == 0)
				return;
		}
	}
	snprintf(buf, n, "%s", CELLA_MONITOR_INSTALL_PATH);
}

/* see internal.h */
cella_result cella_pmsg_send(int sock, const struct cella_pmsg *m, int fd)
{
	struct msghdr mh = {0};
	struct iovec iov = {(void *)m, sizeof(*m)};
	char cbuf[CMSG_SPACE(sizeof(int))];
	ssize_t k;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *cm;
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do
		k = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (k < 0 && errno == EINTR);
	return k == (ssize_t)sizeof(*m) ? CELLA_OK : CELLA_ERR_BACKEND;
}

static void log_monitor_message(struct cella_enclave *e, const struct cella_pmsg *m)
{
	enum cella_log_level lvl = m->level >= CELLA_LOG_ERROR && m->level <= CELLA_LOG_DEBUG ? m->level : CELLA_LOG_INFO;
	cella_log(e, lvl, "%.*s", (int)strnlen(m->text, sizeof(m->text)), m->text);
}

/*
 * Receives the next message that is not a LOG (LOGs are logged on the way), waiting up to timeout_ms
 * (-1 = forever). CELLA_ERR_BACKEND if the monitor went away or sent garbage.
 */
static cella_result recv_msg(struct cella_enclave *e, struct cella_pmsg *m, int timeout_ms)
{
	for (;;) {
		struct pollfd p = {e->ctl, POLLIN, 0};
		ssize_t k;
		int pr = poll(&p, 1, timeout_ms);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return CELLA_ERR_BACKEND;
		k = recv(e->ctl, m, sizeof(*m), 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k != (ssize_t)sizeof(*m))
			return CELLA_ERR_BACKEND;
		m->text[sizeof(m->text) - 1] = 0;
		if (m->type != CELLA_PMSG_LOG)
			return CELLA_OK;
		log_monitor_message(e, m);
	}
}

void cella_sandbox_drain(struct cella_enclave *e)
{
	struct cella_pmsg *m;
	if (e->ctl < 0)
		return;
	m = malloc(sizeof(*m));
	if (!m)
		return;
	for (;;) {
		ssize_t k = recv(e->ctl, m, sizeof(*m), MSG_DONTWAIT);
		if (k != (ssize_t)sizeof(*m))
			break;
		m->text[sizeof(m->text) - 1] = 0;
		if (m->type == CELLA_PMSG_LOG)
			log_monitor_message(e, m);
	}
	free(m);
}

bool cella_sandbox_check_lost(struct cella_enclave *e)
{
	struct pollfd p = {e->monitor_pidfd, POLLIN, 0};
	if (cella_enclave_lost(e))
		return true;
	if ((e->hdr && __atomic_load_n(&e->hdr->state, __ATOMIC_ACQUIRE) == CELLA_WINDOW_LOST) ||
	    (e->monitor_pidfd >= 0 && poll(&p, 1, 0) > 0)) {
		if (cella_enclave_mark_lost(e))
			cella_sandbox_drain(e); /* once, by the thread that noticed */
		return true;
	}
	return false;
}

/*
 * The environment the monitor starts with: what it reads (CELLA_*, HOME for the default platform directory) and
 * the sanitizers' settings, nothing else. The enclave process is forked from the monitor and can read all of
 * its memory, the initial environment included; the host's other variables (tokens, passwords) stay out of it.
 * In a program started setuid or with file capabilities (AT_SECURE) none at all: those are its caller's to set,
 * and the monitor, which may have dropped AT_SECURE if the program made all its ids one, would believe them.
 */
static char **monitor_environment(void)
{
	static const char *const keep[] = {"CELLA_", "HOME=", "ASAN_OPTIONS=", "UBSAN_OPTIONS=", "LSAN_OPTIONS=",
					   "TSAN_OPTIONS="};
	size_t n = 0, k = 0;
	char **out;
	if (getauxval(AT_SECURE))
		return calloc(1, sizeof(*out));
	for (char **v = environ; v && *v; v++)
		n++;
	out = calloc(n + 1, sizeof(*out));
	if (!out)
		return NULL;
	for (char **v = environ; v && *v; v++)
		for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
			if (strncmp(*v, keep[i], strlen(keep[i])) == 0) {
				out[k++] = *v;
				break;
			}
	return out;
}

static cella_result spawn_monitor(struct cella_enclave *e)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	char path[PATH_MAX];
	char *argv[2], **envp;
	int sv[2] = {-1, -1};
	pid_t pid;
	int err;

	monitor_path(path, sizeof(path));
	if (access(path, X_OK) != 0) {
		cella_log(e, CELLA_LOG_ERROR, "cannot run the sandbox monitor %s: %s (set CELLA_MONITOR to its path)", path,
			  strerror(errno));
		return CELLA_ERR_BACKEND;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return CELLA_ERR_BACKEND;
	if (!(envp = monitor_environment())) {
		close(sv[0]);
		close(sv[1]);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], CELLA_MONITOR_CONTROL_FD);
	/* The monitor starts with every signal at its default and none blocked, whatever this program set: with
	 * SIGCHLD ignored here (as daemons often have it) the kernel would reap the enclave process behind the
	 * monitor's waitpid, and blocked signals would pass on to the enclave process. */
	sigfillset(&all);
	sigemptyset(&none);
	err = posix_spawnattr_init(&at);
	if (err == 0)
		err = posix_spawnattr_setsigdefault(&at, &all);
	if (err == 0)
		err = posix_spawnattr_setsigmask(&at, &none);
	if (err == 0)
		err = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	argv[0] = path;
	argv[1] = NULL;
	if (err == 0)
		err = posix_spawn(&pid, path, &fa, &at, argv, envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	close(sv[1]);
	if (err != 0) {
		close(sv[0]);
		cella_log(e, CELLA_LOG_ERROR, "cannot start the sandbox monitor %s: %s", path, strerror(err));
		return CELLA_ERR_BACKEND;
	}
	e->ctl = sv[0];
	e->monitor = pid;
	e->monitor_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return CELLA_OK;
}

static cella_result make_window(struct cella_enclave *e, int *memfd)
{
	uint64_t bytes = cella_window_bytes(e);
	uint8_t *p;
	int fd;

	/* Sealed at its size before the monitor gets it: a window that shrank under the monitor would kill it with
	 * SIGBUS on its next write there (the monitor refuses a window without F_SEAL_SHRINK). */
	fd = memfd_create("cella-window", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, (off_t)bytes) != 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
		cella_log(e, CELLA_LOG_ERROR, "cannot create the shared window (%llu bytes): %s", (unsigned long long)bytes,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	*memfd = fd;
	return cella_window_lay_out(e, p, bytes);
}

/* The monitor found the window's address taken (proto.h): move it to `addr`, or anywhere else if addr is taken
 * here. The contents stay (they live in the memfd). */
static cella_result move_window(struct cella_enclave *e, int memfd, uint64_t addr)
{
	void *want = (void *)(uintptr_t)addr;
	uint8_t *q = mmap(want, e->win_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, memfd, 0);
	if (q != MAP_FAILED && q != want) {
		munmap(q, e->win_bytes); /* a kernel without MAP_FIXED_NOREPLACE took it as a hint */
		q = MAP_FAILED;
	}
	if (q == MAP_FAILED) /* while the old mapping stays, this lands elsewhere; the monitor checks it again */
		q = mmap(NULL, e->win_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (q == MAP_FAILED)
		return CELLA_ERR_OUT_OF_MEMORY;
	cella_log(e, CELLA_LOG_DEBUG, "window moved from %p to %p (%s)", (void *)e->win, (void *)q,
		  q == want ? "the monitor's offer" : "the offer is taken here");
	munmap(e->win, e->win_bytes);
	cella_window_rebase(e, q);
	return CELLA_OK;
}

cella_result cella_sandbox_create(struct cella_enclave *e, const char *path)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	struct cella_pmsg *m = NULL;
	int memfd = -1;
	cella_result got;

	if (strlen(path) >= CELLA_PMSG_TEXT_BYTES) {
		cella_log(e, CELLA_LOG_ERROR, "enclave path is too long");
		return CELLA_ERR_INVALID_ARG;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return CELLA_ERR_OUT_OF_MEMORY;
	CELLA_CHECK(spawn_monitor(e));

	m->type = CELLA_PMSG_OPEN;
	m->flags = e->flags;
	memcpy(m->text, path, strlen(path) + 1);
	CELLA_CHECK(cella_pmsg_send(e->ctl, m, -1));
	if (recv_msg(e, m, BOOT_TIMEOUT_MS) != CELLA_OK || m->type != CELLA_PMSG_OPENED) {
		cella_log(e, CELLA_LOG_ERROR, "the sandbox monitor did not answer");
		CELLA_FAIL(CELLA_ERR_BACKEND);
	}
	if (m->status != CELLA_OK) {
		cella_log(e, CELLA_LOG_ERROR, "%s: %s", path, m->text);
		CELLA_FAIL((cella_result)m->status);
	}
	if (m->tcs_count < 1 || m->tcs_count > 256)
		CELLA_FAIL(CELLA_ERR_BACKEND);
	e->tcs_count = m->tcs_count;
	e->mrenclave = m->mrenclave;
	e->mrsigner = m->mrsigner;
	e->slot_busy = calloc(e->tcs_count, sizeof(*e->slot_busy));
	if (!e->slot_busy)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	CELLA_CHECK(make_window(e, &memfd));

	for (unsigned round = 0;; round++) {
		memset(m, 0, sizeof(*m));
		m->type = CELLA_PMSG_WINDOW;
		m->a = e->win_bytes;
		m->b = (uint64_t)(uintptr_t)e->win; /* the enclave maps the window at this same address */
		CELLA_CHECK(cella_pmsg_send(e->ctl, m, memfd));
		got = recv_msg(e, m, BOOT_TIMEOUT_MS);
		if (got != CELLA_OK || m->type != CELLA_PMSG_WINDOW_AT || round + 1 >= CELLA_WINDOW_ROUNDS ||
		    m->a != e->win_bytes)
			break;
		CELLA_CHECK(move_window(e, memfd, m->b));
	}
	if (got != CELLA_OK || m->type != CELLA_PMSG_READY) {
		cella_log(e, CELLA_LOG_ERROR, "the sandbox monitor did not report the enclave's start");
		CELLA_FAIL(CELLA_ERR_BACKEND);
	}
	if (m->status != CELLA_OK) {
		cella_log(e, CELLA_LOG_ERROR, "%s: enclave failed to start: %s", path, m->text);
		CELLA_FAIL((cella_result)m->status);
	}
	r = CELLA_OK;
out:
	if (memfd >= 0)
		close(memfd);
	free(m);
	return r;
}

cella_result cella_sandbox_terminate(struct cella_enclave *e)
{
	cella_result r = cella_enclave_lost(e) ? CELLA_ERR_ENCLAVE_LOST : CELLA_OK;
	bool inflight = __atomic_load_n(&e->active, __ATOMIC_SEQ_CST) != 0;
	if (e->ctl >= 0) {
		struct cella_pmsg *m = calloc(1, sizeof(*m));
		if (m) {
			m->type = CELLA_PMSG_TERMINATE;
			if (cella_pmsg_send(e->ctl, m, -1) == CELLA_OK && recv_msg(e, m, 5000) == CELLA_OK &&
			    m->type == CELLA_PMSG_BYE && m->status == CELLA_ERR_ENCLAVE_LOST)
				r = CELLA_ERR_ENCLAVE_LOST;
			free(m);
		}
	}
	/* Calls still in flight end with CELLA_ERR_ENCLAVE_LOST now; wait for their release. */
	while (__atomic_load_n(&e->active, __ATOMIC_SEQ_CST) != 0) {
		const struct timespec ms = {0, 1000000};
		if (e->hdr)
			__atomic_store_n(&e->hdr->state, CELLA_WINDOW_LOST, __ATOMIC_SEQ_CST);
		for (uint32_t i = 0; e->slots && i < e->tcs_count; i++)
			syscall(SYS_futex, &e->slots[i].state, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
		nanosleep(&ms, NULL);
	}
	if (inflight && r == CELLA_ERR_ENCLAVE_LOST && !cella_enclave_lost(e))
		r = CELLA_OK; /* lost only because we stopped it under those calls */
	if (e->ctl >= 0) {
		close(e->ctl);
		e->ctl = -1;
	}
	if (e->monitor > 0) {
		int st;
		/* The monitor exits after BYE (or on EOF); make sure, then reap it. */
		if (waitpid(e->monitor, &st, WNOHANG) == 0) {
			struct pollfd p = {e->monitor_pidfd, POLLIN, 0};
			/* through the pidfd: where this program ignores SIGCHLD the monitor is reaped as it exits, and
			 * its pid may name another process by now */
			if (e->monitor_pidfd < 0)
				kill(e->monitor, SIGKILL);
			else if (poll(&p, 1, 2000) <= 0)
				(void)syscall(SYS_pidfd_send_signal, e->monitor_pidfd, SIGKILL, NULL, 0);
			while (waitpid(e->monitor, &st, 0) < 0 && errno == EINTR)
				;
		}
		e->monitor = 0;
	}
	cella_sandbox_forget(e);
	return r;
}

/* see internal.h */
void cella_sandbox_forget(struct cella_enclave *e)
{
	if (e->ctl >= 0)
		close(e->ctl);
	e->ctl = -1;
	e->monitor = 0;
	if (e->monitor_pidfd >= 0)
		close(e->monitor_pidfd);
	e->monitor_pidfd = -1;
	if (e->win)
		munmap(e->win, e->win_bytes);
	e->win = NULL;
	e->hdr = NULL;
	cella_arena_fini(&e->arena);
	free(e->slot_busy);
	e->slot_busy = NULL;
}
