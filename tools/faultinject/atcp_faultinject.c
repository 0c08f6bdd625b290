// SPDX-License-Identifier: GPL-2.0
/*
 * Fails the kernel's allocations one at a time under each socket call atcp
 * serves, the way syzkaller does: for N = 1, 2, 3, ... write N to
 * /proc/thread-self/fail-nth, make the call, and read fail-nth back; 0 means
 * the Nth allocation (failslab or fail_page_alloc) on this task failed,
 * anything else that the call made fewer than N and is done.  Run in the
 * debug kernel's guest (tools/faultinject/run sets up debugfs).
 *
 * Each call with a failure injected must return: success (the allocation
 * had a fallback) or -1 with an errno, and what it reported must hold
 * (bytes said sent arrive, bytes not said received are still there, a
 * closed connection's peer hears of it).  TAP out, one test per call, with
 * the kselftest "# Totals:" line.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <linux/atcp.h>

#define MAX_NTH 5000 /* more allocations than any one call makes */
#define XFER (64 * 1024)

static int family = AF_ATCP;
static int nth_fd;
static int verbose;
static unsigned char pattern[XFER];

/* One call's tally: failures injected, and what the call answered. */
struct tally {
	int injected, errors, successes;
	int errnos[8], errno_count[8];
	char problem[256]; /* the first broken promise; empty if none */
};

static void problem(struct tally *t, const char *fmt, ...)
{
	va_list ap;

	if (t->problem[0])
		return;
	va_start(ap, fmt);
	vsnprintf(t->problem, sizeof(t->problem), fmt, ap);
	va_end(ap);
}

static void count_errno(struct tally *t, int e)
{
	int i;

	t->errors++;
	for (i = 0; i < 8 && t->errnos[i] && t->errnos[i] != e; i++)
		;
	if (i < 8) {
		t->errnos[i] = e;
		t->errno_count[i]++;
	}
}

static void arm(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	if (pwrite(nth_fd, buf, len, 0) != len) {
		perror("fail-nth");
		exit(2);
	}
}

/* Disarms; true if the armed failure was injected. */
static int disarm(void)
{
	char buf[16] = "";
	int injected;

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0) {
		perror("fail-nth");
		exit(2);
	}
	injected = atoi(buf) == 0;
	if (pwrite(nth_fd, "0", 1, 0) != 1) {
		perror("fail-nth");
		exit(2);
	}
	return injected;
}

static void timeouts(int fd, int secs)
{
	struct timeval tv = { .tv_sec = secs };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

static int die(const char *what)
{
	perror(what);
	exit(2);
}

static int atcp_socket(void)
{
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	timeouts(fd, 10);
	return fd;
}

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

/* A listener on 127.0.0.1, an ephemeral port; *addr gets its address. */
static int listener(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = atcp_socket();

	*addr = loopback(0);
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) || listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)addr, &len))
		die("listener");
	return fd;
}

/* Takes every connection waiting on l, closing it. */
static void drain_accept(int l, int ms)
{
	while (wait_readable(l, ms)) {
		int a = accept4(l, NULL, NULL, SOCK_NONBLOCK);

		if (a < 0)
			break;
		close(a);
		ms = 0;
	}
}

static void connected_pair(int l, const struct sockaddr_in *addr, int *c, int *a)
{
	*c = atcp_socket();
	if (connect(*c, (const struct sockaddr *)addr, sizeof(*addr)))
		die("connect");
	if (!wait_readable(l, 10000))
		die("no connection to accept");
	*a = accept(l, NULL, NULL);
	if (*a < 0)
		die("accept");
	timeouts(*a, 10);
}

/* Reads exactly len bytes matching pattern[off...]; 0 on success. */
static int read_exactly(int fd, size_t off, size_t len)
{
	static unsigned char buf[XFER];

	while (len > 0) {
		ssize_t r = recv(fd, buf, len, 0);

		if (r <= 0)
			return -1;
		if (memcmp(buf, pattern + off, r))
			return -2;
		off += r;
		len -= r;
	}
	return 0;
}

/* The peer of a closed end hears of it: EOF or a reset. */
static int hears_close(int fd)
{
	char b;
	ssize_t r;

	r = recv(fd, &b, 1, 0);
	return r == 0 || (r < 0 && (errno == ECONNRESET || errno == EPIPE));
}

/*
 * Each call: setup (not armed), the call itself armed with N, then checks
 * and teardown (not armed).  call() returns what the syscall returned; -1
 * with errno for an error.  check() may note a problem.
 */
