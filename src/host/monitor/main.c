// SPDX-License-Identifier: MIT
/*
 * cella-monitor: the trusted software platform of the sandbox backend. It measures the enclave image itself
 * (never trusting the host's word about what was loaded), applies the EINIT rules, runs the enclave process
 * and reports its faults. One monitor per enclave; it exits when the host asks or goes away.
 */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "measure.h"
#include "platform.h"
#include "proto.h"
#include "sigstruct.h"

#define CTL CELLA_MONITOR_CONTROL_FD

static struct cella_pmsg msg;

/* Every OpenSSL random generator of this process reseeded from the kernel, with prediction resistance. */
static bool reseed_random(void)
{
	EVP_RAND_CTX *g[3] = {RAND_get0_primary(NULL), RAND_get0_public(NULL), RAND_get0_private(NULL)};
	for (int i = 0; i < 3; i++)
		if (!g[i] || EVP_RAND_reseed(g[i], 1, NULL, 0, NULL, 0) != 1)
			return false;
	return true;
}

/*
 * One message to the host on the control socket. Replies to the host's requests (OPENED, WINDOW_AT, READY, BYE)
 * wait for room: the host is reading then. Log lines do not: the host reads its control socket only while it
 * creates or terminates the enclave or notices its loss, so lines sent while calls run wait there, and a monitor
 * blocked in send() would serve no request and watch no enclave process. A line that finds the socket full is
 * dropped and counted, and the count is told with the next line that fits (or before BYE).
 */
static bool send_ctl(const struct cella_pmsg *m, bool wait)
{
	ssize_t k;
	do
		k = send(CTL, m, sizeof(*m), MSG_NOSIGNAL | (wait ? 0 : MSG_DONTWAIT));
	while (k < 0 && errno == EINTR);
	return k == (ssize_t)sizeof(*m);
}

static unsigned long dropped_logs; /* log lines the full control socket could not take */

/* Tells the host how many log lines were dropped, if any: true once it is told (or nothing was dropped). */
static bool tell_dropped(bool wait)
{
	struct cella_pmsg m;
	if (!dropped_logs)
		return true;
	memset(&m, 0, sizeof(m));
	m.type = CELLA_PMSG_LOG;
	m.level = 2;
	snprintf(m.text, sizeof(m.text), "the monitor dropped %lu log messages: the host did not read them in time",
		 dropped_logs);
	if (!send_ctl(&m, wait))
		return false;
	dropped_logs = 0;
	return true;
}

static void send_pmsg(uint32_t type, uint32_t status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void send_pmsg(uint32_t type, uint32_t status, const char *fmt, ...)
{
	struct cella_pmsg m;
	va_list ap;
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.status = status;
	m.level = status == CELLA_OK ? 3 : 1;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(m.text, sizeof(m.text), fmt, ap);
		va_end(ap);
	}
	(void)send_ctl(&m, true);
}

