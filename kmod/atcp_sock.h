/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An atcp socket: a struct sock carrying the engine's control block, and the
 * glue that carries out the engine's actions with skbs, timers and wait
 * queues.
 *
 * Calls flow one way:
 *   socket calls (atcp_sock.c, atcp_stream.c, atcp_sockopt.c)
 *     -> connection (atcp_conn.c) -> actions (atcp_actions.c)
 *     -> output (atcp_output.c)
 *   input (atcp_input.c, atcp_icmp.c) -> connection
 * Each level calls the engine for its events and only the levels below it;
 * the tables (atcp_hash.c), counters and sysctls (atcp_net.c), netlink
 * events (atcp_genl.c) and the error queue (atcp_errqueue.c) are leaves any
 * level may use.
 *
 * Locks, outermost first:
 *   1. The socket lock, owned by a process (lock_sock()) or held as its
 *      spinlock in softirq (bh_lock_sock()).  It protects the TCB and all
 *      the connection's fields below unless a field says otherwise.  A
 *      segment or ICMP error that finds the socket owned waits on its
 *      backlog; a timer that finds it owned is deferred to release_cb
 *      (atcp_release_cb()), as TCP's are.  A listener's lock may be held
 *      while a child's is taken (bh_lock_sock_nested()), never the reverse;
 *      only a child's owner, running its backlog without the spinlock, may
 *      take a listener's spinlock (atcp_redispatch()): no one waits for a
 *      socket's ownership while holding a spinlock.
 *   2. A listener's accept_lock: its child queues and each child's link to
 *      it (the accept_lock group below).  Taken with bottom halves off
 *      inside any socket lock, and by a child that holds its own.
 *   3. A table bucket's lock (atcp_hash.c): the bind and established
 *      chains; readers walk them under RCU.
 * Fields read without the socket lock (ioctl, getname, the dump, a
 * listener's SYN) are written with WRITE_ONCE and read with READ_ONCE.
 *
 * References:
 *   - the connection's, from sk_alloc(), dropped by atcp_conn_destroy()
 *     once the engine released the connection and no file refers to it
 *     (orphan);
 *   - an armed timer's (sk_reset_timer()), and a deferred timer's until
 *     release_cb runs it;
 *   - a child's on its listener while it is queued on syn_queue or
 *     accept_queue;
 *   - lookups (input, ICMP, the dump) take one with refcount_inc_not_zero()
 *     under RCU: a bound or hashed socket is freed only after a grace
 *     period (SOCK_RCU_FREE).
 */

#ifndef _ATCP_SOCK_H
#define _ATCP_SOCK_H

#include <linux/list.h>
#include <linux/skbuff.h>
#include <linux/timer.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include <atcp/engine.h>

#include "compat.h"

struct atcp_sock {
	/*
	 * First: sk_alloc() sizes the object from proto.  Linux's IP output
	 * paths read inet_sk() and inet6_sk() of any socket they are given,
	 * so an atcp socket carries a zeroed inet_sock: no IPv6 or IP options,
	 * no transparent or header-included flags.
	 */
	union {
		struct sock sk;
		struct inet_sock inet;
	};
	struct atcp_tcb tcb;

	/* The bucket lock and the socket lock (writers); RCU (readers). */
	struct hlist_node bind_node; /* bind table, by local port */
	struct hlist_node estab_node; /* established table, by 4-tuple */
	bool bound; /* WRITE_ONCE: the dump reads it */
	bool hashed;

	bool released; /* the engine let go: unhashed, timer stopped */
	bool orphan; /* no socket file: freed once released; see accept_lock */
	/* on the orphans list (atcp_mem.c), under its lock, once closed */
	struct list_head orphan_node;
	bool more_corked; /* TCP_CORK set by a send with MSG_MORE */
	u8 family; /* AF_INET or AF_INET6 once chosen; WRITE_ONCE */
	bool v6only; /* IPV6_V6ONLY: an IPv6 wildcard takes no IPv4; WRITE_ONCE */
	bool recverr; /* IP_RECVERR: ICMP errors to the error queue; WRITE_ONCE */
	bool recverr6; /* IPV6_RECVERR, the same for ICMPv6; WRITE_ONCE */
	u32 dst_cookie; /* validates an IPv6 route cached in sk_dst_cache */

	struct timer_list timer; /* the engine's next deadline */
	unsigned long deferred; /* atomic bits: ATCP_TIMER_DEFERRED */
	struct sk_buff_head ooo; /* payload held out of order, by sequence */
	u32 rcv_seq; /* sequence number of the next byte the receive queue takes */
	u32 snd_head; /* bytes of the write queue's first skb already acknowledged */
	u32 snd_bytes; /* bytes in the write queue from snd_head on; WRITE_ONCE */
	u32 rcv_unread; /* bytes in the receive queue not yet read; WRITE_ONCE */

	/*
	 * A listener's children not accepted yet: connecting ones, and
	 * established ones ready for accept().  accept_lock guards both lists,
	 * accepting and nchildren, and every child's child_node, parent and
	 * orphan fields; it nests inside any socket lock.  A child on a list
	 * holds a reference on its listener; the listener's teardown and
	 * accept() unlink a child and clear its parent under accept_lock, so
	 * no list is ever walked without it.  A listener is freed only after
	 * an RCU grace period (it is bound: SOCK_RCU_FREE), so a child that
	 * read its parent under rcu_read_lock() may take its accept_lock.
	 * nchildren and nsyn are read without it (a SYN's quick check):
	 * WRITE_ONCE.
	 */
	spinlock_t accept_lock;
	struct list_head syn_queue;
	struct list_head accept_queue;
	bool accepting; /* takes new children: from listen() to teardown */
	u32 nchildren; /* on either list */
	u32 nsyn; /* on syn_queue */
	struct list_head child_node;
	struct atcp_sock *parent;
	bool syn_queued; /* a child: child_node is on syn_queue, not accept_queue */
	/*
	 * A listener: jiffies when it last sent a SYN cookie, and whether it
	 * ever did; an ACK is checked for a cookie only within the cookie's
	 * life after (Linux's tcp_synq_no_recent_overflow).  The listener's
	 * socket lock or softirq; READ_ONCE/WRITE_ONCE.
	 */
	unsigned long cookie_sent;
	bool cookies_sent;
	/*
	 * A listener's half-open connections kept as SYN cache entries
	 * (atcp_syncache.c), and their number: the listener's socket lock;
	 * nentries is read without it (a SYN's quick check): WRITE_ONCE.
	 */
	struct hlist_head syn_entries;
	u32 nentries;
};

/* Bits of atcp_sock.deferred: work a process's release_sock() runs. */
enum {
	ATCP_TIMER_DEFERRED, /* the timer fired while a process owned the socket */
};

/*
 * A received skb's payload, once its TCP header is pulled: the bytes not yet
 * read are [off, off + len) of its data.  Keeping the window here rather
 * than trimming the skb needs no allocation for the paged or cloned skbs
 * Linux peers and packet taps hand over.  seq numbers the first of them
 * while the skb is held out of order.
 */
struct atcp_skb_cb {
	u32 seq;
	u32 off;
	u32 len;
	bool uncharged; /* taken past net.atcp.mem's maximum: atcp_mem_admit() */
};

static inline struct atcp_skb_cb *atcp_skb_cb(const struct sk_buff *skb)
{
	return (struct atcp_skb_cb *)skb->cb;
}

static inline struct atcp_sock *atcp_sk(const struct sock *sk)
{
	return (struct atcp_sock *)sk;
}

/* Sets the local address, v4-mapped for IPv4, in both of sock's forms. */
static inline void atcp_set_local_addr(struct sock *sk,
				       const struct in6_addr *addr)
{
	sk->sk_v6_rcv_saddr = *addr;
	sk->sk_rcv_saddr = ipv6_addr_v4mapped(addr) ? addr->s6_addr32[3] : 0;
}

static inline void atcp_set_remote_addr(struct sock *sk,
					const struct in6_addr *addr)
{
	sk->sk_v6_daddr = *addr;
	sk->sk_daddr = ipv6_addr_v4mapped(addr) ? addr->s6_addr32[3] : 0;
}

/* Whether the connection's segments travel in IPv4. */
static inline bool atcp_wire_v4(const struct sock *sk)
{
	return ipv6_addr_v4mapped(&sk->sk_v6_daddr);
}

/* The engine's clock: microseconds, monotonic. */
static inline u64 atcp_now_us(void)
{
	return ktime_get_ns() / NSEC_PER_USEC;
}

/* Where a socket dump goes on from: the table, the bucket, sockets done. */
struct atcp_dump_pos {
	long table;
	long bucket;
	long skip;
};

typedef bool (*atcp_want_fn)(const struct sock *sk, const void *arg);

/*
 * Frees an skb of the send queue, which was charged to the socket's send
 * buffer and to the protocol's memory (atcp_append()).
 */
static inline void atcp_wmem_free_skb(struct sock *sk, struct sk_buff *skb)
{
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
}

/* atcp_mem.c */
int atcp_mem_init(struct proto *prot);
void atcp_mem_exit(void);
long atcp_mem_pages(bool *pressure);
bool atcp_mem_admit(struct sock *sk, struct sk_buff *skb,
		    const struct atcp_tcp_header *h);
void atcp_mem_set_owner_r(struct sk_buff *skb, struct sock *sk);
/*
 * Whether a connection closed by its process counts as an orphan in this
 * state: as in Linux's count, not in FIN-WAIT-2 or TIME-WAIT, which Linux
 * keeps as timewait sockets (tcp_time_wait()), only while our FIN is
 * unacknowledged or the peer's FIN is owed its ACK.
 */
static inline bool atcp_orphan_state(int state)
{
	return state != TCP_FIN_WAIT2 && state != TCP_TIME_WAIT &&
	       state != TCP_CLOSE;
}

void atcp_orphan_add(struct sock *sk);
void atcp_orphan_del(struct sock *sk);
unsigned int atcp_orphans(void);

/* atcp_hash.c */
int atcp_hash_init(void);
void atcp_hash_exit(void);
unsigned int atcp_hash_estab_buckets(void);
int atcp_bind_port(struct sock *sk, const struct in6_addr *addr, u16 port);
struct atcp_uaddr;
int atcp_bind_for_connect(struct sock *sk, const struct in6_addr *saddr,
			  const struct atcp_uaddr *peer);
void atcp_unbind(struct sock *sk);
int atcp_hash_connection(struct sock *sk);
int atcp_hash_connect(struct sock *sk);
void atcp_unhash_connection(struct sock *sk);
struct sock *atcp_lookup(struct net *net, const struct in6_addr *saddr,
			 __be16 sport, const struct in6_addr *daddr,
			 __be16 dport);
int atcp_listen_start(struct sock *sk);
int atcp_hash_collect(struct net *net, struct atcp_dump_pos *pos,
		      struct atcp_dump_pos *from, struct sock **sks, int n,
		      atcp_want_fn want, const void *arg);

/* atcp_output.c */

/*
 * Segments kept to leave together as one GSO skb: the first, and how many
 * bytes and segments follow it in sequence.  A caller's local, flushed
 * before the send queue's head moves and before the caller returns.
 */
struct atcp_xmit_batch {
	struct atcp_out_segment first;
	u32 len; /* data bytes of all segments */
	u16 segs;
	u8 last_flags; /* PSH and FIN of the last segment */
	u16 max_segs; /* the route's device's GSO limits; 1: no GSO */
	u32 max_len;
};

void atcp_xmit(struct sock *sk, struct atcp_xmit_batch *b,
	       const struct atcp_out_segment *seg);
void atcp_xmit_flush(struct sock *sk, struct atcp_xmit_batch *b);
bool atcp_send_reply(struct net *net, struct sk_buff *in,
		     const struct atcp_out_segment *seg);
bool atcp_send_segment(struct net *net, const struct sock *sk,
		       const struct in6_addr *saddr,
		       const struct in6_addr *daddr, int oif,
		       const struct atcp_out_segment *seg);
u32 atcp_route_mss(struct sock *sk);
u32 atcp_reply_mss(struct net *net, const struct sk_buff *in,
		   const struct atcp_tcp_header *h);
struct dst_entry *atcp_route_to(struct net *net, const struct sock *sk,
				struct in6_addr *saddr,
				const struct in6_addr *daddr, __be16 sport,
				__be16 dport, int oif);
void atcp_skb_addrs(const struct sk_buff *skb, struct in6_addr *saddr,
		    struct in6_addr *daddr);

/* atcp_input.c */
int atcp_backlog_rcv(struct sock *sk, struct sk_buff *skb);
void atcp_deliver(struct sock *sk, struct sk_buff *skb);

/* atcp_icmp.c */
struct nf_hook_state;
unsigned int atcp_icmp4_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state);
unsigned int atcp_icmp6_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state);
bool atcp_icmp_backlogged(const struct sk_buff *skb);
void atcp_icmp_process(struct sock *sk, struct sk_buff *skb);

