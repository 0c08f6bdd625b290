# SPDX-License-Identifier: GPL-2.0
#
# TAP for the shell selftests, sourced by each: one line per result and the
# kselftest "# Totals:" line that tools/check counts.

num=0 pass=0 fail=0 skip=0

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