static void log_host(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_host(int level, const char *fmt, ...)
{
	struct cella_pmsg m;
	va_list ap;
	memset(&m, 0, sizeof(m));
	m.type = CELLA_PMSG_LOG;
	m.level = (uint32_t)level;
	va_start(ap, fmt);
	vsnprintf(m.text, sizeof(m.text), fmt, ap);
	va_end(ap);
	if (!tell_dropped(false) || !send_ctl(&m, false))
		dropped_logs++;
}

static bool recv_ctl(struct cella_pmsg *m, int *fd);

/*
 * Maps the window here at the host's address (proto.h, CELLA_WINDOW_ROUNDS): msg is the host's first WINDOW
 * message and *winfd its fd. The enclave process inherits the mapping. NULL (the host told why) if no round
 * finds an address free in both processes or the host stops answering.
 */
static uint8_t *place_window(struct cella_pmsg *msg, int *winfd, uint64_t *bytes)
{
	void *offers[CELLA_WINDOW_ROUNDS] = {0};
	uint8_t *win = NULL;
	for (unsigned round = 0; round < CELLA_WINDOW_ROUNDS; round++) {
		struct stat st;
		void *want = (void *)(uintptr_t)msg->b, *m, *offer;
		int ours = -1, seals = fcntl(*winfd, F_GET_SEALS);
		/* The window must not shrink under this monitor and the enclave process: a write to a page past the
		 * end of its file would kill the monitor with SIGBUS. The host library seals it so; a window that is
		 * not sealed is refused, before its size is read (a sealed size cannot shrink after the check). */
		if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
			send_pmsg(CELLA_PMSG_READY, CELLA_ERR_INVALID_ARG,
				  "the window's file is not sealed against shrinking (F_SEAL_SHRINK)");
			break;
		}
		if (fstat(*winfd, &st) != 0 || (uint64_t)st.st_size < msg->a || msg->a < 2 * 4096 || msg->a % 4096) {
			send_pmsg(CELLA_PMSG_READY, CELLA_ERR_INVALID_ARG, "window size does not match its file");
			break;
		}
		if (msg->b == 0 || msg->b % 4096) {
			send_pmsg(CELLA_PMSG_READY, CELLA_ERR_INVALID_ARG, "window address is not page aligned");
			break;
		}
		if (round > 0 && msg->a != *bytes) {
			send_pmsg(CELLA_PMSG_READY, CELLA_ERR_INVALID_ARG, "window size changed while it moved");
			break;
		}
		*bytes = msg->a;
		for (unsigned i = 0; i < round; i++)
			if (offers[i] == want)
				ours = (int)i; /* the range this monitor reserved for it: replace the reservation */
		m = mmap(want, *bytes, PROT_READ | PROT_WRITE,
			 MAP_SHARED | (ours >= 0 ? MAP_FIXED : MAP_FIXED_NOREPLACE), *winfd, 0);
		if (m == want) {
			if (ours >= 0)
				offers[ours] = NULL; /* it is the window now */
			win = m;
			break;
		}
		if (m != MAP_FAILED)
			munmap(m, *bytes); /* a kernel without MAP_FIXED_NOREPLACE took it as a hint */
		if (round + 1 == CELLA_WINDOW_ROUNDS) {
			send_pmsg(CELLA_PMSG_READY, CELLA_ERR_BACKEND,
				  "no address is free for the window in both the host and the enclave process (%u tries)",
				  CELLA_WINDOW_ROUNDS);
			break;
		}
		offer = mmap(NULL, *bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (offer == MAP_FAILED) {
			send_pmsg(CELLA_PMSG_READY, CELLA_ERR_BACKEND, "cannot reserve room for the window: %s",
				  strerror(errno));
			break;
		}
		offers[round] = offer;
		{
			struct cella_pmsg at;
			memset(&at, 0, sizeof(at));
			at.type = CELLA_PMSG_WINDOW_AT;
			at.a = *bytes;
			at.b = (uint64_t)(uintptr_t)offer;
			(void)send_ctl(&at, true);
		}
		close(*winfd);
		if (!recv_ctl(msg, winfd) || msg->type != CELLA_PMSG_WINDOW || *winfd < 0)
			break;
	}
	for (unsigned i = 0; i < CELLA_WINDOW_ROUNDS; i++)
		if (offers[i])
			munmap(offers[i], *bytes);
	return win;
}

/* Receives one control message (and an fd if one came along). false on EOF or garbage. */
static bool recv_ctl(struct cella_pmsg *m, int *fd)
{
	struct msghdr mh = {0};
	struct iovec iov = {m, sizeof(*m)};
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	ssize_t k;

	if (fd)
		*fd = -1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	do
		k = recvmsg(CTL, &mh, MSG_CMSG_CLOEXEC);
	while (k < 0 && errno == EINTR);
	/* every descriptor received is kept (the first, when one is wanted) or closed: none may pile up here */
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len < CMSG_LEN(0))
			continue;
		for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int got;
			memcpy(&got, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (fd && *fd < 0 && !(mh.msg_flags & MSG_CTRUNC))
				*fd = got;
			else
				close(got);
		}
	}
	if (k != (ssize_t)sizeof(*m) || (mh.msg_flags & MSG_CTRUNC)) {
		if (fd && *fd >= 0) {
			close(*fd);
			*fd = -1;
		}
		return false;
	}
	m->text[sizeof(m->text) - 1] = 0;
	return true;
}

