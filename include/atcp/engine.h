/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TCP engine's C ABI.  The engine is sans-I/O: it owns sequence space and
 * every protocol decision, and nothing else.  The caller (the kernel glue or a
 * test) owns the bytes, the clock, the timers and the locks.
 *
 * One call per event, with the current time; each call fills a struct
 * atcp_actions saying what to do:
 *   - segments to emit: a header with its options, and the byte range of the
 *     send queue to carry (offsets from the send queue's head *after* dropping
 *     the `acked` bytes this same call reports);
 *   - for an arriving segment, which part of its payload to append to the
 *     receive queue now, which part to hold out of order, and up to which
 *     sequence number held data has become in order;
 *   - the next timer deadline; state changes; an error for the user; whom to
 *     wake.
 * The send queue holds every byte from snd_una on, sent or not; the caller
 * frees `acked` bytes from its head.  The receive queue is the caller's; the
 * engine only counts how full it is, through atcp_engine_input (delivered
 * bytes) and atcp_engine_consumed (bytes the reader took).
 */
#ifndef _ATCP_ENGINE_H
#define _ATCP_ENGINE_H

#include "tcp_codec.h"
#include "../uapi/linux/atcp.h"

#ifndef __KERNEL__
#include <stdbool.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Tunables; a TCB takes them once, from atcp_engine_init().  The first
 * group are the per-namespace sysctls (net.atcp.*), one each and all
 * uint32_t, so that the glue's sysctl table can hold each by its offset;
 * congestion is net.atcp.congestion_control, a name there.
 */
struct atcp_params {
	uint32_t rfc1323; /* window scaling and timestamps (RFC 7323) */
	uint32_t mss_default; /* an IPv4 peer sent no MSS option (RFC 9293 3.7.1) */
	uint32_t mss_default_v6; /* an IPv6 peer sent none */
	uint32_t msl_ms; /* TIME-WAIT lasts 2 * MSL */
	uint32_t delack_ms; /* longest an ACK is delayed */
	uint32_t keepalive_idle_ms;
	uint32_t keepalive_intvl_ms;
	uint32_t keepalive_count;
	uint32_t syn_retries; /* SYN or SYN-ACK retransmissions before ETIMEDOUT */
	uint32_t data_retries; /* retransmissions of data or FIN before ETIMEDOUT */
	uint32_t rto_min_ms;
	uint32_t rto_max_ms;
	uint32_t fin_wait_2_ms; /* an orphaned FIN-WAIT-2 gives up after this */
	uint32_t icmp_may_rst; /* not the engine's: the caller's atcp_icmp.may_rst */
	uint32_t min_mss; /* no peer's MSS option nor ICMP error sends less */
	uint32_t pmtud_blackhole_detection; /* 0 off, 1 on, 2 IPv4 only, 3 IPv6 only */
	uint32_t pmtud_blackhole_mss; /* the first step down over IPv4 */
	uint32_t v6pmtud_blackhole_mss; /* the same over IPv6 */
	/*
	 * ECN (RFC 3168), Linux's tcp_ecn: 0 off, 1 asked for by active
	 * opens and agreed to when asked, 2 only agreed to when asked.
	 */
	uint32_t ecn;
	/* Loss detection: 1 RACK (RFC 8985), 0 RFC 6675's DupThresh and IsLost */
	uint32_t rack;
	uint32_t tlp; /* tail loss probes (RFC 8985 7) */
	/*
	 * Not the engine's: the caller's SYN cookies (RFC 4987 3.6), Linux's
	 * tcp_syncookies: 0 never, 1 when a listener's SYN queue is full,
	 * 2 for every SYN.
	 */
	uint32_t syncookies;

	uint32_t rto_initial_ms; /* RFC 6298 2.1 */
	uint32_t rcv_buf; /* a receive buffer to start with: net.atcp.rmem's default */
	uint32_t rcv_buf_max; /* right-sizing grows it to this: net.atcp.rmem's max */
	uint16_t challenge_ack_limit; /* challenge ACKs per second (RFC 5961 7) */
	uint8_t ooo_max; /* out-of-order ranges held, at most ATCP_OOO_MAX */
	uint8_t congestion; /* enum atcp_cc: net.atcp.congestion_control */
};

