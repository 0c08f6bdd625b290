#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# atcp-inetd serving over atcp: the internal services (echo, discard,
# chargen, daytime, time), exec'ed servers under the line's user, a wait
# service, SIGHUP reloads that keep live connections, the child and rate
# limits, bad lines reported as file:line while the good ones serve, a port
# in use, a server that cannot be executed.  Clients are python3 over
# Linux's TCP and, through atcp-run, over atcp.  Loopback only.
set -u

here=$(dirname "$(readlink -f "$0")")
bin=$here/../bin
inetd=$bin/atcp-inetd
run=$bin/atcp-run
echo_daemon=$bin/atcp-echo
python=/usr/bin/python3
# A rate-limited service pauses this long; a port in use is retried as often.
retry=3
tmp=$(mktemp -d)
# Servers run as nobody read their scripts here.
chmod 755 "$tmp"
conf=$tmp/inetd.conf
log=$tmp/inetd.log
inetd_pid=
occupier_pid=
client_pids=()

. "$(dirname "$0")/tap.sh"

# expect NAME WANT GOT: one result from a comparison, both shown on failure.
expect() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		echo "# $1: got '$3', want '$2'"
		not_ok "$1"
	fi
}

# Servers inetd started run in sessions of their own: end each by its pid.
stop_inetd() {
	[ -n "$inetd_pid" ] || return 0
	local children
	children=$(ps -o pid= --ppid "$inetd_pid" 2>/dev/null)
	kill "$inetd_pid" 2>/dev/null
	wait "$inetd_pid" 2>/dev/null
	for pid in $children; do kill "$pid" 2>/dev/null; done
	inetd_pid=
}

# Connections that end here wait out TIME-WAIT briefly, so that tests after
# this one (an rmmod among them) do not wait for them.
msl_knob=/proc/sys/net/atcp/msl
saved_msl=$(cat "$msl_knob" 2>/dev/null)
[ -n "$saved_msl" ] && echo 200 >"$msl_knob"

cleanup() {
	stop_inetd
	for pid in "${client_pids[@]}" $occupier_pid; do kill "$pid" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
	[ -n "$saved_msl" ] && echo "$saved_msl" >"$msl_knob"
}
trap cleanup EXIT

# The client: talk.py PORT MODE [ARG]; one line of result on stdout.
make_scripts() {
	cat >"$tmp/talk.py" <<'EOF'
import os, re, socket, struct, sys, time

port, mode = int(sys.argv[1]), sys.argv[2]
arg = sys.argv[3] if len(sys.argv) > 3 else ""
host = "::1" if mode.endswith("6") else "127.0.0.1"

def connect():
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect((host, port))
    return s

def read_all(s, limit=1 << 20):
    data = b""
    while len(data) < limit:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return data

def ring_line(n):
    return bytes(32 + (n + i) % 95 for i in range(72)) + b"\r\n"

if mode == "refused":
    try:
        connect().close()
        print("connected")
    except ConnectionRefusedError:
        print("refused")
    sys.exit(0)

s = connect()
if mode in ("echo", "echo6"):
    s.sendall(arg.encode())
    s.shutdown(socket.SHUT_WR)
    print(read_all(s).decode(errors="replace"), end="")
elif mode == "discard":
    s.sendall(b"x" * 100000)
    s.shutdown(socket.SHUT_WR)
    print("got %d bytes back" % len(read_all(s)))
elif mode == "chargen":
    want = b"".join(ring_line(n) for n in range(200))
    got = b""
    while len(got) < len(want):
        chunk = s.recv(len(want) - len(got))
        if not chunk:
            break
        got += chunk
    print("pattern" if got == want else "mismatch: %r" % got[:80])
elif mode == "daytime":
    text = read_all(s).decode(errors="replace")
    ok = re.fullmatch(r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] \d\d:\d\d:\d\d (\d{4})\r\n", text)
    print("ctime" if ok and int(ok.group(1)) == time.localtime().tm_year else "bad: %r" % text)
elif mode == "time":
    data = read_all(s)
    want = int(time.time()) + 2208988800
    if len(data) != 4:
        print("bad: %r" % data)
    else:
        got = struct.unpack("!I", data)[0]
        print("since 1900" if abs(got - want) <= 5 else "off by %d s" % (got - want))
elif mode == "read":
    print(read_all(s).decode(errors="replace"), end="")
s.close()
EOF
	# Holds a connection: echoes "before", says it is ready, waits for the go,
	# then echoes "after" on the same connection.
	cat >"$tmp/hold.py" <<'EOF'
import os, socket, sys, time

port, ready, go = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=30)
out = []
for word, wait in ((b"before\n", False), (b"after\n", True)):
    if wait:
        open(ready, "w").close()
        while not os.path.exists(go):
            time.sleep(0.05)
    s.sendall(word)
    got = b""
    while len(got) < len(word):
        chunk = s.recv(64)
        if not chunk:
            break
        got += chunk
    out.append(got.decode().strip() or "nothing")