static const char *signame(int sig)
{
	switch (sig) {
	case SIGSEGV:
		return "SIGSEGV";
	case SIGBUS:
		return "SIGBUS";
	case SIGILL:
		return "SIGILL";
	case SIGFPE:
		return "SIGFPE";
	case SIGTRAP:
		return "SIGTRAP";
	case SIGABRT:
		return "SIGABRT";
	case SIGSYS:
		return "SIGSYS";
	case SIGKILL:
		return "SIGKILL";
	default:
		return "signal";
	}
}

struct enclave_proc {
	struct cella_identity id;
	struct cella_platform *platform;
	const struct cella_image *img;
	const struct cella_layout *layout;
	pid_t pid;
	int pidfd;
	int sock;
	uint8_t *win;
	uint64_t win_bytes;
	bool reported;
	bool dead;
	bool stalled;        /* a reply found the enclave's socket full */
	bool told_malformed; /* the host was told of a malformed request */
	bool told_platform;     /* the host was told why the platform cannot be opened, */
	char platform_why[512]; /* for this reason */
};

/* Names a fault address: a guard page below/above a TCS stack is a stack overflow. */
static const char *where(const struct enclave_proc *p, uint64_t rva)
{
	for (uint64_t i = 0; i < p->layout->r.tcs_count; i++) {
		struct cella_layout_tcs t;
		if (cella_layout_tcs(&p->layout->r, i, &t) != CELLA_OK)
			break;
		if (rva >= t.block_rva && rva < t.stack_lo)
			return " (stack overflow: guard page below a TCS stack)";
	}
	return "";
}

static void report_fault(struct enclave_proc *p, const struct cella_enclave_msg *em)
{
	char sym[256] = "";
	char ripbuf[320] = "outside the enclave image";

	if (em->rip_rva != ~0ull) {
		cella_symbolize(p->img, em->rip_rva, sym, sizeof(sym));
		snprintf(ripbuf, sizeof(ripbuf), "enclave+%#llx%s%s%s", (unsigned long long)em->rip_rva, sym[0] ? " <" : "",
			 sym, sym[0] ? ">" : "");
	}
	switch (em->kind) {
	case CELLA_FAULT_SIGNAL:
		log_host(1, "enclave lost: %s (code %d) at address %#llx%s on TCS %u, instruction %s",
			 signame(em->signal), em->code, (unsigned long long)em->addr,
			 em->addr_rva != ~0ull ? where(p, em->addr_rva) : "", em->tcs, ripbuf);
		break;
	case CELLA_FAULT_ABORT:
		log_host(1, "enclave lost: %s (%s) on TCS %u", em->text[0] ? em->text : "abort", signame(em->signal), em->tcs);
		break;
	case CELLA_FAULT_EXIT:
		log_host(1, "enclave lost: it called exit(%d) on TCS %u", em->code, em->tcs);
		break;
	default:
		log_host(1, "enclave lost: runtime error: %.*s (%s) on TCS %u", (int)sizeof(em->text), em->text,
			 cella_result_str((cella_result)em->code), em->tcs);
		break;
	}
	p->reported = true;
}

/*
 * The platform is opened on the first identity request, in the monitor (never in the enclave process). One that
 * cannot be opened is tried again on each request (it may have been repaired), and its error answers that
 * request; the host is told why once, and again only if the reason changes: a line per request would be the
 * enclave's to multiply.
 */
static cella_result platform(struct enclave_proc *p)
{
	char why[sizeof(p->platform_why)] = "";
	cella_result r;
	if (p->platform)
		return CELLA_OK;
	r = cella_platform_open(NULL, &p->platform, why, sizeof(why));
	if (r != CELLA_OK && (!p->told_platform || strcmp(why, p->platform_why) != 0)) {
		log_host(1, "software platform unavailable: %s", why);
		memcpy(p->platform_why, why, sizeof(why));
		p->told_platform = true;
	}
	return r;
}

/*
 * A reply to the enclave. Never blocking: an enclave that sends requests and reads no replies fills its socket,
 * and would otherwise hold this monitor (and with it the host's control channel) in send() for good. false if
 * the reply could not go out whole: the enclave is not reading, or gone, and is to be treated as lost.
 */
