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
	ATCP_MIB_COUNT
};

/* Socket options at IPPROTO_TCP beyond Linux's: FreeBSD's numbers plus
 * 0x1000, clear of every Linux SOL_TCP number.  TCP_NODELAY and TCP_MAXSEG
 * keep their common numbers (1 and 2). */
#define ATCP_TCP_NOPUSH 0x1004
#define ATCP_TCP_NOOPT 0x1008

#endif /* _UAPI_LINUX_ATCP_H */
