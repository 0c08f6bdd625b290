# SPDX-License-Identifier: GPL-2.0
#
# Three network namespaces in a row, for the path MTU selftest and
# benchmark that source this: sender -- router -- receiver, every link at
# MTU 1500 except the router's side of the link towards the receiver, at
# 1280 (a tunnel, PPPoE, an overlay).  The caller names the namespaces in
# $snd, $rtr and $rcv.

# Addresses of each family: sender, router's two sides, receiver.
snd4=10.98.1.1 rtr4a=10.98.1.2 rtr4b=10.98.2.1 rcv4=10.98.2.2
snd6=fd98:1::1 rtr6a=fd98:1::2 rtr6b=fd98:2::1 rcv6=fd98:2::2

router_setup() {
	local ns

	for ns in "$snd" "$rtr" "$rcv"; do
		ip netns add "$ns" && ip -n "$ns" link set lo up || return
	done
	ip link add s0 netns "$snd" type veth peer name r0 netns "$rtr" &&
		ip link add r1 netns "$rtr" type veth peer name d0 netns "$rcv" &&
		ip -n "$snd" addr add $snd4/24 dev s0 &&
		ip -n "$snd" addr add $snd6/64 dev s0 nodad &&
		ip -n "$rtr" addr add $rtr4a/24 dev r0 &&
		ip -n "$rtr" addr add $rtr6a/64 dev r0 nodad &&
		ip -n "$rtr" addr add $rtr4b/24 dev r1 &&
		ip -n "$rtr" addr add $rtr6b/64 dev r1 nodad &&
		ip -n "$rcv" addr add $rcv4/24 dev d0 &&
		ip -n "$rcv" addr add $rcv6/64 dev d0 nodad &&
		ip -n "$rtr" link set r1 mtu 1280 &&
		ip -n "$snd" link set s0 up && ip -n "$rtr" link set r0 up &&
		ip -n "$rtr" link set r1 up && ip -n "$rcv" link set d0 up &&
		ip -n "$snd" route add default via $rtr4a &&
		ip -n "$snd" -6 route add default via $rtr6a &&
		ip -n "$rcv" route add default via $rtr4b &&
		ip -n "$rcv" -6 route add default via $rtr6b &&
		ip netns exec "$rtr" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 || return
	for ns in "$snd" "$rcv"; do
		ip netns exec "$ns" sh -c 'echo 200 >/proc/sys/net/atcp/msl' || return
	done
}

router_cleanup() {
	ip netns del "$snd" 2>/dev/null
	ip netns del "$rtr" 2>/dev/null
	ip netns del "$rcv" 2>/dev/null
}

# Forgets every learned path MTU in the three namespaces.
cold_routes() {
	local ns

	for ns in "$snd" "$rtr" "$rcv"; do
		ip -n "$ns" route flush cache
		ip -n "$ns" -6 route flush cache
	done
}

# receiver FAMILY: the receiver's address.
receiver() {
	[ "$1" = 6 ] && echo $rcv6 || echo $rcv4
}
