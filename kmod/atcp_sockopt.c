// SPDX-License-Identifier: GPL-2.0
/*
 * Socket options at IPPROTO_TCP: Linux's numbers, atcp's TCP_NOPUSH and
 * TCP_NOOPT, TCP_CONGESTION by name, TCP_INFO filled from the engine (and
 * an empty TCP_CC_INFO), and
 * SO_KEEPALIVE's hook; at
 * IPPROTO_IP, IP_RECVERR; at IPPROTO_IPV6, IPV6_V6ONLY and IPV6_RECVERR.
 */
#include <linux/in6.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "atcp.h"
#include "atcp_sock.h"

/* Linux's and atcp's option numbers at IPPROTO_TCP, and the engine's. */
static int atcp_option_of(int optname, enum atcp_option *opt)
{
	switch (optname) {
	case TCP_NODELAY:
		*opt = ATCP_OPTION_NODELAY;
		return 0;
	case TCP_MAXSEG:
		*opt = ATCP_OPTION_MAXSEG;
		return 0;
	case TCP_CORK:
		*opt = ATCP_OPTION_CORK;
		return 0;
	case TCP_KEEPIDLE:
		*opt = ATCP_OPTION_KEEPIDLE;
		return 0;
	case TCP_KEEPINTVL:
		*opt = ATCP_OPTION_KEEPINTVL;
		return 0;
	case TCP_KEEPCNT:
		*opt = ATCP_OPTION_KEEPCNT;
		return 0;
	case TCP_USER_TIMEOUT:
		*opt = ATCP_OPTION_USER_TIMEOUT;
		return 0;
	case ATCP_TCP_NOPUSH:
		*opt = ATCP_OPTION_NOPUSH;
		return 0;
	case ATCP_TCP_NOOPT:
		*opt = ATCP_OPTION_NOOPT;
		return 0;
	}
	return -ENOPROTOOPT;
}

/*
 * The IP-level flags atcp keeps: IP_RECVERR; IPV6_V6ONLY and IPV6_RECVERR
 * on a socket that is not IPv4's.  A socket that has not chosen its family
 * yet keeps them for when bind() or connect() chooses IPv6: programs set
 * IPv6 options on sockets of either family and ignore the error.  Other IP
 * and IPv6 options are not atcp's.
 */
static bool *atcp_ip_flag(struct sock *sk, int level, int optname)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (level == SOL_IP)
		return optname == IP_RECVERR ? &as->recverr : NULL;
	if (READ_ONCE(as->family) == AF_INET)
		return NULL;
	if (optname == IPV6_V6ONLY)
		return &as->v6only;
	return optname == IPV6_RECVERR ? &as->recverr6 : NULL;
}

static int atcp_set_ip_flag(struct sock *sk, int level, int optname,
			    sockptr_t optval, unsigned int optlen)
{
	struct atcp_sock *as = atcp_sk(sk);
	bool *flag = atcp_ip_flag(sk, level, optname);
	int val, err = 0;

	if (!flag)
		return -ENOPROTOOPT;
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sk);
	if (flag == &as->v6only && as->bound) {
		err = -EINVAL; /* as Linux: before bind() only */
	} else {
		WRITE_ONCE(*flag, !!val);
		/* As Linux: turning IP_RECVERR off drops what is queued. */
		if (!val && flag != &as->v6only)
			skb_queue_purge(&sk->sk_error_queue);
	}
	release_sock(sk);
	return err;
}

/*
 * TCP_CONGESTION, as Linux's do_tcp_setsockopt() reads it: at most
 * TCP_CA_NAME_MAX - 1 bytes of a name, EINVAL for an empty option, ENOENT
 * for a name no algorithm has.
 */