/*
 * Congestion control algorithms, for TCP_CONGESTION and
 * net.atcp.congestion_control; the first is the default.
 */
enum atcp_cc {
	ATCP_CC_CUBIC, /* RFC 9438 with HyStart++ (RFC 9406) */
	ATCP_CC_NEWRENO, /* RFC 5681 and RFC 6582 */
	ATCP_CC_COUNT,
};

/* A name's bytes, NUL included: Linux's TCP_CA_NAME_MAX. */
#define ATCP_CC_NAME_MAX 16

/* The algorithm's name ("cubic", "newreno"); NULL past the last. */
const char *atcp_engine_cc_name(enum atcp_cc cc);
/*
 * The algorithm called name (NUL-terminated), or -1.  Linux's name for
 * NewReno, "reno", is taken too.
 */
int atcp_engine_cc_find(const char *name);

#define ATCP_OOO_MAX 8

/*
 * The send MSS assumed when the peer's SYN carries no MSS option (RFC 9293
 * 3.7.1, MUST-15): IPv4's 576-byte minimum datagram less 40 bytes of
 * headers, and IPv6's 1280-byte minimum link MTU (RFC 8200 5) less 60.
 * They are also the defaults of net.atcp.mssdflt and v6mssdflt, and the
 * MSS of a connection whose route cannot be found.
 */
#define ATCP_MSS_DEFAULT 536
#define ATCP_MSS_DEFAULT_V6 1220

/* Fills p with the defaults (those of FreeBSD and Linux where they agree). */
void atcp_params_default(struct atcp_params *p);

/*
 * The control block.  Opaque to C: the caller provides zeroed, aligned
 * storage (zero is CLOSED) and never touches it.
 */
#define ATCP_TCB_SIZE 1312
struct atcp_tcb {
	uint64_t opaque[ATCP_TCB_SIZE / 8];
};

/* Bits of atcp_actions.wake. */
enum atcp_wake {
	ATCP_WAKE_READ = 0x01, /* data, EOF or an error to read */
	ATCP_WAKE_WRITE = 0x02, /* send queue space freed, or connected: progress */
	ATCP_WAKE_CONNECTED = 0x04, /* the connection reached ESTABLISHED */
	ATCP_WAKE_SPAWN = 0x08, /* LISTEN got a SYN: open a child with atcp_engine_accept */
	ATCP_WAKE_RELEASE = 0x10, /* CLOSED for good: the TCB may be freed */
	ATCP_WAKE_EOF = 0x20, /* the peer's FIN is in order: no data follows */
};

/* What the user is told; the caller maps these to errno values. */
enum atcp_error {
	ATCP_ERR_NONE,
	ATCP_ERR_REFUSED, /* RST in SYN-SENT: ECONNREFUSED */
	ATCP_ERR_RESET, /* RST later: ECONNRESET (EPIPE for writers) */
	ATCP_ERR_TIMEDOUT, /* retries or the user timeout exhausted: ETIMEDOUT */
	/* Soft errors an ICMP reported, given instead of ETIMEDOUT (RFC 1122 4.2.3.9). */
	ATCP_ERR_NET_UNREACH, /* ENETUNREACH */
	ATCP_ERR_HOST_UNREACH, /* EHOSTUNREACH */
};

