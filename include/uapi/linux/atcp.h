/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * atcp: an alternate TCP for Linux, as its own protocol family.
 *
 * This is the one header userland needs: socket(AF_ATCP, SOCK_STREAM, 0).
 */
#ifndef _UAPI_LINUX_ATCP_H
#define _UAPI_LINUX_ATCP_H

/*
 * The family number the module registers unless loaded with family=N.
 * 19 was AF_ECONET, whose code left Linux in 3.5: no 6.1 code registers it
 * and no module claims the net-pf-19 alias.  A program that must follow a
 * non-default number reads it from ATCP_FAMILY_SYSFS.
 */
#define AF_ATCP 19
#define PF_ATCP AF_ATCP

/*
 * atcp's release: the module's MODULE_VERSION, the tools' --version and the
 * Debian packages' version all come from here.
 */
#define ATCP_VERSION "0.1.0"

#define ATCP_FAMILY_SYSFS "/sys/module/atcp/parameters/family"

/* Connection states, RFC 9293 section 3.3.2. */
enum atcp_state {
	ATCP_CLOSED,
	ATCP_LISTEN,
	ATCP_SYN_SENT,
	ATCP_SYN_RECEIVED,
	ATCP_ESTABLISHED,
	ATCP_FIN_WAIT_1,
	ATCP_FIN_WAIT_2,
	ATCP_CLOSE_WAIT,
	ATCP_CLOSING,
	ATCP_LAST_ACK,
	ATCP_TIME_WAIT,
	ATCP_STATE_COUNT
};

/* Per-namespace counters: the RFC 4022 TCP-MIB scalars. */
enum atcp_mib {
	ATCP_MIB_ACTIVE_OPENS,
	ATCP_MIB_PASSIVE_OPENS,
	ATCP_MIB_ATTEMPT_FAILS,
	ATCP_MIB_ESTAB_RESETS,
	ATCP_MIB_CURR_ESTAB,
	ATCP_MIB_IN_SEGS,
	ATCP_MIB_OUT_SEGS,
	ATCP_MIB_RETRANS_SEGS,
	ATCP_MIB_IN_ERRS,
	ATCP_MIB_OUT_RSTS,
	ATCP_MIB_ABORT_ON_DATA, /* beyond RFC 4022: Linux's TCPAbortOnData */
	ATCP_MIB_ICMP_IN, /* ICMP errors quoting an atcp connection */
	ATCP_MIB_ICMP_NO_CONN, /* quoting TCP but no atcp connection */
	ATCP_MIB_ICMP_OUT_OF_WINDOW, /* quoted sequence not in flight (RFC 5927) */
	ATCP_MIB_PMTU_UPDATES, /* path MTU errors that lowered an MSS */
	/* FreeBSD's pmtud_blackhole_activated, _activated_min_mss, _failed */
	ATCP_MIB_BLACKHOLE_ACTIVATED, /* MSS lowered to pmtud_blackhole_mss */
	ATCP_MIB_BLACKHOLE_ACTIVATED_MIN_MSS, /* ...or to mssdflt */
	ATCP_MIB_BLACKHOLE_FAILED, /* lowering did not help: MSS restored */
	/* ECN (RFC 3168), as FreeBSD's ecn_ce and Linux's names say */
	ATCP_MIB_ECN_CE_RCVD, /* data segments that arrived marked CE */
	ATCP_MIB_ECN_ECE_RCVD, /* ACKs that carried ECN-Echo */
	ATCP_MIB_ECN_CWR_SENT, /* segments sent with CWR: window reduced */
	/* RACK-TLP (RFC 8985) and undo, as Linux's TCPLossProbes and others */
	ATCP_MIB_LOSS_PROBES, /* tail loss probes sent */
	ATCP_MIB_LOSS_PROBE_RECOVERY, /* probes that repaired a loss */
	ATCP_MIB_SACK_REORDER, /* reordering the SACK blocks revealed */
	ATCP_MIB_DSACK_UNDO, /* reductions undone: every retransmission spurious */
	/* Listeners under load (RFC 4987), as Linux's names say */
	ATCP_MIB_SYNCOOKIES_SENT, /* SYN-ACKs with a cookie: the SYN queue was full */
	ATCP_MIB_SYNCOOKIES_RECV, /* ACKs whose cookie was valid */
	ATCP_MIB_SYNCOOKIES_FAILED, /* ACKs after cookies were sent that held none */
	ATCP_MIB_LISTEN_OVERFLOWS, /* SYNs and cookie ACKs: the accept queue was full */
	ATCP_MIB_LISTEN_DROPS, /* SYNs dropped: a full queue, no cookies, no memory */
	/* Undo by timestamps (RFC 3522), Linux's TCPPartialUndo and others */
	ATCP_MIB_TIMESTAMP_UNDO, /* reductions undone: an original filled the hole */
	/* Memory (net.atcp.mem, max_orphans), as Linux's names say */
	ATCP_MIB_MEMORY_PRESSURES, /* times socket memory went above pressure */
	ATCP_MIB_MEMORY_PRESSURES_MS, /* milliseconds spent under pressure */
	ATCP_MIB_RCVQ_DROP, /* data segments dropped: memory above its max */
	ATCP_MIB_ABORT_ON_MEMORY, /* orphans reset: more than max_orphans */
	/* Listeners' SYNs (RFC 4987): as FreeBSD's syncache and Linux's names */
	ATCP_MIB_SYNS_RECEIVED, /* SYNs that asked a listener for a connection */
	ATCP_MIB_REQQ_FULL_DO_COOKIES, /* ...found the SYN queue full: a cookie */
	ATCP_MIB_REQQ_FULL_DROP, /* ...found it full, no cookies: dropped */
	/* TIME-WAIT's compact entries (net.atcp.max_tw_buckets), as Linux's names */
	ATCP_MIB_TIME_WAIT, /* entries that ended after their 2 MSL (Linux's TW) */
	ATCP_MIB_TIME_WAIT_OVERFLOW, /* TIME-WAITs ended at once: max_tw_buckets reached */
	ATCP_MIB_COUNT
};

