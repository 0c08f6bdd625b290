// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "atcp": a dump of the sockets, the counters
 * and a multicast group of connection events, each in the caller's network
 * namespace.  What a record shows is what ss(8) shows any user for TCP.
 */
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "atcp.h"
#include "atcp_sock.h"
#include "atcp_syncache.h"
#include "atcp_timewait.h"

/* Sockets taken from the tables at a time, as inet_diag does. */
#define ATCP_DUMP_BATCH 16

enum atcp_mcgrp { ATCP_MCGRP_EVENTS };

static const struct genl_multicast_group atcp_mcgrps[] = {
	[ATCP_MCGRP_EVENTS] = { .name = ATCP_GENL_MCGRP_EVENTS },
};

/*
 * The core checks requests against these: an unknown or mistyped attribute
 * is EINVAL, a value out of range (port 0, a state past the enum, a flag
 * with a payload) ERANGE, each with an extended ack message.  No
 * validation functions: 6.1's policy dump in the error reply misreads them.
 */
static const struct nla_policy atcp_sock_get_policy[ATCP_A_MAX + 1] = {
	[ATCP_A_FILTER_STATES] =
		NLA_POLICY_MASK(NLA_U32, (1U << ATCP_STATE_COUNT) - 1),
	[ATCP_A_FILTER_LOCAL_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[ATCP_A_FILTER_REMOTE_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[ATCP_A_FILTER_LISTENERS] = { .type = NLA_FLAG },
	[ATCP_A_WANT_INFO] = { .type = NLA_FLAG },
};

static struct genl_family atcp_genl_family;

/* Listeners: connections accepted by the engine, waiting for accept(). */
static u32 atcp_accept_queue_len(struct atcp_sock *as)
{
	struct list_head *p;
	u32 n = 0;

	spin_lock_bh(&as->accept_lock);
	list_for_each(p, &as->accept_queue)
		n++;
	spin_unlock_bh(&as->accept_lock);
	return n;
}

static u32 atcp_options_in_effect(const struct atcp_tcb *tcb,
				  const struct atcp_conn_info *info)
{
	static const struct {
		enum atcp_option opt;
		u32 bit;
	} user_options[] = {
		{ ATCP_OPTION_NODELAY, ATCP_SOCKOPT_NODELAY },
		{ ATCP_OPTION_NOPUSH, ATCP_SOCKOPT_NOPUSH },
		{ ATCP_OPTION_NOOPT, ATCP_SOCKOPT_NOOPT },
		{ ATCP_OPTION_CORK, ATCP_SOCKOPT_CORK },
		{ ATCP_OPTION_KEEPALIVE, ATCP_SOCKOPT_KEEPALIVE },
	};
	u32 bits = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(user_options); i++)
		if (atcp_engine_getopt(tcb, user_options[i].opt))
			bits |= user_options[i].bit;
	if (info->window_scale)
		bits |= ATCP_SOCKOPT_WSCALE;
	if (info->timestamps)
		bits |= ATCP_SOCKOPT_TIMESTAMPS;
	if (info->sack_permitted)
		bits |= ATCP_SOCKOPT_SACK;
	return bits;
}

/* ATCP_A_SOCK_ECN: the engine's two flags, as tcpi_options carries them. */
static u8 atcp_ecn_bits(const struct atcp_conn_info *info)
{
	return (info->ecn ? ATCP_SOCK_ECN_AGREED : 0) |
	       (info->ecn_seen ? ATCP_SOCK_ECN_SEEN : 0);
}

/* The connection's figures, from the engine. */
static int atcp_fill_conn(struct sk_buff *msg, struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_conn_info info;
	const char *cc;

	atcp_engine_info(&as->tcb, atcp_now_us(), &info);
	cc = atcp_engine_cc_name(atcp_engine_getopt(&as->tcb,
						    ATCP_OPTION_CONGESTION));
	if (nla_put_u8(msg, ATCP_A_SOCK_TIMER, info.timer) ||
	    nla_put_u32(msg, ATCP_A_SOCK_TIMER_MS,
			DIV_ROUND_UP_ULL(info.timer_in_us, USEC_PER_MSEC)) ||
	    nla_put_u32(msg, ATCP_A_SOCK_OPTIONS,
			atcp_options_in_effect(&as->tcb, &info)) ||
	    nla_put_u32(msg, ATCP_A_SOCK_MSS, info.snd_mss) ||
	    nla_put_u8(msg, ATCP_A_SOCK_SND_WSCALE, info.snd_wscale) ||
	    nla_put_u8(msg, ATCP_A_SOCK_RCV_WSCALE, info.rcv_wscale) ||
	    nla_put_u32(msg, ATCP_A_SOCK_RTT_US, info.rtt_us) ||
	    nla_put_u32(msg, ATCP_A_SOCK_RTTVAR_US, info.rttvar_us) ||
	    nla_put_u32(msg, ATCP_A_SOCK_RTO_US, info.rto_us) ||
	    nla_put_u32(msg, ATCP_A_SOCK_CWND, info.snd_cwnd) ||
	    nla_put_u32(msg, ATCP_A_SOCK_SSTHRESH, info.snd_ssthresh) ||
	    nla_put_u32(msg, ATCP_A_SOCK_RETRANSMITS, info.total_retrans) ||
	    nla_put_u64_64bit(msg, ATCP_A_SOCK_BYTES_ACKED, info.bytes_acked,
			      ATCP_A_PAD) ||
	    nla_put_u64_64bit(msg, ATCP_A_SOCK_BYTES_RECEIVED,
			      info.bytes_received, ATCP_A_PAD) ||
	    nla_put_string(msg, ATCP_A_SOCK_CC, cc) ||
	    nla_put_u8(msg, ATCP_A_SOCK_ECN, atcp_ecn_bits(&info)) ||
	    nla_put_u32(msg, ATCP_A_SOCK_SACKED, info.sacked) ||
	    nla_put_u32(msg, ATCP_A_SOCK_LOST, info.lost) ||
	    nla_put_u32(msg, ATCP_A_SOCK_RETRANS_OUT, info.retrans_out) ||
	    nla_put_u32(msg, ATCP_A_SOCK_REORDERING, info.reordering) ||
	    nla_put_u32(msg, ATCP_A_SOCK_MIN_RTT_US, info.min_rtt_us) ||
	    nla_put_u64_64bit(msg, ATCP_A_SOCK_DELIVERY_RATE,
			      info.delivery_rate, ATCP_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* The family and addresses as the socket's user sees them. */
static int atcp_put_addrs(struct sk_buff *msg, struct sock *sk)
{
	if (atcp_sk(sk)->family == AF_INET6)
		return nla_put_u8(msg, ATCP_A_SOCK_FAMILY, AF_INET6) ||
		       nla_put_in6_addr(msg, ATCP_A_SOCK_LOCAL_ADDR,
					&sk->sk_v6_rcv_saddr) ||
		       nla_put_in6_addr(msg, ATCP_A_SOCK_REMOTE_ADDR,
					&sk->sk_v6_daddr);
	return nla_put_u8(msg, ATCP_A_SOCK_FAMILY, AF_INET) ||
	       nla_put_in_addr(msg, ATCP_A_SOCK_LOCAL_ADDR, sk->sk_rcv_saddr) ||
	       nla_put_in_addr(msg, ATCP_A_SOCK_REMOTE_ADDR, sk->sk_daddr);
}

/* ss -m's skmem, as Linux's sk_get_meminfo() reads it (not exported). */
static int atcp_put_skmem(struct sk_buff *msg, const struct sock *sk)
{
	u32 mem[ATCP_SKMEM_COUNT];

	mem[ATCP_SKMEM_RMEM_ALLOC] = sk_rmem_alloc_get(sk);
	mem[ATCP_SKMEM_RCVBUF] = READ_ONCE(sk->sk_rcvbuf);
	mem[ATCP_SKMEM_WMEM_ALLOC] = sk_wmem_alloc_get(sk);
	mem[ATCP_SKMEM_SNDBUF] = READ_ONCE(sk->sk_sndbuf);
	mem[ATCP_SKMEM_FWD_ALLOC] = READ_ONCE(sk->sk_forward_alloc);
	mem[ATCP_SKMEM_WMEM_QUEUED] = READ_ONCE(sk->sk_wmem_queued);
	mem[ATCP_SKMEM_OPTMEM] = atomic_read(&sk->sk_omem_alloc);
	mem[ATCP_SKMEM_BACKLOG] = READ_ONCE(sk->sk_backlog.len);
	mem[ATCP_SKMEM_DROPS] = atomic_read(&sk->sk_drops);
	return nla_put(msg, ATCP_A_SOCK_SKMEM, sizeof(mem), mem);
}

/*
 * A socket record, with the connection's figures when info; the caller
 * holds the socket's lock, as owner or in BH.
 */
static int atcp_fill_sock(struct sk_buff *msg, struct sock *sk,
			  struct user_namespace *user_ns, bool info)
{
	struct atcp_sock *as = atcp_sk(sk);
	bool listening = sk->sk_state == TCP_LISTEN;

	if (atcp_put_addrs(msg, sk) ||
	    nla_put_u8(msg, ATCP_A_SOCK_STATE, atcp_engine_state(&as->tcb)) ||
	    nla_put_u16(msg, ATCP_A_SOCK_LOCAL_PORT, sk->sk_num) ||
	    nla_put_u16(msg, ATCP_A_SOCK_REMOTE_PORT, ntohs(sk->sk_dport)) ||
	    nla_put_u64_64bit(msg, ATCP_A_SOCK_INODE, sock_i_ino(sk),
			      ATCP_A_PAD) ||
	    nla_put_u32(msg, ATCP_A_SOCK_UID,
			from_kuid_munged(user_ns, sock_i_uid(sk))) ||
	    nla_put_u32(msg, ATCP_A_SOCK_RECV_Q, as->rcv_unread) ||
	    nla_put_u32(msg, ATCP_A_SOCK_SEND_Q, as->snd_bytes) ||
	    atcp_put_skmem(msg, sk))
		return -EMSGSIZE;
	if (listening)
		return nla_put_u32(msg, ATCP_A_SOCK_ACCEPT_Q,
				   atcp_accept_queue_len(as)) ||
			       nla_put_u32(msg, ATCP_A_SOCK_ACCEPT_MAX,
					   READ_ONCE(sk->sk_max_ack_backlog)) ||
			       nla_put_u32(msg, ATCP_A_SOCK_SYN_Q,
					   READ_ONCE(as->nsyn) +
					   READ_ONCE(as->nentries)) ?
			       -EMSGSIZE : 0;
	return info ? atcp_fill_conn(msg, sk) : 0;
}

struct atcp_sock_filter {
	u32 states; /* bits of enum atcp_state */
	u16 local_port;
	u16 remote_port;
	bool info; /* not a filter: the records carry the figures */
};

static bool atcp_filter_matches(const struct atcp_sock_filter *f,
				enum atcp_state state, u16 local_port,
				__be16 remote_port)
{
	return (f->states & BIT(state)) &&
	       (!f->local_port || f->local_port == local_port) &&
	       (!f->remote_port || f->remote_port == ntohs(remote_port));
}

static bool atcp_filter_wants(const struct sock *sk, const void *arg)
{
	return atcp_filter_matches(arg, atcp_engine_state(&atcp_sk(sk)->tcb),
				   READ_ONCE(sk->sk_num),
				   READ_ONCE(sk->sk_dport));
}

static void atcp_filter_parse(struct nlattr **attrs, struct atcp_sock_filter *f)
{
	f->states = (1U << ATCP_STATE_COUNT) - 1;
	if (attrs[ATCP_A_FILTER_STATES])
		f->states = nla_get_u32(attrs[ATCP_A_FILTER_STATES]);
	if (attrs[ATCP_A_FILTER_LISTENERS])
		f->states &= BIT(ATCP_LISTEN);
	f->local_port = attrs[ATCP_A_FILTER_LOCAL_PORT] ?
		nla_get_u16(attrs[ATCP_A_FILTER_LOCAL_PORT]) : 0;
	f->remote_port = attrs[ATCP_A_FILTER_REMOTE_PORT] ?
		nla_get_u16(attrs[ATCP_A_FILTER_REMOTE_PORT]) : 0;
	f->info = attrs[ATCP_A_WANT_INFO];
}

/* A dump's state between calls, in the callback's ctx (zeroed at start). */
struct atcp_dump_ctx {
	struct atcp_dump_pos pos;
	struct atcp_sock_filter filter;
};

static struct atcp_dump_ctx *atcp_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct atcp_dump_ctx) > sizeof(cb->ctx));
	return (struct atcp_dump_ctx *)cb->ctx;
}

/* The filters combine: listeners only with other states matches nothing. */
static int atcp_sock_dump_start(struct netlink_callback *cb)
{
	atcp_filter_parse(atcp_genl_dump_attrs(cb),
			  &atcp_dump_ctx(cb)->filter);
	return 0;
}

/* One message for one socket; -EMSGSIZE when it no longer fits. */
static int atcp_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			 struct sock *sk, bool info)
{
	struct user_namespace *user_ns = sk_user_ns(NETLINK_CB(cb->skb).sk);
	bool slow;
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &atcp_genl_family, NLM_F_MULTI, ATCP_CMD_SOCK_GET);
	if (!hdr)
		return -EMSGSIZE;
	/* Usually no owner: the spinlock alone, without the owner dance. */
	slow = lock_sock_fast(sk);
	err = atcp_fill_sock(skb, sk, user_ns, info);
	unlock_sock_fast(sk, slow);
	if (err) {
		genlmsg_cancel(skb, hdr);
		return err;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * A connection without a socket of its own: a TIME-WAIT or SYN cache
 * entry, as the dump shows one.
 */
struct atcp_entry_view {
	u8 family; /* as the socket's user saw it */
	enum atcp_state state;
	const struct in6_addr *laddr; /* IPv4 ones v4-mapped */
	const struct in6_addr *raddr;
	u16 lport;
	__be16 rport;
	enum atcp_timer timer;
	u32 timer_ms;
};

/*
 * An entry's record: what a socket's says of its addresses and state, no
 * owner, empty queues, and with info its timer.
 */
static int atcp_fill_entry(struct sk_buff *msg, const struct atcp_entry_view *v,
			   bool info)
{
	int err;

	if (v->family == AF_INET6)
		err = nla_put_u8(msg, ATCP_A_SOCK_FAMILY, AF_INET6) ||
		      nla_put_in6_addr(msg, ATCP_A_SOCK_LOCAL_ADDR, v->laddr) ||
		      nla_put_in6_addr(msg, ATCP_A_SOCK_REMOTE_ADDR, v->raddr);
	else
		err = nla_put_u8(msg, ATCP_A_SOCK_FAMILY, AF_INET) ||
		      nla_put_in_addr(msg, ATCP_A_SOCK_LOCAL_ADDR,
				      v->laddr->s6_addr32[3]) ||
		      nla_put_in_addr(msg, ATCP_A_SOCK_REMOTE_ADDR,
				      v->raddr->s6_addr32[3]);
	if (err || nla_put_u8(msg, ATCP_A_SOCK_STATE, v->state) ||
	    nla_put_u16(msg, ATCP_A_SOCK_LOCAL_PORT, v->lport) ||
	    nla_put_u16(msg, ATCP_A_SOCK_REMOTE_PORT, ntohs(v->rport)) ||
	    nla_put_u64_64bit(msg, ATCP_A_SOCK_INODE, 0, ATCP_A_PAD) ||
	    nla_put_u32(msg, ATCP_A_SOCK_UID, 0) ||
	    nla_put_u32(msg, ATCP_A_SOCK_RECV_Q, 0) ||
	    nla_put_u32(msg, ATCP_A_SOCK_SEND_Q, 0))
		return -EMSGSIZE;
	if (info && (nla_put_u8(msg, ATCP_A_SOCK_TIMER, v->timer) ||
		     nla_put_u32(msg, ATCP_A_SOCK_TIMER_MS, v->timer_ms)))
		return -EMSGSIZE;
	return 0;
}

struct atcp_entry_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	const struct atcp_sock_filter *filter;
};

