// SPDX-License-Identifier: GPL-2.0
/*
 * What atcp holds as a whole, bounded as Linux bounds its TCP:
 *   - socket memory charged to the protocol (struct proto's memory_allocated
 *     and per-CPU reserves, which sk_wmem_schedule() and sk_rmem_schedule()
 *     consult) against net.atcp.mem, "min pressure max" pages as tcp_mem:
 *     above pressure, windows stop growing and close to four segments;
 *     above max, sends wait and received data is dropped before the engine
 *     takes it, so that the peer sends it again;
 *   - orphaned connections (closed by their process, still talking to their
 *     peer) against net.atcp.max_orphans: past it the oldest is reset.
 * Both limits are global, as tcp_mem and tcp_max_orphans are: one pool of
 * memory and of orphans serves every network namespace, and the sysctls
 * live in the initial one.
 */
#include <linux/list.h>
#include <linux/percpu_counter.h>
#include <linux/spinlock.h>
#include <linux/sysctl.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "atcp.h"
#include "atcp_sock.h"

static atomic_long_t atcp_memory_allocated;
static DEFINE_PER_CPU(int, atcp_memory_per_cpu_fw_alloc);
static struct percpu_counter atcp_sockets_allocated;
/* jiffies when pressure began, 0 outside it: written with cmpxchg */
static unsigned long atcp_memory_pressure;
/* net.atcp.mem: pages; each read with READ_ONCE by sk_prot_mem_limits() */
static long atcp_sysctl_mem[3];
/*
 * The least buffer a socket keeps under pressure (the first of Linux's
 * tcp_rmem and tcp_wmem, which only these checks read here): a page.
 */
static int atcp_least_buffer[3] = { PAGE_SIZE, PAGE_SIZE, PAGE_SIZE };

/*
 * The orphans, oldest first.  orphans_lock guards the list, the count and
 * each socket's orphan_node; each listed socket holds a reference.
 */
static DEFINE_SPINLOCK(orphans_lock);
static LIST_HEAD(orphans);
static unsigned int orphans_count;
static int atcp_max_orphans; /* READ_ONCE */
static void atcp_reset_orphans(struct work_struct *work);
static DECLARE_WORK(atcp_orphans_work, atcp_reset_orphans);

/* Linux's tcp_enter_memory_pressure(): counted once per episode. */
static void atcp_enter_memory_pressure(struct sock *sk)
{
	unsigned long val;

	if (READ_ONCE(atcp_memory_pressure))
		return;
	val = jiffies ?: 1;
	if (!cmpxchg(&atcp_memory_pressure, 0, val))
		atcp_mib_add(sock_net(sk), ATCP_MIB_MEMORY_PRESSURES, 1);
}

static void atcp_leave_memory_pressure(struct sock *sk)
{
	unsigned long val;

	if (!READ_ONCE(atcp_memory_pressure))
		return;
	val = xchg(&atcp_memory_pressure, 0);
	if (val)
		atcp_mib_add(sock_net(sk), ATCP_MIB_MEMORY_PRESSURES_MS,
			     jiffies_to_msecs(jiffies - val));
}

/*
 * Before the engine takes a segment for sk (skb at its TCP header, h
 * parsed): tells it whether memory is under pressure, and whether the
 * payload, if any, may be kept.  If not, the segment is dropped whole
 * (counted) before the engine sees it, so that nothing it acknowledges is
 * lost; the peer sends it again.
 *
 * Past net.atcp.mem's maximum a socket whose reader has nothing left to
 * read still takes the next in-order segment, so that the connection moves,
 * as Linux's tcp_data_queue() does by charging it beyond the limit.  A
 * module cannot (sk_forced_mem_schedule() is not exported), so that one
 * skb is held uncharged: counted in the socket's sk_rmem_alloc, not in
 * atcp's memory.
 */