print(" ".join(out))
EOF
	# A second connection to a service at its child limit: silent while the
	# first holds the only child, answered once the first is released.
	cat >"$tmp/limit.py" <<'EOF'
import socket, sys

port, go = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(b"second\n")
s.settimeout(2)
try:
    early = s.recv(64)
    print("answered early: %r" % early)
    sys.exit(0)
except socket.timeout:
    pass
open(go, "w").close()
s.settimeout(30)
got = b""
while len(got) < 7:
    chunk = s.recv(64)
    if not chunk:
        break
    got += chunk
print("waited, then %s" % (got.decode().strip() or "nothing"))
EOF
	# Four connections to a service allowed two a minute.
	cat >"$tmp/rate.py" <<'EOF'
import socket, sys

port = int(sys.argv[1])
out = []
for _ in range(4):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=20)
    except ConnectionRefusedError:
        out.append("refused")
        continue
    data = b""
    while chunk := s.recv(256):
        data += chunk
    out.append("daytime" if data.endswith(b"\r\n") else "closed" if not data else repr(data))
    s.close()
print(" ".join(out))
EOF
	# A wait service: the listener is fd 0, and this server accepts on it.
	cat >"$tmp/wait_server.py" <<'EOF'
import os, socket

listener = socket.socket(fileno=0)
listening = listener.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
conn, _ = listener.accept()
conn.sendall(b"pid %d listening %d\n" % (os.getpid(), listening))
conn.close()
EOF
	cat >"$tmp/whoami.sh" <<'EOF'