static bool send_enclave(struct enclave_proc *p, const void *m, size_t n)
{
	ssize_t k;
	do
		k = send(p->sock, m, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (k < 0 && errno == EINTR);
	if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		p->stalled = true;
	return k == (ssize_t)n;
}

/* Serves one identity request from the enclave; the reply always carries the request's type, seq and a result.
 * false if the reply could not be sent (send_enclave). */
static bool serve_identity(struct enclave_proc *p, const uint8_t *buf, size_t n)
{
	uint32_t type;
	bool sent = false;
	memcpy(&type, buf, 4);
	if (type == CELLA_EMSG_REPORT && n == sizeof(struct cella_emsg_report_req)) {
		struct cella_emsg_report_req req;
		struct cella_emsg_report_rep rep = {.type = type};
		struct cella_target_info ti;
		struct cella_report rp;
		memcpy(&req, buf, sizeof(req));
		memcpy(&ti, req.target_info, sizeof(ti));
		rep.seq = req.seq;
		rep.status = platform(p);
		if (rep.status == CELLA_OK)
			rep.status = cella_platform_report(p->platform, &p->id, req.has_target ? &ti : NULL,
							   req.report_data, &rp);
		if (rep.status == CELLA_OK)
			memcpy(rep.report, &rp, sizeof(rp));
		sent = send_enclave(p, &rep, sizeof(rep));
	} else if (type == CELLA_EMSG_GETKEY && n == sizeof(struct cella_emsg_getkey_req)) {
		struct cella_emsg_getkey_req req;
		struct cella_emsg_getkey_rep rep = {.type = type};
		struct cella_key_request kr;
		memcpy(&req, buf, sizeof(req));
		memcpy(&kr, req.key_request, sizeof(kr));
		rep.seq = req.seq;
		rep.status = platform(p);
		if (rep.status == CELLA_OK)
			rep.status = cella_platform_getkey(p->platform, &p->id, &kr, rep.key);
		sent = send_enclave(p, &rep, sizeof(rep));
		explicit_bzero(&rep, sizeof(rep));
	} else if (type == CELLA_EMSG_QUOTE && n == sizeof(struct cella_emsg_quote_req)) {
		struct cella_emsg_quote_req req;
		struct cella_emsg_quote_rep rep = {.type = type};
		uint8_t *q = NULL, *msg;
		size_t len = 0;
		memcpy(&req, buf, sizeof(req));
		rep.seq = req.seq;
		rep.status = platform(p);
		if (rep.status == CELLA_OK)
			rep.status = cella_platform_quote(p->platform, &p->id, req.report_data, &q, &len);
		if (rep.status == CELLA_OK && len > CELLA_QUOTE_MAX_BYTES)
			rep.status = CELLA_ERR_TOO_LARGE;
		rep.quote_bytes = rep.status == CELLA_OK ? (uint32_t)len : 0;
		msg = malloc(sizeof(rep) + rep.quote_bytes);
		if (msg) {
			memcpy(msg, &rep, sizeof(rep));
			if (rep.quote_bytes)
				memcpy(msg + sizeof(rep), q, rep.quote_bytes);
			sent = send_enclave(p, msg, sizeof(rep) + rep.quote_bytes);
			free(msg);
		} else {
			rep.status = CELLA_ERR_OUT_OF_MEMORY;
			rep.quote_bytes = 0;
			sent = send_enclave(p, &rep, sizeof(rep));
		}
		free(q);
	} else {
		/* A malformed request: the enclave's own bug. Answer so it does not hang, and say so (once: a log line
		 * per request would let the enclave fill the host's control socket, where a log blocks). */
		struct cella_emsg_getkey_rep rep = {.type = type, .status = CELLA_ERR_INVALID_ARG};
		if (!p->told_malformed)
			log_host(2, "enclave sent a malformed platform request (type %u, %zu bytes)", type, n);
		p->told_malformed = true;
		sent = send_enclave(p, &rep, sizeof(rep));
	}
	return sent;
}

static void mark_lost(struct enclave_proc *p)
{
	struct cella_abi_window *h = (struct cella_abi_window *)p->win;
	uint32_t tcs = (uint32_t)p->layout->r.tcs_count;
	__atomic_store_n(&h->state, CELLA_WINDOW_LOST, __ATOMIC_SEQ_CST);
	/* Slots are at the offset the monitor's own layout of the window gives, not the host-written header. */
	for (uint32_t i = 0; i < tcs; i++) {
		uint32_t *state = (uint32_t *)(p->win + 4096 + (uint64_t)i * sizeof(struct cella_abi_slot));
		if ((uint8_t *)(state + 1) <= p->win + p->win_bytes)
			syscall(SYS_futex, state, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
	}
}

/* SIGKILL to the enclave process through its pidfd where there is one: its pid alone could name another
 * process by now, had it been reaped behind this monitor's back. By pid only where there is no pidfd (kernels
 * before 5.3, where nothing else reaps it either: SIGCHLD is not ignored here, see main). */
static void kill_enclave(const struct enclave_proc *p)
{
	if (p->pidfd >= 0 && (syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0) == 0 || errno != ENOSYS))
		return;
	kill(p->pid, SIGKILL);
}

/* Ends the enclave process (if it has not ended) and waits for it; *status (if not NULL) says how it ended. */
static void reap(struct enclave_proc *p, int *status)
{
	int st = 0;
	if (p->dead)
		return;
	if (waitpid(p->pid, &st, WNOHANG) != p->pid) {
		kill_enclave(p);
		while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	p->dead = true;
	if (status)
		*status = st;
}

/*
 * The enclave process as its runtime leaves it at BOOTED: one thread per TCS and the runtime's own seccomp filter
 * stacked on the monitor's. The monitor's filter lets threads be created (the runtime starts its TCS threads),
 * and only the runtime's filter stops more; code that ran before it (an image's constructors) could have started
 * others. NULL if it is so, else what is wrong.
 */
static const char *confinement_wrong(const struct enclave_proc *p, char *why, size_t cap)
{
	char path[64], line[256];
	long threads = -1, filters = -1;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)p->pid);
	if (!(f = fopen(path, "r")))
		return "its /proc status cannot be read";
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Threads:", 8) == 0)
			threads = strtol(line + 8, NULL, 10);
		else if (strncmp(line, "Seccomp_filters:", 16) == 0)
			filters = strtol(line + 16, NULL, 10);
	}
	fclose(f);
	if (threads != (long)p->layout->r.tcs_count) {
		snprintf(why, cap, "it runs %ld threads for %llu TCS", threads,
			 (unsigned long long)p->layout->r.tcs_count);
		return why;
	}
	if (filters < 2)
		return "its runtime did not install its seccomp filter";
	return NULL;
}