/* RFC 4022 TCP-MIB counters moved by one call; the caller adds them up. */
struct atcp_mib_delta {
	uint16_t in_segs;
	uint16_t out_segs;
	uint16_t retrans_segs;
	uint16_t out_rsts;
	uint8_t in_errs;
	uint8_t active_opens;
	uint8_t passive_opens;
	uint8_t attempt_fails;
	uint8_t estab_resets;
	uint8_t abort_on_data; /* new data for an orphan: reset */
	uint8_t blackhole_activated; /* the MSS went down to pmtud_blackhole_mss */
	uint8_t blackhole_activated_min_mss; /* ...or to mssdflt */
	uint8_t blackhole_failed; /* the lower MSS did not help: restored */
	uint8_t ecn_ce_rcvd; /* data arrived marked CE (RFC 3168 6.1.3) */
	uint8_t ecn_ece_rcvd; /* an ACK carried ECE (RFC 3168 6.1.2) */
	uint8_t ecn_cwr_sent; /* a segment carried CWR (RFC 3168 6.1.2) */
	uint8_t loss_probes; /* a tail loss probe went out (RFC 8985 7.3) */
	uint8_t loss_probe_recovery; /* a probe repaired a loss (7.4.2) */
	uint8_t sack_reorder; /* a SACK showed reordering (6.2 step 3) */
	uint8_t dsack_undo; /* D-SACKs showed a reduction spurious: undone */
	uint8_t timestamp_undo; /* an echoed timestamp did (RFC 3522): undone */
	int8_t curr_estab;
};

struct atcp_out_segment {
	struct atcp_tcp_header hdr; /* checksum left 0 for the caller */
	uint32_t data_offset; /* into the send queue */
	uint32_t data_len;
};

#define ATCP_ACTIONS_SEGS 4

struct atcp_actions {
	uint8_t nsegs;
	uint8_t more; /* more output is ready: call atcp_engine_output */
	uint8_t state; /* enum atcp_state after the call */
	uint8_t wake; /* enum atcp_wake bits */
	uint8_t error; /* enum atcp_error, when a connection failed */
	struct atcp_out_segment segs[ATCP_ACTIONS_SEGS];

	/* Receive side, for the segment given to atcp_engine_input. */
	uint32_t deliver_offset; /* of its payload: append now... */
	uint32_t deliver_len; /* ...this many bytes to the receive queue */
	uint32_t hold_offset; /* of its payload: keep out of order... */
	uint32_t hold_len; /* ...this many bytes, which start at hold_seq */
	uint32_t hold_seq;
	uint8_t drain; /* held bytes below drain_to are now in order: append them */
	uint32_t drain_to;

	uint32_t acked; /* bytes to free from the send queue's head */
	uint64_t deadline_us; /* call atcp_engine_timer then; 0: no timer */
	struct atcp_mib_delta mib;
};

/* Socket options the engine acts on. */
enum atcp_option {
	ATCP_OPTION_NODELAY,
	ATCP_OPTION_NOPUSH,
	ATCP_OPTION_CORK,
	ATCP_OPTION_NOOPT,
	ATCP_OPTION_MAXSEG,
	ATCP_OPTION_KEEPALIVE,
	ATCP_OPTION_KEEPIDLE, /* seconds */
	ATCP_OPTION_KEEPINTVL, /* seconds */
	ATCP_OPTION_KEEPCNT,
	ATCP_OPTION_USER_TIMEOUT, /* milliseconds, 0: off */
	/*
	 * SO_RCVBUF: receive buffer bytes, which bound the advertised window;
	 * set, they are the user's and no longer right-sized.
	 */
	ATCP_OPTION_RCVBUF,
	ATCP_OPTION_CONGESTION, /* enum atcp_cc (TCP_CONGESTION) */
};

/* Linux's tcpi_ca_state, with its numbers. */
enum atcp_ca_state {
	ATCP_CA_OPEN, /* nothing amiss */
	ATCP_CA_DISORDER, /* duplicate ACKs, not yet a loss */
	ATCP_CA_CWR, /* the window was reduced for an ECN-Echo (RFC 3168 6.1.2) */
	ATCP_CA_RECOVERY, /* fast recovery */
	ATCP_CA_LOSS, /* after a retransmission timeout, until it is repaired */
};

