// SPDX-License-Identifier: GPL-2.0
/*
 * IP_RECVERR and IPV6_RECVERR: ICMP errors on the socket error queue, read
 * with recvmsg(MSG_ERRQUEUE) as ip(7) and ipv6(7) describe.  Each test runs
 * in a network namespace of its own where nftables answers SYNs to some
 * loopback ports with an ICMP error, so the errors come from the kernel's
 * own ICMP code, back over loopback, as a router's would.
 */
#include "kselftest_harness.h"
#include "atcp_selftest.h"

#include <linux/errqueue.h>
#include <poll.h>

enum { PORT_REFUSED = 6001, PORT_UNREACHABLE = 6002 };

static const char reject_rules[] =
	"nft -f - <<'EOF'\n"
	"table inet atcp_recverr {\n"
	"	chain input {\n"
	"		type filter hook input priority 0;\n"
	"		tcp dport 6001 reject with icmpx type port-unreachable\n"
	"		tcp dport 6002 reject with icmpx type host-unreachable\n"
	"	}\n"
	"}\n"
	"EOF\n";

/* A namespace of the test's own with the reject rules in place. */
static int rejecting_netns(void)
{
	if (enter_fresh_netns())
		return -1;
	return system(reject_rules) ? -1 : 0;
}

static int set_flag(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val));
}

static int get_flag(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int val;

	return getsockopt(fd, level, name, &val, &len) ? -1 : val;
}

/* A non-blocking atcp socket connecting to port on loopback of family. */
static int connect_loopback(int family, uint16_t port, int recverr)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(port),
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(atcp_family(), SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	if (recverr && family == AF_INET &&
	    set_flag(fd, SOL_IP, IP_RECVERR, 1))
		return -1;
	if (recverr && family == AF_INET6 &&
	    set_flag(fd, SOL_IPV6, IPV6_RECVERR, 1))
		return -1;
	if (family == AF_INET)
		connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	else
		connect(fd, (struct sockaddr *)&sin6, sizeof(sin6));
	return errno == EINPROGRESS ? fd : -1;
}

/* What one recvmsg(MSG_ERRQUEUE) read. */
struct queued_error {
	int ret;
	int flags;
	int level, type; /* of the control message */
	struct sock_extended_err ee;
	union {
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} to, offender;
	socklen_t to_len;
	uint8_t data[64];
};

static void read_error(int fd, struct queued_error *q)
{
	char control[256];
	struct iovec iov = { q->data, sizeof(q->data) };
	struct msghdr msg = { .msg_name = &q->to,
			      .msg_namelen = sizeof(q->to),
			      .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control,
			      .msg_controllen = sizeof(control) };
	struct cmsghdr *cm;

	memset(q, 0, sizeof(*q));
	q->ret = recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (q->ret < 0)
		return;
	q->flags = msg.msg_flags;
	q->to_len = msg.msg_namelen;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm)
		return;
	q->level = cm->cmsg_level;
	q->type = cm->cmsg_type;
	memcpy(&q->ee, CMSG_DATA(cm), sizeof(q->ee));
	memcpy(&q->offender, SO_EE_OFFENDER((struct sock_extended_err *)CMSG_DATA(cm)),
	       sizeof(q->offender));
}

/* Waits for the connect to end, or for an error to be queued. */
static int wait_for(int fd, short events, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	return poll(&pfd, 1, ms) == 1 ? pfd.revents : 0;
}

static int so_error(int fd)
{
	socklen_t len = sizeof(int);
	int err;

	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) ? -1 : err;
}

