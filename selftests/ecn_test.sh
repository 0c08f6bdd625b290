#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ECN (RFC 3168) on the wire, between two network namespaces joined by a
# veth pair that marks 2% of the ECT packets CE (netem's "ecn") and loses
# nothing, for IPv4 and IPv6 and for atcp->atcp, atcp->Linux and
# Linux->atcp (Linux with net.ipv4.tcp_ecn 1).  A capture on the
# receiver's end of the link shows, for each transfer:
#  - the client's SYN is ECN-setup (ECE and CWR) and the server's SYN-ACK
#    agrees (ECE alone) (6.1.1);
#  - the client's data goes ECT(0), and so does the answer of an atcp
#    server (6.1.2); the SYNs and pure ACKs go Not-ECT (6.1.1, 6.1.4);
#  - data marked CE is answered with ECE (6.1.3) and then the client sends
#    CWR (6.1.2);
#  - the transfer, hash-checked by atcp_xfer, completes;
#  - an atcp receiver counts EcnCeRcvd, an atcp sender EcnEceRcvd and
#    EcnCwrSent.
# With net.atcp.ecn 2 (the default) an atcp client does not ask, and with
# 0 an atcp server declines a Linux client that asks: nothing is ECT then.
set -u

here=$(dirname "$0")
xfer=$here/atcp_xfer
atcpstat=$here/../bin/atcpstat
python=/usr/bin/python3
bytes=${ECN_BYTES:-$((2 << 20))}
ns_a=atcp-ea-$$
ns_b=atcp-eb-$$
addr_a=10.99.3.1
addr_b=10.99.3.2
addr6_a=fd99:3::1
addr6_b=fd99:3::2
port=5700
pids=()
tmp=$(mktemp -d)

. "$here/tap.sh"
. "$here/veth.sh"

