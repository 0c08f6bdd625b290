#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# HTTP between atcp and Linux TCP with unmodified programs: python3's
# http.server, curl, http.client and urllib, made atcp by atcp-run.  Every
# download is checked by its SHA-256.  Over loopback and between two network
# namespaces joined by a veth pair that delays and drops packets (netem).
# atcp-run's trace, ss(8) and the real SO_DOMAIN prove the sockets are atcp.
#
# SMALL_BYTES and LARGE_BYTES set the sizes of the two files served.
set -u

here=$(dirname "$(readlink -f "$0")")
run=$here/../bin/atcp-run
python=/usr/bin/python3
curl=/usr/bin/curl
small_bytes=${SMALL_BYTES:-$((4 << 20))}
large_bytes=${LARGE_BYTES:-$((64 << 20))}
# Private addresses that exist only in the two namespaces.
addr_a=10.99.1.1
addr_b=10.99.1.2
# Unique local IPv6 addresses, in the namespaces only.
addr6_a=fd99:1::1
addr6_b=fd99:1::2
ns_a=atcp-ia-$$
ns_b=atcp-ib-$$
# Each server gets a port of its own, clear of the ephemeral ranges, so no
# TIME-WAIT of an earlier case is in the way.
port=5600
server_pid=
tmp=$(mktemp -d)
data=$tmp/data
small_sum="" large_sum=""

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/veth.sh"

stop_server() {
	[ -n "$server_pid" ] || return 0
	kill "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_pid=
}

# Connections that end here wait out TIME-WAIT briefly, so that tests after
# this one (an rmmod among them) do not wait for them.
msl_knob=/proc/sys/net/atcp/msl
saved_msl=$(cat "$msl_knob")
echo 200 >"$msl_knob"

cleanup() {
	stop_server
	ip netns del "$ns_a" 2>/dev/null
	ip netns del "$ns_b" 2>/dev/null
	rm -rf "$tmp"
	echo "$saved_msl" >"$msl_knob"
}
trap cleanup EXIT

# Random files, so that a byte out of place changes the hash; "ready" is
# what the readiness probe fetches.
make_data() {
	mkdir -p "$data" &&
		head -c "$small_bytes" /dev/urandom >"$data/small" &&
		head -c "$large_bytes" /dev/urandom >"$data/large" &&
		: >"$data/ready" || return 1
	small_sum=$(sha256sum <"$data/small") small_sum=${small_sum%% *}
	large_sum=$(sha256sum <"$data/large") large_sum=${large_sum%% *}
}

# The fetcher for python3's own HTTP clients: the body to stdout.
make_fetcher() {
	cat >"$tmp/fetch.py" <<'EOF'
import asyncio, http.client, sys, urllib.parse, urllib.request

mode, url = sys.argv[1], sys.argv[2]
out = sys.stdout.buffer


async def asyncio_get(u):
    reader, writer = await asyncio.open_connection(u.hostname, u.port)
    writer.write(f"GET {u.path} HTTP/1.0\r\n\r\n".encode())
    await writer.drain()
    reply = await reader.read()
    writer.close()
    head, _, body = reply.partition(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n")[0]:
        sys.exit(head.decode(errors="replace"))
    return body


if mode == "asyncio":
    out.write(asyncio.run(asyncio_get(urllib.parse.urlsplit(url))))
    sys.exit(0)
if mode == "http.client":
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("GET", u.path)
    resp = conn.getresponse()
    if resp.status != 200:
        sys.exit(f"HTTP {resp.status}")
else:
    resp = urllib.request.urlopen(url, timeout=60)
while chunk := resp.read(1 << 16):
    out.write(chunk)
EOF
}

setup_netns() {
	veth_pair "$ns_a" "$ns_b" "$addr_a/24" "$addr_b/24" "$addr6_a/64" "$addr6_b/64" &&
		netem "$ns_a" "$ns_b" 0.5%
}

# in_ns NS CMD...: CMD in namespace NS, or here when NS is empty.
in_ns() {
	local ns=$1
	shift
	if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

# The segments atcp has taken in this namespace (RFC 4022 tcpInSegs).
in_segs() {
	"$(dirname "$run")/atcpstat" -s | awk '$1 == "InSegs" { print $2 }'
}

# An address as a URL's host: IPv6 in brackets.
url_host() {
	case $1 in
	*:*) echo "[$1]" ;;
	*) echo "$1" ;;
	esac
}

