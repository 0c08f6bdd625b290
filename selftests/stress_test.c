// SPDX-License-Identifier: GPL-2.0
/*
 * Races and stress, for a guest with two vCPUs: listener teardown against
 * handshakes, close and shutdown against I/O, connect against close,
 * setsockopt against traffic, RST storms, rmmod under load and orphans that
 * receive data, each with netlink dumps running beside it.
 *
 * Every case runs its workload in a child process with a deadline: a child
 * that overruns it has its tasks' kernel stacks printed (and sysrq 'w'
 * asked for) and fails the case.  After each case no atcp socket may be left
 * but TIME-WAIT, which must drain within 2 * MSL; the ATCP slab's objects
 * and the module's reference count must come back to where they were; and
 * the kernel log must show nothing new that the guest runner would fail on.
 *
 * Not part of the ordinary selftest pass (run_selftests skips it): tools/check
 * runs it in guests of its own, with --cpus 2 and slab_nomerge, once without
 * and once with slub_debug=FZPU.
 */
#include <dirent.h>
#include <libgen.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/sendfile.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "atcp_selftest.h"

/* Each case's workload must end within this; the harness allows more. */
#define CASE_DEADLINE_S 100
#define CASE_TIMEOUT_S 180
/* Sockets not in TIME-WAIT get this long after a workload to finish closing. */
#define CLOSING_GRACE_MS 5000
/* TIME-WAIT must end within 2 * MSL; the guest's timers get this much slack. */
#define TIMER_SLACK_MS 1000
/* Sockets freed after an RCU grace period reach the slab late. */
#define FREE_GRACE_MS 5000
/* A case that overran leaves the kernel wedged: the cases after it say so. */
#define WEDGED_MARK "/tmp/atcp-stress-wedged"

/* --- time and chance --- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000,
			       .tv_nsec = (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* A number in [0, n) from a per-thread seed. */
static unsigned int pick(unsigned int *seed, unsigned int n)
{
	return rand_r(seed) % n;
}

/* --- failures inside a workload, which runs outside the harness --- */

static int workload_failures;

