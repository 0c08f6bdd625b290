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

#endif /* _UAPI_LINUX_ATCP_H */
