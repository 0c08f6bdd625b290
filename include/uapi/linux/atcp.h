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

#endif /* _UAPI_LINUX_ATCP_H */
