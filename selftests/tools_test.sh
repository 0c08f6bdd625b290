#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# atcpstat and atcp-ps against the module: daemons (atcp-echo as root and as
# nobody, python3's http.server through atcp-run) and clients holding
# connections, then the rows both tools print (ports, service names, PIDs,
# users, states), their filters and JSON, the unprivileged view, the
# counters moving after traffic, the events on listen, connect, close and
# reset, EINVAL for malformed generic netlink requests (a raw client), a
# 10,000-socket dump under DUMP_MS_MAX (default 100) ms, and the message
# when the module is not loaded.
set -u

here=$(dirname "$(readlink -f "$0")")
bin=$here/../bin
repo=$here/../..
atcpstat=$bin/atcpstat
atcp_ps=$bin/atcp-ps
echo_daemon=$bin/atcp-echo
run=$bin/atcp-run
dump_bench=$bin/atcp_dump_bench
python=/usr/bin/python3
uapi=$repo/include/uapi/linux/atcp.h
as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# Ports clear of the ephemeral ranges and of the other selftests'; 7 and
# 8080 have names in /etc/services (echo, http-alt).
echo_port=7 nobody_port=5801 http_port=8080 event_port=5802 bulk_port=5803
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()

. "$(dirname "$0")/tap.sh"

# not CMD...: CMD failed (check's CMD cannot be "!").
not() {
	! "$@"
}

# show FILE: a tool's output in the log, as TAP comments.
show() {
	sed 's/^/# /' "$1"
}

# wait_for CMD...: up to 30 s for CMD to succeed (python's start-up under
# TCG is slow).
wait_for() {
	for _ in $(seq 150); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

msl_knob=/proc/sys/net/atcp/msl
saved_msl=

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "$saved_msl" ] && [ -w "$msl_knob" ] && echo "$saved_msl" >"$msl_knob"
	rm -rf "$tmp"
}
trap cleanup EXIT

# start NAME CMD...: CMD in the background, its pid in $NAME_pid and in pids.
start() {
	local name=$1
	shift
	"$@" >"$tmp/$name.out" 2>&1 &
	pids+=($!)
	printf -v "${name}_pid" '%s' $!
}

listening() { # listening PORT
	"$atcpstat" -l -n --sport "$1" | grep -q LISTEN
}

# The clients: over atcp (atcp-run) to the echo daemons, and over Linux TCP
# to atcp-echo; each says "ready" once its connections are up and holds them.
write_clients() {
	cat >"$tmp/hold.py" <<EOF
import socket, sys, time
conns = []
for port in map(int, sys.argv[1:]):
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"ping")
    assert c.recv(4) == b"ping"
    conns.append(c)
print("ready", flush=True)
time.sleep(600)
EOF
	# N connections to one listener, all held: 2N atcp sockets.
	cat >"$tmp/bulk.py" <<'EOF'
import resource, socket, sys, time
n, port = int(sys.argv[1]), int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_NOFILE, (4 * n + 100, 4 * n + 100))
l = socket.socket()
l.bind(("127.0.0.1", port))
l.listen(4096)
held = []
for _ in range(n):
    c = socket.create_connection(("127.0.0.1", port))
    s, _ = l.accept()
    held += [c, s]
print("ready", flush=True)
time.sleep(600)
EOF
}

# A few Linux TCP connections to atcp-echo, each closed in order, and one
# more ended by a reset (SO_LINGER 0).
write_events_client() {
	cat >"$tmp/events.py" <<'EOF'
import socket, struct, sys
port = int(sys.argv[1])
c = socket.create_connection(("127.0.0.1", port))
c.sendall(b"x")
c.recv(1)
c.shutdown(socket.SHUT_WR)
c.recv(1)  # the daemon's FIN
c.close()
r = socket.create_connection(("127.0.0.1", port))
r.sendall(b"y")
r.recv(1)
r.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
r.close()
EOF
}