struct call {
	const char *name;
	void (*setup)(void);
	long (*call)(void);
	void (*check)(struct tally *t, long ret, int saved_errno);
	void (*teardown)(void);
};

static struct sockaddr_in laddr;
static int lfd = -1, cfd = -1, afd = -1, nlfd = -1;
static int genl_id;

static void close_all(void)
{
	if (cfd >= 0)
		close(cfd);
	if (afd >= 0)
		close(afd);
	cfd = afd = -1;
	drain_accept(lfd, 0);
}

/* socket(2) */
static long do_socket(void)
{
	cfd = socket(family, SOCK_STREAM, 0);
	return cfd;
}

/* bind(2) to 127.0.0.1, an ephemeral port */
static void setup_socket(void)
{
	cfd = atcp_socket();
}

static long do_bind(void)
{
	struct sockaddr_in sin = loopback(0);

	return bind(cfd, (struct sockaddr *)&sin, sizeof(sin));
}

/* listen(2) on a bound socket */
static void setup_bound(void)
{
	struct sockaddr_in sin = loopback(0);

	cfd = atcp_socket();
	if (bind(cfd, (struct sockaddr *)&sin, sizeof(sin)))
		die("bind");
}

static long do_listen(void)
{
	return listen(cfd, 8);
}

/* connect(2) to an atcp listener over loopback */
static long do_connect(void)
{
	return connect(cfd, (struct sockaddr *)&laddr, sizeof(laddr));
}

static void check_connect(struct tally *t, long ret, int e)
{
	/* A connect that succeeded is a connection the listener holds. */
	if (ret == 0 && !wait_readable(lfd, 10000))
		problem(t, "connect succeeded but the listener has nothing to accept");
	/* One that failed leaves a socket that can connect again. */
	if (ret < 0 && e != EINPROGRESS && e != EALREADY) {
		close(cfd);
		cfd = atcp_socket();
		if (connect(cfd, (struct sockaddr *)&laddr, sizeof(laddr)))
			problem(t, "a fresh connect after the failed one: %s", strerror(errno));
	}
}

/* accept(2) of a connection that waits in the queue */
static void setup_waiting(void)
{
	cfd = atcp_socket();
	if (connect(cfd, (struct sockaddr *)&laddr, sizeof(laddr)))
		die("connect");
	if (!wait_readable(lfd, 10000))
		die("no connection to accept");
}

static long do_accept(void)
{
	afd = accept(lfd, NULL, NULL);
	return afd;
}

static void check_accept(struct tally *t, long ret, int e)
{
	(void)e;
	if (ret >= 0) {
		timeouts(afd, 10);
		/* The accepted socket carries data. */
		if (send(cfd, pattern, 100, 0) != 100 || read_exactly(afd, 0, 100))
			problem(t, "the accepted connection does not carry data");
	}
}

/* send(2) of 64 KiB on a connection */
static void setup_pair(void)
{
	connected_pair(lfd, &laddr, &cfd, &afd);
}

static long do_send(void)
{
	return send(cfd, pattern, XFER, 0);
}

static void check_send(struct tally *t, long ret, int e)
{
	(void)e;
	/* What send said it sent arrives, intact. */
	if (ret > 0 && read_exactly(afd, 0, ret))
		problem(t, "send returned %ld but the peer did not read those bytes", ret);
	/* And the connection still works. */
	if (send(cfd, pattern, 10, 0) != 10 || read_exactly(afd, 0, 10))
		problem(t, "the connection does not carry data after the failure");
}

/* recv(2) of 64 KiB waiting in the receive queue */
static void setup_queued(void)
{
	int queued = 0;

	setup_pair();
	if (send(afd, pattern, XFER, 0) != XFER)
		die("send");
	for (int i = 0; i < 1000 && queued < XFER; i++) {
		if (ioctl(cfd, FIONREAD, &queued))
			die("FIONREAD");
		if (queued < XFER)
			usleep(10000);
	}
}

static unsigned char rbuf[XFER];

static long do_recv(void)
{
	return recv(cfd, rbuf, XFER, 0);
}

static void check_recv(struct tally *t, long ret, int e)
{
	long got = ret > 0 ? ret : 0;

	(void)e;
	if (ret > 0 && memcmp(rbuf, pattern, ret))
		problem(t, "recv returned wrong bytes");
	/* Nothing recv did not hand over is lost. */
	if (read_exactly(cfd, got, XFER - got))
		problem(t, "after recv returned %ld, the rest of the stream was lost", ret);
}