/* atcp_errqueue.c: an ICMP error as the error queue reports it. */
struct atcp_icmp_error {
	int err; /* errno, positive, from Linux's tables */
	u32 info; /* ee_info: the MTU reported, or 0 */
	__be16 port; /* the quoted destination port */
	u16 quote_len; /* of the quoted IP header, to the quoted TCP header */
	u8 type, code;
	bool v4;
};

void atcp_errqueue_icmp(struct sock *sk, struct sk_buff *skb,
			const struct atcp_icmp_error *e);
struct msghdr;
int atcp_errqueue_recv(struct sock *sk, struct msghdr *msg, size_t len,
		       int *addr_len);

/* atcp_conn.c */
void atcp_syncookie_keys_init(void);
void atcp_conn_init(struct sock *sk);
void atcp_conn_destroy(struct sock *sk);
void atcp_apply(struct sock *sk, const struct atcp_actions *act,
		struct sk_buff *skb);
void atcp_release_cb(struct sock *sk);
void atcp_listen_input(struct sock *sk, struct sk_buff *skb,
		       const struct atcp_tcp_header *h);
void atcp_close_children(struct sock *sk);
struct sock *atcp_adopt(struct sock *lsk, struct sk_buff *skb,
			const struct atcp_tcp_header *h, u32 rcv_seq,
			const struct atcp_tcb *tcb);