/* Figures rich enough to fill Linux's struct tcp_info. */
struct atcp_conn_info {
	uint8_t state;
	uint8_t retransmits; /* of the segment now timed out, consecutive */
	uint8_t backoff;
	uint8_t snd_wscale;
	uint8_t rcv_wscale;
	uint8_t timestamps;
	uint8_t window_scale; /* both SYNs carried the option */
	uint8_t sack_permitted;
	uint8_t in_recovery;
	uint8_t ca_state; /* enum atcp_ca_state */
	uint8_t ecn; /* both SYNs agreed on ECN (RFC 3168 6.1.1) */
	uint8_t ecn_seen; /* a segment arrived ECT or CE */
	uint32_t rto_us; /* what the timer waits now: the backoff included */
	uint32_t ato_us;
	uint32_t snd_mss;
	uint32_t rcv_mss;
	uint32_t advmss;
	uint32_t path_mss; /* the path MTU less headers, as ICMP or blackhole detection set it */
	uint32_t rtt_us; /* smoothed */
	uint32_t rttvar_us;
	uint32_t snd_cwnd; /* bytes */
	uint32_t snd_ssthresh; /* bytes */
	uint32_t snd_wnd;
	uint32_t rcv_wnd;
	uint32_t unacked; /* bytes in flight */
	uint32_t total_retrans;
	uint64_t bytes_acked;
	uint64_t bytes_received;
	uint64_t segs_out;
	uint64_t segs_in;
	uint64_t last_data_recv_us;
	uint64_t last_ack_recv_us;
	uint64_t timer_in_us; /* until the timer due next fires */
	uint8_t timer; /* enum atcp_timer: which one that is */
	/* Loss recovery (RFC 8985, RFC 6675), bytes above snd_una: */
	uint32_t sacked; /* ...the peer SACKed */
	uint32_t lost; /* ...deemed lost and not yet sent again */
	uint32_t retrans_out; /* ...sent again, not yet acknowledged */
	uint32_t reordering; /* segments: the furthest reordering seen, at least 3 */
	uint32_t min_rtt_us; /* the least RTT sample; 0: none */
	uint64_t delivery_rate; /* bytes a second acknowledged over the last round trip */
};

/*
 * A new TCB, for a new socket or a listener's child: zeroed, with the
 * parameters it keeps for its whole life, options' defaults included.
 */
void atcp_engine_init(struct atcp_tcb *tcb, const struct atcp_params *params);

/*
 * Opens: each takes a TCB from atcp_engine_init(), or one CLOSED after an
 * earlier connection (only its parameters and the options set through
 * atcp_engine_setopt carry over).  ipv6: the connection runs over IPv6,
 * whose default MSS it takes.  isn_hash is RFC 6528's F(): a keyed hash of
 * the 4-tuple the caller computes; the engine adds the clock.  mss_max is
 * the largest segment the path allows (route MTU minus headers); below 48,
 * Linux's tcp_min_snd_mss, it is taken as 48.
 */
void atcp_engine_connect(struct atcp_tcb *tcb, bool ipv6, uint16_t local_port,
			 uint16_t remote_port, uint32_t mss_max,
			 uint32_t isn_hash, uint64_t now_us,
			 struct atcp_actions *act);
void atcp_engine_listen(struct atcp_tcb *tcb, uint16_t local_port);
/*
 * The SYN a listener woke ATCP_WAKE_SPAWN for, given again to a new child
 * (from atcp_engine_init()), which takes the listener's options.
 */
void atcp_engine_accept(struct atcp_tcb *child, const struct atcp_tcb *listener,
			const struct atcp_tcp_header *syn, bool ipv6,
			uint32_t mss_max, uint32_t isn_hash, uint64_t now_us,
			struct atcp_actions *act);

/*
 * SYN cookies (RFC 4987 3.6), laid out as Linux's net/ipv4/syncookies.c
 * lays them out.  When a listener's SYN queue is full, the caller answers
 * a SYN with atcp_engine_syncookie_synack() and keeps nothing; an ACK that
 * then finds no connection is checked with atcp_engine_syncookie_check()
 * and, if valid, opens a child with atcp_engine_syncookie_accept().  The
 * keyed hashes are the caller's (a per-boot secret the engine never sees).
 */

/*
 * A cookie is valid for this many steps of the counter, the current one
 * included (Linux's MAX_SYNCOOKIE_AGE), and the counter steps once a
 * minute (TCP_SYNCOOKIE_PERIOD).
 */
#define ATCP_SYNCOOKIE_MAX_AGE 2
#define ATCP_SYNCOOKIE_PERIOD_US (60ull * 1000 * 1000)

