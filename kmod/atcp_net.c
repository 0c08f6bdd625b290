// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: the net.atcp sysctls, which become the
 * engine's parameters for each new socket (one table drives the u32 ones,
 * and the engine gives the defaults), and the RFC 4022 counters.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include <linux/atcp.h>

#include "atcp.h"
#include "atcp_sock.h"

struct atcp_mib_counters {
	u64 v[ATCP_MIB_COUNT];
};

struct atcp_net {
	/* The sysctls' values: written with WRITE_ONCE, read with READ_ONCE. */
	struct atcp_params params;
	struct atcp_mib_counters __percpu *mib;
	u32 ephemeral_ports; /* first << 16 | last, read and written whole */
	/* net.atcp.rmem and wmem, min default max: each read with READ_ONCE */
	int rmem[3];
	int wmem[3];
	/* net.atcp.max_syn_backlog: READ_ONCE; the count it bounds */
	int max_syn_backlog;
	atomic_t half_open;
	/* net.atcp.max_tw_buckets: READ_ONCE; the count it bounds */
	int max_tw_buckets;
	atomic_t time_wait;
	struct ctl_table *table;
	struct ctl_table_header *sysctl;
};

/*
 * The net.atcp sysctls but ephemeral_ports: each is one of the engine's
 * parameters, a u32, and takes its default from atcp_params_default().
 * The valid ranges, as Documentation/atcp.4 gives them.
 */
struct atcp_sysctl {
	const char *name;
	size_t offset; /* of its field in struct atcp_params */
	int min;
	int max;
};

#define ATCP_SYSCTL(name, field, lo, hi) \
	{ name, offsetof(struct atcp_params, field), lo, hi }

static const struct atcp_sysctl atcp_sysctls[] = {
	ATCP_SYSCTL("rfc1323", rfc1323, 0, 1),
	/* FreeBSD's minmss .. what loopback's MTU holds */
	ATCP_SYSCTL("mssdflt", mss_default, 216, 65495),
	ATCP_SYSCTL("v6mssdflt", mss_default_v6, 216, 65476),
	ATCP_SYSCTL("msl", msl_ms, 100, 120000),
	ATCP_SYSCTL("delacktime", delack_ms, 1, 200),
	ATCP_SYSCTL("keepidle", keepalive_idle_ms, 1000, 32767000),
	ATCP_SYSCTL("keepintvl", keepalive_intvl_ms, 1000, 32767000),
	ATCP_SYSCTL("keepcnt", keepalive_count, 1, 127),
	ATCP_SYSCTL("syn_retries", syn_retries, 1, 127),
	ATCP_SYSCTL("data_retries", data_retries, 1, 100),
	ATCP_SYSCTL("rexmit_min", rto_min_ms, 1, 10000),
	ATCP_SYSCTL("rexmit_max", rto_max_ms, 1000, 600000),
	ATCP_SYSCTL("finwait2_timeout", fin_wait_2_ms, 1000, 600000),
	ATCP_SYSCTL("icmp_may_rst", icmp_may_rst, 0, 1),
	/* Linux's tcp_min_snd_mss floor .. what loopback's MTU holds */
	ATCP_SYSCTL("minmss", min_mss, 48, 65495),
	ATCP_SYSCTL("pmtud_blackhole_detection", pmtud_blackhole_detection, 0, 3),
	/* the two steps down: at least what 576 and 1280-byte paths hold */
	ATCP_SYSCTL("pmtud_blackhole_mss", pmtud_blackhole_mss, 536, 65495),
	ATCP_SYSCTL("v6pmtud_blackhole_mss", v6pmtud_blackhole_mss, 1220, 65476),
	/* Linux's tcp_ecn: off, ask and agree, agree when asked */
	ATCP_SYSCTL("ecn", ecn, 0, 2),
	/* Linux's tcp_recovery RACK bit and tcp_early_retrans probes, on or off */
	ATCP_SYSCTL("rack", rack, 0, 1),
	ATCP_SYSCTL("tlp", tlp, 0, 1),
	/* Linux's tcp_syncookies: never, when the SYN queue is full, always */
	ATCP_SYSCTL("syncookies", syncookies, 0, 2),
};

