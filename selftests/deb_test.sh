#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages in a guest, as a user would take them: install
# atcp-dkms and atcp-tools (make deb) into the guest's writable overlay, let
# DKMS build atcp.ko for the running kernel, see socket(AF_ATCP, ...) load
# it through its net-pf alias and atcpstat list a listener, then purge both
# and see the module gone.  Runs where the packages are built and the
# running kernel has headers; skips elsewhere.  Needs a long guest timeout:
# DKMS compiles the module under emulation.
set -u

here=$(dirname "$(readlink -f "$0")")
debs=${ATCP_DEBS:-$here/../deb}
kver=$(uname -r)
port=5811
. "$here/tap.sh"

tap_begin install built autoload listener purge gone

dkms_deb=$(ls "$debs"/atcp-dkms_*_all.deb 2>/dev/null | tail -n 1)
tools_deb=$(ls "$debs"/atcp-tools_*.deb 2>/dev/null | tail -n 1)
tap_require "no packages in $debs (make deb)" [ -n "$dkms_deb" -a -n "$tools_deb" ]
tap_require "no headers for $kver" [ -f "/lib/modules/$kver/build/Makefile" ]
tap_require "the root is read-only" [ -w / ]
# One kernel is enough, and a DKMS build under emulation takes minutes:
# Debian 13's kernel, 6.12 generic.
generic_612() { [[ $kver == 6.12.* && $kver != *-rt-* ]]; }
tap_require "runs on the 6.12 generic kernel, not $kver" generic_612
if tap_skip_all; then
	tap_totals
	exit 0
fi

# rmmod, retried while earlier tests' connections finish TIME-WAIT.
unload() {
	for _ in $(seq 100); do
		grep -q '^atcp ' /proc/modules || return 0
		rmmod atcp 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# The module the runner inserted would hide the autoload.
unload
# DKMS's postinst builds for the running kernel and the newest installed
# one; here only for the running one, to keep the emulated build short.
mkdir -p /etc/dkms
echo "get_newest_kernel() { echo $kver; }" >>/etc/dkms/framework.conf

# man-db's dpkg trigger re-indexes every manual page on the system, at
# install and again at purge: a quarter of this test's time under
# emulation, and nothing of atcp's.  Debian's switch for it:
rm -f /var/lib/man-db/auto-update

log=$(mktemp)
DEBIAN_FRONTEND=noninteractive dpkg -i "$dkms_deb" "$tools_deb" >"$log" 2>&1
status=$?
sed 's/^/# /' "$log"
check "install: dpkg -i atcp-dkms atcp-tools" [ "$status" = 0 ]

ko=$(modinfo -k "$kver" -n atcp 2>/dev/null)
case $ko in
/lib/modules/"$kver"/updates/dkms/atcp.ko*) ok "built: DKMS installed $ko" ;;
*) not_ok "built: modinfo finds atcp for $kver at '${ko:-nothing}'" ;;
esac

# atcp-echo: socket(AF_ATCP, SOCK_STREAM, 0), which asks modprobe for
# net-pf-19 while no module has the family.
loaded_before=$(grep -c '^atcp ' /proc/modules)
"$here/../bin/atcp-echo" "$port" &
listener=$!
for _ in $(seq 50); do
	/usr/sbin/atcpstat -l -n 2>/dev/null | grep -q ":$port\b" && break
	sleep 0.2
done
[ "$loaded_before" = 0 ] && grep -q '^atcp ' /proc/modules
check "autoload: socket(AF_ATCP, ...) loaded atcp" [ $? = 0 ]
out=$(/usr/sbin/atcpstat -l -n 2>&1)
sed 's/^/# /' <<<"$out"
check "listener: the installed atcpstat lists *:$port" grep -q ":$port\b" <<<"$out"
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null
unload

DEBIAN_FRONTEND=noninteractive dpkg --purge atcp-tools atcp-dkms >"$log" 2>&1
status=$?
sed 's/^/# /' "$log"
check "purge: dpkg --purge atcp-tools atcp-dkms" [ "$status" = 0 ]
ko=$(modinfo -k "$kver" -n atcp 2>/dev/null)
check "gone: no atcp module for $kver after the purge${ko:+ ($ko)}" [ -z "$ko" ]
rm -f "$log"
# The selftests after this one use the module the runner inserted.
[ -z "${ATCP_KO:-}" ] || insmod "$ATCP_KO" || echo "# insmod $ATCP_KO failed"
tap_totals
[ "$fail" = 0 ]