static int atcp_set_congestion(struct sock *sk, sockptr_t optval,
			       unsigned int optlen)
{
	char name[ATCP_CC_NAME_MAX];
	struct atcp_actions act;
	long len;
	int cc;

	if (optlen < 1)
		return -EINVAL;
	BUILD_BUG_ON(ATCP_CC_NAME_MAX != TCP_CA_NAME_MAX);
	len = strncpy_from_sockptr(name, optval,
				   min_t(long, ATCP_CC_NAME_MAX - 1, optlen));
	if (len < 0)
		return -EFAULT;
	name[len] = '\0';
	cc = atcp_engine_cc_find(name);
	if (cc < 0)
		return -ENOENT;
	lock_sock(sk);
	atcp_engine_setopt(&atcp_sk(sk)->tcb, ATCP_OPTION_CONGESTION, cc,
			   atcp_now_us(), &act);
	if (!atcp_sk(sk)->released)
		atcp_apply(sk, &act, NULL);
	release_sock(sk);
	return 0;
}

int atcp_setsockopt(struct socket *sock, int level, int optname,
		    sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	struct atcp_actions act;
	enum atcp_option opt;
	int val, err;

	if (level == SOL_IP || level == SOL_IPV6)
		return atcp_set_ip_flag(sk, level, optname, optval, optlen);
	if (level != SOL_TCP)
		return -ENOPROTOOPT;
	if (optname == TCP_CONGESTION)
		return atcp_set_congestion(sk, optval, optlen);
	err = atcp_option_of(optname, &opt);
	if (err)
		return err;
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	if (val < 0)
		return -EINVAL;
	lock_sock(sk);
	if (atcp_engine_setopt(&atcp_sk(sk)->tcb, opt, val, atcp_now_us(), &act))
		err = -EINVAL;
	else if (!atcp_sk(sk)->released)
		atcp_apply(sk, &act, NULL);
	release_sock(sk);
	return err;
}

static void atcp_fill_tcp_info(struct sock *sk, struct tcp_info *ti)
{
	struct atcp_conn_info i;

	BUILD_BUG_ON((int)TCP_CA_Recovery != (int)ATCP_CA_RECOVERY ||
		     (int)TCP_CA_Loss != (int)ATCP_CA_LOSS ||
		     (int)TCP_CA_CWR != (int)ATCP_CA_CWR ||
		     (int)TCP_CA_Disorder != (int)ATCP_CA_DISORDER);
	atcp_engine_info(&atcp_sk(sk)->tcb, atcp_now_us(), &i);
	memset(ti, 0, sizeof(*ti));
	ti->tcpi_state = sk->sk_state;
	ti->tcpi_retransmits = i.retransmits;
	ti->tcpi_backoff = i.backoff;
	if (i.timestamps)
		ti->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (i.sack_permitted)
		ti->tcpi_options |= TCPI_OPT_SACK;
	if (i.snd_wscale || i.rcv_wscale) {
		ti->tcpi_options |= TCPI_OPT_WSCALE;
		ti->tcpi_snd_wscale = i.snd_wscale;
		ti->tcpi_rcv_wscale = i.rcv_wscale;
	}
	if (i.ecn)
		ti->tcpi_options |= TCPI_OPT_ECN;
	if (i.ecn_seen)
		ti->tcpi_options |= TCPI_OPT_ECN_SEEN;
	ti->tcpi_ca_state = i.ca_state; /* Linux's numbers */
	ti->tcpi_rto = i.rto_us;
	ti->tcpi_ato = i.ato_us;
	ti->tcpi_snd_mss = i.snd_mss;
	ti->tcpi_rcv_mss = i.rcv_mss;
	ti->tcpi_advmss = i.advmss;
	/* As Linux's icsk_pmtu_cookie: the path MTU the MSS follows. */
	ti->tcpi_pmtu = i.path_mss ? i.path_mss + sizeof(struct tcphdr) +
		(atcp_wire_v4(sk) ? sizeof(struct iphdr) :
				    sizeof(struct ipv6hdr)) : 0;
	/* Linux counts these in segments; the engine in bytes. */
	if (i.snd_mss) {
		ti->tcpi_unacked = DIV_ROUND_UP(i.unacked, i.snd_mss);
		ti->tcpi_sacked = DIV_ROUND_UP(i.sacked, i.snd_mss);
		ti->tcpi_lost = DIV_ROUND_UP(i.lost, i.snd_mss);
		ti->tcpi_retrans = DIV_ROUND_UP(i.retrans_out, i.snd_mss);
	}
	ti->tcpi_reordering = i.reordering;
	ti->tcpi_min_rtt = i.min_rtt_us ? i.min_rtt_us : ~0U; /* Linux's "none" */
	ti->tcpi_delivery_rate = i.delivery_rate;
	ti->tcpi_rtt = i.rtt_us;
	ti->tcpi_rttvar = i.rttvar_us;
	ti->tcpi_snd_cwnd = i.snd_mss ? i.snd_cwnd / i.snd_mss : 0;
	ti->tcpi_snd_ssthresh = i.snd_mss ? min_t(u32, i.snd_ssthresh / i.snd_mss,
						  TCP_INFINITE_SSTHRESH) : 0;
	ti->tcpi_rcv_space = i.rcv_wnd;
	ti->tcpi_total_retrans = i.total_retrans;
	ti->tcpi_last_data_recv = i.last_data_recv_us / 1000;
	ti->tcpi_last_ack_recv = i.last_ack_recv_us / 1000;
	ti->tcpi_bytes_acked = i.bytes_acked;
	ti->tcpi_bytes_received = i.bytes_received;
	ti->tcpi_segs_out = i.segs_out;
	ti->tcpi_segs_in = i.segs_in;
	ti->tcpi_snd_wnd = i.snd_wnd;
}