# start_server NS ADDR WRAPPER...: python3 -m http.server on a new port,
# under WRAPPER (atcp-run and its options, or nothing for Linux TCP), and
# wait until a Linux TCP client in $probe_ns (default NS) gets an answer.
# The server's output, the trace among it, is in $tmp/server.
start_server() {
	local ns=$1 addr=$2
	shift 2
	port=$((port + 1))
	# Not through in_ns: $! must be the server itself (ip netns exec and
	# atcp-run exec it), not a subshell whose kill would leave it running.
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$@" "$python" -m http.server -b "$addr" -d "$data" "$port" \
			>"$tmp/server" 2>&1 &
	else
		"$@" "$python" -m http.server -b "$addr" -d "$data" "$port" >"$tmp/server" 2>&1 &
	fi
	server_pid=$!
	# Up to 30 s: python's start-up under TCG is slow, a refused probe is quick.
	for _ in $(seq 150); do
		in_ns "${probe_ns-$ns}" "$curl" -gsf -o /dev/null --max-time 2 \
			"http://$(url_host "$addr"):$port/ready" && return 0
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.2
	done
	echo "# server on $addr:$port did not answer:"
	sed 's/^/# server: /' "$tmp/server"
	stop_server
	return 1
}

# fetch NAME FILE TRACE NS CMD...: CMD, run in NS, writes the body of FILE
# to stdout; passes when it exits 0, the body has FILE's hash, and (unless
# TRACE is empty) its stderr has a line matching TRACE.
fetch() {
	local name=$1 file=$2 trace=$3 ns=$4 want got status
	shift 4
	if [ "$file" = large ]; then want=$large_sum; else want=$small_sum; fi
	got=$(in_ns "$ns" "$@" 2>"$tmp/client" | sha256sum; exit "${PIPESTATUS[0]}")
	status=$? got=${got%% *}
	if [ "$status" = 0 ] && [ "$got" = "$want" ] &&
		{ [ -z "$trace" ] || grep -Eq "$trace" "$tmp/client"; }; then
		ok "$name"
		return
	fi
	echo "# $name: exit $status, sha256 $got, want $want${trace:+, trace /$trace/}"
	tail -n 20 "$tmp/client" | sed 's/^/# client: /'
	not_ok "$name"
}

# curl, the body on stdout; a stall or an HTTP error fails it.  -g: an
# IPv6 address in brackets is a host, not a glob.
curl_get=("$curl" -gsS --fail --max-time 300 --speed-limit 65536 --speed-time 15 -o -)

# What atcp-run prints for a socket made atcp at socket() time.
socket_trace='^atcp-run: fd [0-9]+ socket\(AF_INET, SOCK_STREAM[A-Z_|]*\) -> atcp$'
socket6_trace='^atcp-run: fd [0-9]+ socket\(AF_INET6, SOCK_STREAM[A-Z_|]*\) -> atcp$'

server_traced() { # server_traced PATTERN
	grep -Eq "$1" "$tmp/server" || {
		sed 's/^/# server: /' "$tmp/server"
		return 1
	}
}

# Is PORT among Linux TCP's listeners in NS?  atcp's are not.
linux_listens() { # linux_listens NS PORT
	[ -n "$(in_ns "$1" ss -tlnH "sport = :$2")" ]
}

not_linux_listens() { ! linux_listens "$@"; }

usage_tests() {
	local out status

	"$run" >/dev/null 2>&1
	check usage_no_program [ $? = 2 ]
	"$run" --no-such-option true >/dev/null 2>&1
	check usage_unknown_option [ $? = 2 ]
	out=$("$run" --ports 80,8o true 2>&1)
	status=$?
	echo "# $out"
	[ "$status" = 2 ] && [[ $out == *"ATCP_RUN_PORTS=80,8o: '8o'"* ]]
	check usage_bad_ports [ $? = 0 ]
	out=$(ATCP_RUN_ONLY=servers "$run" true 2>&1)
	status=$?
	echo "# $out"
	[ "$status" = 2 ] && [[ $out == *ATCP_RUN_ONLY=servers* ]]
	check usage_bad_only [ $? = 0 ]
}