/*
 * Socket options at IPPROTO_TCP beyond Linux's: FreeBSD's numbers plus
 * 0x1000, clear of every Linux SOL_TCP number.  TCP_NODELAY and TCP_MAXSEG
 * keep their common numbers (1 and 2).
 */
#define ATCP_TCP_NOPUSH 0x1004
#define ATCP_TCP_NOOPT 0x1008

/*
 * Generic netlink: the family ATCP_GENL_NAME answers in the caller's network
 * namespace.  ATCP_CMD_SOCK_GET dumps one message per socket, each carrying
 * a socket record (the ATCP_A_SOCK_* attributes); ATCP_CMD_STATS_GET
 * answers with ATCP_A_STATS; the multicast group ATCP_GENL_MCGRP_EVENTS
 * carries ATCP_CMD_EVENT messages: ATCP_A_EVENT and the socket's record.
 */
#define ATCP_GENL_NAME "atcp"
#define ATCP_GENL_VERSION 1
#define ATCP_GENL_MCGRP_EVENTS "events"

enum atcp_cmd {
	ATCP_CMD_UNSPEC,
	ATCP_CMD_SOCK_GET,
	ATCP_CMD_STATS_GET,
	ATCP_CMD_EVENT,
	__ATCP_CMD_MAX
};

#define ATCP_CMD_MAX (__ATCP_CMD_MAX - 1)

enum atcp_event {
	ATCP_EVENT_LISTEN, /* a socket started listening */
	ATCP_EVENT_ESTABLISHED, /* a connection reached ESTABLISHED */
	ATCP_EVENT_CLOSED, /* a connection ended in order */
	ATCP_EVENT_RESET, /* a connection ended by a RST, sent or received */
	ATCP_EVENT_COUNT
};