bool atcp_mem_admit(struct sock *sk, struct sk_buff *skb,
		    const struct atcp_tcp_header *h)
{
	u32 payload = skb->len - h->header_len;

	atcp_engine_memory_pressure(&atcp_sk(sk)->tcb,
				    sk_under_memory_pressure(sk));
	atcp_skb_cb(skb)->uncharged = false;
	if (!payload || sk_rmem_schedule(sk, skb, skb->truesize))
		return true;
	if (skb_queue_empty(&sk->sk_receive_queue) &&
	    !after(h->seq, atcp_sk(sk)->rcv_seq)) {
		atcp_skb_cb(skb)->uncharged = true;
		return true;
	}
	atcp_mib_add(sock_net(sk), ATCP_MIB_RCVQ_DROP, 1);
	return false;
}

static void atcp_rfree_uncharged(struct sk_buff *skb)
{
	atomic_sub(skb->truesize, &skb->sk->sk_rmem_alloc);
}

/* skb_set_owner_r(), for what atcp_mem_admit() took. */
void atcp_mem_set_owner_r(struct sk_buff *skb, struct sock *sk)
{
	if (!atcp_skb_cb(skb)->uncharged) {
		skb_set_owner_r(skb, sk);
		return;
	}
	skb_orphan(skb);
	skb->sk = sk;
	skb->destructor = atcp_rfree_uncharged;
	atomic_add(skb->truesize, &sk->sk_rmem_alloc);
}

/* Pages charged to atcp's sockets now, and whether under pressure. */
long atcp_mem_pages(bool *pressure)
{
	*pressure = READ_ONCE(atcp_memory_pressure);
	return max(0L, atomic_long_read(&atcp_memory_allocated));
}

/* "min pressure max", each positive and min <= pressure <= max. */
static int atcp_mem_handler(atcp_ctl_table_const struct ctl_table *table,
			    int write, void *buffer, size_t *lenp, loff_t *ppos)
{
	static const unsigned long least = 1, most = LONG_MAX;
	unsigned long v[3];
	struct ctl_table tmp = {
		.data = v,
		.maxlen = sizeof(v),
		.mode = table->mode,
		.extra1 = (void *)&least,
		.extra2 = (void *)&most,
	};
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = READ_ONCE(atcp_sysctl_mem[i]);
	ret = proc_doulongvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (!write || ret)
		return ret;
	if (v[0] > v[1] || v[1] > v[2])
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(v); i++)
		WRITE_ONCE(atcp_sysctl_mem[i], v[i]);
	return 0;
}

static int atcp_max_orphans_handler(atcp_ctl_table_const struct ctl_table *table,
				    int write, void *buffer, size_t *lenp,
				    loff_t *ppos)
{
	int val = READ_ONCE(atcp_max_orphans);
	struct ctl_table tmp = {
		.data = &val,
		.maxlen = sizeof(val),
		.mode = table->mode,
		.extra1 = SYSCTL_ZERO,
		.extra2 = SYSCTL_INT_MAX,
	};
	int ret = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);

	if (write && ret == 0) {
		WRITE_ONCE(atcp_max_orphans, val);
		schedule_work(&atcp_orphans_work);
	}
	return ret;
}

static struct ctl_table atcp_mem_table[] = {
	{
		.procname = "mem",
		.maxlen = sizeof(atcp_sysctl_mem),
		.mode = 0644,
		.proc_handler = atcp_mem_handler,
	},
	{
		.procname = "max_orphans",
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = atcp_max_orphans_handler,
	},
	{} /* the end, for kernels before 6.6 */
};

static struct ctl_table_header *atcp_mem_sysctl;

/*
 * Resets the oldest orphans while there are more than max_orphans, as
 * Linux's tcp_out_of_resources() resets an orphan when there are too many.
 * A work item, so that the socket closing past the limit need not take
 * another socket's lock inside its own.
 */
