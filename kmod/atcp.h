/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ATCP_ATCP_H
#define _ATCP_ATCP_H

#include <linux/atcp.h>
#include <linux/types.h>

#include <atcp/engine.h>

struct net;

int atcp_net_register(void);
void atcp_net_unregister(void);
/* The engine's parameters for a new socket in net, from its sysctls. */
void atcp_net_params(const struct net *net, struct atcp_params *p);
void atcp_net_ephemeral_ports(const struct net *net, int *first, int *last);
int atcp_net_icmp_may_rst(const struct net *net);
int atcp_net_syncookies(const struct net *net);
int atcp_net_wmem(const struct net *net, int i);
/* Connections in their handshake in net's listeners' SYN queues. */
void atcp_net_half_open_add(const struct net *net, int n);
bool atcp_net_half_open_full(const struct net *net);
int atcp_net_max_syn_backlog(const struct net *net);
/* TIME-WAIT entries in net: take one, false at net.atcp.max_tw_buckets. */
bool atcp_net_time_wait_take(const struct net *net);
void atcp_net_time_wait_drop(const struct net *net);
int atcp_net_time_wait(const struct net *net);

/* Per-namespace RFC 4022 counters (enum atcp_mib in linux/atcp.h). */
void atcp_mib_add(const struct net *net, enum atcp_mib idx, s64 n);
void atcp_mib_add_delta(const struct net *net, const struct atcp_mib_delta *d);
void atcp_count_bad_segment(const struct net *net);
u64 atcp_mib_read(const struct net *net, enum atcp_mib idx);

/* The LOCAL_IN hooks for segments and ICMP errors, in every namespace. */
int atcp_input_init(void);
void atcp_input_exit(void);

int atcp_sock_init(int family);
void atcp_sock_exit(void);

void atcp_codec_probe_init(void);
void atcp_codec_probe_exit(void);

#endif /* _ATCP_ATCP_H */
