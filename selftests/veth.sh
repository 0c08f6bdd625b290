# SPDX-License-Identifier: GPL-2.0
#
# Two network namespaces joined by a veth pair (veth-a, veth-b), for the
# shell selftests that source it.

# A namespace's connections wait out TIME-WAIT briefly: its sockets keep the
# module in use until they are gone.
short_time_wait() {
	ip netns exec "$1" sh -c 'echo 200 >/proc/sys/net/atcp/msl'
}

# veth_pair NS_A NS_B ADDR_A/LEN ADDR_B/LEN...: the namespaces, the pair
# between them with each namespace's addresses (A's and B's alternate),
# loopback and the links up.
veth_pair() {
	local a=$1 b=$2
	shift 2
	ip netns add "$a" && ip netns add "$b" &&
		ip link add veth-a netns "$a" type veth peer name veth-b netns "$b" || return
	while [ $# -ge 2 ]; do
		ip -n "$a" addr add "$1" dev veth-a nodad &&
			ip -n "$b" addr add "$2" dev veth-b nodad || return
		shift 2
	done
	ip -n "$a" link set lo up && ip -n "$b" link set lo up &&
		ip -n "$a" link set veth-a up && ip -n "$b" link set veth-b up &&
		short_time_wait "$a" && short_time_wait "$b"
}

# netem NS_A NS_B LOSS [DELAY [NETEM-ARGS...]]: DELAY (default 5ms) each
# way and LOSS (e.g. 1%) on both ends, followed by any further netem(8)
# arguments (ecn, reorder 5%, limit N).  Called again on the same pair, it
# replaces what was there.
netem() {
	local a=$1 b=$2 loss=$3 delay=${4:-5ms}

	shift $(($# < 4 ? $# : 4))
	modprobe -q sch_netem
	tc -n "$a" qdisc replace dev veth-a root netem delay "$delay" loss "$loss" "$@" &&
		tc -n "$b" qdisc replace dev veth-b root netem delay "$delay" loss "$loss" "$@"
}