int atcp_getsockopt(struct socket *sock, int level, int optname,
		    char __user *optval, int __user *optlen)
{
	char congestion[TCP_CA_NAME_MAX] = "";
	struct sock *sk = sock->sk;
	enum atcp_option opt;
	struct tcp_info ti;
	int len, val;

	if (level != SOL_TCP && level != SOL_IP && level != SOL_IPV6)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (level != SOL_TCP) {
		bool *flag = atcp_ip_flag(sk, level, optname);

		if (!flag)
			return -ENOPROTOOPT;
		val = READ_ONCE(*flag);
		goto put_int;
	}

	switch (optname) {
	case TCP_INFO:
		lock_sock(sk);
		atcp_fill_tcp_info(sk, &ti);
		release_sock(sk);
		len = min_t(int, len, sizeof(ti));
		if (put_user(len, optlen) || copy_to_user(optval, &ti, len))
			return -EFAULT;
		return 0;
	case TCP_CC_INFO:
		/*
		 * As Linux's for cubic and reno, which have no get_info(): no
		 * algorithm-specific information, so nothing is copied.
		 */
		return put_user(0, optlen) ? -EFAULT : 0;
	case TCP_CONGESTION:
		/* The name in TCP_CA_NAME_MAX bytes, NUL-padded, as Linux. */
		lock_sock(sk);
		val = atcp_engine_getopt(&atcp_sk(sk)->tcb,
					 ATCP_OPTION_CONGESTION);
		release_sock(sk);
		strscpy(congestion, atcp_engine_cc_name(val), sizeof(congestion));
		len = min_t(int, len, TCP_CA_NAME_MAX);
		if (put_user(len, optlen) || copy_to_user(optval, congestion, len))
			return -EFAULT;
		return 0;
	}
	if (atcp_option_of(optname, &opt))
		return -ENOPROTOOPT;
	lock_sock(sk);
	val = atcp_engine_getopt(&atcp_sk(sk)->tcb, opt);
	release_sock(sk);
put_int:
	/* A short buffer takes the value's first bytes, as Linux and BSD give. */
	len = min_t(int, len, sizeof(int));
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

/* SO_KEEPALIVE, from sock_setsockopt() with the socket locked. */
void atcp_keepalive(struct sock *sk, int valbool)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_actions act;

	atcp_engine_setopt(&as->tcb, ATCP_OPTION_KEEPALIVE, valbool,
			   atcp_now_us(), &act);
	if (!as->released)
		atcp_apply(sk, &act, NULL);
}
