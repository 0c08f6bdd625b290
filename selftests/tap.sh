# SPDX-License-Identifier: GPL-2.0
#
# TAP for the shell selftests, sourced by each: the plan, one line per
# result, and the kselftest "# Totals:" line that tools/check counts.  A
# test script names its tests and what it needs up front:
#
#	tap_begin "${all_tests[@]}"
#	tap_needs_atcp
#	tap_require "needs $python" executables "$python"
#	if ! tap_skip_all; then
#		...the tests...
#	fi
#	tap_totals

num=0 pass=0 fail=0 skip=0
tap_names=() tap_reason=

ok() {
	num=$((num + 1)) pass=$((pass + 1))
	echo "ok $num $1"
}

not_ok() {
	num=$((num + 1)) fail=$((fail + 1))
	echo "not ok $num $1"
}

skip() { # skip NAME REASON
	num=$((num + 1)) skip=$((skip + 1))
	echo "ok $num $1 # SKIP $2"
}

# check NAME CMD...: one result from a command's status.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

tap_totals() {
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
}

# tap_begin NAME...: the TAP header and plan for these tests.
tap_begin() {
	tap_names=("$@")
	tap_reason=
	echo "TAP version 13"
	echo "1..$#"
}

# tap_require REASON CMD...: unless an earlier requirement failed, runs CMD;
# if it fails, REASON is why tap_skip_all skips every test.
tap_require() {
	local why=$1
	shift
	[ -z "$tap_reason" ] || return 0
	"$@" || tap_reason=$why
}

# tap_needs_atcp: root, and the atcp module loaded.
tap_needs_atcp() {
	tap_require "needs root" [ "$(id -u)" = 0 ]
	tap_require "atcp is not loaded" [ -r /sys/module/atcp/parameters/family ]
}

# tap_skip_all: when a requirement failed, every test is skipped for it, and
# the status is true; false when the tests can run.
tap_skip_all() {
	local t

	[ -n "$tap_reason" ] || return 1
	for t in "${tap_names[@]}"; do
		skip "$t" "$tap_reason"
	done
}

# executables FILE...: whether every FILE is there and executable.
executables() {
	local f

	for f; do
		[ -x "$f" ] || return 1
	done
}

# ns_counter NS NAME: one of atcpstat -s's counters in network namespace NS
# ($atcpstat: the script's path to it).
ns_counter() {
	ip netns exec "$1" "$atcpstat" -s | awk -v n="$2" '$1 == n { print $2 }'
}