/* The counter at now_us: the one to hash for a SYN-ACK or an ACK now. */
uint32_t atcp_syncookie_counter(uint64_t now_us);

/*
 * The caller's keyed hashes for the segment that arrived (the SYN or the
 * ACK), over its source and destination addresses and ports as Linux's
 * cookie_hash() takes them: each with a key of its own.
 */
struct atcp_syncookie_hashes {
	uint32_t counter; /* atcp_syncookie_counter(now_us) */
	uint32_t tuple; /* of the 4-tuple alone (Linux's cookie_hash(..., 0, 0)) */
	/*
	 * at_counter[i]: of the 4-tuple and counter - i (cookie_hash(...,
	 * counter - i, 1)).  A SYN-ACK takes only at_counter[0].
	 */
	uint32_t at_counter[ATCP_SYNCOOKIE_MAX_AGE];
};

/*
 * What a valid cookie kept of the peer's SYN.  Without timestamps only the
 * MSS survives, and the SYN-ACK offered nothing else.
 */
struct atcp_syncookie {
	uint16_t mss; /* the peer's, rounded down to a table's entry */
	uint8_t timestamps;
	uint8_t window_scale; /* the peer offered window scaling... */
	uint8_t wscale; /* ...with this shift */
	uint8_t sack_permitted;
	uint8_t ecn; /* the SYN asked for ECN and the SYN-ACK agreed */
};

/*
 * The SYN-ACK a listener's child would send for syn (as atcp_engine_accept
 * with the same arguments), its ISN the cookie, with timestamps its TSval's
 * low bits holding the options the cookie must bring back.  act holds it
 * alone: the listener is unchanged and nothing is timed, for nothing is
 * kept; the peer's SYN retransmissions stand in for the SYN-ACK's.
 */
void atcp_engine_syncookie_synack(const struct atcp_tcb *listener,
				  const struct atcp_tcp_header *syn, bool ipv6,
				  uint32_t mss_max,
				  const struct atcp_syncookie_hashes *hashes,
				  uint64_t now_us, struct atcp_actions *act);
/*
 * Whether ack, for listener, acknowledges a cookie made for its 4-tuple at
 * most ATCP_SYNCOOKIE_MAX_AGE counters ago; if so, *cookie is what it
 * kept.  A RST, a SYN or a segment without ACK is never one.
 */
bool atcp_engine_syncookie_check(const struct atcp_tcb *listener,
				 const struct atcp_tcp_header *ack, bool ipv6,
				 const struct atcp_syncookie_hashes *hashes,
				 uint64_t now_us, struct atcp_syncookie *cookie);
/*
 * A new child (from atcp_engine_init()) opens ESTABLISHED from the ACK a
 * check found valid, as if it had sent the cookie's SYN-ACK and received
 * that ACK, but with no round trip measured.  The caller then gives it the
 * same segment through atcp_engine_input, for its data and FIN.
 */
void atcp_engine_syncookie_accept(struct atcp_tcb *child,
				  const struct atcp_tcb *listener,
				  const struct atcp_tcp_header *ack, bool ipv6,
				  uint32_t mss_max,
				  const struct atcp_syncookie *cookie,
				  uint64_t now_us, struct atcp_actions *act);

/* A segment arrived; its checksum is good.  payload_len excludes the header. */
void atcp_engine_input(struct atcp_tcb *tcb, const struct atcp_tcp_header *seg,
		       uint32_t payload_len, uint64_t now_us,
		       struct atcp_actions *act);
/*
 * Whether a segment that matched no TCB is owed a RST, as all but a RST are
 * (RFC 9293 3.10.7.1); if so, *rst is that RST.
 */
bool atcp_engine_reset_owed(const struct atcp_tcp_header *seg,
			    uint32_t payload_len, struct atcp_out_segment *rst);

/* The deadline passed. */
void atcp_engine_timer(struct atcp_tcb *tcb, uint64_t now_us,
		       struct atcp_actions *act);
/* The user queued len more bytes at the send queue's tail. */
void atcp_engine_send(struct atcp_tcb *tcb, uint32_t len, uint64_t now_us,
		      struct atcp_actions *act);