/*
 * The enclave process exited, closed its socket or reported a fault. Its socket closes as it exits, before it
 * can be waited for: reaped here (killed first, which changes nothing for a process already exiting), so that
 * how it ended is known and said whichever the monitor noticed first.
 */
static void on_enclave_gone(struct enclave_proc *p)
{
	int st = 0;
	if (!p->dead) {
		reap(p, &st);
		if (!p->reported) {
			if (WIFSIGNALED(st))
				log_host(1, "enclave lost: the enclave process was killed by %s (%d)", signame(WTERMSIG(st)),
					 WTERMSIG(st));
			else
				log_host(1, "enclave lost: the enclave process exited with status %d", WEXITSTATUS(st));
			p->reported = true;
		}
	}
	mark_lost(p);
}

static int run(void)
{
	struct cella_image img;
	struct cella_layout layout;
	struct cella_hash mrenclave;
	struct cella_einit_info einit;
	struct cella_image_diag diag = {0};
	struct enclave_proc p = {0};
	uint8_t *data = NULL;
	size_t size = 0;
	cella_result r;
	int winfd = -1, sv[2];
	pid_t parent;
	bool debug;
	char detail[512];

	memset(&layout, 0, sizeof(layout));
	if (!recv_ctl(&msg, NULL) || msg.type != CELLA_PMSG_OPEN)
		return 1;
	debug = msg.flags & 1u;
	r = cella_image_read_file(msg.text, &data, &size);
	if (r != CELLA_OK) { /* for CELLA_ERR_IO errno says why: a directory, a path through a file, a denied read */
		send_pmsg(CELLA_PMSG_OPENED, r, "cannot read the enclave image: %s",
			  r == CELLA_ERR_IO ? strerror(errno) : cella_result_str(r));
		return 1;
	}
	r = cella_image_parse_diag(data, size, &img, &diag);
	if (r != CELLA_OK) {
		cella_image_diag_format(r, &diag, detail, sizeof(detail));
		send_pmsg(CELLA_PMSG_OPENED, r, "%s", detail);
		return 1;
	}
	r = cella_layout_build(&img, &layout);
	if (r == CELLA_OK)
		r = cella_measure(&layout, &mrenclave);
	if (r != CELLA_OK) {
		send_pmsg(CELLA_PMSG_OPENED, r, "cannot lay out the enclave: %s", cella_result_str(r));
		return 1;
	}
	r = cella_einit_check(&img, &mrenclave, debug, &einit);
	if (r != CELLA_OK) {
		send_pmsg(CELLA_PMSG_OPENED, r, "refused at EINIT: %s", cella_result_str(r));
		return 1;
	}
	memcpy(p.id.mr_enclave, mrenclave.b, 32);
	memcpy(p.id.mr_signer, einit.mrsigner.b, 32);
	p.id.attributes.flags = einit.attributes.flags | CELLA_ATTR_INIT;
	p.id.attributes.xfrm = einit.attributes.xfrm;
	p.id.misc_select = einit.misc_select;
	p.id.isv_prod_id = einit.isv_prod_id;
	p.id.isv_svn = einit.isv_svn;
	memcpy(p.id.isv_family_id, einit.isv_family_id, 16);
	memcpy(p.id.isv_ext_prod_id, einit.isv_ext_prod_id, 16);
	if (einit.debug_signed_at_load)
		log_host(2, "%s is not signed; running it as a debug enclave signed with the well-known debug key",
			 msg.text);
	{
		struct cella_pmsg m;
		memset(&m, 0, sizeof(m));
		m.type = CELLA_PMSG_OPENED;
		m.status = CELLA_OK;
		m.tcs_count = (uint32_t)layout.r.tcs_count;
		m.mrenclave = mrenclave;
		m.mrsigner = einit.mrsigner;
		m.a = layout.r.enclave_size;
		(void)send_ctl(&m, true);
	}

	if (!recv_ctl(&msg, &winfd) || msg.type != CELLA_PMSG_WINDOW || winfd < 0)
		return 1;
	p.win = place_window(&msg, &winfd, &p.win_bytes);
	if (!p.win)
		return 1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		send_pmsg(CELLA_PMSG_READY, CELLA_ERR_BACKEND, "cannot create the enclave socket: %s", strerror(errno));
		return 1;
	}
	p.img = &img;
	p.layout = &layout;
	parent = getpid();
	p.pid = fork();
	if (p.pid < 0) {
		send_pmsg(CELLA_PMSG_READY, CELLA_ERR_BACKEND, "cannot fork the enclave process: %s", strerror(errno));
		return 1;
	}
	if (p.pid == 0) {
		close(sv[0]);
		close(CTL);
		r = cella_loader_run(&layout, p.win_bytes, (uint64_t)(uintptr_t)p.win, sv[1], parent);
		_exit(100 + (int)(r & 0x3f));
	}
	close(sv[1]);
	close(winfd);
	/* The enclave process holds a copy of this process's memory as it was at the fork, OpenSSL's random
	 * generators included (the debug signing above may have instantiated them): reseed them from the kernel
	 * before anything here draws from them again (the platform's keys and secret, report key ids), or the
	 * enclave could compute what they give. */
	if (!reseed_random()) {
		send_pmsg(CELLA_PMSG_READY, CELLA_ERR_CRYPTO, "cannot reseed the random generators after the fork");
		kill(p.pid, SIGKILL); /* not reaped yet, and SIGCHLD is not ignored here (main): the pid is its own */
		return 1;
	}
	p.sock = sv[0];
	p.pidfd = (int)syscall(SYS_pidfd_open, p.pid, 0);

	/* Boot: wait for BOOTED, a fault, or death. */
	{
		struct pollfd pf[2] = {{p.sock, POLLIN, 0}, {p.pidfd, POLLIN, 0}};
		struct cella_enclave_msg em;
		int pr = poll(pf, 2, 30000);
		ssize_t k = pr > 0 && (pf[0].revents & POLLIN) ? recv(p.sock, &em, sizeof(em), 0) : -1;
		char why[96];
		const char *wrong = NULL;
		if (k == (ssize_t)sizeof(em) && em.type == CELLA_EMSG_BOOTED && em.status == CELLA_OK &&
		    !(wrong = confinement_wrong(&p, why, sizeof(why)))) {
			__atomic_store_n(&((struct cella_abi_window *)p.win)->state, CELLA_WINDOW_READY, __ATOMIC_SEQ_CST);
			send_pmsg(CELLA_PMSG_READY, CELLA_OK, NULL);
		} else if (wrong) {
			log_host(1, "enclave refused at start: %s", wrong);
			p.reported = true;
			reap(&p, NULL);
			send_pmsg(CELLA_PMSG_READY, CELLA_ERR_ENCLAVE_LOST, "the enclave broke its confinement at start: %s",
				  wrong);
		} else {
			if (k == (ssize_t)sizeof(em) && em.type == CELLA_EMSG_FAULT) {
				em.text[sizeof(em.text) - 1] = 0;
				report_fault(&p, &em);
			}
			on_enclave_gone(&p);
			send_pmsg(CELLA_PMSG_READY, CELLA_ERR_ENCLAVE_LOST,
				  pr == 0 ? "the enclave did not start within 30 s" : "the enclave died while starting");
		}
	}

	for (;;) {
		struct pollfd pf[3] = {{CTL, POLLIN, 0}, {p.sock, POLLIN, 0}, {p.pidfd, POLLIN, 0}};
		int n = p.dead ? 1 : 3;
		if (poll(pf, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[0].revents) {
			if (!recv_ctl(&msg, NULL) || msg.type == CELLA_PMSG_TERMINATE) {
				bool was_lost = p.dead;
				reap(&p, NULL);
				mark_lost(&p); /* calls still waiting in the window end now */
				(void)tell_dropped(true);
				send_pmsg(CELLA_PMSG_BYE, was_lost ? CELLA_ERR_ENCLAVE_LOST : CELLA_OK, NULL);
				break;
			}
			continue;
		}
		if (n > 1 && (pf[1].revents & POLLIN)) {
			uint8_t buf[1024];
			uint32_t type = 0;
			ssize_t k = recv(p.sock, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
			if (k >= 4)
				memcpy(&type, buf, 4);
			if (k == (ssize_t)sizeof(struct cella_enclave_msg) && type == CELLA_EMSG_FAULT) {
				struct cella_enclave_msg em;
				memcpy(&em, buf, sizeof(em));
				em.text[sizeof(em.text) - 1] = 0;
				report_fault(&p, &em);
				on_enclave_gone(&p);
			} else if (k > 0) {
				bool whole = k >= 4 && (size_t)k <= sizeof(buf); /* else malformed: refused */
				if (!serve_identity(&p, whole ? buf : (const uint8_t *)"\0\0\0\0", whole ? (size_t)k : 4)) {
					if (p.stalled) {
						log_host(1, "enclave lost: it sends platform requests and does not read the "
							    "replies (its socket is full)");
						p.reported = true;
					}
					on_enclave_gone(&p);
				}
			} else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
				on_enclave_gone(&p);
			}
			continue;
		}
		if (n > 1 && (pf[2].revents || (pf[1].revents & (POLLHUP | POLLERR))))
			on_enclave_gone(&p);
	}
	cella_layout_fini(&layout);
	cella_platform_close(p.platform);
	free(data);
	return 0;
}

int main(void)
{
	struct stat st;
	/* The monitor holds the platform's secrets: not even its own user may read its memory. */
	sigset_t none;
	if (prctl(PR_SET_DUMPABLE, 0) != 0) {
		fprintf(stderr, "cella-monitor: cannot make itself non-dumpable: %s\n", strerror(errno));
		return 2;
	}
	/* Whatever the starter left (the host library resets both, another starter might not): SIGCHLD ignored
	 * would have the kernel reap the enclave process behind waitpid, and a blocked signal would reach the
	 * enclave process as blocked too. */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (fstat(CTL, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "cella-monitor: started by the Cella host library, not by hand\n");
		return 2;
	}
	cella_close_from(CTL + 1);
	return run();
}