# An atcp server, Linux TCP clients.
atcp_server_tests() {
	local base
	start_server "" 127.0.0.1 "$run" --trace
	base=http://127.0.0.1:$port
	check lo_atcp_server_traced server_traced "$socket_trace"
	check lo_atcp_server_not_in_ss not_linux_listens "" "$port"
	fetch lo_atcp_server_curl small "" "" "${curl_get[@]}" "$base/small"
	fetch lo_atcp_server_curl_large large "" "" "${curl_get[@]}" "$base/large"
	fetch lo_atcp_server_python_http_client small "" "" "$python" "$tmp/fetch.py" http.client \
		"$base/small"
	fetch lo_atcp_server_python_urllib small "" "" "$python" "$tmp/fetch.py" urllib "$base/small"
	stop_server
}

# A Linux TCP server, atcp clients.
linux_server_tests() {
	local base
	start_server "" 127.0.0.1
	base=http://127.0.0.1:$port
	check lo_linux_server_in_ss linux_listens "" "$port"
	fetch lo_linux_server_atcp_curl small "$socket_trace" "" "$run" -t "${curl_get[@]}" "$base/small"
	fetch lo_linux_server_atcp_curl_large large "$socket_trace" "" "$run" -t "${curl_get[@]}" \
		"$base/large"
	fetch lo_linux_server_atcp_python_urllib small "$socket_trace" "" "$run" -t "$python" \
		"$tmp/fetch.py" urllib "$base/small"
	stop_server
}

# atcp on both ends.
atcp_atcp_tests() {
	local base
	start_server "" 127.0.0.1 "$run" --trace
	base=http://127.0.0.1:$port
	fetch lo_atcp_to_atcp_curl small "$socket_trace" "" "$run" -t "${curl_get[@]}" "$base/small"
	fetch lo_atcp_to_atcp_curl_large large "$socket_trace" "" "$run" -t "${curl_get[@]}" "$base/large"
	fetch lo_atcp_to_atcp_python_http_client small "$socket_trace" "" "$run" -t "$python" \
		"$tmp/fetch.py" http.client "$base/small"
	stop_server
}

# IPv6 over ::1 in each direction, and a dual-stack atcp server on ::
# that serves IPv4 clients too (RFC 3493 3.7).
ipv6_tests() {
	local base
	start_server "" ::1 "$run" --trace
	base=http://[::1]:$port
	check lo6_atcp_server_traced server_traced "$socket6_trace"
	check lo6_atcp_server_not_in_ss not_linux_listens "" "$port"
	fetch lo6_atcp_server_curl small "" "" "${curl_get[@]}" "$base/small"
	fetch lo6_atcp_server_curl_large large "" "" "${curl_get[@]}" "$base/large"
	fetch lo6_atcp_server_python_urllib small "" "" "$python" "$tmp/fetch.py" urllib \
		"$base/small"
	fetch lo6_atcp_to_atcp_curl small "$socket6_trace" "" "$run" -t "${curl_get[@]}" \
		"$base/small"
	stop_server
	start_server "" ::1
	base=http://[::1]:$port
	fetch lo6_linux_server_atcp_curl small "$socket6_trace" "" "$run" -t "${curl_get[@]}" \
		"$base/small"
	stop_server
	start_server "" :: "$run" --trace
	fetch dual_stack_atcp_server_ipv4_curl small "" "" "${curl_get[@]}" \
		"http://127.0.0.1:$port/small"
	fetch dual_stack_atcp_server_ipv6_curl small "" "" "${curl_get[@]}" \
		"http://[::1]:$port/small"
	stop_server
}