/* One message for one entry; -EMSGSIZE when it no longer fits. */
static int atcp_dump_entry(const struct atcp_entry_dump *d,
			   const struct atcp_entry_view *v)
{
	void *hdr;

	if (!atcp_filter_matches(d->filter, v->state, v->lport, v->rport))
		return 0;
	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &atcp_genl_family,
			  NLM_F_MULTI, ATCP_CMD_SOCK_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (atcp_fill_entry(d->skb, v, d->filter->info)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

static int atcp_dump_tw(const struct atcp_tw *tw, void *arg)
{
	const struct atcp_entry_view v = {
		.family = tw->family,
		.state = ATCP_TIME_WAIT,
		.laddr = &tw->laddr,
		.raddr = &tw->raddr,
		.lport = tw->lport,
		.rport = tw->rport,
		.timer = ATCP_TIMER_CLOSE,
		.timer_ms = atcp_tw_timer_ms(tw),
	};

	return atcp_dump_entry(arg, &v);
}

/* A SYN cache entry, in the family of its listener's socket. */
static struct atcp_entry_view atcp_syn_view(const struct atcp_syn *e)
{
	return (struct atcp_entry_view){
		.family = READ_ONCE(atcp_sk(e->listener)->family),
		.state = ATCP_SYN_RECEIVED,
		.laddr = &e->laddr,
		.raddr = &e->raddr,
		.lport = e->listener->sk_num,
		.rport = e->rport,
		.timer = ATCP_TIMER_RETRANSMIT,
		.timer_ms = atcp_syn_timer_ms(e),
	};
}

static int atcp_dump_syn(const struct atcp_syn *e, void *arg)
{
	const struct atcp_entry_view v = atcp_syn_view(e);

	return atcp_dump_entry(arg, &v);
}

/* The sockets of both tables, then the TIME-WAIT and SYN cache entries. */
static int atcp_sock_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct atcp_dump_ctx *ctx = atcp_dump_ctx(cb);
	struct atcp_dump_pos *pos = &ctx->pos;
	struct net *net = sock_net(skb->sk);
	struct atcp_entry_dump d = { skb, cb, &ctx->filter };
	struct sock *batch[ATCP_DUMP_BATCH];
	int n, i, done;

	for (;;) {
		struct atcp_dump_pos start;

		n = atcp_hash_collect(net, pos, &start, batch,
				      ARRAY_SIZE(batch), atcp_filter_wants,
				      &ctx->filter);
		if (!n)
			break;
		for (done = 0; done < n; done++)
			if (atcp_dump_one(skb, cb, batch[done],
					  ctx->filter.info))
				break;
		for (i = 0; i < n; i++)
			sock_put(batch[i]);
		if (done < n) {
			/* Full: the next call starts with the first left out. */
			*pos = start;
			pos->skip += done;
			return skb->len;
		}
	}
	if (pos->table == 2) {
		if (atcp_hash_tw_walk(net, pos, atcp_dump_tw, &d))
			return skb->len;
		pos->table = 3;
		pos->bucket = 0;
		pos->skip = 0;
	}
	if (pos->table == 3)
		atcp_syn_walk(net, pos, atcp_dump_syn, &d);
	return skb->len;
}

static int atcp_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct nlattr *nest;
	struct sk_buff *msg;
	bool pressure;
	long pages;
	void *hdr;
	int i;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &atcp_genl_family, 0,
				ATCP_CMD_STATS_GET);
	if (!hdr)
		goto too_big;
	nest = nla_nest_start(msg, ATCP_A_STATS);
	if (!nest)
		goto too_big;
	for (i = 0; i < ATCP_MIB_COUNT; i++)
		if (nla_put_u64_64bit(msg, ATCP_STATS_A(i),
				      atcp_mib_read(net, i), ATCP_STATS_A_PAD))
			goto too_big;
	nla_nest_end(msg, nest);
	pages = atcp_mem_pages(&pressure);
	if (nla_put_u64_64bit(msg, ATCP_A_MEM_PAGES, pages, ATCP_A_PAD) ||
	    nla_put_u8(msg, ATCP_A_MEM_PRESSURE, pressure) ||
	    nla_put_u32(msg, ATCP_A_ORPHANS, atcp_orphans()) ||
	    nla_put_u32(msg, ATCP_A_TIME_WAIT, atcp_net_time_wait(net)))
		goto too_big;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops atcp_genl_ops[] = {
	{
		.cmd = ATCP_CMD_SOCK_GET,
		.start = atcp_sock_dump_start,
		.dumpit = atcp_sock_dump,
		.policy = atcp_sock_get_policy,
		.maxattr = ATCP_A_MAX,
	},
	{
		/* No policy: any attribute is refused. */
		.cmd = ATCP_CMD_STATS_GET,
		.doit = atcp_stats_get,
	},
};