static void atcp_reset_orphans(struct work_struct *work)
{
	spin_lock_bh(&orphans_lock);
	while (orphans_count > READ_ONCE(atcp_max_orphans) &&
	       !list_empty(&orphans)) {
		struct atcp_sock *as = list_first_entry(&orphans,
							struct atcp_sock,
							orphan_node);
		struct sock *sk = &as->sk;
		struct atcp_actions act;

		list_del_init(&as->orphan_node);
		orphans_count--;
		spin_unlock_bh(&orphans_lock);
		lock_sock(sk);
		if (!as->released) {
			atcp_mib_add(sock_net(sk), ATCP_MIB_ABORT_ON_MEMORY, 1);
			atcp_engine_abort(&as->tcb, atcp_now_us(), &act);
			atcp_apply(sk, &act, NULL);
		}
		release_sock(sk);
		sock_put(sk); /* the list's */
		spin_lock_bh(&orphans_lock);
	}
	spin_unlock_bh(&orphans_lock);
}

/* A connection lives on without its socket file: count it. */
void atcp_orphan_add(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	bool over;

	sock_hold(sk);
	spin_lock_bh(&orphans_lock);
	list_add_tail(&as->orphan_node, &orphans);
	over = ++orphans_count > READ_ONCE(atcp_max_orphans);
	spin_unlock_bh(&orphans_lock);
	if (over)
		schedule_work(&atcp_orphans_work);
}

/* The connection is over (the caller holds a reference of its own). */
void atcp_orphan_del(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	bool listed;

	spin_lock_bh(&orphans_lock);
	listed = !list_empty(&as->orphan_node);
	if (listed) {
		list_del_init(&as->orphan_node);
		orphans_count--;
	}
	spin_unlock_bh(&orphans_lock);
	if (listed)
		__sock_put(sk);
}

unsigned int atcp_orphans(void)
{
	return READ_ONCE(orphans_count);
}

/*
 * Linux's tcp_init_mem() and tcp_max_orphans: a sixteenth of the memory
 * buffers may take, pressure at three quarters of that; half as many
 * orphans as the established table has buckets.
 */
int atcp_mem_init(struct proto *prot)
{
	unsigned long limit = max(nr_free_buffer_pages() / 16, 128UL);
	int err;

	atcp_sysctl_mem[0] = limit / 4 * 3;
	atcp_sysctl_mem[1] = limit;
	atcp_sysctl_mem[2] = atcp_sysctl_mem[0] * 2;
	atcp_max_orphans = atcp_hash_estab_buckets() / 2;
	err = percpu_counter_init(&atcp_sockets_allocated, 0, GFP_KERNEL);
	if (err)
		return err;
	atcp_mem_sysctl = register_net_sysctl_sz(&init_net, "net/atcp",
						 atcp_mem_table,
						 ARRAY_SIZE(atcp_mem_table) - 1);
	if (!atcp_mem_sysctl) {
		percpu_counter_destroy(&atcp_sockets_allocated);
		return -ENOMEM;
	}
	prot->enter_memory_pressure = atcp_enter_memory_pressure;
	prot->leave_memory_pressure = atcp_leave_memory_pressure;
	prot->memory_allocated = &atcp_memory_allocated;
	prot->per_cpu_fw_alloc = &atcp_memory_per_cpu_fw_alloc;
	prot->sockets_allocated = &atcp_sockets_allocated;
	prot->memory_pressure = &atcp_memory_pressure;
	prot->sysctl_mem = atcp_sysctl_mem;
	prot->sysctl_wmem = atcp_least_buffer;
	prot->sysctl_rmem = atcp_least_buffer;
	return 0;
}

/* After the last socket is gone: no orphan is left to reset. */
void atcp_mem_exit(void)
{
	unregister_net_sysctl_table(atcp_mem_sysctl);
	cancel_work_sync(&atcp_orphans_work);
	percpu_counter_destroy(&atcp_sockets_allocated);
}