#define EPHEMERAL_MIN 1024

static unsigned int atcp_net_id __read_mostly;

static struct atcp_net *atcp_net(const struct net *net)
{
	return net_generic(net, atcp_net_id);
}

static u32 *atcp_param(struct atcp_params *p, const struct atcp_sysctl *s)
{
	return (u32 *)((char *)p + s->offset);
}

void atcp_net_params(const struct net *net, struct atcp_params *p)
{
	struct atcp_params *now = &atcp_net(net)->params;
	size_t i;

	atcp_params_default(p);
	/* A sysctl write may race: each value is read once, whole. */
	for (i = 0; i < ARRAY_SIZE(atcp_sysctls); i++)
		*atcp_param(p, &atcp_sysctls[i]) =
			READ_ONCE(*atcp_param(now, &atcp_sysctls[i]));
	p->congestion = READ_ONCE(now->congestion);
	p->rcv_buf = READ_ONCE(atcp_net(net)->rmem[1]);
	p->rcv_buf_max = READ_ONCE(atcp_net(net)->rmem[2]);
}

/* net.atcp.wmem[i]: 1 a new socket's send buffer, 2 what it grows to. */
int atcp_net_wmem(const struct net *net, int i)
{
	return READ_ONCE(atcp_net(net)->wmem[i]);
}

/* Linux's tcp_syncookies: read when a SYN or a listener's ACK arrives. */
int atcp_net_syncookies(const struct net *net)
{
	return READ_ONCE(atcp_net(net)->params.syncookies);
}

void atcp_net_half_open_add(const struct net *net, int n)
{
	atomic_add(n, &atcp_net(net)->half_open);
}

int atcp_net_max_syn_backlog(const struct net *net)
{
	return READ_ONCE(atcp_net(net)->max_syn_backlog);
}

/* Linux's tcp_max_syn_backlog, FreeBSD's syncache cachelimit. */
bool atcp_net_half_open_full(const struct net *net)
{
	const struct atcp_net *an = atcp_net(net);

	return atomic_read(&an->half_open) >= READ_ONCE(an->max_syn_backlog);
}

/*
 * Linux's tcp_max_tw_buckets.  An entry taken past the limit is counted
 * until the caller drops it: the count may pass the limit for a moment,
 * never the entries.
 */
bool atcp_net_time_wait_take(const struct net *net)
{
	struct atcp_net *an = atcp_net(net);

	return atomic_inc_return(&an->time_wait) <=
	       READ_ONCE(an->max_tw_buckets);
}

void atcp_net_time_wait_drop(const struct net *net)
{
	atomic_dec(&atcp_net(net)->time_wait);
}

int atcp_net_time_wait(const struct net *net)
{
	return atomic_read(&atcp_net(net)->time_wait);
}

/* FreeBSD's net.inet.tcp.icmp_may_rst: read when an error arrives. */
int atcp_net_icmp_may_rst(const struct net *net)
{
	return READ_ONCE(atcp_net(net)->params.icmp_may_rst);
}

/* proc_dointvec_minmax() on n ints of the caller's, in [*min, *max]. */
static int atcp_proc_ints(atcp_ctl_table_const struct ctl_table *table,
			  int *vals, size_t n, const int *min, const int *max,
			  int write, void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ctl_table tmp = {
		.data = vals,
		.maxlen = n * sizeof(*vals),
		.mode = table->mode,
		.extra1 = (void *)min,
		.extra2 = (void *)max,
	};

	return proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
}

/* A parameter's sysctl: table->data is its u32, extra1 its atcp_sysctl. */
static int atcp_param_handler(atcp_ctl_table_const struct ctl_table *table,
			      int write, void *buffer, size_t *lenp,
			      loff_t *ppos)
{
	const struct atcp_sysctl *s = table->extra1;
	u32 *param = table->data;
	int val = READ_ONCE(*param);
	int ret;

	ret = atcp_proc_ints(table, &val, 1, &s->min, &s->max, write, buffer,
			     lenp, ppos);
	if (write && ret == 0)
		WRITE_ONCE(*param, val);
	return ret;
}

