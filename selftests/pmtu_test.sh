#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Path MTU discovery and ICMP errors across a router (router.sh: the
# link towards the receiver has MTU 1280).  For IPv4 and IPv6:
#  - bulk transfers, hash-checked by atcp_xfer, complete from a cold route
#    cache for atcp->atcp, atcp->Linux and Linux->atcp; the sender's route
#    learns MTU 1280 and, for an atcp sender, PmtuUpdates counts it;
#  - a "fragmentation needed" or "packet too big" quoting a sequence number
#    not in flight is counted and ignored: the route keeps its MTU;
#  - connect() to a port the receiver rejects with ICMP port unreachable or
#    administratively prohibited fails promptly with ECONNREFUSED when
#    net.atcp.icmp_may_rst is 1, and is still pending with 0 (SO_ERROR then
#    shows the soft error);
#  - a connect() the router answers with "no route" fails with ENETUNREACH,
#    not ETIMEDOUT, when it times out;
#  - the capture of each transfer shows the MSS drop to the 1280-byte link's;
#  - with the router's ICMP errors filtered (a blackhole), an atcp sender
#    completes its transfer with net.atcp.pmtud_blackhole_detection 1 and
#    stalls with 0;
# and net.atcp.icmp_may_rst refuses bad values.
set -u

here=$(dirname "$0")
xfer=$here/atcp_xfer
run=$here/../bin/atcp-run
atcpstat=$here/../bin/atcpstat
python=/usr/bin/python3
bytes=${PMTU_BYTES:-$((4 << 20))}
snd=atcp-snd-$$
rtr=atcp-rtr-$$
rcv=atcp-rcv-$$
port=5600
pids=()
tmp=$(mktemp -d)

. "$here/tap.sh"
. "$here/router.sh"