# The other programs atcp-run is for: openbsd nc both ways, a python3
# asyncio client, iperf3 with each end atcp.
programs_tests() {
	local p=$((port + 1)) out=$tmp/nc.out got
	port=$((port + 3))
	# -d: the listener reads no stdin, so the peer's EOF ends it.
	timeout 60 "$run" nc -d -l 127.0.0.1 "$p" >"$out" 2>"$tmp/server" &
	server_pid=$!
	for _ in $(seq 50); do
		timeout 60 nc -N 127.0.0.1 "$p" <"$data/small" 2>/dev/null && break
		sleep 0.2
	done
	wait "$server_pid"
	server_pid=
	got=$(sha256sum <"$out")
	check nc_atcp_listener_linux_client [ "${got%% *}" = "$small_sum" ]
	timeout 60 nc -d -l 127.0.0.1 "$((p + 1))" >"$out" &
	server_pid=$!
	for _ in $(seq 50); do
		timeout 60 "$run" nc -N 127.0.0.1 "$((p + 1))" <"$data/small" 2>/dev/null && break
		sleep 0.2
	done
	wait "$server_pid"
	server_pid=
	got=$(sha256sum <"$out")
	check nc_atcp_client_linux_listener [ "${got%% *}" = "$small_sum" ]

	start_server "" 127.0.0.1
	fetch python_asyncio_atcp_client small "$socket_trace" "" "$run" -t "$python" \
		"$tmp/fetch.py" asyncio "http://127.0.0.1:$port/small"
	stop_server

	iperf_pair iperf3_atcp_server "$run" ""
	iperf_pair iperf3_atcp_client "" "$run"
}

# iperf_pair NAME SERVER-WRAPPER CLIENT-WRAPPER: a one-off iperf3 server
# and a 1 s client; the client's JSON must show bytes received.
iperf_pair() {
	local p=$((port + 1)) out
	port=$p
	timeout 60 $2 iperf3 -s -1 -p "$p" >/dev/null 2>&1 &
	server_pid=$!
	# One client, once the server listens (atcp's or Linux's).
	for _ in $(seq 100); do
		{ "$(dirname "$run")/atcpstat" -l -n; ss -tlnH; } | grep -q ":$p " && break
		sleep 0.2
	done
	out=$(timeout 60 $3 iperf3 -c 127.0.0.1 -p "$p" -t 1 -J 2>/dev/null)
	wait "$server_pid"
	server_pid=
	"$python" -c 'import json, sys
sys.exit(json.loads(sys.argv[1])["end"]["sum_received"]["bytes"] <= 0)' "$out" 2>/dev/null
	check "$1" [ $? = 0 ]
}

# The filters move the choice to listen() and connect(): the socket is
# replaced there, on the same fd.
filter_tests() {
	local base
	start_server "" 127.0.0.1 "$run" --trace --only listen
	base=http://127.0.0.1:$port
	check filter_only_listen_server server_traced \
		"^atcp-run: fd [0-9]+ listen\(127\.0\.0\.1:$port\) -> atcp$"
	check filter_only_listen_not_in_ss not_linux_listens "" "$port"
	fetch filter_only_connect_curl small \
		"^atcp-run: fd [0-9]+ connect\(127\.0\.0\.1:$port\) -> atcp$" "" \
		"$run" -t --only connect "${curl_get[@]}" "$base/small"
	stop_server
	filter_ports_test
	carry_over_test
}

# socket(fileno=...) in python asks SO_DOMAIN for the family: atcp-run makes
# it AF_INET, while the raw system call shows the socket really is atcp.
# Prints "atcp_family masked_family".
raw_domain_py='
import ctypes, socket
libc = ctypes.CDLL(None, use_errno=True)
def raw_domain(fd):
    v, n = ctypes.c_int(), ctypes.c_uint(4)
    # getsockopt(2) itself (55 on x86_64), past the preloaded getsockopt().
    libc.syscall(55, fd, socket.SOL_SOCKET, socket.SO_DOMAIN, ctypes.byref(v), ctypes.byref(n))
    return v.value
'