TEST(options_default_off_set_and_read_back)
{
	int fd = socket(atcp_family(), SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int val = 1;

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, get_flag(fd, SOL_IP, IP_RECVERR));
	EXPECT_EQ(0, get_flag(fd, SOL_IPV6, IPV6_RECVERR));
	ASSERT_EQ(0, set_flag(fd, SOL_IP, IP_RECVERR, 7));
	EXPECT_EQ(1, get_flag(fd, SOL_IP, IP_RECVERR));
	EXPECT_EQ(-1, setsockopt(fd, SOL_IP, IP_RECVERR, &val, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(fd, SOL_IP, IP_RECVERR, NULL, sizeof(val)));
	EXPECT_EQ(EFAULT, errno);
	/* Other IP options are not atcp's. */
	EXPECT_EQ(-1, set_flag(fd, SOL_IP, IP_TOS, 0));
	EXPECT_EQ(ENOPROTOOPT, errno);
	/* An IPv4 socket has no IPv6 options. */
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(-1, set_flag(fd, SOL_IPV6, IPV6_RECVERR, 1));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, get_flag(fd, SOL_IPV6, IPV6_RECVERR));
	EXPECT_EQ(ENOPROTOOPT, errno);
	close(fd);
}

/*
 * As Linux's TCP: an IPv4 error that ends connect() is queued even when
 * the program did not ask, with the quoted TCP header as data.
 */