# The raw generic netlink client: no libnl, every request built by hand,
# as a program that gets it wrong would.  Prints "CASE ERRNO MESSAGE".
write_raw_client() {
	cat >"$tmp/raw_genl.py" <<'EOF'
import re, socket, struct, sys

# The attribute numbers, read from the uapi header rather than copied.
header = open(sys.argv[1]).read()
body = re.search(r"enum atcp_attr \{(.*?)\};", header, re.S).group(1)
names = re.findall(r"^\s*(\w+)\s*,", re.sub(r"/\*.*?\*/", "", body, flags=re.S), re.M)
A = {name: i for i, name in enumerate(names)}
CMD_SOCK_GET, CMD_STATS_GET = 1, 2
LISTEN, ESTABLISHED = 1, 4

NETLINK_GENERIC, GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLMSG_ERROR, NLMSG_DONE, NLM_F_ACK_TLVS = 2, 3, 0x200
SOL_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK, NLMSGERR_ATTR_MSG = 270, 10, 11, 1

def attr(kind, payload=b""):
    n = 4 + len(payload)
    return struct.pack("=HH", n, kind) + payload + b"\0" * (-n % 4)

def attrs(data):
    while len(data) >= 4:
        n, kind = struct.unpack_from("=HH", data)
        if n < 4:
            return
        yield kind & 0x3FFF, data[4:n]
        data = data[(n + 3) & ~3:]

sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
sock.bind((0, 0))
seq = 0

# Every reply up to and with the one that ends the request.
def request(family, cmd, flags, payload=b""):
    global seq
    seq += 1
    genl = struct.pack("=BBH", cmd, 1, 0) + payload
    sock.send(struct.pack("=IHHII", 16 + len(genl), family, NLM_F_REQUEST | flags, seq, 0) + genl)
    replies = []
    while True:
        data = sock.recv(1 << 16)
        while len(data) >= 16:
            n, kind, fl, _, _ = struct.unpack_from("=IHHII", data)
            replies.append((kind, fl, data[16:n]))
            data = data[(n + 3) & ~3:]
            if kind in (NLMSG_ERROR, NLMSG_DONE):
                return replies

# (errno, extack message) of the request's end; 0 for an ACK or DONE.
def outcome(replies):
    kind, fl, body = replies[-1]
    if kind != NLMSG_ERROR:
        return 0, ""
    err = -struct.unpack_from("=i", body)[0]
    text = ""
    if fl & NLM_F_ACK_TLVS:  # capped: the request's header only, then TLVs
        for t, p in attrs(body[20:]):
            if t == NLMSGERR_ATTR_MSG:
                text = p.rstrip(b"\0").decode()
    return err, text

ctrl = request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_ACK, attr(CTRL_ATTR_FAMILY_NAME, b"atcp\0"))
family = next(struct.unpack("=H", p[:2])[0] for t, p in attrs(ctrl[0][2][4:])
              if t == CTRL_ATTR_FAMILY_ID)

u8 = lambda v: struct.pack("=B", v)
u16 = lambda v: struct.pack("=H", v)
u32 = lambda v: struct.pack("=I", v)
cases = [
    ("valid_dump", CMD_SOCK_GET, NLM_F_DUMP, attr(A["ATCP_A_FILTER_LOCAL_PORT"], u16(7))),
    ("unknown_attribute", CMD_SOCK_GET, NLM_F_DUMP, attr(len(names) + 5, u32(1))),
    ("record_attribute_as_filter", CMD_SOCK_GET, NLM_F_DUMP, attr(A["ATCP_A_SOCK_STATE"], u8(1))),
    ("port_as_u32", CMD_SOCK_GET, NLM_F_DUMP, attr(A["ATCP_A_FILTER_LOCAL_PORT"], u32(7))),
    ("states_as_u8", CMD_SOCK_GET, NLM_F_DUMP, attr(A["ATCP_A_FILTER_STATES"], u8(2))),
    ("state_beyond_the_enum", CMD_SOCK_GET, NLM_F_DUMP, attr(A["ATCP_A_FILTER_STATES"], u32(1 << 11))),
    ("port_zero", CMD_SOCK_GET, NLM_F_DUMP, attr(A["ATCP_A_FILTER_REMOTE_PORT"], u16(0))),
    ("flag_with_payload", CMD_SOCK_GET, NLM_F_DUMP, attr(A["ATCP_A_FILTER_LISTENERS"], u32(1))),
    ("listeners_without_listen", CMD_SOCK_GET, NLM_F_DUMP,
     attr(A["ATCP_A_FILTER_LISTENERS"]) + attr(A["ATCP_A_FILTER_STATES"], u32(1 << ESTABLISHED))),
    ("stats_with_an_attribute", CMD_STATS_GET, NLM_F_ACK, attr(A["ATCP_A_FILTER_STATES"], u32(2))),
]
for name, cmd, flags, payload in cases:
    err, text = outcome(request(family, cmd, flags, payload))
    print(name, err, text)