cleanup() {
	local p

	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	router_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT

# route_mtu NS ADDR: "mtu N" when the route to ADDR has learned a path MTU.
route_mtu() {
	ip -n "$1" route get "$2" | grep -o 'mtu [0-9]*'
}

# xfer FAMILY CLIENT SERVER SECS: BYTES from the sender to the receiver,
# CLIENT and SERVER each atcp or linux, within SECS; sets dst, out (the
# client's report), cstatus and sstatus (0: done, hash checked) and took.
xfer() {
	local fam=$1 c=$2 s=$3 secs=$4 v6= t0 t1

	dst=$(receiver "$fam")
	[ "$fam" = 6 ] && v6=-6
	port=$((port + 1))
	ip netns exec "$rcv" "$xfer" server -f "$s" $v6 -p "$port" -n "$bytes" -t "$secs" \
		2>"$tmp/server" &
	pids+=($!)
	t0=$(date +%s.%N)
	out=$(ip netns exec "$snd" "$xfer" client -f "$c" -a "$dst" -p "$port" -n "$bytes" \
		-t "$secs" 2>&1)
	cstatus=$?
	t1=$(date +%s.%N)
	[ "$cstatus" = 0 ] || kill "${pids[-1]}" 2>/dev/null
	wait "${pids[-1]}"
	sstatus=$?
	took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	sed 's/^/# server: /' "$tmp/server"
}

# The captures show a Linux sender's segments as the wire carries them,
# not the GSO batches its TCP hands the device.
one_segment_per_skb() {
	ip -n "$snd" link set s0 gso_max_segs 1
}

# capture_start: the sender's data segments as they leave for the router.
capture_start() {
	rm -f "$tmp/cap" "$tmp/cap.err"
	ip netns exec "$snd" tcpdump -i s0 -nn -U -s 128 -w "$tmp/cap" \
		"tcp dst port $((port + 1))" 2>"$tmp/cap.err" &
	cap_pid=$!
	pids+=($cap_pid)
	for _ in $(seq 50); do grep -q listening "$tmp/cap.err" 2>/dev/null && break; sleep 0.1; done
}

# capture_sizes: the captured segments' payload lengths, in order.
capture_sizes() {
	kill -INT "$cap_pid" 2>/dev/null
	wait "$cap_pid"
	tcpdump -r "$tmp/cap" -nn -q 2>/dev/null | awk '$NF > 0 { print $NF }'
}

# pmtu_xfer FAMILY CLIENT SERVER: from a cold route cache the transfer
# completes, the sender's route learns MTU 1280, an atcp sender counts
# PmtuUpdates, and the capture shows full 1500-byte segments first and, at
# the end, none bigger than the 1280-byte link takes.
pmtu_xfer() {
	local fam=$1 c=$2 s=$3 name="pmtu_v$1_${2}_to_${3}" before after p0 p1 sizes first last
	local link_mss

	# The link's MTU less the IP and TCP headers and the timestamp option.
	[ "$fam" = 6 ] && link_mss=$((1280 - 60 - 12)) || link_mss=$((1280 - 40 - 12))
	cold_routes
	before=$(route_mtu "$snd" "$(receiver "$fam")")
	p0=$(ns_counter "$snd" PmtuUpdates)
	capture_start
	xfer "$fam" "$c" "$s" 120
	sizes=$(capture_sizes)
	after=$(route_mtu "$snd" "$dst")
	p1=$(ns_counter "$snd" PmtuUpdates)
	first=$(head -n 1 <<<"$sizes")
	last=$(tail -n 50 <<<"$sizes" | sort -n | tail -n 1)
	echo "# $name: $out"
	echo "# $name: $((bytes >> 20)) MiB in $took s; route before: '${before:-none}'," \
		"after: '${after:-none}'; PmtuUpdates $p0 -> $p1; captured payloads:" \
		"first ${first:-none}, largest of the last 50 ${last:-none} (link MSS $link_mss)"
	if [ "$cstatus" = 0 ] && [ "$sstatus" = 0 ] && [ -z "$before" ] &&
		[ "$after" = "mtu 1280" ] && { [ "$c" != atcp ] || [ "$p1" -gt "$p0" ]; } &&
		[ -n "$first" ] && [ "$first" -gt "$link_mss" ] &&
		[ -n "$last" ] && [ "$last" -le "$link_mss" ]; then
		ok "$name"
	else
		not_ok "$name"
	fi
}

# The router drops the "fragmentation needed" and "packet too big" errors
# it sends: a path MTU blackhole (RFC 2923 2.1).
blackhole_on() {
	ip netns exec "$rtr" nft -f - <<-EOF
	table inet atcp_blackhole {
		chain output {
			type filter hook output priority 0;
			icmp type destination-unreachable icmp code frag-needed drop
			icmpv6 type packet-too-big drop
		}
	}
	EOF
}

blackhole_off() {
	ip netns exec "$rtr" nft delete table inet atcp_blackhole
}

# blackhole_xfer FAMILY SERVER DETECT: an atcp sender through the
# blackhole.  With net.atcp.pmtud_blackhole_detection 1 the transfer
# completes, PmtudBlackholeActivated counts the step down, and the route
# has learned nothing (no ICMP came); with 0 (the control) nothing passes
# the router, and the transfer times out.
blackhole_xfer() {
	local fam=$1 s=$2 detect=$3 name a0 a1 mtu secs=120 knob=/proc/sys/net/atcp/pmtud_blackhole_detection

	name="blackhole_v${fam}_atcp_to_${s}_detection_$detect"
	[ "$detect" = 1 ] || secs=8
	cold_routes
	ip netns exec "$snd" sh -c "echo $detect >$knob"
	a0=$(ns_counter "$snd" PmtudBlackholeActivated)
	xfer "$fam" atcp "$s" "$secs"
	ip netns exec "$snd" sh -c "echo 0 >$knob"
	a1=$(ns_counter "$snd" PmtudBlackholeActivated)
	mtu=$(route_mtu "$snd" "$dst")
	echo "# $name: $out"
	echo "# $name: client $cstatus, server $sstatus after $took s;" \
		"PmtudBlackholeActivated $a0 -> $a1; route '${mtu:-none}'"
	if { [ "$detect" = 1 ] && [ "$cstatus" = 0 ] && [ "$sstatus" = 0 ] &&
		[ "$a1" -gt "$a0" ]; } ||
		{ [ "$detect" = 0 ] && [ "$cstatus" != 0 ] && [ "$a1" = "$a0" ]; }; then
		[ -z "$mtu" ] && ok "$name" || not_ok "$name"
	else
		not_ok "$name"
	fi
}

# The ICMP a router would send, from the router's sender-side address:
# icmp.py FAMILY SRC DST SPORT DPORT SEQ, the quoted segment going SRC->DST.
cat >"$tmp/icmp.py" <<'EOF'
import socket, struct, sys

fam, src, dst, sport, dport, seq = sys.argv[1], sys.argv[2], sys.argv[3], *map(int, sys.argv[4:7])
tcp = struct.pack("!HHI", sport, dport, seq)


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF


if fam == "4":
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 1500, 0, 0x4000, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    body = struct.pack("!BBHHH", 3, 4, 0, 0, 1280) + ip + tcp
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.sendto(body, (src, 0))
else:
    ip = struct.pack("!IHBB16s16s", 6 << 28, 1460, 6, 64,
                     socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst))
    # The kernel fills in an ICMPv6 raw socket's checksum.
    body = struct.pack("!BBHI", 2, 0, 0, 1280) + ip + tcp
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.sendto(body, (src, 0))
EOF

