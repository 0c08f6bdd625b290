# Sourced by tools/check and tools/check-debug: the guest suites, several
# at a time, and the pass and fail sums of what they print.  The caller
# sets build (the build directory) before sourcing.
#
# Under TCG a guest's vCPU is a host thread and the suites wait on their
# guests, so one guest at a time leaves a core idle: guest_suite queues a
# suite, at most $guests running, and tally_guest_suites waits for them
# and adds each one's kselftest Totals, in the order they were queued.
logs=$build/logs
mkdir -p "$logs"
prog=${0##*/}
passed=0 failed=0
failures=() # what failed, listed again at the end where CI's tail shows it
guests=${CHECK_GUESTS:-$(nproc)}
guest_names=()

# tally NAME STATUS: add the Totals lines of $logs/NAME.log to the sums.
# Each program closes with the kselftest line
# "# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N".
tally() {
	local name=$1 status=$2 p f e run_passed=0 run_failed=0
	while read -r p f e; do
		run_passed=$((run_passed + p))
		run_failed=$((run_failed + f + e))
	done < <(sed -nE 's/^# Totals: pass:([0-9]+) fail:([0-9]+) xfail:[0-9]+ xpass:[0-9]+ skip:[0-9]+ error:([0-9]+).*/\1 \2 \3/p' "$logs/$name.log")
	if [ "$status" != 0 ] && [ "$run_failed" = 0 ]; then
		# A crash, a timeout or a kernel-log finding fails the run as a whole.
		echo "$prog: $name failed (status $status) outside any test" >&2
		run_failed=1
		failures+=("$name: status $status outside any test")
	fi
	while read -r line; do
		failures+=("$name: $line")
	done < <(grep -E '^(# )*not ok ' "$logs/$name.log" | grep -v '# SKIP')
	echo "$prog: $name: $run_passed passed, $run_failed failed"
	passed=$((passed + run_passed))
	failed=$((failed + run_failed))
}

# guest_suite NAME CMD...: queue CMD, its output to $logs/NAME.log and its
# status and duration to NAME.status.
guest_suite() {
	local name=$1
	shift
	guest_names+=("$name")
	while [ "$(jobs -rp | wc -l)" -ge "$guests" ]; do
		wait -n
	done
	echo "$prog: $name started"
	(
		start=$(date +%s)
		"$@" >"$logs/$name.log" 2>&1
		status=$?
		echo "$status $(($(date +%s) - start))" >"$logs/$name.status"
		echo "$prog: $name ended, status $status, after $(($(date +%s) - start)) s"
	) &
}

tally_guest_suites() {
	local name status seconds
	wait
	for name in "${guest_names[@]}"; do
		read -r status seconds <"$logs/$name.status" 2>/dev/null || status=1 seconds=?
		echo "$prog: $name took $seconds s"
		tally "$name" "$status"
		[ "$status" = 0 ] || tail -n 30 "$logs/$name.log"
	done
	guest_names=()
}

# The debug-kernel tier: a guest of tools/vm/debug-kernel's kernel (KASAN,
# lockdep, atomic-sleep checks, kmemleak, debug objects, failslab and
# fail_page_alloc) with atcp.ko built for it.  Any KASAN, lockdep or
# debug-objects report, or kmemleak object allocated through atcp, fails
# the run it shows in.  ACPI's AML for PCI interrupt routing runs past its
# loop timeout on this kernel under TCG: pci=noacpi routes by the MP table
# (virtio uses MSI-X).  Under TCG this kernel runs the suites several times
# slower than Debian's: long timeouts.
debug_tier_build() { # build the kernel (if need be), atcp.ko and the injector
	debug_tree=$(tools/vm/debug-kernel) &&
		make --no-print-directory kmod-debug faultinject
}

debug_suite() { # debug_suite PART: queue one part of the tier
	local run=(tools/vm/run --kernel-image "$debug_tree/vmlinux"
		--module "$build/kmod-debug/atcp.ko" --mem 2048)
	case $1 in
	selftests)
		guest_suite debug-selftests "${run[@]}" --append pci=noacpi --timeout 5400 -- \
			selftests/run_selftests --no-packetdrill "$build/selftests"
		;;
	packetdrill) # against atcp alone: Linux's TCP is not what this tier checks
		guest_suite debug-packetdrill "${run[@]}" --append pci=noacpi --timeout 3600 -- \
			selftests/packetdrill/run --build "$build" --stack atcp
		;;
	stress)
		guest_suite debug-stress "${run[@]}" --cpus 2 --append 'pci=noacpi slab_nomerge' \
			--timeout 3600 -- "$build/selftests/stress_test"
		;;
	faultinject)
		guest_suite debug-faultinject "${run[@]}" --append pci=noacpi --timeout 3600 -- \
			tools/faultinject/run "$build"
		;;
	esac
}

show_fault_sites() { # the allocation sites the fault-injection pass reached
	grep -E '^# (faultinject|  )' "$logs/debug-faultinject.log" | head -n 60
}

print_failures_and_sums() {
	local f
	for f in "${failures[@]}"; do
		echo "$prog: failed: $f"
	done
	echo "$passed passed, $failed failed"
}
