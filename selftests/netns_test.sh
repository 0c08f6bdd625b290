#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# atcp and Linux TCP move data to each other between two network namespaces
# joined by a veth pair whose ends delay and drop packets (netem), and over
# one namespace's loopback; atcp_xfer checks every transfer by hash.  Each
# namespace also has its own net.atcp sysctls.
#
# NETNS_BYTES and LO_BYTES set the sizes moved over the veth pair and over
# loopback; REORDER_BYTES atcp to atcp over the veth pair when it also
# reorders.
set -u

xfer=$(dirname "$0")/atcp_xfer
netns_bytes=${NETNS_BYTES:-$((16 << 20))}
lo_bytes=${LO_BYTES:-$((1 << 30))}
reorder_bytes=${REORDER_BYTES:-$((1 << 30))}
# Private addresses that exist only in the two namespaces.
addr_a=10.99.0.1
addr_b=10.99.0.2
ns_a=atcp-a-$$
ns_b=atcp-b-$$
# Each transfer gets a port of its own, clear of the ephemeral range.
port=5400
server_pid=
tmp=$(mktemp -d)

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/veth.sh"

cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
	ip netns del "$ns_a" 2>/dev/null
	ip netns del "$ns_b" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

setup_netns() {
	veth_pair "$ns_a" "$ns_b" "$addr_a/24" "$addr_b/24"
}

setup_netem() {
	netem "$ns_a" "$ns_b" 1%
}

# xfer_test NAME CLIENT_NS CLIENT_FAMILY SERVER_NS SERVER_FAMILY ADDR BYTES:
# a client in one namespace sends BYTES to a server in another (or the same).
xfer_test() {
	local name=$1 cns=$2 cfam=$3 sns=$4 sfam=$5 addr=$6 bytes=$7
	# A stall fails in atcp_xfer's 15 s; this fails a stream slower than
	# 256 KiB/s, well below what 1 % loss leaves.
	local secs=$((60 + (bytes >> 18))) out cstatus sstatus

	port=$((port + 1))
	ip netns exec "$sns" "$xfer" server -f "$sfam" -p "$port" -n "$bytes" -t "$secs" \
		2>"$tmp/server" &
	server_pid=$!
	out=$(ip netns exec "$cns" "$xfer" client -f "$cfam" -a "$addr" -p "$port" \
		-n "$bytes" -t "$secs" 2>&1)
	cstatus=$?
	# A failed client leaves the server waiting for nothing.
	[ "$cstatus" = 0 ] || kill "$server_pid" 2>/dev/null
	wait "$server_pid"
	sstatus=$?
	server_pid=
	echo "# $name: $out"
	sed 's/^/# server: /' "$tmp/server"
	if [ "$cstatus" = 0 ] && [ "$sstatus" = 0 ]; then
		ok "$name"
	else
		not_ok "$name"
	fi
}

# Three pairings over veth and over loopback: atcp to atcp, atcp to Linux,
# Linux to atcp.
pairs=("atcp atcp" "atcp linux" "linux atcp")
netem_tests() {
	local mib=$((netns_bytes >> 20)) p c s reason=$1

	for p in "${pairs[@]}"; do
		read -r c s <<<"$p"
		if [ -n "$reason" ]; then
			skip "veth_netem_${c}_to_${s}" "$reason"
		else
			xfer_test "veth_netem_${c}_to_${s} ($mib MiB)" "$ns_a" "$c" "$ns_b" "$s" \
				"$addr_b" "$netns_bytes"
		fi
	done
}

# The same path reordering 5 % of the packets by a millisecond, as well as
# losing them (RACK's window, the undo of spurious retransmissions): atcp
# moves REORDER_BYTES to atcp.
reorder_test() {
	local name=veth_netem_reorder_atcp_to_atcp reason=$1

	[ -n "$reason" ] || netem "$ns_a" "$ns_b" 0.5% 1ms reorder 5% limit 10000 ||
		reason="netem cannot reorder"
	if [ -n "$reason" ]; then
		skip "$name" "$reason"
	else
		xfer_test "$name ($((reorder_bytes >> 20)) MiB)" "$ns_a" atcp "$ns_b" atcp \
			"$addr_b" "$reorder_bytes"
	fi
}

lo_tests() {
	local mib=$((lo_bytes >> 20)) p c s

	for p in "${pairs[@]}"; do
		read -r c s <<<"$p"
		xfer_test "lo_${c}_to_${s} ($mib MiB)" "$ns_a" "$c" "$ns_a" "$s" \
			127.0.0.1 "$lo_bytes"
	done
}

# A value set in one namespace is not seen in the other nor in the initial
# one, which keep the default.
sysctl_per_netns() {
	local knob=/proc/sys/net/atcp/mssdflt a b init

	ip netns exec "$ns_a" bash -c "echo 1220 >$knob"
	a=$(ip netns exec "$ns_a" cat $knob)
	b=$(ip netns exec "$ns_b" cat $knob)
	init=$(cat $knob)
	echo "# mssdflt: $ns_a $a, $ns_b $b, initial namespace $init"
	if [ "$a" = 1220 ] && [ "$b" = 536 ] && [ "$init" = 536 ]; then
		ok sysctl_per_netns
	else
		not_ok sysctl_per_netns
	fi
}

tap_begin veth_netem_atcp_to_atcp veth_netem_atcp_to_linux veth_netem_linux_to_atcp \
	veth_netem_reorder_atcp_to_atcp lo_atcp_to_atcp lo_atcp_to_linux lo_linux_to_atcp \
	sysctl_per_netns
tap_needs_atcp
tap_require "could not set up the network namespaces" setup_netns
if ! tap_skip_all; then
	reason=
	setup_netem || reason="tc with sch_netem is not available"
	netem_tests "$reason"
	reorder_test "$reason"
	lo_tests
	# Last, so that no transfer runs with the changed value.
	sysctl_per_netns
fi
tap_totals
[ "$fail" = 0 ]