/* close(2) of an established connection; the peer must hear of it */
static long do_close(void)
{
	long r = close(cfd);

	cfd = -1;
	return r;
}

static void check_close(struct tally *t, long ret, int e)
{
	(void)ret;
	(void)e;
	if (!hears_close(afd))
		problem(t, "the peer never heard of the close (%s)", strerror(errno));
}

/* shutdown(2) SHUT_WR; the peer must read EOF */
static long do_shutdown(void)
{
	return shutdown(cfd, SHUT_WR);
}

static void check_shutdown(struct tally *t, long ret, int e)
{
	(void)e;
	if (ret == 0 && !hears_close(afd))
		problem(t, "shutdown succeeded but the peer read no EOF (%s)", strerror(errno));
}

/* Generic netlink: the "atcp" family's id, asked of the controller. */
static int genl_request(int fd, int type, int cmd, int flags, const void *attr, int attr_len)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		char buf[64];
	} req = {
		.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + attr_len,
		.n.nlmsg_type = type,
		.n.nlmsg_flags = NLM_F_REQUEST | flags,
		.g.cmd = cmd,
		.g.version = 1,
	};

	memcpy(req.buf, attr, attr_len);
	return send(fd, &req, req.n.nlmsg_len, 0) < 0 ? -1 : 0;
}

/*
 * Reads replies until NLMSG_DONE, an error or (no NLM_F_MULTI) one
 * message; the messages read in *msgs.  0, or -1 with errno.
 */
static int genl_replies(int fd, int *msgs)
{
	static char buf[65536];

	*msgs = 0;
	for (;;) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *n;
		int len;

		if (r < 0)
			return -1;
		len = (int)r;
		for (n = (struct nlmsghdr *)buf; NLMSG_OK(n, len); n = NLMSG_NEXT(n, len)) {
			/* A dump that failed ends in NLMSG_DONE with the error. */
			if (n->nlmsg_type == NLMSG_DONE) {
				int err = n->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) ?
						  *(int *)NLMSG_DATA(n) : 0;

				if (err < 0) {
					errno = -err;
					return -1;
				}
				return 0;
			}
			if (n->nlmsg_type == NLMSG_ERROR) {
				int err = ((struct nlmsgerr *)NLMSG_DATA(n))->error;

				if (err) {
					errno = -err;
					return -1;
				}
				return 0;
			}
			++*msgs;
			if (!(n->nlmsg_flags & NLM_F_MULTI))
				return 0;
		}
	}
}

static int genl_family_id(void)
{
	struct {
		struct nlattr a;
		char name[8];
	} attr = { .a = { .nla_len = NLA_HDRLEN + sizeof(ATCP_GENL_NAME), .nla_type = CTRL_ATTR_FAMILY_NAME },
		   .name = ATCP_GENL_NAME };
	static char buf[8192];
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	ssize_t r;

	if (fd < 0 ||
	    genl_request(fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, &attr, NLA_ALIGN(attr.a.nla_len)))
		die("genl controller");
	r = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (r < 0 || !NLMSG_OK(n, r) || n->nlmsg_type == NLMSG_ERROR)
		die("no generic netlink family atcp");
	for (struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(n) + GENL_HDRLEN);
	     (char *)a < buf + n->nlmsg_len; a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		if (a->nla_len < NLA_HDRLEN)
			break;
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)((char *)a + NLA_HDRLEN);
	}
	die("no family id");
	return -1;
}

/* The socket dump (atcpstat -a): a listener and a connection to list. */
static void setup_dump(void)
{
	setup_pair();
	nlfd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (nlfd < 0)
		die("netlink socket");
	timeouts(nlfd, 10);
}

static int dump_msgs;

static long do_dump(void)
{
	if (genl_request(nlfd, genl_id, ATCP_CMD_SOCK_GET, NLM_F_DUMP, NULL, 0))
		return -1;
	return genl_replies(nlfd, &dump_msgs);
}

static long do_stats(void)
{
	if (genl_request(nlfd, genl_id, ATCP_CMD_STATS_GET, 0, NULL, 0))
		return -1;
	return genl_replies(nlfd, &dump_msgs);
}

static void check_dump(struct tally *t, long ret, int e)
{
	/* An error ends a dump; silence (the receive timeout) is a hang. */
	if (ret < 0 && e == EAGAIN)
		problem(t, "the dump stopped without an end or an error");
	/* listener, client, accepted: at least these three. */
	if (ret == 0 && dump_msgs < 3)
		problem(t, "the dump succeeded with %d sockets, not at least 3", dump_msgs);
}

