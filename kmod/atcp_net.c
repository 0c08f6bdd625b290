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

#include "atcp.h"

struct atcp_sysctl {
	int rfc1323;
	int mssdflt;
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
};

struct atcp_net {
	struct atcp_sysctl cfg;
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
};

#define EPHEMERAL_MIN 1024

static unsigned int atcp_net_id __read_mostly;

static struct atcp_net *atcp_net(const struct net *net)
{
	return net_generic(net, atcp_net_id);
}

void atcp_net_params(const struct net *net, struct atcp_params *p)
{
	const struct atcp_sysctl *c = &atcp_net(net)->cfg;

	atcp_params_default(p);
	p->rfc1323 = READ_ONCE(c->rfc1323);
	p->mss_default = READ_ONCE(c->mssdflt);
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
static int atcp_ephemeral_ports_handler(struct ctl_table *table, int write,
					void *buffer, size_t *lenp,
					loff_t *ppos)
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
	an->ephemeral_ports = 49152 << 16 | 65535; /* IANA's dynamic range */
}

static int __net_init atcp_net_init(struct net *net)
{
	const size_t n = ARRAY_SIZE(atcp_sysctl_specs);
	struct atcp_net *an = atcp_net(net);
	struct ctl_table *t;
	size_t i;

	atcp_sysctl_defaults(an);
	/* One entry per spec, the port range, and the terminator. */
	t = kcalloc(n + 2, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
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

	an->sysctl = register_net_sysctl(net, "net/atcp", t);
	if (!an->sysctl) {
		kfree(t);
		return -ENOMEM;
	}
	an->table = t;
	return 0;
}

static void __net_exit atcp_net_exit(struct net *net)
{
	struct atcp_net *an = atcp_net(net);

	unregister_net_sysctl_table(an->sysctl);
	kfree(an->table);
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