static void __attribute__((format(printf, 1, 2))) stress_fail(const char *fmt, ...)
{
	va_list ap;

	/* The first few say what broke; the rest would only flood the log. */
	if (__atomic_fetch_add(&workload_failures, 1, __ATOMIC_RELAXED) >= 10)
		return;
	fprintf(stderr, "# FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool stopping(const int *stop)
{
	return __atomic_load_n(stop, __ATOMIC_ACQUIRE);
}

static void set_stop(int *stop)
{
	__atomic_store_n(stop, 1, __ATOMIC_RELEASE);
}

static void count(unsigned long *counter)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

static void report(const char *what, unsigned long iterations, double start)
{
	fprintf(stderr, "# %s: %lu iterations in %.1f s\n", what, iterations,
		now_s() - start);
}

/* --- sockets --- */

static int stream_socket(int family, bool nonblock)
{
	return socket(family, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
}

static void set_timeouts(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* close() with SO_LINGER 0: a RST instead of a FIN. */
static void close_with_reset(int fd)
{
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
	close(fd);
}

/* The errors a connection to a listener that may vanish can meet. */
static bool expected_conn_error(int err)
{
	return err == ECONNREFUSED || err == ECONNRESET || err == EPIPE ||
	       err == ETIMEDOUT || err == EINPROGRESS || err == EAGAIN ||
	       err == ECONNABORTED;
}

/* A blocking or non-blocking connect bounded by ms; 0 or an errno value. */
static int connect_within(int fd, const struct sockaddr_in *addr, bool nonblock, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (!connect(fd, (const struct sockaddr *)addr, sizeof(*addr)))
		return 0;
	if (!nonblock || errno != EINPROGRESS)
		return errno;
	if (poll(&pfd, 1, ms) != 1)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return errno;
	return err;
}

/* A connected pair: a cfamily client and an sfamily server's child. */
static int connect_pair(int cfamily, int sfamily, int *client, int *server)
{
	struct sockaddr_in addr;
	int lfd = loopback_listener(sfamily, &addr, 4);

	*client = *server = -1;
	if (lfd < 0)
		return -1;
	*client = stream_socket(cfamily, false);
	if (*client >= 0 && !connect(*client, (struct sockaddr *)&addr, sizeof(addr)))
		*server = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	if (*server < 0) {
		if (*client >= 0)
			close(*client);
		*client = -1;
		return -1;
	}
	return 0;
}

/* --- the generic netlink family "atcp": a raw socket dump --- */

struct atcp_genl {
	int fd;
	int family_id;
	unsigned int seq;
};

struct sock_record {
	int family, state, timer;
	unsigned int local_port, remote_port;
	unsigned long long inode;
};

#define NLA_OK(nla, left) \
	((left) >= (int)sizeof(struct nlattr) && (nla)->nla_len >= sizeof(struct nlattr) && \
	 (nla)->nla_len <= (left))
#define NLA_NEXT(nla, left) \
	((left) -= NLA_ALIGN((nla)->nla_len), \
	 (struct nlattr *)((char *)(nla) + NLA_ALIGN((nla)->nla_len)))
#define NLA_DATA(nla) ((void *)((char *)(nla) + NLA_HDRLEN))

static struct nlattr *put_attr(struct nlmsghdr *nlh, int type, const void *data, int len)
{
	struct nlattr *nla = (struct nlattr *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy(NLA_DATA(nla), data, len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(nla->nla_len);
	return nla;
}

static int genl_request(struct atcp_genl *g, struct nlmsghdr *nlh, int family, int cmd, int flags)
{
	struct genlmsghdr *gh = NLMSG_DATA(nlh);
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++g->seq;
	gh->cmd = cmd;
	gh->version = 1;
	return sendto(g->fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&kernel,
		      sizeof(kernel)) == (ssize_t)nlh->nlmsg_len ? 0 : -1;
}

#define GENL_BUF 65536

/* Opens the socket and resolves the family "atcp"; -1 on failure. */
static int genl_open(struct atcp_genl *g)
{
	union {
		struct nlmsghdr nlh;
		char buf[GENL_BUF];
	} *m = malloc(sizeof(*m));
	struct nlmsghdr *nlh;
	ssize_t n;

	g->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	g->family_id = -1;
	g->seq = 0;
	if (g->fd < 0 || !m)
		goto fail;
	memset(&m->nlh, 0, NLMSG_SPACE(GENL_HDRLEN));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	put_attr(&m->nlh, CTRL_ATTR_FAMILY_NAME, ATCP_GENL_NAME, sizeof(ATCP_GENL_NAME));
	if (genl_request(g, &m->nlh, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0))
		goto fail;
	n = recv(g->fd, m->buf, sizeof(m->buf), 0);
	for (nlh = &m->nlh; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
		int left = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
		struct nlattr *nla;

		if (nlh->nlmsg_type != GENL_ID_CTRL)
			continue;
		nla = (struct nlattr *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
		for (; NLA_OK(nla, left); nla = NLA_NEXT(nla, left))
			if (nla->nla_type == CTRL_ATTR_FAMILY_ID)
				g->family_id = *(__u16 *)NLA_DATA(nla);
	}
	if (g->family_id < 0)
		goto fail;
	free(m);
	return 0;
fail:
	free(m);
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	return -1;
}

static void genl_close(struct atcp_genl *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

static int parse_record(struct nlmsghdr *nlh, struct sock_record *r)
{
	int left = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	struct nlattr *nla = (struct nlattr *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN);

	*r = (struct sock_record){ .family = -1, .state = -1 };
	for (; NLA_OK(nla, left); nla = NLA_NEXT(nla, left)) {
		void *data = NLA_DATA(nla);

		switch (nla->nla_type) {
		case ATCP_A_SOCK_FAMILY:
			r->family = *(__u8 *)data;
			break;
		case ATCP_A_SOCK_STATE:
			r->state = *(__u8 *)data;
			break;
		case ATCP_A_SOCK_TIMER:
			r->timer = *(__u8 *)data;
			break;
		case ATCP_A_SOCK_LOCAL_PORT:
			r->local_port = *(__u16 *)data;
			break;
		case ATCP_A_SOCK_REMOTE_PORT:
			r->remote_port = *(__u16 *)data;
			break;
		case ATCP_A_SOCK_INODE:
			memcpy(&r->inode, data, sizeof(r->inode));
			break;
		}
	}
	return (r->family == AF_INET || r->family == AF_INET6) &&
	       r->state >= 0 && r->state < ATCP_STATE_COUNT ? 0 : -1;
}

/*
 * Dumps every atcp socket, with the connection figures when info, calling
 * fn on each record; the number of records, or -1 on an error or a
 * malformed record.
 */
static int genl_dump(struct atcp_genl *g, bool info,
		     void (*fn)(const struct sock_record *, void *), void *arg)
{
	union {
		struct nlmsghdr nlh;
		char buf[GENL_BUF];
	} *m = malloc(sizeof(*m));
	int records = 0, done = 0;

	if (!m)
		return -1;
	memset(&m->nlh, 0, NLMSG_SPACE(GENL_HDRLEN));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	if (info)
		put_attr(&m->nlh, ATCP_A_WANT_INFO, NULL, 0);
	if (genl_request(g, &m->nlh, g->family_id, ATCP_CMD_SOCK_GET, NLM_F_DUMP))
		records = -1;
	while (records >= 0 && !done) {
		ssize_t n = recv(g->fd, m->buf, sizeof(m->buf), 0);
		struct nlmsghdr *nlh;

		if (n <= 0) {
			records = -1;
			break;
		}
		for (nlh = &m->nlh; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			struct sock_record r;

			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type != g->family_id || parse_record(nlh, &r)) {
				records = -1;
				break;
			}
			records++;
			if (fn)
				fn(&r, arg);
		}
	}
	free(m);
	return records;
}

static const char *const state_names[ATCP_STATE_COUNT] = {
	"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
	"FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
};

struct census {
	int total, time_wait;
	bool print_others; /* print each socket not in TIME-WAIT */
};

static void census_add(const struct sock_record *r, void *arg)
{
	struct census *c = arg;

	c->total++;
	if (r->state == ATCP_TIME_WAIT) {
		c->time_wait++;
	} else if (c->print_others) {
		fprintf(stderr, "#   left: %s %u -> %u ino:%llu timer:%d\n",
			state_names[r->state], r->local_port, r->remote_port,
			r->inode, r->timer);
	}
}

/* Counts the atcp sockets of this namespace; -1 when the dump fails. */
static int take_census(struct census *c, bool print_others)
{
	struct atcp_genl g;
	int ret;

	*c = (struct census){ .print_others = print_others };
	if (genl_open(&g))
		return -1;
	ret = genl_dump(&g, false, census_add, c);
	genl_close(&g);
	return ret < 0 ? -1 : 0;
}

/* --- what the kernel keeps: slab objects, module references, its log --- */

/* The ATCP cache's objects in use, -1 when it has no row of its own. */
static long atcp_slab_objects(void)
{
	char line[512];
	long active = -1;
	FILE *f;

	/*
	 * SLUB counts the free objects of per-CPU slabs as in use; a shrink
	 * flushes those back first, so that the count is exact.
	 */
	write_sysctl("/sys/kernel/slab/ATCP/shrink", "1");
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "ATCP ", 5) && sscanf(line + 5, "%ld", &active) == 1)
			break;
	fclose(f);
	return active;
}

static long atcp_module_refs(void)
{
	return read_number("/sys/module/atcp/refcnt");
}

/* What the guest runner fails a run on, and what slub_debug reports. */
static bool klog_finding(const char *msg)
{
	static const char *const patterns[] = {
		"BUG:", "WARNING:", "Oops", "general protection fault", "Kernel panic",
		"kernel BUG at", "blocked for more than", "possible recursive locking",
		"possible irq lock inversion", "possible circular locking", "refcount_t:",
		"UBSAN:", "KASAN:", "list_add corruption", "list_del corruption",
		"stack-protector", "soft lockup", "rcu_preempt", "rcu_sched",
		"self-detected stall", "hung_task", "Poison overwritten",
		"Redzone overwritten", "Freepointer corrupt", "Object already free",
		"Padding overwritten",
	};
	size_t i;

	/* SLUB's own reports start "BUG <cache> (...): ...". */
	if (!strncmp(msg, "BUG ", 4))
		return true;
	for (i = 0; i < ARRAY_SIZE(patterns); i++)
		if (strstr(msg, patterns[i]))
			return true;
	return false;
}

/* /dev/kmsg from its end: what the kernel logs from now on. */
static int klog_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Prints what the kernel logged since; the number of findings. */
static int klog_check(int fd, const char *name)
{
	char rec[8192];
	int findings = 0, context = 0;

	if (fd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg;

		if (n < 0 && errno == EPIPE)
			continue; /* overwritten meanwhile: go on with the rest */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = '\0';
		if (klog_finding(msg)) {
			findings++;
			context = 30;
		}
		if (context > 0) {
			fprintf(stderr, "# %s: kernel: %s\n", name, msg);
			context--;
		}
	}
	return findings;
}

/* --- the netlink dumper: a process of its own, beside every workload --- */

static volatile sig_atomic_t dumper_stop;

static void dumper_on_signal(int sig)
{
	dumper_stop = 1;
}

/* build/bin/atcpstat beside build/selftests/stress_test, if it is there. */
static void atcpstat_path(char *path, size_t size)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	path[0] = '\0';
	if (n <= 0)
		return;
	exe[n] = '\0';
	snprintf(path, size, "%s/../bin/atcpstat", dirname(exe));
	if (access(path, X_OK))
		path[0] = '\0';
}

static int run_atcpstat(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execl(path, "atcpstat", "-a", "-e", "-n", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	/* SIGTERM, which ends the dumper, may come meanwhile. */
	while (waitpid(pid, &status, 0) != pid)
		if (errno != EINTR)
			return -1;
	return status;
}

/*
 * Dumps every socket, with and without the connection figures, and runs
 * atcpstat -a -e now and then, until SIGTERM; exits 1 if a dump failed.
 */
static void __attribute__((noreturn)) dumper(const char *name)
{
	unsigned long dumps = 0, records = 0, runs = 0;
	struct sigaction sa = { .sa_handler = dumper_on_signal };
	char atcpstat[4096];
	struct atcp_genl g;
	int failures = 0;

	sigaction(SIGTERM, &sa, NULL);
	atcpstat_path(atcpstat, sizeof(atcpstat));
	if (genl_open(&g)) {
		fprintf(stderr, "# FAIL: %s: no generic netlink family \"atcp\"\n", name);
		_exit(1);
	}
	while (!dumper_stop) {
		int n = genl_dump(&g, dumps & 1, NULL, NULL);

		if (n < 0) {
			if (failures++ < 5)
				fprintf(stderr, "# FAIL: %s: socket dump failed: %s\n", name,
					strerror(errno));
			/* The socket may be out of step now: start over. */
			genl_close(&g);
			if (genl_open(&g))
				break;
		} else {
			records += n;
		}
		dumps++;
		if (atcpstat[0] && dumps % 8 == 0) {
			int status = run_atcpstat(atcpstat);

			if (status && failures++ < 5)
				fprintf(stderr, "# FAIL: %s: atcpstat -a -e: wait status %#x\n",
					name, status);
			runs++;
		}
	}
	genl_close(&g);
	fprintf(stderr, "# %s: %lu netlink dumps (%lu records), %lu atcpstat runs beside it\n",
		name, dumps, records, runs);
	_exit(failures ? 1 : 0);
}

/* --- a case: a workload with a deadline, then what it left behind --- */

FIXTURE(stress)
{
	long slab, refs;
	int klog;
};

static int wait_until_no_sockets(int ms)
{
	double end = now_s() + ms / 1000.0;
	struct census c;

	do {
		if (!take_census(&c, false) && c.total == 0)
			return 0;
		sleep_us(20000);
	} while (now_s() < end);
	return -1;
}

FIXTURE_SETUP(stress)
{
	self->klog = -1;
	ASSERT_NE(0, access(WEDGED_MARK, F_OK)) TH_LOG("an earlier case left the kernel stuck");
	ASSERT_LE(0, atcp_family()) TH_LOG("atcp.ko is not loaded");
	ASSERT_EQ(0, short_time_wait()) TH_LOG("net.atcp.msl: %s", strerror(errno));
	/* What an earlier test left must be gone before the baseline. */
	ASSERT_EQ(0, wait_until_no_sockets(CLOSING_GRACE_MS))
		TH_LOG("atcp sockets from before this case are still there");
	self->slab = atcp_slab_objects();
	self->refs = atcp_module_refs();
	self->klog = klog_open();
	if (self->slab < 0)
		TH_LOG("no \"ATCP\" row in /proc/slabinfo (boot with slab_nomerge): %s",
		       "slab not checked");
}

FIXTURE_TEARDOWN(stress)
{
	if (self->klog >= 0)
		close(self->klog);
}

/* Every task of pid with its state and kernel stack. */
static void print_stacks(pid_t pid, const char *name)
{
	char path[512], line[512];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		static const char *const files[] = { "comm", "wchan", "stack" };
		size_t i;

		if (d->d_name[0] == '.')
			continue;
		fprintf(stderr, "# %s: task %d/%s:\n", name, pid, d->d_name);
		for (i = 0; i < ARRAY_SIZE(files); i++) {
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/task/%s/%s", pid, d->d_name,
				 files[i]);
			f = fopen(path, "r");
			if (!f)
				continue;
			while (fgets(line, sizeof(line), f))
				fprintf(stderr, "#   %s: %s%s", files[i], line,
					strchr(line, '\n') ? "" : "\n");
			fclose(f);
		}
	}
	closedir(dir);
}

/* Waits for pid until end; its wait status, or -1 if it is still running. */
static int wait_until(pid_t pid, double end)
{
	int status;

	for (;;) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			return status;
		if (got < 0 || now_s() >= end)
			return -1;
		sleep_us(10000);
	}
}

static bool exited_cleanly(int status)
{
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * The stuck tasks' stacks; sysrq 'w' for every blocked task and 'l' for
 * what each CPU runs (the guest prints them on its console); then SIGKILL.
 */
static void give_up_on(pid_t pid, const char *name)
{
	print_stacks(pid, name);
	write_sysctl("/proc/sysrq-trigger", "w");
	write_sysctl("/proc/sysrq-trigger", "l");
	kill(pid, SIGKILL);
	if (wait_until(pid, now_s() + 5) < 0)
		fprintf(stderr, "# %s: pid %d does not die\n", name, pid);
}

/*
 * No socket left but TIME-WAIT, and TIME-WAIT gone within 2 * MSL; the
 * ATCP slab and the module's references as before; the kernel log clean.
 */
static void check_leftovers(struct __test_metadata *_metadata, FIXTURE_DATA(stress) *self,
			    const char *name)
{
	double start = now_s(), end = start + CLOSING_GRACE_MS / 1000.0, drained;
	long slab = -1, refs = -1;
	struct census c = { 0 };
	int waiting;

	do {
		ASSERT_EQ(0, take_census(&c, false)) TH_LOG("%s: socket dump failed", name);
		if (c.total == c.time_wait)
			break;
		sleep_us(20000);
	} while (now_s() < end);
	if (c.total != c.time_wait) {
		take_census(&c, true);
		EXPECT_EQ(c.time_wait, c.total)
			TH_LOG("%s: %d atcp socket(s) left not in TIME-WAIT after %d ms", name,
			       c.total - c.time_wait, CLOSING_GRACE_MS);
	}
	waiting = c.time_wait;
	start = now_s();
	end = start + (2 * ATCP_TEST_MSL_MS + TIMER_SLACK_MS) / 1000.0;
	while (c.total == c.time_wait && c.total && now_s() < end) {
		sleep_us(10000);
		take_census(&c, false);
	}
	drained = now_s() - start;
	if (c.total == c.time_wait)
		EXPECT_EQ(0, c.time_wait)
			TH_LOG("%s: %d socket(s) still in TIME-WAIT %.0f ms on (2 * MSL = %d ms)",
			       name, c.time_wait, drained * 1000, 2 * ATCP_TEST_MSL_MS);
	end = now_s() + FREE_GRACE_MS / 1000.0;
	do {
		slab = atcp_slab_objects();
		refs = atcp_module_refs();
		if (slab == self->slab && refs == self->refs)
			break;
		sleep_us(20000);
	} while (now_s() < end);
	fprintf(stderr, "# %s: after it: %d in TIME-WAIT, gone in %.0f ms; ", name, waiting,
		drained * 1000);
	fprintf(stderr, "ATCP slab objects %ld (before %ld); module refs %ld (before %ld)\n",
		slab, self->slab, refs, self->refs);
	EXPECT_EQ(self->slab, slab) TH_LOG("%s: ATCP slab objects in use", name);
	EXPECT_EQ(self->refs, refs) TH_LOG("%s: /sys/module/atcp/refcnt", name);
	EXPECT_EQ(0, klog_check(self->klog, name)) TH_LOG("%s: the kernel log has findings", name);
}

/*
 * Runs workload in a child within CASE_DEADLINE_S, with the dumper beside
 * it, then checks what they left behind.  STRESS_ONLY=NAME,... in the
 * environment runs only the cases named.
 */
static void run_case(struct __test_metadata *_metadata, FIXTURE_DATA(stress) *self,
		     const char *name, int (*workload)(void))
{
	double start = now_s(), end = start + CASE_DEADLINE_S;
	const char *only = getenv("STRESS_ONLY");
	int status, dump_status;
	pid_t pid, dump_pid;

	if (only && !strstr(only, name))
		SKIP(return, "not in STRESS_ONLY");
	fflush(stdout);
	fflush(stderr);
	dump_pid = fork();
	ASSERT_LE(0, dump_pid);
	if (dump_pid == 0)
		dumper(name);
	pid = fork();
	if (pid == 0) {
		int ret;

		/* sendfile() has no MSG_NOSIGNAL. */
		signal(SIGPIPE, SIG_IGN);
		ret = workload();

		fflush(stderr);
		_exit(ret || workload_failures ? 1 : 0);
	}
	status = pid < 0 ? -1 : wait_until(pid, end);
	if (pid > 0 && status < 0) {
		fprintf(stderr, "# %s: still running after %d s: the stuck tasks:\n", name,
			CASE_DEADLINE_S);
		give_up_on(pid, name);
	}
	kill(dump_pid, SIGTERM);
	dump_status = wait_until(dump_pid, now_s() + 10);
	if (dump_status < 0) {
		fprintf(stderr, "# %s: the netlink dumper is stuck:\n", name);
		give_up_on(dump_pid, name);
	}
	fprintf(stderr, "# %s: workload took %.1f s\n", name, now_s() - start);
	if (status < 0 || dump_status < 0) {
		/* Whatever is stuck would stall the checks too: the log says why. */
		klog_check(self->klog, name);
		close(open(WEDGED_MARK, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
		ASSERT_TRUE(0) TH_LOG("%s: did not finish in %d s", name, CASE_DEADLINE_S);
	}
	EXPECT_TRUE(exited_cleanly(status))
		TH_LOG("%s: the workload failed (wait status %#x)", name, status);
	EXPECT_TRUE(exited_cleanly(dump_status)) TH_LOG("%s: netlink dumps failed", name);
	check_leftovers(_metadata, self, name);
}

/* --- workloads: helpers --- */

static bool spawn(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	int err = pthread_create(thread, NULL, fn, arg);

	if (err)
		stress_fail("pthread_create: %s", strerror(err));
	return !err;
}

/* An accepted connection's end: as the application would, or with a RST. */
static void finish_child(int fd, unsigned int *seed)
{
	char buf[64];

	switch (pick(seed, 3)) {
	case 0:
		recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		close(fd);
		break;
	case 1:
		close_with_reset(fd);
		break;
	default:
		close(fd);
	}
}

/* --- listener close and shutdown(SHUT_RD) against handshakes --- */

#define LISTENER_ROUNDS 1500

enum listener_end {
	END_CLOSE_WHILE_ACCEPTING, /* the accepting thread's close is the last */
	END_SHUTDOWN_WHILE_ACCEPTING, /* shutdown(SHUT_RD) wakes accept() */
	END_CLOSE, /* nobody accepts: close() meets the handshakes alone */
	END_SHUTDOWN, /* nobody accepts: shutdown(SHUT_RD), later close() */
	END_COUNT
};

struct listener_race {
	pthread_mutex_t lock;
	int lfd; /* this round's listener, -1 while it closes */
	struct sockaddr_in addr;
	unsigned int round;
	enum listener_end end;
	int stop;
	unsigned long connected, refused, accepted;
};

struct listener_client {
	struct listener_race *race;
	int family;
	bool nonblock;
	unsigned int seed;
};

/* Connects to whatever listens now, sends a byte or not, closes. */
static void *listener_client(void *arg)
{
	struct listener_client *a = arg;
	struct listener_race *r = a->race;
	char byte = 'x';

	while (!stopping(&r->stop)) {
		struct sockaddr_in addr;
		int fd, err;

		pthread_mutex_lock(&r->lock);
		addr = r->addr;
		pthread_mutex_unlock(&r->lock);
		fd = stream_socket(a->family, a->nonblock);
		if (fd < 0) {
			stress_fail("socket(%d): %s", a->family, strerror(errno));
			break;
		}
		set_timeouts(fd, 1000);
		err = connect_within(fd, &addr, a->nonblock, 1000);
		if (err) {
			if (!expected_conn_error(err))
				stress_fail("connect (family %d%s): %s", a->family,
					    a->nonblock ? ", non-blocking" : "", strerror(err));
			count(&r->refused);
			close(fd);
			continue;
		}
		count(&r->connected);
		if (pick(&a->seed, 2))
			send(fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		finish_child(fd, &a->seed);
	}
	return NULL;
}

/*
 * Accepts from a duplicate of each round's listener until the round ends,
 * so that its close() is sometimes the last one and its accept() is
 * blocked when shutdown(SHUT_RD) comes.
 */
static void *listener_acceptor(void *arg)
{
	struct listener_race *r = arg;
	unsigned int seed = 7;

	while (!stopping(&r->stop)) {
		unsigned int round;
		int lfd = -1;

		pthread_mutex_lock(&r->lock);
		round = r->round;
		if (r->lfd >= 0 && r->end != END_CLOSE && r->end != END_SHUTDOWN)
			lfd = fcntl(r->lfd, F_DUPFD_CLOEXEC, 0);
		pthread_mutex_unlock(&r->lock);
		if (lfd < 0) {
			sleep_us(200);
			continue;
		}
		for (;;) {
			/* The listener's SO_RCVTIMEO bounds each wait. */
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (fd >= 0) {
				count(&r->accepted);
				finish_child(fd, &seed);
				continue;
			}
			if (errno == EAGAIN) {
				if (__atomic_load_n(&r->round, __ATOMIC_RELAXED) != round)
					break;
				continue;
			}
			/* What accept() says once the listener was shut. */
			if (errno != EINVAL && errno != ECONNABORTED)
				stress_fail("accept: %s", strerror(errno));
			break;
		}
		close(lfd);
		/* Wait for the next round's listener. */
		while (!stopping(&r->stop) &&
		       __atomic_load_n(&r->round, __ATOMIC_RELAXED) == round)
			sleep_us(200);
	}
	return NULL;
}

static int listener_close_races_handshakes(void)
{
	struct listener_race r = { .lock = PTHREAD_MUTEX_INITIALIZER, .lfd = -1 };
	struct listener_client clients[4];
	pthread_t threads[5];
	unsigned int seed = 1, i, started = 0;
	double start = now_s();

	/* atcp and Linux TCP clients, each with blocking and non-blocking connects. */
	for (i = 0; i < 4; i++)
		clients[i] = (struct listener_client){ .race = &r,
						       .family = i & 1 ? AF_INET : atcp_family(),
						       .nonblock = i & 2,
						       .seed = i + 1 };
	r.addr = (struct sockaddr_in){ .sin_family = AF_INET,
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	for (i = 0; i < LISTENER_ROUNDS && !workload_failures; i++) {
		struct sockaddr_in addr;
		enum listener_end end = i % END_COUNT;
		int lfd = loopback_listener(atcp_family(), &addr, 64);

		if (lfd < 0) {
			stress_fail("round %u: listener: %s", i, strerror(errno));
			break;
		}
		set_timeouts(lfd, 20);
		pthread_mutex_lock(&r.lock);
		r.lfd = lfd;
		r.addr = addr;
		r.end = end;
		__atomic_store_n(&r.round, i, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&r.lock);
		if (!started) {
			for (; started < 4; started++)
				if (!spawn(&threads[started], listener_client, &clients[started]))
					break;
			if (started == 4 && spawn(&threads[4], listener_acceptor, &r))
				started++;
		}
		/* Handshakes pile up in both queues, then the listener goes. */
		sleep_us(300 + pick(&seed, 2000));
		pthread_mutex_lock(&r.lock);
		r.lfd = -1;
		pthread_mutex_unlock(&r.lock);
		if (end == END_SHUTDOWN_WHILE_ACCEPTING || end == END_SHUTDOWN) {
			if (shutdown(lfd, SHUT_RD))
				stress_fail("round %u: shutdown(SHUT_RD) of a listener: %s", i,
					    strerror(errno));
			if (end == END_SHUTDOWN)
				sleep_us(pick(&seed, 1000));
		}
		close(lfd);
	}
	set_stop(&r.stop);
	while (started)
		pthread_join(threads[--started], NULL);
	fprintf(stderr, "# listener: %lu connected, %lu refused or reset, %lu accepted\n",
		r.connected, r.refused, r.accepted);
	report("listener_close_races_handshakes", i, start);
	return 0;
}

/* --- close and shutdown against send, recv, poll and sendfile --- */

#define IO_ROUNDS 300
#define IO_FILE_LEN (256 << 10)

struct io_race {
	int fd, peer, file;
	int stop, peer_stop;
};

static void *io_sender(void *arg)
{
	static char buf[16384];
	struct io_race *r = arg;

	while (!stopping(&r->stop))
		if (send(r->fd, buf, sizeof(buf), MSG_NOSIGNAL) < 0 && errno != EINTR)
			break;
	return NULL;
}

static void *io_receiver(void *arg)
{
	struct io_race *r = arg;
	char buf[16384];

	while (!stopping(&r->stop))
		if (recv(r->fd, buf, sizeof(buf), 0) <= 0 && errno != EINTR)
			break;
	return NULL;
}

static void *io_poller(void *arg)
{
	struct io_race *r = arg;

	while (!stopping(&r->stop)) {
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN | POLLOUT | POLLRDHUP };

		if (poll(&pfd, 1, 5) < 0 || (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
			break;
		sleep_us(100);
	}
	return NULL;
}

static void *io_sendfiler(void *arg)
{
	struct io_race *r = arg;
	off_t off = 0;

	while (!stopping(&r->stop)) {
		if (sendfile(r->fd, r->file, &off, 65536) < 0 && errno != EINTR)
			break;
		if (off >= IO_FILE_LEN)
			off = 0;
	}
	return NULL;
}

/* The far end: reads what comes and sends back, until told to stop. */
static void *io_peer(void *arg)
{
	static char buf[16384];
	struct io_race *r = arg;

	while (!stopping(&r->peer_stop)) {
		struct pollfd pfd = { .fd = r->peer, .events = POLLIN | POLLOUT };
		ssize_t n;

		if (poll(&pfd, 1, 5) <= 0)
			continue;
		if (pfd.revents & POLLIN) {
			n = recv(r->peer, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0 && errno != EAGAIN)
				break;
		}
		if ((pfd.revents & POLLOUT) &&
		    send(r->peer, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
		    errno != EAGAIN)
			break;
		if (pfd.revents & (POLLHUP | POLLERR))
			sleep_us(500);
	}
	return NULL;
}

static int temp_file(size_t len)
{
	char path[] = "/tmp/atcp-stress-XXXXXX", buf[4096];
	int fd = mkstemp(path);
	size_t done;

	if (fd < 0)
		return -1;
	unlink(path);
	memset(buf, 'f', sizeof(buf));
	for (done = 0; done < len; done += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
			close(fd);
			return -1;
		}
	return fd;
}

static int close_races_io(void)
{
	void *(*const fns[])(void *) = { io_sender, io_receiver, io_poller, io_sendfiler };
	const int nfns = ARRAY_SIZE(fns);
	int file = temp_file(IO_FILE_LEN);
	unsigned int i, seed = 2;
	double start = now_s();

	if (file < 0) {
		stress_fail("temporary file: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < IO_ROUNDS && !workload_failures; i++) {
		/* The atcp socket under test, as client or accepted; its peer atcp or Linux. */
		int peer_family = i & 1 ? AF_INET : atcp_family();
		struct io_race r = { .file = file };
		pthread_t threads[4], peer;
		int n = 0, how = (i >> 1) % 5, client, server;

		if ((i & 2) ? connect_pair(atcp_family(), peer_family, &client, &server) :
			      connect_pair(peer_family, atcp_family(), &client, &server)) {
			stress_fail("round %u: connection: %s", i, strerror(errno));
			break;
		}
		r.fd = i & 2 ? client : server;
		r.peer = i & 2 ? server : client;
		if (!spawn(&peer, io_peer, &r))
			break;
		while (n < nfns && spawn(&threads[n], fns[n], &r))
			n++;
		sleep_us(pick(&seed, 3000));
		switch (how) {
		case 0:
			close(r.fd);
			break;
		case 4:
			shutdown(r.fd, SHUT_RDWR);
			close(r.fd);
			break;
		default:
			/* SHUT_RD, SHUT_WR, SHUT_RDWR */
			if (shutdown(r.fd, how - 1) && errno != ENOTCONN)
				stress_fail("round %u: shutdown(%d): %s", i, how - 1,
					    strerror(errno));
		}
		/* A reset from the peer wakes whatever still waits on the socket. */
		sleep_us(pick(&seed, 2000));
		set_stop(&r.peer_stop);
		pthread_join(peer, NULL);
		close_with_reset(r.peer);
		set_stop(&r.stop);
		while (n)
			pthread_join(threads[--n], NULL);
		if (how != 0 && how != 4)
			close(r.fd);
	}
	close(file);
	report("close_races_io", i, start);
	return 0;
}

/* --- connect against close of the same socket --- */

#define CONNECT_ROUNDS 300

enum connect_target {
	TARGET_ATCP, /* an atcp listener that accepts */
	TARGET_DEAF, /* a Linux listener whose full queue drops SYNs */
	TARGET_NONE, /* a closed port: a RST */
	TARGET_COUNT
};

struct connect_race {
	int fd;
	struct sockaddr_in addr;
	int err;
};

static void *connector(void *arg)
{
	struct connect_race *r = arg;

	r->err = connect(r->fd, (struct sockaddr *)&r->addr, sizeof(r->addr)) ? errno : 0;
	return NULL;
}

/* Accepts and closes on lfd in a process of its own until its stdin closes. */
static pid_t accept_and_close_elsewhere(int lfd, int *stop_fd)
{
	int pipefd[2];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct pollfd pfd[2] = { { .fd = lfd, .events = POLLIN },
					 { .fd = pipefd[0], .events = POLLIN } };

		close(pipefd[1]);
		while (poll(pfd, 2, -1) > 0 && !pfd[1].revents) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

			if (fd >= 0)
				close(fd);
		}
		_exit(0);
	}
	close(pipefd[0]);
	*stop_fd = pipefd[1];
	return pid;
}

static int connect_races_close(void)
{
	struct sockaddr_in targets[TARGET_COUNT];
	int atcp_lfd, deaf_lfd, filler, stop_fd, status;
	unsigned int i, seed = 3;
	double start = now_s();
	pid_t acceptor;

	atcp_lfd = loopback_listener(atcp_family(), &targets[TARGET_ATCP], 128);
	/* Backlog 0 holds one connection; SYNs after it are dropped. */
	deaf_lfd = loopback_listener(AF_INET, &targets[TARGET_DEAF], 0);
	filler = stream_socket(AF_INET, false);
	if (atcp_lfd < 0 || deaf_lfd < 0 || filler < 0 ||
	    connect(filler, (struct sockaddr *)&targets[TARGET_DEAF], sizeof(targets[0]))) {
		stress_fail("listeners: %s", strerror(errno));
		return -1;
	}
	targets[TARGET_NONE] = targets[TARGET_DEAF];
	targets[TARGET_NONE].sin_port = 0;
	{
		/* A port just freed: nothing listens there. */
		struct sockaddr_in none;
		int fd = loopback_listener(AF_INET, &none, 1);

		if (fd >= 0) {
			targets[TARGET_NONE] = none;
			close(fd);
		}
	}
	acceptor = accept_and_close_elsewhere(atcp_lfd, &stop_fd);
	if (acceptor < 0) {
		stress_fail("fork: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < CONNECT_ROUNDS && !workload_failures; i++) {
		struct connect_race r = { .addr = targets[i % TARGET_COUNT] };
		int how = (i / TARGET_COUNT) % 4;
		pthread_t thread;

		r.fd = stream_socket(atcp_family(), how == 3);
		if (r.fd < 0) {
			stress_fail("socket: %s", strerror(errno));
			break;
		}
		if (how == 3) {
			/* Non-blocking: released in SYN-SENT, or just after. */
			connect(r.fd, (struct sockaddr *)&r.addr, sizeof(r.addr));
			sleep_us(pick(&seed, 500));
			close(r.fd);
			continue;
		}
		/* The deaf target's SYNs go unanswered: bound the wait. */
		set_timeouts(r.fd, 300);
		if (!spawn(&thread, connector, &r))
			break;
		sleep_us(pick(&seed, 1000));
		switch (how) {
		case 0:
			close(r.fd);
			break;
		case 1:
			shutdown(r.fd, SHUT_RDWR);
			break;
		case 2:
			close_with_reset(r.fd);
			break;
		}
		pthread_join(thread, NULL);
		if (how == 1)
			close(r.fd);
		if (r.err == ENOTSOCK || r.err == EFAULT)
			stress_fail("round %u: connect: %s", i, strerror(r.err));
	}
	close(stop_fd);
	waitpid(acceptor, &status, 0);
	close(filler);
	close(deaf_lfd);
	close(atcp_lfd);
	report("connect_races_close", i, start);
	return 0;
}

/* --- setsockopt against traffic --- */

#define OPT_BYTES (4 << 20)
#define PATTERN 251

struct opt_stream {
	int out, in; /* the two ends of one direction */
	int done;
	unsigned long long received;
};

static unsigned char pattern[PATTERN * 64];

static void *opt_sender(void *arg)
{
	struct opt_stream *s = arg;
	size_t sent = 0;

	while (sent < OPT_BYTES) {
		size_t len = OPT_BYTES - sent;
		ssize_t n;

		if (len > sizeof(pattern) - PATTERN)
			len = sizeof(pattern) - PATTERN;
		n = send(s->out, pattern + sent % PATTERN, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			stress_fail("send after %zu bytes: %s", sent, strerror(errno));
			break;
		}
		sent += n;
	}
	shutdown(s->out, SHUT_WR);
	return NULL;
}

static void *opt_receiver(void *arg)
{
	struct opt_stream *s = arg;
	unsigned char buf[16384];

	for (;;) {
		ssize_t n = recv(s->in, buf, sizeof(buf), 0), k;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				stress_fail("recv after %llu bytes: %s", s->received,
					    strerror(errno));
			break;
		}
		for (k = 0; k < n; k++)
			if (buf[k] != (s->received + k) % PATTERN) {
				stress_fail("byte %llu is corrupt", s->received + k);
				set_stop(&s->done);
				return NULL;
			}
		s->received += n;
	}
	if (s->received != OPT_BYTES)
		stress_fail("%llu of %d bytes arrived", s->received, OPT_BYTES);
	set_stop(&s->done);
	return NULL;
}

/* One option set to a random value, and read back; errors are the kernel's call. */
static void random_option(int fd, bool atcp, unsigned int *seed)
{
	struct linger linger = { .l_onoff = 1, .l_linger = 1 + pick(seed, 3) };
	int v, len = sizeof(v);

	switch (pick(seed, atcp ? 11 : 9)) {
	case 0:
		v = pick(seed, 2);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v));
		break;
	case 1:
		v = 88 + pick(seed, 65000);
		setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &v, sizeof(v));
		getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &v, (socklen_t *)&len);
		break;
	case 2:
		v = 8192 + pick(seed, 1 << 20);
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
		break;
	case 3:
		v = 8192 + pick(seed, 1 << 20);
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
		break;
	case 4:
		if (pick(seed, 2))
			linger.l_onoff = 0;
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof(linger));
		break;
	case 5:
		v = pick(seed, 2);
		setsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, sizeof(v));
		break;
	case 6:
		v = pick(seed, 2);
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v));
		break;
	case 7:
		v = 1 + pick(seed, 7200);
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v));
		break;
	case 8:
		getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, (socklen_t *)&len);
		break;
	case 9:
		v = pick(seed, 2);
		setsockopt(fd, IPPROTO_TCP, ATCP_TCP_NOPUSH, &v, sizeof(v));
		break;
	default:
		v = pick(seed, 2);
		setsockopt(fd, IPPROTO_TCP, ATCP_TCP_NOOPT, &v, sizeof(v));
	}
}