# An atcp connection that stays idle: prints its local port, then waits.
cat >"$tmp/idle.py" <<'EOF'
import socket, sys, time

fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
c = socket.create_connection((sys.argv[1], int(sys.argv[2])))
print(c.getsockname()[1], flush=True)
time.sleep(float(sys.argv[3]))
EOF

# Linux TCP's listener: accepts and holds the connection.
cat >"$tmp/hold.py" <<'EOF'
import socket, sys, time

fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", int(sys.argv[2])))
s.listen(1)
c, _ = s.accept()
time.sleep(float(sys.argv[3]))
EOF

# connect.py ADDR PORT WAIT: a non-blocking connect, then poll for WAIT s;
# prints "done|pending ERRNO SECONDS".
cat >"$tmp/connect.py" <<'EOF'
import errno, select, socket, sys, time

fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setblocking(False)
t0 = time.monotonic()
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
except BlockingIOError:
    pass
_, w, _ = select.select([], [s], [], float(sys.argv[3]))
took = time.monotonic() - t0
err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
print("done" if w else "pending", errno.errorcode.get(err, err), "%.2f" % took)
EOF

atcp_family=$(cat /sys/module/atcp/parameters/family 2>/dev/null)

# out_of_window FAMILY: an idle atcp connection has nothing in flight, so a
# PMTU error quoting it is out of window whatever its sequence number.
out_of_window() {
	local fam=$1 dst src name="icmp_v$1_out_of_window_ignored" lport
	local in0 oow0 pmtu0 noc0 in1 oow1 pmtu1 noc1 mtu

	[ "$fam" = 6 ] && dst=$rcv6 src=$snd6 || dst=$rcv4 src=$snd4
	port=$((port + 1))
	cold_routes
	# Both ends outlive the checks below by far (four counter reads and two
	# Python runs took over 5 s under the debug kernel beside another
	# guest), and are stopped after them.
	ip netns exec "$rcv" "$python" "$tmp/hold.py" "$fam" "$port" 120 &
	pids+=($!)
	for _ in $(seq 100); do
		ip netns exec "$rcv" ss -Hltn "sport = :$port" | grep -q . && break
		sleep 0.1
	done
	ip netns exec "$snd" "$run" "$python" "$tmp/idle.py" "$dst" "$port" 120 >"$tmp/idle" &
	pids+=($!)
	for _ in $(seq 50); do [ -s "$tmp/idle" ] && break; sleep 0.1; done
	read -r lport <"$tmp/idle"
	in0=$(ns_counter "$snd" IcmpIn) oow0=$(ns_counter "$snd" IcmpOutOfWindow)
	pmtu0=$(ns_counter "$snd" PmtuUpdates) noc0=$(ns_counter "$snd" IcmpNoConn)
	ip netns exec "$rtr" "$python" "$tmp/icmp.py" "$fam" "$src" "$dst" "$lport" "$port" \
		305419896
	# And one for a port no connection has.
	ip netns exec "$rtr" "$python" "$tmp/icmp.py" "$fam" "$src" "$dst" 9 "$port" 1
	sleep 0.5
	in1=$(ns_counter "$snd" IcmpIn) oow1=$(ns_counter "$snd" IcmpOutOfWindow)
	pmtu1=$(ns_counter "$snd" PmtuUpdates) noc1=$(ns_counter "$snd" IcmpNoConn)
	mtu=$(route_mtu "$snd" "$dst")
	kill "${pids[-1]}" "${pids[-2]}" 2>/dev/null
	# IcmpIn shows the connection is atcp's (atcp-run hides SO_DOMAIN).
	echo "# $name: port ${lport:-?}; IcmpIn $in0 -> $in1," \
		"IcmpOutOfWindow $oow0 -> $oow1, PmtuUpdates $pmtu0 -> $pmtu1," \
		"IcmpNoConn $noc0 -> $noc1, route '${mtu:-none}'"
	if [ "$in1" = $((in0 + 1)) ] &&
		[ "$oow1" = $((oow0 + 1)) ] && [ "$pmtu1" = "$pmtu0" ] &&
		[ "$noc1" = $((noc0 + 1)) ] && [ -z "$mtu" ]; then
		ok "$name"
	else
		not_ok "$name"
	fi
}