/* Segments that did not fit in the last actions. */
void atcp_engine_output(struct atcp_tcb *tcb, uint64_t now_us,
			struct atcp_actions *act);
/* The reader took len bytes from the receive queue. */
void atcp_engine_consumed(struct atcp_tcb *tcb, uint32_t len, uint64_t now_us,
			  struct atcp_actions *act);
/*
 * Whether the host's socket memory is under pressure (net.atcp.mem): the
 * window offered stays within four segments and the receive buffer stops
 * growing until it is not.  Set before each segment and read.
 */
void atcp_engine_memory_pressure(struct atcp_tcb *tcb, bool under);
/*
 * TIME-WAIT without its socket (Linux's timewait sockets, FreeBSD's tcptw):
 * once no socket refers to a connection in TIME-WAIT, the caller may keep
 * this compact entry in its place, which holds what TIME-WAIT's segment
 * processing reads of the TCB, and free the socket.  Opaque to C.
 */
#define ATCP_TIME_WAIT_SIZE 96
struct atcp_time_wait {
	uint64_t opaque[ATCP_TIME_WAIT_SIZE / 8];
};

/*
 * Fills tw from a TCB in TIME-WAIT; returns when the entry ends (2 MSL
 * after the last FIN acknowledged, as the TCB's own deadline).
 */
uint64_t atcp_engine_time_wait(const struct atcp_tcb *tcb,
			       struct atcp_time_wait *tw);
/*
 * A segment for an entry's 4-tuple, answered as the connection would have
 * answered it: act's segments (an ACK at most) go to the segment's sender,
 * its deadline_us is when the entry ends now (a retransmitted FIN moves it)
 * and ATCP_WAKE_RELEASE ends it at once (an acceptable RST).  The TCB it is
 * answered through is rebuilt in scratch, the caller's storage for one call
 * (any contents).
 */
void atcp_engine_time_wait_input(struct atcp_time_wait *tw,
				 struct atcp_tcb *scratch,
				 const struct atcp_tcp_header *seg,
				 uint32_t payload_len, uint64_t now_us,
				 struct atcp_actions *act);
/*
 * A listener's half-open connection kept as an entry (FreeBSD's syncache,
 * Linux's request sockets): once atcp_engine_accept() has opened a child in
 * SYN-RECEIVED, the caller may keep this in its place, which holds what the
 * handshake reads of the TCB, and create a socket only when the handshake
 * completes.  Opaque to C.
 */
#define ATCP_SYN_RECEIVED_SIZE 160
struct atcp_syn_received {
	uint64_t opaque[ATCP_SYN_RECEIVED_SIZE / 8];
};

/* Fills e from a child in SYN-RECEIVED, which the caller may then drop. */
void atcp_engine_syn_received(const struct atcp_tcb *tcb,
			      struct atcp_syn_received *e);
/*
 * A segment, the deadline (act's deadline_us) or an abort for an entry, run
 * on its TCB rebuilt in scratch (the caller's storage for one call, any
 * contents) with params as atcp_engine_init() takes them.  After the call,
 * by act's state: SYN-RECEIVED, e holds the outcome; CLOSED
 * (ATCP_WAKE_RELEASE), the entry ends; any other (the handshake's ACK
 * arrived), scratch is the connection's whole TCB, for a socket that takes
 * it over with act, and e is left as it was, so that the caller may instead
 * drop the segment and keep the entry (no socket to be had).
 */
void atcp_engine_syn_received_input(struct atcp_syn_received *e,
				    const struct atcp_params *params,
				    struct atcp_tcb *scratch,
				    const struct atcp_tcp_header *seg,
				    uint32_t payload_len, uint64_t now_us,
				    struct atcp_actions *act);
void atcp_engine_syn_received_timer(struct atcp_syn_received *e,
				    const struct atcp_params *params,
				    struct atcp_tcb *scratch, uint64_t now_us,
				    struct atcp_actions *act);
void atcp_engine_syn_received_abort(struct atcp_syn_received *e,
				    const struct atcp_params *params,
				    struct atcp_tcb *scratch, uint64_t now_us,
				    struct atcp_actions *act);