EOF
}

# A field of the "counters" object atcpstat -s -j prints.
counter() { # counter JSON NAME
	"$python" -c 'import json, sys; print(json.loads(sys.argv[1])["counters"][sys.argv[2]])' "$1" "$2"
}

usage_tests() {
	"$atcpstat" --no-such-option >/dev/null 2>&1
	check usage_atcpstat_unknown_option [ $? = 2 ]
	"$atcpstat" --state nosuchstate >/dev/null 2>&1
	check usage_atcpstat_bad_state [ $? = 2 ]
	"$atcpstat" --sport 70000 >/dev/null 2>&1
	check usage_atcpstat_bad_port [ $? = 2 ]
	"$atcpstat" -l --state established >/dev/null 2>&1
	check usage_atcpstat_listening_without_listen [ $? = 2 ]
	"$atcp_ps" --user no-such-user-here >/dev/null 2>&1
	check usage_atcp_ps_unknown_user [ $? = 2 ]
	"$atcp_ps" extra >/dev/null 2>&1
	check usage_atcp_ps_extra_argument [ $? = 2 ]
}

start_daemons() {
	start echo_root "$echo_daemon" "$echo_port"
	start echo_nobody "${as_nobody[@]}" "$echo_daemon" "$nobody_port"
	mkdir -p "$tmp/www"
	start http "$run" "$python" -m http.server -b 127.0.0.1 -d "$tmp/www" "$http_port"
	wait_for listening "$echo_port" && wait_for listening "$nobody_port" &&
		wait_for listening "$http_port"
}

start_clients() {
	start atcp_client "$run" "$python" "$tmp/hold.py" "$echo_port" "$nobody_port"
	start linux_client "$python" "$tmp/hold.py" "$echo_port"
	wait_for grep -q ready "$tmp/atcp_client.out" && wait_for grep -q ready "$tmp/linux_client.out"
}

# has_row FILE PATTERN: a line of FILE matches the extended regex.
has_row() {
	grep -Eq -- "$2" "$1"
}