struct atcp_sock *atcp_take_child(struct atcp_sock *as);

/* atcp_stream.c */
int atcp_sendmsg(struct socket *sock, struct msghdr *msg, size_t size);
int atcp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		 int flags);
__poll_t atcp_poll(struct file *file, struct socket *sock, poll_table *wait);
int atcp_shutdown(struct socket *sock, int how);
int atcp_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg);

/* atcp_genl.c */
int atcp_genl_init(void);
void atcp_genl_exit(void);
void atcp_genl_event(struct sock *sk, enum atcp_event event);
struct atcp_syn;
void atcp_genl_syn_event(const struct atcp_syn *e, enum atcp_event event);

/* atcp_sockopt.c */
int atcp_setsockopt(struct socket *sock, int level, int optname,
		    sockptr_t optval, unsigned int optlen);
int atcp_getsockopt(struct socket *sock, int level, int optname,
		    char __user *optval, int __user *optlen);
void atcp_keepalive(struct sock *sk, int valbool);

/* atcp_actions.c */
u8 atcp_actions_run(struct sock *sk, const struct atcp_actions *act,
		    struct sk_buff *skb);
enum atcp_event atcp_end_event(const struct atcp_actions *act);
u32 atcp_isn_hash(const struct sock *sk);
u32 atcp_isn_hash_tuple(const struct in6_addr *saddr,
			const struct in6_addr *daddr, __be16 sport,
			__be16 dport);
void atcp_isn_key_init(void);

#endif /* _ATCP_SOCK_H */