# refused FAMILY TYPE MAY_RST: connect() to a port the receiver rejects with
# ICMP TYPE (port-unreachable, admin-prohibited).
refused() {
	local fam=$1 type=$2 may=$3 dst out st err took name want dport=6001 in0 in1

	[ "$type" = admin-prohibited ] && dport=6002
	name="connect_v${fam}_${type}_icmp_may_rst_$may"
	[ "$fam" = 6 ] && dst=$rcv6 || dst=$rcv4
	in0=$(ns_counter "$snd" IcmpIn)
	ip netns exec "$snd" sh -c "echo $may >/proc/sys/net/atcp/icmp_may_rst"
	out=$(ip netns exec "$snd" "$run" "$python" "$tmp/connect.py" "$dst" "$dport" 3)
	ip netns exec "$snd" sh -c "echo 1 >/proc/sys/net/atcp/icmp_may_rst"
	in1=$(ns_counter "$snd" IcmpIn)
	read -r st err took <<<"$out"
	# IcmpIn shows atcp took the error (atcp-run hides SO_DOMAIN).
	echo "# $name: $out; IcmpIn $in0 -> $in1"
	# With 1 the SYN's ICMP ends connect(); with 0 it is only a soft error.
	[ "$may" = 1 ] && want=done || want=pending
	if [ "$in1" -gt "$in0" ] && [ "$st" = "$want" ] && [ "$err" = ECONNREFUSED ] &&
		{ [ "$may" = 0 ] || awk -v t="$took" 'BEGIN { exit !(t < 2) }'; }; then
		ok "$name"
	else
		not_ok "$name"
	fi
}

setup_reject() {
	ip netns exec "$rcv" nft -f - <<-EOF
	table inet atcp_pmtu {
		chain input {
			type filter hook input priority 0;
			tcp dport 6001 reject with icmpx type port-unreachable
			tcp dport 6002 reject with icmpx type admin-prohibited
		}
	}
	EOF
}