/* The engine timer due next on a socket. */
enum atcp_timer {
	ATCP_TIMER_NONE,
	ATCP_TIMER_RETRANSMIT,
	ATCP_TIMER_PERSIST, /* zero window probe */
	ATCP_TIMER_DELACK,
	ATCP_TIMER_KEEPALIVE,
	ATCP_TIMER_CLOSE, /* TIME-WAIT's 2 MSL, or an orphan's FIN-WAIT-2 */
	ATCP_TIMER_CORK, /* TCP_CORK's 200 ms ceiling */
	ATCP_TIMER_REORDER, /* RACK's reordering window (RFC 8985 6.2) */
	ATCP_TIMER_LOSS_PROBE, /* the tail loss probe (RFC 8985 7.2) */
	ATCP_TIMER_COUNT
};

/* Bits of ATCP_A_SOCK_OPTIONS: the options in effect. */
#define ATCP_SOCKOPT_NODELAY (1U << 0)
#define ATCP_SOCKOPT_NOPUSH (1U << 1)
#define ATCP_SOCKOPT_NOOPT (1U << 2)
#define ATCP_SOCKOPT_CORK (1U << 3)
#define ATCP_SOCKOPT_KEEPALIVE (1U << 4)
#define ATCP_SOCKOPT_WSCALE (1U << 5) /* window scaling agreed */
#define ATCP_SOCKOPT_TIMESTAMPS (1U << 6) /* timestamps agreed */
#define ATCP_SOCKOPT_SACK (1U << 7) /* SACK permitted by the peer */

/* Bits of ATCP_A_SOCK_ECN: Linux's TCPI_OPT_ECN and TCPI_OPT_ECN_SEEN. */
#define ATCP_SOCK_ECN_AGREED (1U << 0) /* both SYNs agreed (RFC 3168 6.1.1) */
#define ATCP_SOCK_ECN_SEEN (1U << 1) /* a segment arrived ECT or CE */