/*
 * net.atcp.congestion_control, as Linux's net.ipv4.tcp_congestion_control:
 * the name of the algorithm new sockets take; a name no algorithm has is
 * ENOENT, and the value is unchanged.
 */
static int atcp_congestion_handler(atcp_ctl_table_const struct ctl_table *table,
				   int write, void *buffer, size_t *lenp,
				   loff_t *ppos)
{
	struct atcp_params *params = table->data;
	char name[ATCP_CC_NAME_MAX];
	struct ctl_table tmp = {
		.data = name,
		.maxlen = sizeof(name),
		.mode = table->mode,
	};
	int cc, ret;

	strscpy(name, atcp_engine_cc_name(READ_ONCE(params->congestion)),
		sizeof(name));
	ret = proc_dostring(&tmp, write, buffer, lenp, ppos);
	if (!write || ret)
		return ret;
	cc = atcp_engine_cc_find(name);
	if (cc < 0)
		return -ENOENT;
	WRITE_ONCE(params->congestion, cc);
	return 0;
}

/* net.atcp.available_congestion_control: the names, space-separated. */
static int
atcp_available_congestion_handler(atcp_ctl_table_const struct ctl_table *table,
				  int write, void *buffer, size_t *lenp,
				  loff_t *ppos)
{
	char names[ATCP_CC_COUNT * ATCP_CC_NAME_MAX] = "";
	struct ctl_table tmp = {
		.data = names,
		.maxlen = sizeof(names),
		.mode = table->mode,
	};
	int cc;

	for (cc = 0; cc < ATCP_CC_COUNT; cc++) {
		if (cc)
			strlcat(names, " ", sizeof(names));
		strlcat(names, atcp_engine_cc_name(cc), sizeof(names));
	}
	return proc_dostring(&tmp, write, buffer, lenp, ppos);
}

static void ports_of(const struct atcp_net *an, int *first, int *last)
{
	u32 ports = READ_ONCE(an->ephemeral_ports);

	*first = ports >> 16;
	*last = ports & 0xffff;
}

void atcp_net_ephemeral_ports(const struct net *net, int *first, int *last)
{
	ports_of(atcp_net(net), first, last);
}

/* "first last", first <= last, neither below 1024: else EINVAL, unchanged. */
static int
atcp_ephemeral_ports_handler(atcp_ctl_table_const struct ctl_table *table,
			     int write, void *buffer, size_t *lenp, loff_t *ppos)
{
	static const int min = EPHEMERAL_MIN, max = 65535;
	struct atcp_net *an = table->data;
	int range[2];
	int ret;

	ports_of(an, &range[0], &range[1]);
	ret = atcp_proc_ints(table, range, ARRAY_SIZE(range), &min, &max, write,
			     buffer, lenp, ppos);
	if (write && ret == 0) {
		if (range[1] < range[0])
			return -EINVAL;
		WRITE_ONCE(an->ephemeral_ports, range[0] << 16 | range[1]);
	}
	return ret;
}

/*
 * net.atcp.rmem and wmem, as Linux's tcp_rmem and tcp_wmem: "min default
 * max" bytes, min <= default <= max, else EINVAL and unchanged.  A reader
 * racing a write may see one old and one new value; each is valid alone.
 */
static int atcp_buffer_sizes_handler(atcp_ctl_table_const struct ctl_table *table,
				     int write, void *buffer, size_t *lenp,
				     loff_t *ppos)
{
	/* A page .. the largest window scaling describes (RFC 7323 2.3) */
	static const int min = 4096, max = 1 << 30;
	int *sizes = table->data;
	int v[3];
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = READ_ONCE(sizes[i]);
	ret = atcp_proc_ints(table, v, ARRAY_SIZE(v), &min, &max, write,
			     buffer, lenp, ppos);
	if (!write || ret)
		return ret;
	if (v[0] > v[1] || v[1] > v[2])
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(v); i++)
		WRITE_ONCE(sizes[i], v[i]);
	return 0;
}

/*
 * A limit: net.atcp.max_syn_backlog, max_tw_buckets.  0 .. INT_MAX, else
 * EINVAL and unchanged.
 */