# no_route FAMILY: the router has no route to the address; after
# syn_retries the connect() fails with the router's ENETUNREACH.
no_route() {
	local fam=$1 dst out st err took in0 in1 name="connect_v$1_no_route_enetunreach"

	[ "$fam" = 6 ] && dst=fd98:9::9 || dst=10.98.9.9
	in0=$(ns_counter "$snd" IcmpIn)
	ip netns exec "$snd" sh -c 'echo 1 >/proc/sys/net/atcp/syn_retries'
	out=$(ip netns exec "$snd" "$run" "$python" "$tmp/connect.py" "$dst" 80 10)
	ip netns exec "$snd" sh -c 'echo 6 >/proc/sys/net/atcp/syn_retries'
	in1=$(ns_counter "$snd" IcmpIn)
	read -r st err took <<<"$out"
	echo "# $name: $out; IcmpIn $in0 -> $in1"
	# Not before the SYN's retransmission times out: 1 s, then 2 s.
	if [ "$in1" -gt "$in0" ] && [ "$st" = done ] && [ "$err" = ENETUNREACH ] &&
		awk -v t="$took" 'BEGIN { exit !(t > 2.5) }'; then
		ok "$name"
	else
		not_ok "$name"
	fi
}

# Bad writes fail and leave the value; good ones stick.
sysctl_bad_writes() {
	local knob=/proc/sys/net/atcp/icmp_may_rst bad=0 v

	[ "$(ip netns exec "$snd" cat $knob)" = 1 ] || bad=1
	for v in 2 -1 abc 99999999999; do
		ip netns exec "$snd" sh -c "echo $v >$knob" 2>/dev/null && bad=1
	done
	[ "$(ip netns exec "$snd" cat $knob)" = 1 ] || bad=1
	ip netns exec "$snd" sh -c "echo 0 >$knob" || bad=1
	[ "$(ip netns exec "$snd" cat $knob)" = 0 ] || bad=1
	ip netns exec "$snd" sh -c "echo 1 >$knob"
	check sysctl_icmp_may_rst_bad_writes [ "$bad" = 0 ]
}

tests=()
for fam in 4 6; do
	for p in "atcp atcp" "atcp linux" "linux atcp"; do
		set -- $p
		tests+=("pmtu_v${fam}_${1}_to_${2}")
	done
	tests+=("icmp_v${fam}_out_of_window_ignored")
	for t in port-unreachable admin-prohibited; do
		tests+=("connect_v${fam}_${t}_icmp_may_rst_1" "connect_v${fam}_${t}_icmp_may_rst_0")
	done
	tests+=("connect_v${fam}_no_route_enetunreach")
	tests+=("blackhole_v${fam}_atcp_to_linux_detection_0")
	for s in atcp linux; do
		tests+=("blackhole_v${fam}_atcp_to_${s}_detection_1")
	done
done
tests+=(sysctl_icmp_may_rst_bad_writes)

tap_begin "${tests[@]}"
tap_needs_atcp
tap_require "could not set up the network namespaces" router_setup
tap_require "could not turn GSO off on the sender's link" one_segment_per_skb
tap_require "nft could not install the reject rules" setup_reject
if ! tap_skip_all; then
	for fam in 4 6; do
		for p in "atcp atcp" "atcp linux" "linux atcp"; do
			set -- $p
			pmtu_xfer "$fam" "$1" "$2"
		done
		out_of_window "$fam"
		for t in port-unreachable admin-prohibited; do
			refused "$fam" "$t" 1
			refused "$fam" "$t" 0
		done
		no_route "$fam"
	done
	if blackhole_on; then
		for fam in 4 6; do
			blackhole_xfer "$fam" linux 0
			blackhole_xfer "$fam" atcp 1
			blackhole_xfer "$fam" linux 1
		done
		blackhole_off
	else
		for fam in 4 6; do
			for t in linux_detection_0 atcp_detection_1 linux_detection_1; do
				not_ok "blackhole_v${fam}_atcp_to_$t # nft could not filter the router's ICMP"
			done
		done
	fi
	sysctl_bad_writes
fi
tap_totals
[ "$fail" = 0 ]