cleanup() {
	local p

	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	ip netns del "$ns_a" 2>/dev/null
	ip netns del "$ns_b" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# The capture's packets, one a line: "SPORT DPORT FLAGS ECN LEN", FLAGS in
# tcpdump's letters ("." for ACK), ECN the IP header's codepoint (0 Not-ECT,
# 2 ECT(0), 3 CE), LEN the TCP payload.
write_reader() {
	cat >"$tmp/pcap.py" <<-'EOF'
	import struct, sys

	data = open(sys.argv[1], "rb").read()
	end = ">" if data[:4] == b"\xa1\xb2\xc3\xd4" else "<"
	at = 24
	while at + 16 <= len(data):
	    incl = struct.unpack_from(end + "I", data, at + 8)[0]
	    pkt, at = data[at + 16:at + 16 + incl], at + 16 + incl
	    etype = struct.unpack_from(">H", pkt, 12)[0]
	    ip = pkt[14:]
	    if etype == 0x0800 and ip[9] == 6:
	        ecn, hl, total = ip[1] & 3, (ip[0] & 15) * 4, struct.unpack_from(">H", ip, 2)[0]
	    elif etype == 0x86DD and ip[6] == 6:
	        ecn, hl = (ip[1] >> 4) & 3, 40
	        total = 40 + struct.unpack_from(">H", ip, 4)[0]
	    else:
	        continue
	    tcp = ip[hl:]
	    sport, dport = struct.unpack_from(">HH", tcp)
	    flags = "".join(c for bit, c in zip((1, 2, 4, 8, 16, 32, 64, 128), "FSRP.UEW")
	                    if tcp[13] & bit)
	    print(sport, dport, flags, ecn, total - hl - (tcp[12] >> 4) * 4)
	EOF
}

# capture_start: what crosses the link, on the server's end.
capture_start() {
	rm -f "$tmp/cap" "$tmp/cap.err"
	ip netns exec "$ns_b" tcpdump -i veth-b --immediate-mode -nn -U -s 128 -w "$tmp/cap" \
		"tcp port $port" 2>"$tmp/cap.err" &
	cap_pid=$!
	pids+=($cap_pid)
	for _ in $(seq 50); do grep -q listening "$tmp/cap.err" 2>/dev/null && break; sleep 0.1; done
}

# capture_stop: once tcpdump has written what it took (an emulated guest's
# tcpdump runs behind the link), it stops and the packets are read.
capture_stop() {
	local size=-1

	for _ in $(seq 100); do
		[ "$(stat -c %s "$tmp/cap")" = "$size" ] && break
		size=$(stat -c %s "$tmp/cap")
		sleep 0.5
	done
	kill -INT "$cap_pid" 2>/dev/null
	wait "$cap_pid"
	"$python" "$tmp/pcap.py" "$tmp/cap" >"$tmp/pkts"
}

# result NAME BAD: the TAP line; on a failure, how the capture went.
result() {
	if [ -z "$2" ]; then
		ok "$1"
		return
	fi
	sed 's/^/# tcpdump: /' "$tmp/cap.err"
	head -n 8 "$tmp/pkts" | sed 's/^/# packet: /'
	awk -v p="$port" '$1 == p && $5 > 0' "$tmp/pkts" | head -n 4 | sed 's/^/# answer: /'
	sed 's/^/# server: /' "$tmp/server"
	not_ok "$1"
}

# has AWK-CONDITION: a captured packet satisfies it ($1 sport, $2 dport,
# $3 flags, $4 ECN, $5 payload length).
has() {
	awk "$1 { found = 1 } END { exit !found }" "$tmp/pkts"
}

# marking_link NS DEV: ECT and CE packets through a netem that marks 2% of
# them CE (netem's "ecn": where it would drop an ECT packet it marks it),
# the rest through a FIFO, so that no SYN or ACK is lost: a lost SYN would
# be sent again without asking for ECN (RFC 3168 6.1.1.1).
marking_link() {
	local ns=$1 dev=$2

	modprobe -q sch_prio
	modprobe -q sch_netem
	modprobe -q cls_u32
	tc -n "$ns" qdisc replace dev "$dev" root handle 1: prio bands 2 \
		priomap 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 &&
		tc -n "$ns" qdisc add dev "$dev" parent 1:2 handle 20: netem delay 2ms loss 2% ecn &&
		tc -n "$ns" filter add dev "$dev" parent 1: protocol ip u32 \
			match ip tos 0x02 0x02 flowid 1:2 &&
		tc -n "$ns" filter add dev "$dev" parent 1: protocol ipv6 u32 \
			match ip6 priority 0x02 0x02 flowid 1:2
}

# wait_listening STACK: the server in ns B listens on $port.
wait_listening() {
	local _

	for _ in $(seq 100); do
		if [ "$1" = atcp ]; then
			ip netns exec "$ns_b" "$atcpstat" -ln --sport "$port" | grep -q ":$port\b"
		else
			ip netns exec "$ns_b" ss -Hltn "sport = :$port" | grep -q .
		fi && return
		sleep 0.05
	done
}

# xfer FAMILY CLIENT SERVER: BYTES from ns A to ns B, hash-checked; sets
# cstatus and sstatus (0: done).
xfer() {
	local fam=$1 c=$2 s=$3 v6= dst=$addr_b

	[ "$fam" = 6 ] && v6=-6 dst=$addr6_b
	ip netns exec "$ns_b" "$xfer" server -f "$s" $v6 -p "$port" -n "$bytes" -t 120 \
		2>"$tmp/server" &
	pids+=($!)
	# A SYN before the listener would be answered with a RST, and one the
	# client sent again would not ask for ECN (RFC 3168 6.1.1.1).
	wait_listening "$s"
	ip netns exec "$ns_a" "$xfer" client -f "$c" -a "$dst" -p "$port" -n "$bytes" -t 120 \
		>"$tmp/client" 2>&1
	cstatus=$?
	[ "$cstatus" = 0 ] || kill "${pids[-1]}" 2>/dev/null
	wait "${pids[-1]}"
	sstatus=$?
}

# settings ECN_A ECN_B: net.atcp.ecn and net.ipv4.tcp_ecn in each namespace.
settings() {
	ip netns exec "$ns_a" sh -c "echo $1 >/proc/sys/net/atcp/ecn && sysctl -qw net.ipv4.tcp_ecn=$1" &&
		ip netns exec "$ns_b" sh -c "echo $2 >/proc/sys/net/atcp/ecn && sysctl -qw net.ipv4.tcp_ecn=$2"
}

# marked FAMILY CLIENT SERVER: an ECN transfer through the marking link.
marked() {
	local fam=$1 c=$2 s=$3 name="ecn_v$1_$2_to_$3" bad=
	local ce0 ece0 cwr0 ce1 ece1 cwr1 first_e first_w

	port=$((port + 1))
	settings 1 1
	[ "$s" = atcp ] && ce0=$(ns_counter "$ns_b" EcnCeRcvd)
	[ "$c" = atcp ] && ece0=$(ns_counter "$ns_a" EcnEceRcvd) cwr0=$(ns_counter "$ns_a" EcnCwrSent)
	capture_start
	xfer "$fam" "$c" "$s"
	capture_stop
	[ "$cstatus" = 0 ] && [ "$sstatus" = 0 ] || bad+=" transfer"
	has "\$2 == $port && \$3 == \"SEW\" && \$4 == 0" || bad+=" syn"
	has "\$1 == $port && \$3 == \"S.E\" && \$4 == 0" || bad+=" syn-ack"
	has "\$2 == $port && \$5 > 0 && \$4 == 2" || bad+=" data-ect0"
	has "\$2 == $port && \$5 > 0 && \$4 == 3" || bad+=" data-ce"
	! has "\$5 == 0 && \$4 != 0" || bad+=" ect-without-data"
	# The server's answer leaves through a marking link too: ECT(0) or CE.
	[ "$s" = linux ] || has "\$1 == $port && \$5 > 0 && \$4 >= 2" || bad+=" answer-ect"
	first_e=$(awk -v p="$port" '$1 == p && $3 ~ /E/ && $3 !~ /S/ { print NR; exit }' "$tmp/pkts")
	# The client answers an ECE with CWR (RFC 3168 6.1.2).  Linux's sender
	# also sets CWR after a reduction for loss (tcp_init_cwnd_reduction()),
	# which a slow guest's marking queue may cause before any ECE: the CWR
	# looked for is the first after the first ECE.
	[ -n "$first_e" ] || bad+=" ece"
	first_w=$(awk -v p="$port" -v e="${first_e:-0}" \
		'NR > e && $2 == p && $3 ~ /W/ && $3 !~ /S/ { print NR; exit }' "$tmp/pkts")
	[ -n "$first_w" ] && [ -n "$first_e" ] || bad+=" cwr"
	if [ "$s" = atcp ]; then
		ce1=$(ns_counter "$ns_b" EcnCeRcvd)
		[ "$ce1" -gt "$ce0" ] || bad+=" EcnCeRcvd"
	fi
	if [ "$c" = atcp ]; then
		ece1=$(ns_counter "$ns_a" EcnEceRcvd) cwr1=$(ns_counter "$ns_a" EcnCwrSent)
		[ "$ece1" -gt "$ece0" ] || bad+=" EcnEceRcvd"
		[ "$cwr1" -gt "$cwr0" ] || bad+=" EcnCwrSent"
	fi
	echo "# $name: $(wc -l <"$tmp/pkts") packets, $(awk '$4 == 3' "$tmp/pkts" | wc -l) CE," \
		"$(awk -v p="$port" '$1 == p && $3 ~ /E/' "$tmp/pkts" | wc -l) ECE," \
		"$(awk -v p="$port" '$2 == p && $3 ~ /W/ && $3 !~ /S/' "$tmp/pkts" | wc -l) CWR;" \
		"counters ce ${ce0:--} -> ${ce1:--}, ece ${ece0:--} -> ${ece1:--}," \
		"cwr ${cwr0:--} -> ${cwr1:--}; client: $(tr '\n' ' ' <"$tmp/client")${bad:+; failed:$bad}"
	result "$name" "$bad"
}

# unagreed NAME ECN_A ECN_B CLIENT SERVER SYN SYNACK: no agreement, and no
# ECT on the wire.
unagreed() {
	local name=$1 bad=

	port=$((port + 1))
	settings "$2" "$3"
	capture_start
	xfer 4 "$4" "$5"
	capture_stop
	[ "$cstatus" = 0 ] && [ "$sstatus" = 0 ] || bad+=" transfer"
	has "\$2 == $port && \$3 == \"$6\"" || bad+=" syn"
	has "\$1 == $port && \$3 == \"$7\"" || bad+=" syn-ack"
	! has "\$4 != 0" || bad+=" ect"
	echo "# $name: $(wc -l <"$tmp/pkts") packets${bad:+; failed:$bad}"
	result "$name" "$bad"
}

tests=()
for fam in 4 6; do
	for p in "atcp atcp" "atcp linux" "linux atcp"; do
		set -- $p
		tests+=("ecn_v${fam}_${1}_to_${2}")
	done
done
tests+=(ecn_2_atcp_client_does_not_ask ecn_0_atcp_server_declines)

tap_begin "${tests[@]}"
tap_needs_atcp
tap_require "needs tcpdump and $python" executables /usr/bin/tcpdump "$python"
tap_require "could not set up the network namespaces" \
	veth_pair "$ns_a" "$ns_b" $addr_a/24 $addr_b/24 $addr6_a/64 $addr6_b/64
# One segment per packet, so that a Linux sender's segments are marked
# one by one, as many as atcp's.
tap_require "could not turn GSO off" ip -n "$ns_a" link set veth-a gso_max_segs 1
tap_require "could not turn GSO off" ip -n "$ns_b" link set veth-b gso_max_segs 1
tap_require "netem cannot mark ECN" marking_link "$ns_a" veth-a
tap_require "netem cannot mark ECN" marking_link "$ns_b" veth-b
if ! tap_skip_all; then
	write_reader
	for fam in 4 6; do
		for p in "atcp atcp" "atcp linux" "linux atcp"; do
			marked "$fam" $p
		done
	done
	unagreed ecn_2_atcp_client_does_not_ask 2 1 atcp atcp S S.
	unagreed ecn_0_atcp_server_declines 1 0 linux atcp SEW S.
fi
tap_totals