static int atcp_limit_handler(atcp_ctl_table_const struct ctl_table *table,
			      int write, void *buffer, size_t *lenp,
			      loff_t *ppos)
{
	int *limit = table->data;
	int val = READ_ONCE(*limit);
	int ret;

	ret = atcp_proc_ints(table, &val, 1, SYSCTL_ZERO, SYSCTL_INT_MAX,
			     write, buffer, lenp, ppos);
	if (write && ret == 0)
		WRITE_ONCE(*limit, val);
	return ret;
}

void atcp_mib_add(const struct net *net, enum atcp_mib idx, s64 n)
{
	this_cpu_add(atcp_net(net)->mib->v[idx], n);
}

void atcp_mib_add_delta(const struct net *net, const struct atcp_mib_delta *d)
{
	struct atcp_mib_counters __percpu *m = atcp_net(net)->mib;

	this_cpu_add(m->v[ATCP_MIB_ACTIVE_OPENS], d->active_opens);
	this_cpu_add(m->v[ATCP_MIB_PASSIVE_OPENS], d->passive_opens);
	this_cpu_add(m->v[ATCP_MIB_ATTEMPT_FAILS], d->attempt_fails);
	this_cpu_add(m->v[ATCP_MIB_ESTAB_RESETS], d->estab_resets);
	this_cpu_add(m->v[ATCP_MIB_CURR_ESTAB], (s64)d->curr_estab);
	this_cpu_add(m->v[ATCP_MIB_IN_SEGS], d->in_segs);
	this_cpu_add(m->v[ATCP_MIB_OUT_SEGS], d->out_segs);
	this_cpu_add(m->v[ATCP_MIB_RETRANS_SEGS], d->retrans_segs);
	this_cpu_add(m->v[ATCP_MIB_IN_ERRS], d->in_errs);
	this_cpu_add(m->v[ATCP_MIB_OUT_RSTS], d->out_rsts);
	this_cpu_add(m->v[ATCP_MIB_ABORT_ON_DATA], d->abort_on_data);
	this_cpu_add(m->v[ATCP_MIB_BLACKHOLE_ACTIVATED], d->blackhole_activated);
	this_cpu_add(m->v[ATCP_MIB_BLACKHOLE_ACTIVATED_MIN_MSS],
		     d->blackhole_activated_min_mss);
	this_cpu_add(m->v[ATCP_MIB_BLACKHOLE_FAILED], d->blackhole_failed);
	this_cpu_add(m->v[ATCP_MIB_ECN_CE_RCVD], d->ecn_ce_rcvd);
	this_cpu_add(m->v[ATCP_MIB_ECN_ECE_RCVD], d->ecn_ece_rcvd);
	this_cpu_add(m->v[ATCP_MIB_ECN_CWR_SENT], d->ecn_cwr_sent);
	this_cpu_add(m->v[ATCP_MIB_LOSS_PROBES], d->loss_probes);
	this_cpu_add(m->v[ATCP_MIB_LOSS_PROBE_RECOVERY], d->loss_probe_recovery);
	this_cpu_add(m->v[ATCP_MIB_SACK_REORDER], d->sack_reorder);
	this_cpu_add(m->v[ATCP_MIB_DSACK_UNDO], d->dsack_undo);
	this_cpu_add(m->v[ATCP_MIB_TIMESTAMP_UNDO], d->timestamp_undo);
}

/* RFC 4022: a segment received in error counts as received too. */
void atcp_count_bad_segment(const struct net *net)
{
	atcp_mib_add(net, ATCP_MIB_IN_SEGS, 1);
	atcp_mib_add(net, ATCP_MIB_IN_ERRS, 1);
}

u64 atcp_mib_read(const struct net *net, enum atcp_mib idx)
{
	struct atcp_mib_counters __percpu *m = atcp_net(net)->mib;
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(m, cpu)->v[idx];
	return sum;
}