#!/bin/sh
echo "uid $(id -u) gid $(id -g)"
EOF
	chmod 755 "$tmp"/*.py "$tmp/whoami.sh"
}

# talk PORT MODE [ARG]: a Linux TCP client.  atcp_talk: the same over atcp,
# its trace checked: the client's socket must really have been atcp.
talk() {
	"$python" "$tmp/talk.py" "$@" 2>&1
}

socket_trace='^atcp-run: fd [0-9]+ socket\(AF_INET, SOCK_STREAM[A-Z_|]*\) -> atcp$'

atcp_talk() {
	local out
	out=$("$run" --trace "$python" "$tmp/talk.py" "$@" 2>"$tmp/trace")
	if ! grep -Eq "$socket_trace" "$tmp/trace"; then
		sed 's/^/# trace: /' "$tmp/trace"
		echo "not over atcp"
		return
	fi
	grep -v '^atcp-run: ' "$tmp/trace"
	echo "$out"
}

# wait_log PATTERN [SECONDS]: until the log has a line matching PATTERN.
wait_log() {
	local tries=$((${2:-20} * 10))
	for _ in $(seq "$tries"); do
		grep -Eq "$1" "$log" && return 0
		sleep 0.1
	done
	echo "# no log line /$1/ in:"
	sed 's/^/# log: /' "$log"
	return 1
}

log_has() { grep -Fq "$1" "$log" || { echo "# no log line with: $1"; return 1; }; }

# line_of TEXT: the config's line number of the line starting with TEXT.
line_of() { grep -n "^$1" "$conf" | head -n 1 | cut -d: -f1; }

socket_inodes() {
	local fd
	for fd in "/proc/$inetd_pid/fd"/*; do
		readlink "$fd"
	done 2>/dev/null | grep '^socket:' | sort
}

# The services of the first load; reload_tests moves 7113 out and 7114 in.
write_config() {
	local with=$1 without=$2
	cat >"$conf" <<EOF
# atcp-inetd selftest: good lines, bad lines among them.
7101 stream atcp nowait root internal echo
7102	stream	atcp	nowait	nobody	internal discard
7103 stream atcp nowait nobody internal chargen
127.0.0.1:7104 stream atcp nowait root internal daytime
7105 stream atcp nowait root internal time
7106 stream atcp nowait nobody /bin/cat cat
7107 stream atcp nowait nobody $tmp/whoami.sh whoami.sh
7117 stream atcp nowait daemon:nogroup $tmp/whoami.sh whoami.sh
7108 stream atcp wait root $run atcp-run $python $tmp/wait_server.py
7109 stream atcp nowait root /nonexistent/server server
7110 stream atcp nowait/1 nobody /bin/cat cat
7111 stream atcp nowait.2 root internal daytime
7112 stream atcp nowait root internal echo
bogus-service stream atcp nowait root internal
7120 dgram atcp wait root internal echo
7121 stream tcp nowait root internal echo
7122 stream atcp nowait no-such-user /bin/cat
7123 stream atcp nowait.x root /bin/cat
7124 stream atcp nowait root cat cat
7125 stream atcp
[::1]:7116 stream atcp6 nowait root internal echo
$with
EOF
	[ -n "$without" ] && sed -i "/^$without /d" "$conf"
	return 0
}

start_tests() {
	write_config "7113 stream atcp nowait root internal echo" ""
	# A port in use: an atcp echo daemon holds 7112 before inetd starts.
	"$echo_daemon" 7112 &
	occupier_pid=$!
	for _ in $(seq 50); do
		[ "$(talk 7112 echo up)" = up ] && break
		sleep 0.1
	done
	"$inetd" -d -t "$retry" "$conf" 2>"$log" &
	inetd_pid=$!
	wait_log 'inetd.conf: [0-9]+ services? \(' 30
	check inetd_starts kill -0 "$inetd_pid"
}

bad_line_tests() {
	local c=$conf:
	check bad_line_unknown_service log_has \
		"$c$(line_of bogus-service): unknown service 'bogus-service'"
	check bad_line_socket_type log_has \
		"$c$(line_of 7120): socket type 'dgram' is not supported: atcp is stream only"
	check bad_line_protocol log_has "$c$(line_of 7121): unknown protocol 'tcp'"
	check bad_line_user log_has "$c$(line_of 7122): unknown user 'no-such-user'"
	check bad_line_rate log_has "$c$(line_of 7123): bad connection rate 'x' in 'nowait.x'"
	check bad_line_relative_server log_has \
		"$c$(line_of 7124): server 'cat' is neither an absolute path nor internal"
	check bad_line_too_few_fields log_has "$c$(line_of '7125 '): expected at least 6 fields"
	# IPv6 in atcp may or may not have landed: the line says which.
	if grep -Fq "$c$(line_of '\[::1\]'): atcp6: IPv6 is not supported yet" "$log"; then
		echo "# atcp6 line reported: IPv6 is not supported yet"
		ok atcp6_line_reported_or_served
	else
		wait_log '\[::1\]:7116/atcp6: listening' 5
		expect atcp6_line_reported_or_served "six" "$(talk 7116 echo6 six)"
	fi
	check port_in_use_reported \
		grep -Eq "7112/atcp at ${c}[0-9]+: port 7112: .*Address already in use" "$log"
}

internal_tests() {
	expect echo_linux_client "hello, echo" "$(talk 7101 echo 'hello, echo')"
	expect echo_atcp_client "hello over atcp" "$(atcp_talk 7101 echo 'hello over atcp')"
	expect discard_linux_client "got 0 bytes back" "$(talk 7102 discard)"
	expect discard_atcp_client "got 0 bytes back" "$(atcp_talk 7102 discard)"
	expect chargen_linux_client pattern "$(talk 7103 chargen)"
	expect chargen_atcp_client pattern "$(atcp_talk 7103 chargen)"
	expect daytime_linux_client ctime "$(talk 7104 daytime)"
	expect daytime_atcp_client ctime "$(atcp_talk 7104 daytime)"
	expect time_linux_client "since 1900" "$(talk 7105 time)"
	expect time_atcp_client "since 1900" "$(atcp_talk 7105 time)"
}

exec_tests() {
	local text="a line for cat"
	expect exec_cat_linux_client "$text" "$(talk 7106 echo "$text")"
	expect exec_cat_atcp_client "$text" "$(atcp_talk 7106 echo "$text")"
	expect runs_as_nobody "uid $(id -u nobody) gid $(id -g nobody)" "$(talk 7107 read)"
	expect runs_as_user_and_group "uid $(id -u daemon) gid $(getent group nogroup | cut -d: -f3)" \
		"$(talk 7117 read)"
}

wait_tests() {
	local first second
	first=$(talk 7108 read)
	second=$(talk 7108 read)
	echo "# wait service answers: '$first', '$second'"
	[[ $first =~ ^pid\ [0-9]+\ listening\ 1$ ]]
	check wait_service_gets_listener [ $? = 0 ]
	[[ $second =~ ^pid\ [0-9]+\ listening\ 1$ ]] && [ "$first" != "$second" ]
	check wait_service_restarted_after_exit [ $? = 0 ]
}

exec_failure_tests() {
	expect exec_failure_closes_connection "" "$(talk 7109 read)"
	check exec_failure_logged wait_log \
		"7109/atcp at $conf:[0-9]+: cannot execute /nonexistent/server: No such file" 10
	kill -0 "$inetd_pid" && [ "$(talk 7101 echo alive)" = alive ]
	check exec_failure_inetd_keeps_running [ $? = 0 ]
}

max_children_tests() {
	local go=$tmp/go-limit holder out
	"$python" "$tmp/hold.py" 7110 "$tmp/ready-limit" "$go" >"$tmp/limit-holder" 2>&1 &
	holder=$!
	client_pids+=("$holder")
	for _ in $(seq 200); do [ -e "$tmp/ready-limit" ] && break; sleep 0.1; done
	out=$("$python" "$tmp/limit.py" 7110 "$go" 2>&1)
	wait "$holder"
	echo "# first connection: $(cat "$tmp/limit-holder")"
	expect max_children_holds_second_connection "waited, then second" "$out"
	check max_children_logged log_has "7110/atcp: 1 of 1 children running"
}

reload_tests() {
	local go=$tmp/go-reload holder before after closed opened
	expect reload_before_old_service_answers old "$(talk 7113 echo old)"
	"$python" "$tmp/hold.py" 7101 "$tmp/ready-reload" "$go" >"$tmp/reload-holder" 2>&1 &
	holder=$!
	client_pids+=("$holder")
	for _ in $(seq 200); do [ -e "$tmp/ready-reload" ] && break; sleep 0.1; done
	before=$(socket_inodes)
	write_config "7114 stream atcp nowait root internal daytime" 7113
	kill -HUP "$inetd_pid"
	wait_log 'inetd.conf: [0-9]+ services \(1 added, 1 removed, 0 changed, [0-9]+ unchanged\)' 20
	check reload_logged [ $? = 0 ]
	after=$(socket_inodes)
	touch "$go"
	wait "$holder"
	expect reload_keeps_live_connection "before after" "$(cat "$tmp/reload-holder")"
	# The unchanged services keep their sockets: one closed, one opened.
	closed=$(comm -23 <(echo "$before") <(echo "$after") | wc -l)
	opened=$(comm -13 <(echo "$before") <(echo "$after") | wc -l)
	expect reload_keeps_unchanged_sockets "1 closed, 1 opened" "$closed closed, $opened opened"
	expect reload_added_service_answers ctime "$(talk 7114 daytime)"
	expect reload_removed_port_refuses refused "$(talk 7113 refused)"
	expect reload_unchanged_service_answers again "$(talk 7101 echo again)"
}

port_in_use_tests() {
	kill "$occupier_pid"
	wait "$occupier_pid" 2>/dev/null
	occupier_pid=
	kill -HUP "$inetd_pid"
	wait_log "7112/atcp: listening on port 7112" 20
	expect port_in_use_retried_on_reload freed "$(talk 7112 echo freed)"
}

rate_tests() {
	expect rate_limit_pauses_service "daytime daytime closed refused" \
		"$("$python" "$tmp/rate.py" 7111 2>&1)"
	check rate_limit_logged log_has "7111/atcp: more than 2 connections in a minute"
	wait_log "7111/atcp: pause over" $((retry + 10))
	expect rate_limit_resumes ctime "$(talk 7111 daytime)"
}

sigterm_tests() {
	kill -TERM "$inetd_pid"
	wait "$inetd_pid"
	local status=$?
	inetd_pid=
	[ "$status" = 0 ] && [ "$(talk 7101 refused)" = refused ]
	check sigterm_exits_and_closes [ $? = 0 ]
}

all_tests=(inetd_starts
	bad_line_unknown_service bad_line_socket_type bad_line_protocol bad_line_user
	bad_line_rate bad_line_relative_server bad_line_too_few_fields atcp6_line_reported_or_served
	port_in_use_reported
	echo_linux_client echo_atcp_client discard_linux_client discard_atcp_client
	chargen_linux_client chargen_atcp_client daytime_linux_client daytime_atcp_client
	time_linux_client time_atcp_client
	exec_cat_linux_client exec_cat_atcp_client runs_as_nobody runs_as_user_and_group
	wait_service_gets_listener wait_service_restarted_after_exit
	exec_failure_closes_connection exec_failure_logged exec_failure_inetd_keeps_running
	max_children_holds_second_connection max_children_logged
	reload_before_old_service_answers reload_logged reload_keeps_live_connection
	reload_keeps_unchanged_sockets reload_added_service_answers reload_removed_port_refuses
	reload_unchanged_service_answers
	port_in_use_retried_on_reload
	rate_limit_pauses_service rate_limit_logged rate_limit_resumes
	sigterm_exits_and_closes)

tap_begin "${all_tests[@]}"
tap_needs_atcp
tap_require "atcp-inetd, atcp-run or atcp-echo is not built" \
	executables "$inetd" "$run" "$echo_daemon"
tap_require "needs $python" executables "$python"
tap_require "needs the users nobody and daemon" id nobody daemon >/dev/null 2>&1
tap_require "could not write the test scripts" make_scripts
if ! tap_skip_all; then
	start_tests
	bad_line_tests
	internal_tests
	exec_tests
	wait_tests
	exec_failure_tests
	max_children_tests
	reload_tests
	port_in_use_tests
	rate_tests
	sigterm_tests
	if [ "$fail" != 0 ]; then
		echo "# atcp-inetd's log:"
		sed 's/^/# log: /' "$log"
	fi
fi
tap_totals
[ "$fail" = 0 ]