/* Lets whatever the options left queued go, and closes as usual. */
static void unset_and_close(int fd)
{
	struct linger off = { 0 };
	int zero = 0;

	setsockopt(fd, IPPROTO_TCP, TCP_CORK, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &off, sizeof(off));
	close(fd);
}

static int setsockopt_races_traffic(void)
{
	const int pairs[][2] = { { 0, 0 }, { 0, AF_INET }, { AF_INET, 0 } };
	unsigned long iterations = 0;
	unsigned int i, k, seed = 4;
	double start = now_s();

	for (k = 0; k < sizeof(pattern); k++)
		pattern[k] = k % PATTERN;
	for (i = 0; i < ARRAY_SIZE(pairs) && !workload_failures; i++) {
		int cfamily = pairs[i][0] ? pairs[i][0] : atcp_family();
		int sfamily = pairs[i][1] ? pairs[i][1] : atcp_family();
		struct opt_stream up = { 0 }, down = { 0 };
		pthread_t threads[4];
		int client, server;

		if (connect_pair(cfamily, sfamily, &client, &server)) {
			stress_fail("connection: %s", strerror(errno));
			break;
		}
		up = (struct opt_stream){ .out = client, .in = server };
		down = (struct opt_stream){ .out = server, .in = client };
		if (!spawn(&threads[0], opt_sender, &up) ||
		    !spawn(&threads[1], opt_receiver, &up) ||
		    !spawn(&threads[2], opt_sender, &down) ||
		    !spawn(&threads[3], opt_receiver, &down))
			return -1;
		while (!stopping(&up.done) || !stopping(&down.done)) {
			random_option(client, cfamily != AF_INET, &seed);
			random_option(server, sfamily != AF_INET, &seed);
			iterations += 2;
			sleep_us(200);
		}
		for (k = 0; k < 4; k++)
			pthread_join(threads[k], NULL);
		unset_and_close(client);
		unset_and_close(server);
	}
	fprintf(stderr, "# setsockopt: %u connections, %d MiB each way each\n", i,
		OPT_BYTES >> 20);
	report("setsockopt_races_traffic", iterations, start);
	return 0;
}