/* shutdown(SHUT_WR) or close(): a FIN follows the queued data. */
void atcp_engine_close(struct atcp_tcb *tcb, uint64_t now_us,
		       struct atcp_actions *act);
/* The socket is gone (close() on it): the TCB lives on until released. */
void atcp_engine_orphan(struct atcp_tcb *tcb, uint64_t now_us,
			struct atcp_actions *act);
/* SO_LINGER 0 or a fatal error: send RST if synchronized, go CLOSED. */
void atcp_engine_abort(struct atcp_tcb *tcb, uint64_t now_us,
		       struct atcp_actions *act);

/*
 * ICMP and ICMPv6 errors about a segment the connection sent, classified by
 * the caller (RFC 1122 4.2.3.9, RFC 4443 3).
 */
enum atcp_icmp_kind {
	ATCP_ICMP_PMTU, /* IPv4 fragmentation needed (RFC 1191), IPv6 packet too big (RFC 8201) */
	ATCP_ICMP_REFUSED, /* port or protocol unreachable, administratively prohibited */
	ATCP_ICMP_NET_UNREACH,
	ATCP_ICMP_HOST_UNREACH, /* host unreachable, time exceeded */
};

struct atcp_icmp {
	uint8_t kind; /* enum atcp_icmp_kind */
	uint8_t may_rst; /* net.atcp.icmp_may_rst: a refusal may end SYN-SENT */
	uint32_t seq; /* the sequence number of the quoted TCP header */
	uint32_t mss_max; /* ATCP_ICMP_PMTU: the reported MTU less IP and TCP headers */
};

/* What became of an ICMP error. */
enum atcp_icmp_result {
	ATCP_ICMP_IGNORED, /* no connection to act on (CLOSED, LISTEN) */
	ATCP_ICMP_OUT_OF_WINDOW, /* the quoted sequence number was not in flight (RFC 5927 4.1) */
	ATCP_ICMP_ACCEPTED, /* believed; nothing changed */
	ATCP_ICMP_SOFT_ERROR, /* recorded: reported if the connection times out */
	ATCP_ICMP_MSS_LOWERED, /* the path MTU fell: smaller segments go out now */
	ATCP_ICMP_ABORTED, /* SYN-SENT refused: the connection failed */
};

/*
 * An ICMP error quoting one of the connection's segments; returns an enum
 * atcp_icmp_result.  Nothing is believed unless the quoted sequence number is
 * in SND.UNA..SND.NXT (RFC 5927 4.1).
 */
int atcp_engine_icmp(struct atcp_tcb *tcb, const struct atcp_icmp *icmp,
		     uint64_t now_us, struct atcp_actions *act);
/* An ICMP error quoting a SYN cache entry's SYN-ACK, as atcp_engine_icmp(). */
int atcp_engine_syn_received_icmp(struct atcp_syn_received *e,
				  const struct atcp_params *params,
				  struct atcp_tcb *scratch,
				  const struct atcp_icmp *icmp, uint64_t now_us,
				  struct atcp_actions *act);

/* 0, or -1 for a value out of range (the option is then unchanged). */
int atcp_engine_setopt(struct atcp_tcb *tcb, enum atcp_option opt,
		       uint32_t value, uint64_t now_us, struct atcp_actions *act);
uint32_t atcp_engine_getopt(const struct atcp_tcb *tcb, enum atcp_option opt);

enum atcp_state atcp_engine_state(const struct atcp_tcb *tcb);
/*
 * What the send buffer should hold, in segments of *mss bytes: two
 * congestion windows, and two initial windows at least, so that a recovery
 * never waits for the writer (Linux's tcp_sndbuf_expand).
 */
uint32_t atcp_engine_send_buffer_segments(const struct atcp_tcb *tcb,
					  uint32_t *mss);
void atcp_engine_info(const struct atcp_tcb *tcb, uint64_t now_us,
		      struct atcp_conn_info *info);

#ifdef __cplusplus
}
#endif

#endif /* _ATCP_ENGINE_H */
