// SPDX-License-Identifier: GPL-2.0
/*
 * atcp: an alternate TCP for Linux, registered as its own protocol family.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <linux/atcp.h>

#include "atcp.h"
#include "atcp_sock.h"
#include "atcp_syncache.h"
#include "atcp_timewait.h"

static int family = AF_ATCP;
module_param(family, int, 0444);
MODULE_PARM_DESC(family, "protocol family number to register (default "
		 __stringify(AF_ATCP) ")");

static int __init atcp_init(void)
{
	int err;

	if (family <= AF_UNSPEC || family >= NPROTO) {
		pr_err("family=%d is out of range: choose 1..%d\n", family,
		       NPROTO - 1);
		return -EINVAL;
	}
	atcp_isn_key_init();
	atcp_syncookie_keys_init();
	err = atcp_hash_init();
	if (err)
		return err;
	err = atcp_tw_init();
	if (err)
		goto free_hash;
	err = atcp_syn_init();
	if (err)
		goto exit_tw;
	err = atcp_net_register();
	if (err)
		goto exit_syn;
	err = atcp_input_init();
	if (err)
		goto unregister_net;
	err = atcp_sock_init(family);
	if (err)
		goto exit_input;
	err = atcp_genl_init();
	if (err)
		goto exit_sock;
	atcp_codec_probe_init();
	pr_info("registered protocol family %d\n", family);
	return 0;

exit_sock:
	atcp_sock_exit();
exit_input:
	atcp_input_exit();
unregister_net:
	atcp_net_unregister();
exit_syn:
	atcp_syn_exit();
exit_tw:
	atcp_tw_exit();
free_hash:
	atcp_hash_exit();
	return err;
}

static void __exit atcp_exit(void)
{
	atcp_codec_probe_exit();
	atcp_genl_exit();
	atcp_sock_exit();
	atcp_input_exit();
	atcp_net_unregister();
	atcp_syn_exit();
	atcp_tw_exit();
	atcp_hash_exit();
}

module_init(atcp_init);
module_exit(atcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("atcp: an alternate TCP as protocol family AF_ATCP");
MODULE_VERSION(ATCP_VERSION);
/*
 * socket(AF_ATCP, ...) loads atcp through net-pf-19.  Loaded with family=N
 * (options atcp family=N in /etc/modprobe.d), it takes socket(N, ...)
 * instead, which needs "alias net-pf-N atcp" there too: see atcp(4).
 */
MODULE_ALIAS_NETPROTO(AF_ATCP);