/* --- SO_LINGER 0 closes and RST storms --- */

#define STORM_ROUNDS 40
#define STORM_CONNS 32

struct storm_half {
	int fds[STORM_CONNS];
	unsigned int seed;
};

/* Sends a little more, then resets every connection of one side. */
static void *storm_closer(void *arg)
{
	static char buf[4096];
	struct storm_half *h = arg;
	int k;

	for (k = 0; k < STORM_CONNS; k++) {
		if (pick(&h->seed, 2))
			send(h->fds[k], buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
		close_with_reset(h->fds[k]);
	}
	return NULL;
}

/* Connects and resets at once, against the listener while the storm lasts. */
static void *storm_connector(void *arg)
{
	struct sockaddr_in *addr = arg;
	int k;

	for (k = 0; k < STORM_CONNS; k++) {
		int fd = stream_socket(k & 1 ? AF_INET : atcp_family(), true);

		if (fd < 0)
			break;
		connect(fd, (struct sockaddr *)addr, sizeof(*addr));
		sleep_us(100);
		close_with_reset(fd);
	}
	return NULL;
}

static int linger0_rst_storm(void)
{
	static char buf[4096];
	unsigned int i, seed = 5;
	double start = now_s();

	for (i = 0; i < STORM_ROUNDS && !workload_failures; i++) {
		struct storm_half clients = { .seed = seed++ }, children = { .seed = seed++ };
		struct sockaddr_in addr;
		pthread_t threads[3];
		int lfd, k;

		lfd = loopback_listener(atcp_family(), &addr, STORM_CONNS * 2);
		if (lfd < 0) {
			stress_fail("listener: %s", strerror(errno));
			break;
		}
		/* Loopback connects in well under this; the guest's load aside. */
		set_timeouts(lfd, 5000);
		for (k = 0; k < STORM_CONNS; k++) {
			struct sockaddr_in local = { 0 };
			socklen_t len = sizeof(local);

			clients.fds[k] = stream_socket(k & 1 ? AF_INET : atcp_family(), false);
			children.fds[k] = -1;
			if (clients.fds[k] >= 0) {
				struct sockaddr *to = (struct sockaddr *)&addr;

				set_timeouts(clients.fds[k], 5000);
				if (!connect(clients.fds[k], to, sizeof(addr)))
					children.fds[k] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			}
			if (children.fds[k] < 0) {
				getsockname(clients.fds[k], (struct sockaddr *)&local, &len);
				stress_fail("round %u: connection %d (%s, port %u to %u): %s",
					    i, k, k & 1 ? "Linux" : "atcp", ntohs(local.sin_port),
					    ntohs(addr.sin_port), strerror(errno));
				return -1;
			}
			/* Data unread on both sides when the resets come. */
			send(clients.fds[k], buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
			send(children.fds[k], buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
		}
		if (!spawn(&threads[0], storm_closer, &clients) ||
		    !spawn(&threads[1], storm_closer, &children) ||
		    !spawn(&threads[2], storm_connector, &addr))
			return -1;
		for (k = 0; k < 3; k++)
			pthread_join(threads[k], NULL);
		/* The storm's own connections, left unaccepted, go with the listener. */
		close(lfd);
	}
	report("linger0_rst_storm", i, start);
	return 0;
}

/* --- rmmod under load --- */

#define RMMOD_ATTEMPTS 2000

struct churn {
	struct sockaddr_in addr;
	int lfd;
	int stop;
	unsigned long connections;
};

static void *churn_client(void *arg)
{
	static char buf[1024];
	struct churn *c = arg;
	unsigned int seed = 6, k = 0;

	while (!stopping(&c->stop)) {
		int fd = stream_socket(k++ & 1 ? AF_INET : atcp_family(), false);

		if (fd < 0)
			break;
		set_timeouts(fd, 1000);
		if (!connect(fd, (struct sockaddr *)&c->addr, sizeof(c->addr))) {
			send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
			count(&c->connections);
		}
		finish_child(fd, &seed);
	}
	return NULL;
}

static void *churn_acceptor(void *arg)
{
	struct churn *c = arg;
	unsigned int seed = 8;

	while (!stopping(&c->stop)) {
		int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
		char buf[1024];

		if (fd < 0)
			continue; /* the listener's SO_RCVTIMEO */
		set_timeouts(fd, 1000);
		recv(fd, buf, sizeof(buf), MSG_WAITALL);
		finish_child(fd, &seed);
	}
	return NULL;
}

static int rmmod_under_load(void)
{
	struct churn c = { 0 };
	pthread_t threads[3];
	unsigned int i;
	double start = now_s();
	int n = 0;

	c.lfd = loopback_listener(atcp_family(), &c.addr, 64);
	if (c.lfd < 0) {
		stress_fail("listener: %s", strerror(errno));
		return -1;
	}
	set_timeouts(c.lfd, 50);
	if (spawn(&threads[n], churn_acceptor, &c))
		n++;
	while (n < 3 && spawn(&threads[n], churn_client, &c))
		n++;
	for (i = 0; i < RMMOD_ATTEMPTS && n == 3; i++) {
		if (!atcp_unload()) {
			stress_fail("attempt %u: rmmod succeeded with atcp sockets open", i);
			atcp_load("");
			break;
		}
		if (errno != EWOULDBLOCK) {
			stress_fail("attempt %u: rmmod: %s, not EWOULDBLOCK", i, strerror(errno));
			break;
		}
		sleep_us(1000);
	}
	set_stop(&c.stop);
	while (n)
		pthread_join(threads[--n], NULL);
	close(c.lfd);
	fprintf(stderr, "# rmmod: %lu connections meanwhile\n", c.connections);
	report("rmmod_under_load", i, start);
	return 0;
}

/* --- an orphan receiving data is reset --- */

#define ORPHAN_ROUNDS 200
#define ORPHAN_RESET_MS 3000

static int orphan_gets_data_reset(void)
{
	unsigned int i;
	double start = now_s();

	for (i = 0; i < ORPHAN_ROUNDS && !workload_failures; i++) {
		/* The orphan is the accepted child or the client; its peer atcp or Linux. */
		bool orphan_accepted = i & 1;
		int peer_family = i & 2 ? AF_INET : atcp_family();
		char buf[1024] = { 0 };
		int client, server, orphan, peer, err = 0;
		double until;

		if (orphan_accepted ? connect_pair(peer_family, atcp_family(), &client, &server) :
				      connect_pair(atcp_family(), peer_family, &client, &server)) {
			stress_fail("round %u: connection: %s", i, strerror(errno));
			break;
		}
		orphan = orphan_accepted ? server : client;
		peer = orphan_accepted ? client : server;
		set_timeouts(orphan, 2000);
		set_timeouts(peer, 2000);
		/* All read, so the close sends a FIN, not the RST of unread data. */
		if (send(peer, buf, sizeof(buf), 0) != sizeof(buf) ||
		    recv(orphan, buf, sizeof(buf), MSG_WAITALL) != sizeof(buf)) {
			stress_fail("round %u: the first KiB: %s", i, strerror(errno));
			break;
		}
		close(orphan);
		if (recv(peer, buf, sizeof(buf), 0) != 0) {
			stress_fail("round %u: no FIN from the closed end", i);
			close(peer);
			continue;
		}
		/* Data for the orphan now: it must answer with a RST. */
		until = now_s() + ORPHAN_RESET_MS / 1000.0;
		while (!err && now_s() < until) {
			if (send(peer, buf, sizeof(buf), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
			    errno != EAGAIN)
				err = errno;
			else if (recv(peer, buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno != EAGAIN)
				err = errno;
			else
				sleep_us(2000);
		}
		if (err != ECONNRESET && err != EPIPE)
			stress_fail("round %u (orphan %s, peer %s): %s, not a reset, within %d ms",
				    i, orphan_accepted ? "accepted" : "client",
				    peer_family == AF_INET ? "Linux" : "atcp",
				    err ? strerror(err) : "no error", ORPHAN_RESET_MS);
		close(peer);
	}
	report("orphan_gets_data_reset", i, start);
	return 0;
}

/* --- the cases --- */

/* A case: its workload, run by run_case() under its own name. */
#define STRESS_CASE(workload) \
	TEST_F_TIMEOUT(stress, workload, CASE_TIMEOUT_S) \
	{ \
		run_case(_metadata, self, #workload, workload); \
	}

STRESS_CASE(listener_close_races_handshakes)
STRESS_CASE(close_races_io)
STRESS_CASE(connect_races_close)
STRESS_CASE(setsockopt_races_traffic)
STRESS_CASE(linger0_rst_storm)
STRESS_CASE(rmmod_under_load)
STRESS_CASE(orphan_gets_data_reset)

/* Last: whatever the cases did, nothing may keep the module. */
TEST_F(stress, module_unloads_after_all)
{
	ASSERT_EQ(0, unload_when_idle()) TH_LOG("rmmod atcp: %s", strerror(errno));
	ASSERT_EQ(0, atcp_load("")) TH_LOG("insmod atcp: %s", strerror(errno));
}

TEST_HARNESS_MAIN