static void check_stats(struct tally *t, long ret, int e)
{
	if (ret < 0 && e == EAGAIN)
		problem(t, "no answer and no error");
	if (ret == 0 && dump_msgs != 1)
		problem(t, "the counters came in %d messages, not 1", dump_msgs);
}

static void teardown_dump(void)
{
	close(nlfd);
	nlfd = -1;
	close_all();
}

static const struct call calls[] = {
	{ "socket", NULL, do_socket, NULL, close_all },
	{ "bind", setup_socket, do_bind, NULL, close_all },
	{ "listen", setup_bound, do_listen, NULL, close_all },
	{ "connect", setup_socket, do_connect, check_connect, close_all },
	{ "accept", setup_waiting, do_accept, check_accept, close_all },
	{ "send", setup_pair, do_send, check_send, close_all },
	{ "recv", setup_queued, do_recv, check_recv, close_all },
	{ "shutdown", setup_pair, do_shutdown, check_shutdown, close_all },
	{ "close", setup_pair, do_close, check_close, close_all },
	{ "netlink_dump", setup_dump, do_dump, check_dump, teardown_dump },
	{ "netlink_stats", setup_dump, do_stats, check_stats, teardown_dump },
};

static int run_call(const struct call *c, int num)
{
	struct tally t = { 0 };
	int n;

	for (n = 1; n <= MAX_NTH; n++) {
		long ret;
		int saved, injected;

		if (c->setup)
			c->setup();
		arm(n);
		ret = c->call();
		saved = errno;
		injected = disarm();
		if (verbose)
			printf("# %s: nth %d: %s, returned %ld%s%s\n", c->name, n,
			       injected ? "failed an allocation" : "no failure injected", ret,
			       ret < 0 ? " errno " : "", ret < 0 ? strerror(saved) : "");
		if (!injected) {
			/* The call made fewer than n allocations: it must work. */
			if (ret < 0)
				problem(&t, "fails with no failure injected: %s", strerror(saved));
			if (c->check)
				c->check(&t, ret, saved);
			c->teardown();
			break;
		}
		t.injected++;
		if (ret < 0)
			count_errno(&t, saved);
		else
			t.successes++;
		if (c->check)
			c->check(&t, ret, saved);
		c->teardown();
	}
	if (n > MAX_NTH)
		problem(&t, "still allocating after %d failures", MAX_NTH);

	printf("%s %d %s: %d allocations failed in turn: %d errors (", t.problem[0] ? "not ok" : "ok",
	       num, c->name, t.injected, t.errors);
	for (int i = 0; i < 8 && t.errnos[i]; i++)
		printf("%s%s x%d", i ? ", " : "", strerrorname_np(t.errnos[i]) ?: "?",
		       t.errno_count[i]);
	printf("), %d successes%s%s\n", t.successes, t.problem[0] ? "; " : "", t.problem);
	fflush(stdout);
	return !t.problem[0];
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 && strcmp(argv[1], "-v") ? argv[1] : NULL;
	int pass = 0, fail = 0, total = 0;
	FILE *f;

	verbose = argc > 1 && !strcmp(argv[argc - 1], "-v");
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (unsigned char)(i * 7 + i / 251);
	f = fopen(ATCP_FAMILY_SYSFS, "r");
	if (f) {
		if (fscanf(f, "%d", &family) != 1)
			family = AF_ATCP;
		fclose(f);
	}
	/*
	 * Every page this process touches, in and locked now: a failure
	 * injected into a page fault under a call (copying to a buffer touched
	 * for the first time) would fail the fault, not the call's own work.
	 */
	memset(rbuf, 0, sizeof(rbuf));
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		die("mlockall");
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0)
		die("/proc/thread-self/fail-nth (a kernel with CONFIG_FAULT_INJECTION)");
	/* A broken connection must not kill the test with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	lfd = listener(&laddr);
	genl_id = genl_family_id();

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!only || !strcmp(only, calls[i].name))
			total++;
	printf("TAP version 13\n1..%d\n", total);
	total = 0;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (only && strcmp(only, calls[i].name))
			continue;
		if (run_call(&calls[i], ++total))
			pass++;
		else
			fail++;
	}
	close(lfd);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n", pass, fail);
	return fail ? 1 : 0;
}