TEST(refused_ipv4_connect_queues_the_icmp)
{
	struct queued_error q;
	int fd;

	ASSERT_EQ(0, rejecting_netns());
	fd = connect_loopback(AF_INET, PORT_REFUSED, 0);
	ASSERT_LE(0, fd);
	ASSERT_NE(0, wait_for(fd, POLLOUT, 3000));
	read_error(fd, &q);
	ASSERT_LE(8, q.ret) TH_LOG("recvmsg: %s", strerror(errno));
	EXPECT_TRUE(q.flags & MSG_ERRQUEUE);
	EXPECT_EQ(SOL_IP, q.level);
	EXPECT_EQ(IP_RECVERR, q.type);
	EXPECT_EQ(ECONNREFUSED, (int)q.ee.ee_errno);
	EXPECT_EQ(SO_EE_ORIGIN_ICMP, q.ee.ee_origin);
	EXPECT_EQ(3, q.ee.ee_type); /* destination unreachable */
	EXPECT_EQ(3, q.ee.ee_code); /* port unreachable */
	EXPECT_EQ(AF_INET, q.offender.sin.sin_family);
	EXPECT_EQ(htonl(INADDR_LOOPBACK), q.offender.sin.sin_addr.s_addr);
	EXPECT_EQ(sizeof(struct sockaddr_in), q.to_len);
	EXPECT_EQ(htons(PORT_REFUSED), q.to.sin.sin_port);
	/* The quote starts with the SYN's ports. */
	EXPECT_EQ(PORT_REFUSED, q.data[2] << 8 | q.data[3]);
	/* As sock_dequeue_err_skb() does: the error read takes sk_err along. */
	EXPECT_EQ(0, so_error(fd));
	read_error(fd, &q);
	EXPECT_EQ(-1, q.ret);
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

/*
 * A soft error in SYN-SENT (host unreachable, RFC 1122 4.2.3.9) leaves the
 * connect() running: with IP_RECVERR it is queued and poll() shows
 * POLLERR; without, the queue stays empty and SO_ERROR reads it.
 */
TEST(soft_error_is_queued_only_when_asked)
{
	struct queued_error q;
	int asked, unasked;

	ASSERT_EQ(0, rejecting_netns());
	asked = connect_loopback(AF_INET, PORT_UNREACHABLE, 1);
	unasked = connect_loopback(AF_INET, PORT_UNREACHABLE, 0);
	ASSERT_LE(0, asked);
	ASSERT_LE(0, unasked);
	EXPECT_TRUE(wait_for(asked, 0, 3000) & POLLERR);
	read_error(asked, &q);
	ASSERT_LE(8, q.ret) TH_LOG("recvmsg: %s", strerror(errno));
	EXPECT_EQ(EHOSTUNREACH, (int)q.ee.ee_errno);
	EXPECT_EQ(SO_EE_ORIGIN_ICMP, q.ee.ee_origin);
	EXPECT_EQ(3, q.ee.ee_type);
	EXPECT_EQ(1, q.ee.ee_code); /* host unreachable */
	EXPECT_EQ(0, wait_for(unasked, POLLOUT, 200));
	read_error(unasked, &q);
	EXPECT_EQ(-1, q.ret);
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(EHOSTUNREACH, so_error(unasked));
	/* It still waits for the SYN's answer. */
	EXPECT_EQ(0, wait_for(asked, POLLOUT, 200) & POLLOUT);
	close(asked);
	close(unasked);
}

/*
 * IPv6: as Linux's TCP, nothing is queued unless IPV6_RECVERR asks; then
 * the entry is ICMPv6's, with the addresses as sockaddr_in6.
 */
TEST(ipv6_errors_are_queued_when_asked)
{
	struct queued_error q;
	int asked, unasked;

	ASSERT_EQ(0, rejecting_netns());
	asked = connect_loopback(AF_INET6, PORT_REFUSED, 1);
	unasked = connect_loopback(AF_INET6, PORT_REFUSED, 0);
	ASSERT_LE(0, asked);
	ASSERT_LE(0, unasked);
	ASSERT_NE(0, wait_for(asked, POLLOUT, 3000));
	ASSERT_NE(0, wait_for(unasked, POLLOUT, 3000));
	EXPECT_EQ(ECONNREFUSED, so_error(unasked));
	read_error(unasked, &q);
	EXPECT_EQ(-1, q.ret);
	EXPECT_EQ(EAGAIN, errno);

	read_error(asked, &q);
	ASSERT_LE(8, q.ret) TH_LOG("recvmsg: %s", strerror(errno));
	EXPECT_EQ(SOL_IPV6, q.level);
	EXPECT_EQ(IPV6_RECVERR, q.type);
	EXPECT_EQ(ECONNREFUSED, (int)q.ee.ee_errno);
	EXPECT_EQ(SO_EE_ORIGIN_ICMP6, q.ee.ee_origin);
	EXPECT_EQ(1, q.ee.ee_type); /* destination unreachable */
	EXPECT_EQ(4, q.ee.ee_code); /* port unreachable */
	EXPECT_EQ(AF_INET6, q.offender.sin6.sin6_family);
	EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&q.offender.sin6.sin6_addr));
	EXPECT_EQ(sizeof(struct sockaddr_in6), q.to_len);
	EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&q.to.sin6.sin6_addr));
	EXPECT_EQ(htons(PORT_REFUSED), q.to.sin6.sin6_port);
	close(asked);
	close(unasked);
}

/* As Linux: turning IP_RECVERR off drops what waits in the queue. */
TEST(turning_it_off_empties_the_queue)
{
	struct queued_error q;
	int fd;

	ASSERT_EQ(0, rejecting_netns());
	fd = connect_loopback(AF_INET, PORT_UNREACHABLE, 1);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(wait_for(fd, 0, 3000) & POLLERR);
	ASSERT_EQ(0, set_flag(fd, SOL_IP, IP_RECVERR, 0));
	read_error(fd, &q);
	EXPECT_EQ(-1, q.ret);
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

/* An accepted socket inherits the listener's flags, as Linux's does. */
TEST(accepted_sockets_inherit_the_flags)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	int lfd, c, s;

	lfd = socket(atcp_family(), SOCK_STREAM, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, set_flag(lfd, SOL_IP, IP_RECVERR, 1));
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_EQ(0, listen(lfd, 1));
	ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&addr, &len));
	c = socket(atcp_family(), SOCK_STREAM, 0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&addr, sizeof(addr)));
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(1, get_flag(s, SOL_IP, IP_RECVERR));
	EXPECT_EQ(0, get_flag(c, SOL_IP, IP_RECVERR));
	close(s);
	close(c);
	close(lfd);
}

TEST_HARNESS_MAIN