enum atcp_attr {
	ATCP_A_UNSPEC,
	ATCP_A_PAD,
	/* ATCP_CMD_SOCK_GET filters; absent means any. */
	ATCP_A_FILTER_STATES, /* u32: bit (1 << enum atcp_state) per state */
	ATCP_A_FILTER_LOCAL_PORT, /* u16 */
	ATCP_A_FILTER_REMOTE_PORT, /* u16 */
	ATCP_A_FILTER_LISTENERS, /* flag: listening sockets only */
	/* A socket record.  Addresses are 4 or 16 bytes in network order. */
	ATCP_A_SOCK_FAMILY, /* u8: AF_INET or AF_INET6 */
	ATCP_A_SOCK_STATE, /* u8: enum atcp_state */
	ATCP_A_SOCK_LOCAL_ADDR, /* binary */
	ATCP_A_SOCK_LOCAL_PORT, /* u16 */
	ATCP_A_SOCK_REMOTE_ADDR, /* binary */
	ATCP_A_SOCK_REMOTE_PORT, /* u16 */
	ATCP_A_SOCK_INODE, /* u64: the socket file's inode, 0 with no file */
	ATCP_A_SOCK_UID, /* u32: the owner, in the caller's user namespace */
	ATCP_A_SOCK_RECV_Q, /* u32: bytes not yet read */
	ATCP_A_SOCK_SEND_Q, /* u32: bytes not yet acknowledged */
	ATCP_A_SOCK_ACCEPT_Q, /* u32: listeners: connections waiting */
	ATCP_A_SOCK_ACCEPT_MAX, /* u32: listeners: the backlog */
	ATCP_A_SOCK_TIMER, /* u8: enum atcp_timer */
	ATCP_A_SOCK_TIMER_MS, /* u32: milliseconds until it fires */
	ATCP_A_SOCK_OPTIONS, /* u32: ATCP_SOCKOPT_* bits */
	ATCP_A_SOCK_MSS, /* u32: bytes per segment sent */
	ATCP_A_SOCK_SND_WSCALE, /* u8 */
	ATCP_A_SOCK_RCV_WSCALE, /* u8 */
	ATCP_A_SOCK_RTT_US, /* u32: smoothed */
	ATCP_A_SOCK_RTTVAR_US, /* u32 */
	ATCP_A_SOCK_RTO_US, /* u32 */
	ATCP_A_SOCK_CWND, /* u32: bytes */
	ATCP_A_SOCK_SSTHRESH, /* u32: bytes */
	ATCP_A_SOCK_RETRANSMITS, /* u32: segments retransmitted in all */
	ATCP_A_SOCK_BYTES_ACKED, /* u64 */
	ATCP_A_SOCK_BYTES_RECEIVED, /* u64 */
	/* ATCP_CMD_STATS_GET */
	ATCP_A_STATS, /* nested: ATCP_STATS_A(enum atcp_mib) -> u64 */
	/* ATCP_CMD_EVENT */
	ATCP_A_EVENT, /* u8: enum atcp_event */
	/*
	 * ATCP_CMD_SOCK_GET: flag, the connection figures too (TIMER through
	 * BYTES_RECEIVED, and CC through DELIVERY_RATE); a dump without them
	 * is about half the work.  Events always carry them.
	 */
	ATCP_A_WANT_INFO,
	/*
	 * More of a socket record's connection figures, numbered after the
	 * rest so that no attribute's number changed: tools read the records
	 * of older modules, which lack these, as before.
	 */
	ATCP_A_SOCK_CC, /* string: its TCP_CONGESTION, e.g. "cubic" */
	ATCP_A_SOCK_ECN, /* u8: ATCP_SOCK_ECN_* bits */
	/* Loss recovery (RFC 8985, RFC 6675): bytes above SND.UNA... */
	ATCP_A_SOCK_SACKED, /* u32: ...the peer SACKed */
	ATCP_A_SOCK_LOST, /* u32: ...deemed lost and not yet sent again */
	ATCP_A_SOCK_RETRANS_OUT, /* u32: ...sent again, not yet acknowledged */
	ATCP_A_SOCK_REORDERING, /* u32: reordering seen, in segments: 3 at least */
	ATCP_A_SOCK_MIN_RTT_US, /* u32: the least RTT sample; 0: none yet */
	ATCP_A_SOCK_DELIVERY_RATE, /* u64: bytes a second acked over the last RTT */
	/* Listeners: connections still in their handshake (the SYN queue) */
	ATCP_A_SOCK_SYN_Q, /* u32 */
	/* Every record: the socket's memory, as ss -m's skmem */
	ATCP_A_SOCK_SKMEM, /* binary: ATCP_SKMEM_COUNT u32s, enum atcp_skmem */
	/* ATCP_CMD_STATS_GET: what atcp holds as a whole, in every namespace */
	ATCP_A_MEM_PAGES, /* u64: pages charged to atcp's sockets (net.atcp.mem) */
	ATCP_A_MEM_PRESSURE, /* u8: 1 while above net.atcp.mem's pressure value */
	ATCP_A_ORPHANS, /* u32: closed by their process, not in FIN-WAIT-2 or TIME-WAIT */
	ATCP_A_TIME_WAIT, /* u32: TIME-WAIT entries in the namespace */
	__ATCP_A_MAX
};

#define ATCP_A_MAX (__ATCP_A_MAX - 1)

/* ATCP_A_SOCK_SKMEM's figures, in bytes, in the order of Linux's SK_MEMINFO_*. */
enum atcp_skmem {
	ATCP_SKMEM_RMEM_ALLOC, /* received, not yet read: charged to the socket */
	ATCP_SKMEM_RCVBUF,
	ATCP_SKMEM_WMEM_ALLOC, /* sent, still in the IP layer or a device */
	ATCP_SKMEM_SNDBUF,
	ATCP_SKMEM_FWD_ALLOC, /* charged to atcp ahead of use */
	ATCP_SKMEM_WMEM_QUEUED, /* the send queue */
	ATCP_SKMEM_OPTMEM,
	ATCP_SKMEM_BACKLOG, /* segments waiting for the socket's owner */
	ATCP_SKMEM_DROPS,
	ATCP_SKMEM_COUNT
};

/* Inside ATCP_A_STATS: one u64 per counter, and padding. */
#define ATCP_STATS_A_PAD 1
#define ATCP_STATS_A(mib) ((mib) + 2)
#define ATCP_STATS_A_MAX ATCP_STATS_A(ATCP_MIB_COUNT - 1)

#endif /* _UAPI_LINUX_ATCP_H */
