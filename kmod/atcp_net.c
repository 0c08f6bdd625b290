// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: the net.atcp sysctls, which become the
 * engine's parameters for each new connection.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include <linux/atcp.h>

#include "atcp.h"
#include "atcp_sock.h"

struct atcp_sysctl {
	int rfc1323;
	int mssdflt;
	int v6mssdflt;
	int msl; /* milliseconds, as every time below */
	int delacktime;
	int keepidle;
	int keepintvl;
	int keepcnt;
	int syn_retries;
	int data_retries;
	int rexmit_min;
	int rexmit_max;
	int finwait2_timeout;
	int icmp_may_rst;
};

struct atcp_mib_counters {
	u64 v[ATCP_MIB_COUNT];
};

struct atcp_net {
	struct atcp_sysctl cfg;
	struct atcp_mib_counters __percpu *mib;
	u32 ephemeral_ports; /* first << 16 | last, read and written whole */
	struct ctl_table *table;
	struct ctl_table_header *sysctl;
};

struct atcp_sysctl_spec {
	const char *name;
	size_t offset;
	int min;
	int max;
};

#define SPEC(field, lo, hi) { #field, offsetof(struct atcp_sysctl, field), lo, hi }

/* The valid ranges, as Documentation/atcp.4 gives them. */
static const struct atcp_sysctl_spec atcp_sysctl_specs[] = {
	SPEC(rfc1323, 0, 1),
	SPEC(mssdflt, 216, 65495), /* FreeBSD's minmss .. loopback's MTU */
	SPEC(v6mssdflt, 216, 65476), /* .. loopback's MTU less IPv6 and TCP */
	SPEC(msl, 100, 120000),
	SPEC(delacktime, 1, 200),
	SPEC(keepidle, 1000, 32767000),
	SPEC(keepintvl, 1000, 32767000),
	SPEC(keepcnt, 1, 127),
	SPEC(syn_retries, 1, 127),
	SPEC(data_retries, 1, 100),
	SPEC(rexmit_min, 1, 10000),
	SPEC(rexmit_max, 1000, 600000),
	SPEC(finwait2_timeout, 1000, 600000),
	SPEC(icmp_may_rst, 0, 1),
};

#define EPHEMERAL_MIN 1024

static unsigned int atcp_net_id __read_mostly;

static struct atcp_net *atcp_net(const struct net *net)
{
	return net_generic(net, atcp_net_id);
}

void atcp_net_params(const struct net *net, struct atcp_params *p, bool v6)
{
	const struct atcp_sysctl *c = &atcp_net(net)->cfg;

	atcp_params_default(p);
	p->rfc1323 = READ_ONCE(c->rfc1323);
	p->mss_default = v6 ? READ_ONCE(c->v6mssdflt) : READ_ONCE(c->mssdflt);
	p->msl_ms = READ_ONCE(c->msl);
	p->delack_ms = READ_ONCE(c->delacktime);
	p->keepalive_idle_ms = READ_ONCE(c->keepidle);
	p->keepalive_intvl_ms = READ_ONCE(c->keepintvl);
	p->keepalive_count = READ_ONCE(c->keepcnt);
	p->syn_retries = READ_ONCE(c->syn_retries);
	p->data_retries = READ_ONCE(c->data_retries);
	p->rto_min_ms = READ_ONCE(c->rexmit_min);
	p->rto_max_ms = READ_ONCE(c->rexmit_max);
	p->fin_wait_2_ms = READ_ONCE(c->finwait2_timeout);
}

/* FreeBSD's net.inet.tcp.icmp_may_rst: read when an error arrives. */
int atcp_net_icmp_may_rst(const struct net *net)
{
	return READ_ONCE(atcp_net(net)->cfg.icmp_may_rst);
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
	struct ctl_table tmp = {
		.data = range,
		.maxlen = sizeof(range),
		.mode = table->mode,
		.extra1 = (void *)&min,
		.extra2 = (void *)&max,
	};
	int ret;

	ports_of(an, &range[0], &range[1]);
	ret = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (write && ret == 0) {
		if (range[1] < range[0])
			return -EINVAL;
		WRITE_ONCE(an->ephemeral_ports, range[0] << 16 | range[1]);
	}
	return ret;
}

static void atcp_sysctl_defaults(struct atcp_net *an)
{
	struct atcp_sysctl *c = &an->cfg;
	struct atcp_params p;

	/* One source of truth for the defaults: the engine's. */
	atcp_params_default(&p);
	c->rfc1323 = p.rfc1323;
	c->mssdflt = p.mss_default;
	c->v6mssdflt = ATCP_MSS_DEFAULT_V6; /* FreeBSD's net.inet.tcp.v6mssdflt */
	c->msl = p.msl_ms;
	c->delacktime = p.delack_ms;
	c->keepidle = p.keepalive_idle_ms;
	c->keepintvl = p.keepalive_intvl_ms;
	c->keepcnt = p.keepalive_count;
	c->syn_retries = p.syn_retries;
	c->data_retries = p.data_retries;
	c->rexmit_min = p.rto_min_ms;
	c->rexmit_max = p.rto_max_ms;
	c->finwait2_timeout = p.fin_wait_2_ms;
	c->icmp_may_rst = 1; /* FreeBSD's default; no engine parameter */
	an->ephemeral_ports = 49152 << 16 | 65535; /* IANA's dynamic range */
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
	const size_t n = ARRAY_SIZE(atcp_sysctl_specs);
	struct atcp_net *an = atcp_net(net);
	struct ctl_table *t;
	size_t i;

	atcp_sysctl_defaults(an);
	an->mib = alloc_percpu(struct atcp_mib_counters);
	if (!an->mib)
		return -ENOMEM;
	/* One entry per spec, the port range, and the terminator. */
	t = kcalloc(n + 2, sizeof(*t), GFP_KERNEL);
	if (!t)
		goto free_mib;
	for (i = 0; i < n; i++) {
		const struct atcp_sysctl_spec *s = &atcp_sysctl_specs[i];

		t[i].procname = s->name;
		t[i].data = (char *)&an->cfg + s->offset;
		t[i].maxlen = sizeof(int);
		t[i].mode = 0644;
		t[i].proc_handler = proc_dointvec_minmax;
		t[i].extra1 = (void *)&s->min;
		t[i].extra2 = (void *)&s->max;
	}
	t[n].procname = "ephemeral_ports";
	t[n].data = an;
	t[n].maxlen = sizeof(int) * 2;
	t[n].mode = 0644;
	t[n].proc_handler = atcp_ephemeral_ports_handler;

	an->sysctl = register_net_sysctl_sz(net, "net/atcp", t, n + 1);
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