atcpstat_tests() {
	local out=$tmp/atcpstat.txt
	"$atcpstat" -l >"$out"
	show "$out"
	check atcpstat_listeners_with_service_names \
		has_row "$out" "^atcp +0 +64 +0\.0\.0\.0:echo +0\.0\.0\.0:\* +LISTEN$"
	check atcpstat_listener_without_a_service_name \
		has_row "$out" "^atcp +0 +64 +0\.0\.0\.0:$nobody_port +0\.0\.0\.0:\* +LISTEN$"
	check atcpstat_listener_on_loopback has_row "$out" "^atcp .* 127\.0\.0\.1:http-alt .* LISTEN$"
	check atcpstat_listening_only [ "$(grep -c LISTEN "$out")" = "$(($(wc -l <"$out") - 1))" ]

	"$atcpstat" -l -n -p >"$out"
	show "$out"
	check atcpstat_numeric has_row "$out" " 0\.0\.0\.0:$echo_port +0\.0\.0\.0:\* "
	check atcpstat_processes_root_daemon \
		has_row "$out" ":$echo_port .* LISTEN +$echo_root_pid/atcp-echo$"
	check atcpstat_processes_nobody_daemon \
		has_row "$out" ":$nobody_port .* LISTEN +$echo_nobody_pid/atcp-echo$"
	check atcpstat_processes_python has_row "$out" ":$http_port .* LISTEN +$http_pid/python3$"

	"$atcpstat" -p >"$out"
	show "$out"
	check atcpstat_connections_hide_listeners not grep -q LISTEN "$out"
	check atcpstat_server_side_of_atcp_client \
		has_row "$out" "127\.0\.0\.1:echo +127\.0\.0\.1:[0-9]+ +ESTAB +[0-9]+/atcp-echo$"
	check atcpstat_client_side_over_atcp \
		has_row "$out" "127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:echo +ESTAB +$atcp_client_pid/python3$"
	check atcpstat_both_clients_reach_echo \
		[ "$(grep -Ec "127\.0\.0\.1:echo +127\.0\.0\.1:[0-9]+ +ESTAB" "$out")" = 2 ]

	"$atcpstat" -n --sport "$nobody_port" >"$out"
	show "$out"
	[ "$(grep -c ESTAB "$out")" = 1 ] &&
		! grep -Ev "^Proto| 127\.0\.0\.1:$nobody_port " "$out" | grep -q .
	check atcpstat_filter_sport [ $? = 0 ]
	"$atcpstat" --dport echo >"$out"
	[ "$(grep -Ec "127\.0\.0\.1:echo +ESTAB$" "$out")" = 1 ] && [ "$(grep -c ESTAB "$out")" = 1 ]
	check atcpstat_filter_dport_by_service_name [ $? = 0 ]
	"$atcpstat" --state listening,established >"$out"
	[ "$(grep -c LISTEN "$out")" = 3 ] && [ "$(grep -c ESTAB "$out")" -ge 5 ]
	check atcpstat_filter_states [ $? = 0 ]

	"$atcpstat" -e -n --sport "$echo_port" --state established >"$out"
	show "$out"
	local fields
	fields=$(grep -E '^\s' "$out" | head -n 1)
	[[ $fields == *uid:0\ ino:[1-9]*timer:\(*opts:*mss:*wscale:*rtt:*rto:*cwnd:*ssthresh:*retrans:*bytes_acked:*bytes_received:* ]]
	check atcpstat_extended_figures [ $? = 0 ]

	# -m: each socket's memory as ss -m; a listener's SYN queue with -e.
	"$atcpstat" -m -n --sport "$echo_port" --state established >"$out"
	show "$out"
	grep -Eq '^\s+skmem:\(r[0-9]+,rb[1-9][0-9]*,t[0-9]+,tb[1-9][0-9]*,f[0-9]+,w[0-9]+,o[0-9]+,bl[0-9]+,d[0-9]+\)$' "$out"
	check atcpstat_memory_as_ss [ $? = 0 ]
	"$atcpstat" -l -e -n --sport "$echo_port" >"$out"
	show "$out"
	grep -Eq '^\s.*syn_q:0' "$out"
	check atcpstat_listener_syn_queue [ $? = 0 ]
	"$atcpstat" -s >"$out"
	grep -Eq '^MemoryPages +[0-9]+$' "$out" && grep -Eq '^MemoryPressure +0$' "$out" &&
		grep -Eq '^Orphans +[0-9]+$' "$out"
	check atcpstat_stats_memory_totals [ $? = 0 ]
}

atcp_ps_tests() {
	local out=$tmp/atcp-ps.txt child_pid
	"$atcp_ps" >"$out"
	show "$out"
	check atcp_ps_heading has_row "$out" \
		"^USER +PID +%CPU +%MEM +VSZ +RSS +TTY +STAT +START +TIME +ATCP +COMMAND$"
	check atcp_ps_root_daemon \
		has_row "$out" "^root +$echo_root_pid .* LISTEN \*:$echo_port\(echo\) +.*atcp-echo $echo_port$"
	check atcp_ps_nobody_daemon \
		has_row "$out" "^nobody +$echo_nobody_pid .* LISTEN \*:$nobody_port +.*atcp-echo $nobody_port$"
	check atcp_ps_python_daemon has_row "$out" \
		"^root +$http_pid .* LISTEN 127\.0\.0\.1:$http_port\(http-alt\) +.*http\.server"
	check atcp_ps_client_counts has_row "$out" "^root +$atcp_client_pid .* ESTAB 2 +.*hold\.py"
	# atcp-echo's children serve one connection each.
	check atcp_ps_children has_row "$out" "^nobody +[0-9]+ .* ESTAB 1 +.*atcp-echo $nobody_port$"
	check atcp_ps_linux_client_not_shown not has_row "$out" "^root +$linux_client_pid "

	"$atcp_ps" -l -n >"$out"
	show "$out"
	[ "$(grep -vc '^USER' "$out")" = 3 ] && ! grep -q ESTAB "$out" &&
		has_row "$out" "LISTEN \*:$echo_port +"
	check atcp_ps_daemons_only [ $? = 0 ]
	"$atcp_ps" -p "$http_pid" >"$out"
	[ "$(grep -vc '^USER' "$out")" = 1 ] && has_row "$out" "^root +$http_pid "
	check atcp_ps_one_pid [ $? = 0 ]
	"$atcp_ps" -u nobody >"$out"
	show "$out"
	[ "$(grep -Ec "^nobody +$echo_nobody_pid " "$out")" = 1 ] && [ "$(grep -vc '^USER' "$out")" = 2 ]
	check atcp_ps_one_user [ $? = 0 ]
}

json_tests() {
	local out=$tmp/json.txt
	"$atcpstat" -a -p -j >"$out"
	check atcpstat_json_parses "$python" -c '
import json, sys
s = json.load(open(sys.argv[1]))["sockets"]
listener = [x for x in s if x["state"] == "LISTEN" and x["local"]["port"] == int(sys.argv[2])][0]
assert listener["local"]["service"] == "echo", listener
assert listener["processes"][0]["pid"] == int(sys.argv[3]), listener
assert any(x["state"] == "ESTAB" and x["peer"]["port"] == int(sys.argv[2]) and "rtt_us" in x for x in s)
' "$out" "$echo_port" "$echo_root_pid"
	"$atcp_ps" -j >"$out"
	check atcp_ps_json_parses "$python" -c '
import json, sys
p = json.load(open(sys.argv[1]))["processes"]
daemon = [x for x in p if x["pid"] == int(sys.argv[2])][0]
assert daemon["user"] == "root" and daemon["sockets"][0]["state"] == "LISTEN", daemon
assert any(x["user"] == "nobody" for x in p)
' "$out" "$echo_root_pid"
	"$atcpstat" -s -j >"$out"
	check atcpstat_stats_json_parses "$python" -c '
import json, sys
c = json.load(open(sys.argv[1]))["counters"]
assert set(c) >= {"ActiveOpens", "PassiveOpens", "CurrEstab", "InSegs", "OutSegs", "OutRsts"}, c
' "$out"
}

unprivileged_tests() {
	local out=$tmp/nobody.txt
	"${as_nobody[@]}" "$atcpstat" -l -n -p >"$out"
	show "$out"
	check unprivileged_sees_other_users_sockets \
		has_row "$out" " 0\.0\.0\.0:$echo_port +0\.0\.0\.0:\* +LISTEN +-$"
	check unprivileged_sees_own_processes \
		has_row "$out" " 0\.0\.0\.0:$nobody_port +0\.0\.0\.0:\* +LISTEN +$echo_nobody_pid/atcp-echo$"
	"${as_nobody[@]}" "$atcp_ps" >"$out" 2>"$tmp/nobody.err"
	show "$out"
	show "$tmp/nobody.err"
	[ "$(grep -c '^nobody ' "$out")" = 2 ] && ! grep -q '^root ' "$out"
	check unprivileged_atcp_ps_own_only [ $? = 0 ]
	check unprivileged_atcp_ps_says_rows_are_missing \
		grep -q "held by processes whose descriptors you may not read" "$tmp/nobody.err"
}

counters_tests() {
	local before after name
	before=$("$atcpstat" -s -j)
	"$run" "$python" "$tmp/events.py" "$echo_port" &&
		"$python" "$tmp/events.py" "$echo_port"
	after=$("$atcpstat" -s -j)
	"$atcpstat" -s | sed 's/^/# /'
	for name in ActiveOpens PassiveOpens InSegs OutSegs EstabResets; do
		check "counters_${name}_moved" [ "$(counter "$after" "$name")" -gt "$(counter "$before" "$name")" ]
	done
	check counters_CurrEstab_counts_held_connections [ "$(counter "$after" CurrEstab)" -ge 5 ]
}

events_tests() {
	local out=$tmp/events.txt
	# Five events: listen, then established and closed, established and reset.
	start watcher "$atcpstat" -E -n --sport "$event_port" -c 5
	if ! wait_for grep -q '^Event' "$tmp/watcher.out"; then
		not_ok events_subscribed
		return
	fi
	ok events_subscribed
	start echo_events "$echo_daemon" "$event_port"
	wait_for listening "$event_port" && "$python" "$tmp/events.py" "$event_port"
	wait_for eval '! kill -0 "$watcher_pid" 2>/dev/null'
	cp "$tmp/watcher.out" "$out"
	show "$out"
	check events_listen has_row "$out" "^listen +LISTEN +0\.0\.0\.0:$event_port +0\.0\.0\.0:\*$"
	check events_established \
		[ "$(grep -Ec "^established +ESTAB +127\.0\.0\.1:$event_port +127\.0\.0\.1:[0-9]+$" "$out")" = 2 ]
	check events_closed has_row "$out" "^closed +[A-Z-]+ +127\.0\.0\.1:$event_port +127\.0\.0\.1:[0-9]+$"
	check events_reset has_row "$out" "^reset +[A-Z-]+ +127\.0\.0\.1:$event_port +127\.0\.0\.1:[0-9]+$"
	check events_in_order [ "$(awk 'NR > 1 { printf "%s ", $1 }' "$out")" = \
		"listen established closed established reset " ]

	# JSON lines: one object per event, whatever the module sends.
	start json_watcher "$atcpstat" -E -j -c 4
	for _ in $(seq 30); do
		kill -0 "$json_watcher_pid" 2>/dev/null || break
		"$python" "$tmp/events.py" "$event_port"
		sleep 0.5
	done
	sed 's/^/# /' "$tmp/json_watcher.out" | head -n 4
	check events_json_lines_parse "$python" -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
events = [json.loads(l) for l in lines]
assert len(events) == 4, lines
assert all(e["event"] in ("listen", "established", "closed", "reset") for e in events)
assert all(e["socket"]["proto"] == "atcp" for e in events)
' "$tmp/json_watcher.out"
}

raw_genl_tests() {
	local out=$tmp/raw.txt name want line
	if ! "$python" "$tmp/raw_genl.py" "$uapi" >"$out" 2>&1; then
		show "$out"
		not_ok genl_raw_client
		return
	fi
	show "$out"
	check genl_valid_dump_succeeds grep -q '^valid_dump 0 $' "$out"
	for name in unknown_attribute record_attribute_as_filter port_as_u32 states_as_u8 \
		state_beyond_the_enum stats_with_an_attribute; do
		line=$(grep "^$name " "$out")
		# 22 is EINVAL.
		check "genl_einval_$name" [ "$(echo "$line" | cut -d' ' -f2)" = 22 ]
	done
	# A value out of range is ERANGE (34), the core's answer, with its reason.
	for name in port_zero flag_with_payload; do
		line=$(grep "^$name " "$out")
		check "genl_erange_$name" [ "$(echo "$line" | cut -d' ' -f2)" = 34 ]
	done
	check genl_extack_message has_row "$out" "^port_zero 34 .*out of range"
	# Filters combine: listeners only among states without LISTEN is no error.
	check genl_listeners_without_listen_matches_nothing \
		grep -q '^listeners_without_listen 0 $' "$out"
}

bulk_tests() {
	local out=$tmp/bulk.txt best rows
	start bulk "$run" "$python" "$tmp/bulk.py" 5000 "$bulk_port"
	if ! wait_for grep -q ready "$tmp/bulk.out"; then
		show "$tmp/bulk.out"
		not_ok dump_of_10000_sockets_is_whole
		not_ok dump_lists_each_socket_once
		return
	fi
	# The dump's time is a measurement, shown here, not a pass mark: a
	# timed test fails on a slower machine, not on slower code.
	"$dump_bench" 10 >"$out" 2>&1
	show "$out"
	rows=$(sed -nE 's/^([0-9]+) sockets.*/\1/p' "$out")
	check dump_of_10000_sockets_is_whole [ "${rows:-0}" -ge 10000 ]
	"$atcpstat" -a -j --sport "$bulk_port" >"$out"
	"$python" -c '
import collections, json, sys
s = json.load(open(sys.argv[1]))["sockets"]
twice = [i for i, n in collections.Counter(x["inode"] for x in s).items() if n > 1]
print("# %d records, %d sockets listed more than once: %s" % (len(s), len(twice), twice[:8]))
sys.exit(1 if twice or len(s) != 5001 else 0)
' "$out"
	check dump_lists_each_socket_once [ $? = 0 ]
	kill "$bulk_pid"
	wait "$bulk_pid" 2>/dev/null
}

# Last: the daemons are gone, their connections closed with a short
# TIME-WAIT, so that the module can be unloaded for a moment.
not_loaded_tests() {
	local family out status
	family=$(cat /sys/module/atcp/parameters/family)
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	pids=()
	echo "$saved_msl" >"$msl_knob"
	saved_msl=
	if [ -z "${ATCP_KO:-}" ]; then
		skip not_loaded_atcpstat "ATCP_KO does not say where atcp.ko is"
		skip not_loaded_atcp_ps "ATCP_KO does not say where atcp.ko is"
		return
	fi
	for _ in $(seq 100); do
		rmmod atcp 2>/dev/null && break
		sleep 0.2
	done
	if [ -e /sys/module/atcp ]; then
		skip not_loaded_atcpstat "sockets of earlier tests keep atcp in use"
		skip not_loaded_atcp_ps "sockets of earlier tests keep atcp in use"
		return
	fi
	out=$("$atcpstat" 2>&1)
	status=$?
	echo "# $out"
	[ "$status" = 1 ] && [ "$out" = "atcpstat: the atcp module is not loaded; load it first:\
 modprobe atcp (or, from a build tree, insmod build/kmod/\$(uname -r)/atcp.ko)" ]
	check not_loaded_atcpstat [ $? = 0 ]
	out=$("$atcp_ps" 2>&1)
	status=$?
	echo "# $out"
	[ "$status" = 1 ] && [[ $out == "atcp-ps: the atcp module is not loaded;"* ]]
	check not_loaded_atcp_ps [ $? = 0 ]
	if [ "$family" = 19 ]; then
		insmod "$ATCP_KO"
	else
		insmod "$ATCP_KO" "family=$family"
	fi || echo "# insmod $ATCP_KO failed: the tests after this one will fail"
}

usage_names=(usage_atcpstat_unknown_option usage_atcpstat_bad_state usage_atcpstat_bad_port
	usage_atcpstat_listening_without_listen usage_atcp_ps_unknown_user usage_atcp_ps_extra_argument)
# What needs the daemons and clients running.
live_names=(atcpstat_listeners_with_service_names atcpstat_listener_without_a_service_name
	atcpstat_listener_on_loopback atcpstat_listening_only atcpstat_numeric
	atcpstat_processes_root_daemon atcpstat_processes_nobody_daemon atcpstat_processes_python
	atcpstat_connections_hide_listeners atcpstat_server_side_of_atcp_client
	atcpstat_client_side_over_atcp atcpstat_both_clients_reach_echo atcpstat_filter_sport
	atcpstat_filter_dport_by_service_name atcpstat_filter_states atcpstat_extended_figures
	atcp_ps_heading atcp_ps_root_daemon atcp_ps_nobody_daemon atcp_ps_python_daemon
	atcp_ps_client_counts atcp_ps_children atcp_ps_linux_client_not_shown atcp_ps_daemons_only
	atcp_ps_one_pid atcp_ps_one_user
	atcpstat_json_parses atcp_ps_json_parses atcpstat_stats_json_parses
	unprivileged_sees_other_users_sockets unprivileged_sees_own_processes
	unprivileged_atcp_ps_own_only unprivileged_atcp_ps_says_rows_are_missing
	counters_ActiveOpens_moved counters_PassiveOpens_moved counters_InSegs_moved
	counters_OutSegs_moved counters_EstabResets_moved counters_CurrEstab_counts_held_connections
	events_subscribed events_listen events_established events_closed events_reset events_in_order
	events_json_lines_parse)
other_names=(genl_valid_dump_succeeds genl_einval_unknown_attribute
	genl_einval_record_attribute_as_filter genl_einval_port_as_u32 genl_einval_states_as_u8
	genl_einval_state_beyond_the_enum genl_erange_port_zero genl_erange_flag_with_payload
	genl_einval_stats_with_an_attribute genl_extack_message genl_listeners_without_listen_matches_nothing
	dump_of_10000_sockets_is_whole dump_lists_each_socket_once
	not_loaded_atcpstat not_loaded_atcp_ps)
all_tests=("${usage_names[@]}" "${live_names[@]}" "${other_names[@]}")

tap_begin "${all_tests[@]}"
tap_needs_atcp
tap_require "the tools are not built in $bin" \
	executables "$atcpstat" "$atcp_ps" "$dump_bench" "$echo_daemon" "$run"
tap_require "needs $python and setpriv" executables "$python" "$(command -v setpriv)"
if tap_skip_all; then
	tap_totals
	exit 0
fi

saved_msl=$(cat "$msl_knob")
echo 200 >"$msl_knob"
write_clients
write_events_client
write_raw_client
usage_tests
if start_daemons && start_clients; then
	atcpstat_tests
	atcp_ps_tests
	json_tests
	unprivileged_tests
	counters_tests
	events_tests
else
	echo "# the daemons or clients did not start:"
	for f in "$tmp"/*.out; do
		show "$f"
	done
	for t in "${live_names[@]}"; do
		not_ok "$t"
	done
fi
raw_genl_tests
bulk_tests
not_loaded_tests
tap_totals
[ "$fail" = 0 ]