python_fileno_test() {
	local family out want
	family=$(cat /sys/module/atcp/parameters/family)
	out=$("$run" "$python" -c "$raw_domain_py
s = socket.socket()
t = socket.socket(fileno=s.detach())
print(raw_domain(t.fileno()), int(t.family), int(t.type))" 2>&1)
	want="$family 2 1"
	echo "# raw SO_DOMAIN, socket(fileno=).family and .type: $out (want $want)"
	check python_fileno_reports_af_inet [ "$out" = "$want" ]
}

# With --ports, only the listed port becomes atcp.
filter_ports_test() {
	local listed=$((port + 1)) other=$((port + 2)) out
	port=$other
	out=$("$run" --ports "$listed" "$python" -c "$raw_domain_py
import subprocess
a, b = socket.socket(), socket.socket()
a.bind(('127.0.0.1', $listed)); a.listen()
b.bind(('127.0.0.1', $other)); b.listen()
ss = subprocess.run(['ss', '-tlnH'], capture_output=True, text=True).stdout
print(raw_domain(a.fileno()), raw_domain(b.fileno()),
      ':$listed ' in ss, ':$other ' in ss)" 2>&1)
	echo "# listed port $listed, other $other: raw SO_DOMAIN, in ss: $out"
	check filter_ports_picks_listed_port \
		[ "$out" = "$(cat /sys/module/atcp/parameters/family) 2 False True" ]
}

# A socket replaced at listen() keeps its bound address, the common
# options, O_NONBLOCK and FD_CLOEXEC.
carry_over_test() {
	local out family
	family=$(cat /sys/module/atcp/parameters/family)
	out=$("$run" --only listen "$python" -c "$raw_domain_py
import fcntl, os, struct
S, T = socket.SOL_SOCKET, socket.IPPROTO_TCP
s = socket.socket()
s.setsockopt(S, socket.SO_REUSEADDR, 1)
s.setsockopt(S, socket.SO_KEEPALIVE, 1)
s.setsockopt(T, socket.TCP_NODELAY, 1)
s.setsockopt(S, socket.SO_RCVBUF, 96 << 10)
s.setsockopt(S, socket.SO_SNDBUF, 80 << 10)
s.setsockopt(S, socket.SO_LINGER, struct.pack('ii', 1, 7))
s.setsockopt(S, socket.SO_RCVTIMEO, struct.pack('ll', 3, 0))
s.setsockopt(S, socket.SO_SNDTIMEO, struct.pack('ll', 4, 500000))
s.setblocking(False)
# Python's default is close-on-exec, the new socket's too: clear it to see it carried.
s.set_inheritable(True)
s.bind(('127.0.0.1', 0))
def state():
    fd = s.fileno()
    return (s.getsockname(), s.getsockopt(S, socket.SO_REUSEADDR),
            s.getsockopt(S, socket.SO_KEEPALIVE), s.getsockopt(T, socket.TCP_NODELAY),
            s.getsockopt(S, socket.SO_RCVBUF), s.getsockopt(S, socket.SO_SNDBUF),
            struct.unpack('ii', s.getsockopt(S, socket.SO_LINGER, 8)),
            struct.unpack('ll', s.getsockopt(S, socket.SO_RCVTIMEO, 16)),
            struct.unpack('ll', s.getsockopt(S, socket.SO_SNDTIMEO, 16)),
            bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK),
            bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC))
before, d0 = state(), raw_domain(s.fileno())
s.listen()
after, d1 = state(), raw_domain(s.fileno())
print(d0, d1)
names = 'addr reuseaddr keepalive nodelay rcvbuf sndbuf linger rcvtimeo sndtimeo nonblock cloexec'
for name, b, a in zip(names.split(), before, after):
    print(name, a, 'same' if a == b else f'was {b}')" 2>&1)
	sed 's/^/# /' <<<"$out"
	[ "$(echo "$out" | head -n 1)" = "2 $family" ] &&
		! echo "$out" | tail -n +2 | grep -qv ' same$'
	check only_listen_carries_socket_state [ $? = 0 ]
}

# Across the veth pair: the server in namespace B, the client in A.
netns_tests() {
	local base
	probe_ns=$ns_a start_server "$ns_b" "$addr_b" "$run" --trace
	base=http://$addr_b:$port
	fetch netns_atcp_server_curl small "" "$ns_a" "${curl_get[@]}" "$base/small"
	fetch netns_atcp_to_atcp_curl small "$socket_trace" "$ns_a" "$run" -t "${curl_get[@]}" \
		"$base/small"
	stop_server
	probe_ns=$ns_a start_server "$ns_b" "$addr_b"
	base=http://$addr_b:$port
	fetch netns_linux_server_atcp_curl small "$socket_trace" "$ns_a" "$run" -t "${curl_get[@]}" \
		"$base/small"
	stop_server
	# And the other way, the atcp server's data flowing from A to B.
	probe_ns=$ns_b start_server "$ns_a" "$addr_a" "$run" --trace
	base=http://$addr_a:$port
	fetch netns_atcp_server_curl_reverse small "" "$ns_b" "${curl_get[@]}" "$base/small"
	stop_server
	# IPv6 with global-scope addresses across the veth pair.
	probe_ns=$ns_a start_server "$ns_b" "$addr6_b" "$run" --trace
	base=http://[$addr6_b]:$port
	fetch netns6_atcp_server_curl small "" "$ns_a" "${curl_get[@]}" "$base/small"
	fetch netns6_atcp_to_atcp_curl small "$socket6_trace" "$ns_a" "$run" -t "${curl_get[@]}" \
		"$base/small"
	stop_server
}

all_tests=(usage_no_program usage_unknown_option usage_bad_ports usage_bad_only
	lo_atcp_server_traced lo_atcp_server_not_in_ss lo_atcp_server_curl
	lo_atcp_server_curl_large lo_atcp_server_python_http_client lo_atcp_server_python_urllib
	lo_linux_server_in_ss lo_linux_server_atcp_curl lo_linux_server_atcp_curl_large
	lo_linux_server_atcp_python_urllib
	lo_atcp_to_atcp_curl lo_atcp_to_atcp_curl_large lo_atcp_to_atcp_python_http_client
	python_fileno_reports_af_inet
	lo6_atcp_server_traced lo6_atcp_server_not_in_ss lo6_atcp_server_curl
	lo6_atcp_server_curl_large lo6_atcp_server_python_urllib lo6_atcp_to_atcp_curl
	lo6_linux_server_atcp_curl dual_stack_atcp_server_ipv4_curl dual_stack_atcp_server_ipv6_curl
	nc_atcp_listener_linux_client nc_atcp_client_linux_listener python_asyncio_atcp_client
	iperf3_atcp_server iperf3_atcp_client
	filter_only_listen_server filter_only_listen_not_in_ss filter_only_connect_curl
	filter_ports_picks_listed_port only_listen_carries_socket_state
	netns_atcp_server_curl netns_atcp_to_atcp_curl netns_linux_server_atcp_curl
	netns_atcp_server_curl_reverse netns6_atcp_server_curl netns6_atcp_to_atcp_curl
	atcp_mib_moved)
netns_names=(netns_atcp_server_curl netns_atcp_to_atcp_curl netns_linux_server_atcp_curl
	netns_atcp_server_curl_reverse netns6_atcp_server_curl netns6_atcp_to_atcp_curl)

tap_begin "${all_tests[@]}"
tap_needs_atcp
tap_require "$run is not built" executables "$run"
tap_require "needs $python and $curl" executables "$python" "$curl"
tap_require "could not write the test data" make_data
tap_require "could not write the test data" make_fetcher
if ! tap_skip_all; then
	echo "# files of $small_bytes and $large_bytes bytes"
	in_segs_before=$(in_segs)
	usage_tests
	atcp_server_tests
	linux_server_tests
	atcp_atcp_tests
	python_fileno_test
	ipv6_tests
	programs_tests
	filter_tests
	if setup_netns; then
		netns_tests
	else
		for t in "${netns_names[@]}"; do
			skip "$t" "could not set up the namespaces with netem"
		done
	fi
	# atcp's own counters (atcpstat -s, over netlink) saw the segments.
	check atcp_mib_moved [ "$(in_segs)" -gt "$in_segs_before" ]
fi
tap_totals
[ "$fail" = 0 ]