static struct genl_family atcp_genl_family __ro_after_init = {
	.name = ATCP_GENL_NAME,
	.version = ATCP_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = atcp_genl_ops,
	.n_ops = ARRAY_SIZE(atcp_genl_ops),
	.resv_start_op = ATCP_CMD_SOCK_GET,
	.mcgrps = atcp_mcgrps,
	.n_mcgrps = ARRAY_SIZE(atcp_mcgrps),
};

/*
 * A message for the events group, or NULL while nobody listens (at no
 * cost then) or when memory is short.  From any context.
 */
static struct sk_buff *atcp_event_new(struct net *net, enum atcp_event event,
				      void **hdr)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&atcp_genl_family, net, ATCP_MCGRP_EVENTS))
		return NULL;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &atcp_genl_family, 0, ATCP_CMD_EVENT);
	if (!*hdr || nla_put_u8(msg, ATCP_A_EVENT, event)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Sends msg unless filling its record failed (err). */
static void atcp_event_send(struct net *net, struct sk_buff *msg, void *hdr,
			    int err)
{
	if (err) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&atcp_genl_family, net, msg, 0,
				ATCP_MCGRP_EVENTS, GFP_ATOMIC);
}

/* Tells the events group what happened to sk, whose lock the caller holds. */
void atcp_genl_event(struct sock *sk, enum atcp_event event)
{
	struct net *net = sock_net(sk);
	struct sk_buff *msg;
	void *hdr;

	msg = atcp_event_new(net, event, &hdr);
	if (msg)
		atcp_event_send(net, msg, hdr,
				atcp_fill_sock(msg, sk, net->user_ns, true));
}

/*
 * Tells the events group that SYN cache entry e ended (event: reset or
 * closed) without becoming a socket, as a half-open socket's end is told.
 * Under its listener's lock.
 */
void atcp_genl_syn_event(const struct atcp_syn *e, enum atcp_event event)
{
	struct atcp_entry_view v = atcp_syn_view(e);
	struct net *net = sock_net(e->listener);
	struct sk_buff *msg;
	void *hdr;

	v.state = ATCP_CLOSED;
	v.timer = ATCP_TIMER_NONE;
	v.timer_ms = 0;
	msg = atcp_event_new(net, event, &hdr);
	if (msg)
		atcp_event_send(net, msg, hdr, atcp_fill_entry(msg, &v, true));
}

int __init atcp_genl_init(void)
{
	return genl_register_family(&atcp_genl_family);
}

void atcp_genl_exit(void)
{
	genl_unregister_family(&atcp_genl_family);
}