static int __net_init atcp_net_init(struct net *net)
{
	const size_t n = ARRAY_SIZE(atcp_sysctls);
	struct atcp_net *an = atcp_net(net);
	struct ctl_table *t;
	size_t i;

	/* The sysctls are the u32s that lead struct atcp_params, one each. */
	BUILD_BUG_ON(offsetof(struct atcp_params, rto_initial_ms) !=
		     n * sizeof(u32));
	atcp_params_default(&an->params);
	an->ephemeral_ports = 49152 << 16 | 65535; /* IANA's dynamic range */
	/* Linux's tcp_rmem and tcp_wmem; the engine's for the receive side */
	an->rmem[0] = 4096;
	an->rmem[1] = an->params.rcv_buf;
	an->rmem[2] = an->params.rcv_buf_max;
	an->wmem[0] = 4096;
	an->wmem[1] = 16384;
	an->wmem[2] = 4 << 20;
	/* Linux's: a 128th of the established table's buckets, 128 at least */
	an->max_syn_backlog = max(128U, atcp_hash_estab_buckets() / 128);
	atomic_set(&an->half_open, 0);
	/* Linux's: half the established table's buckets */
	an->max_tw_buckets = atcp_hash_estab_buckets() / 2;
	atomic_set(&an->time_wait, 0);
	an->mib = alloc_percpu(struct atcp_mib_counters);
	if (!an->mib)
		return -ENOMEM;
	/*
	 * One entry per parameter, the port range, the two congestion
	 * control names, the two buffer sizes, the two limits, and the
	 * terminator.
	 */
	t = kcalloc(n + 8, sizeof(*t), GFP_KERNEL);
	if (!t)
		goto free_mib;
	for (i = 0; i < n; i++) {
		const struct atcp_sysctl *s = &atcp_sysctls[i];

		t[i].procname = s->name;
		t[i].data = atcp_param(&an->params, s);
		t[i].maxlen = sizeof(int);
		t[i].mode = 0644;
		t[i].proc_handler = atcp_param_handler;
		t[i].extra1 = (void *)s;
	}
	t[n].procname = "ephemeral_ports";
	t[n].data = an;
	t[n].maxlen = sizeof(int) * 2;
	t[n].mode = 0644;
	t[n].proc_handler = atcp_ephemeral_ports_handler;
	t[n + 1].procname = "congestion_control";
	t[n + 1].data = &an->params;
	t[n + 1].maxlen = ATCP_CC_NAME_MAX;
	t[n + 1].mode = 0644;
	t[n + 1].proc_handler = atcp_congestion_handler;
	t[n + 2].procname = "available_congestion_control";
	t[n + 2].maxlen = ATCP_CC_COUNT * ATCP_CC_NAME_MAX;
	t[n + 2].mode = 0444;
	t[n + 2].proc_handler = atcp_available_congestion_handler;
	t[n + 3].procname = "rmem";
	t[n + 3].data = an->rmem;
	t[n + 4].procname = "wmem";
	t[n + 4].data = an->wmem;
	for (i = n + 3; i < n + 5; i++) {
		t[i].maxlen = sizeof(an->rmem);
		t[i].mode = 0644;
		t[i].proc_handler = atcp_buffer_sizes_handler;
	}

	t[n + 5].procname = "max_syn_backlog";
	t[n + 5].data = &an->max_syn_backlog;
	t[n + 6].procname = "max_tw_buckets";
	t[n + 6].data = &an->max_tw_buckets;
	for (i = n + 5; i < n + 7; i++) {
		t[i].maxlen = sizeof(int);
		t[i].mode = 0644;
		t[i].proc_handler = atcp_limit_handler;
	}

	an->sysctl = register_net_sysctl_sz(net, "net/atcp", t, n + 7);
	if (!an->sysctl)
		goto free_table;
	an->table = t;
	return 0;

free_table:
	kfree(t);
free_mib:
	free_percpu(an->mib);
	return -ENOMEM;
}

static void __net_exit atcp_net_exit(struct net *net)
{
	struct atcp_net *an = atcp_net(net);

	unregister_net_sysctl_table(an->sysctl);
	kfree(an->table);
	free_percpu(an->mib);
}

static struct pernet_operations atcp_net_ops = {
	.init = atcp_net_init,
	.exit = atcp_net_exit,
	.id = &atcp_net_id,
	.size = sizeof(struct atcp_net),
};

int atcp_net_register(void)
{
	return register_pernet_subsys(&atcp_net_ops);
}

void atcp_net_unregister(void)
{
	unregister_pernet_subsys(&atcp_net_ops);
}
