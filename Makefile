# atcp: one entry point.  `make check` and `make demo` are all a fresh
# Debian 12 machine needs; see README.md.

# The kernels atcp.ko is built for: every installed kernel that has headers
# (/lib/modules/KVER/build), or those KVERS= names; KVER= (with KDIR= for a
# tree of its own) builds for one.  Each kernel's module lands in
# build/kmod/KVER/atcp.ko, its Kbuild output in build/kmod/KVER/kmod.
KVERS_INSTALLED := $(shell for d in /lib/modules/*/build; do \
	[ -f "$$d/Makefile" ] && basename "$${d%/build}"; done 2>/dev/null | sort -V)
ifneq ($(KVER),)
KVERS := $(KVER)
endif
KVERS ?= $(KVERS_INSTALLED)
BUILD := $(CURDIR)/build
VM := tools/vm/run
# atcp's one version string (MODULE_VERSION, the tools' --version, packages).
VERSION := $(shell sed -n 's/^\#define ATCP_VERSION "\(.*\)"/\1/p' include/uapi/linux/atcp.h)

# make install: where the tools, man pages and example config go.
DESTDIR ?=
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
BINS := atcpstat atcp-ps atcp-inetd

export KVERS BUILD

all: kmod userland selftests

deps:
	tools/deps

kmod:
	@[ -n "$(strip $(KVERS))" ] || { echo "kmod: no kernel headers installed: run 'make deps'" >&2; exit 1; }
	@set -e; for k in $(KVERS); do \
		echo "kmod: atcp.ko for $$k"; \
		$(MAKE) --no-print-directory -C kmod KVER=$$k $(if $(KDIR),KDIR=$(KDIR)) OUT=$(BUILD)/kmod/$$k; \
		cp -p $(BUILD)/kmod/$$k/kmod/atcp.ko $(BUILD)/kmod/$$k/atcp.ko; \
	done

userland:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(shell nproc)

selftests:
	$(MAKE) -C selftests

# Host only: Google Test and the header check through CTest.
test: userland
	ctest --test-dir $(BUILD) --output-on-failure -j $(shell nproc)

# The style checks: checkpatch --strict on the kernel C (kmod/, include/),
# clang-format on the C++; ends "lint: checkpatch N findings, clang-format M
# files" and fails on any (tools/lint says which findings are kept and why).
lint:
	tools/lint

# The engine's line coverage under its host tests (gcovr summary).
coverage:
	cmake -S . -B $(BUILD)/coverage -DATCP_COVERAGE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(BUILD)/coverage -j $(shell nproc) --target engine_tests
	find $(BUILD)/coverage -name '*.gcda' -delete
	$(BUILD)/coverage/bin/engine_tests --gtest_brief=1
	gcovr --root . --filter 'kmod/engine/[^/]*\.(cpp|hpp)$$' $(BUILD)/coverage

# libFuzzer targets for the codec and the engine (clang): the regression
# inputs first, then FUZZ_SECONDS of new inputs each, or with FUZZ_RUNS a
# fixed number from a fixed seed (what make check does, so that it is
# repeatable); crashes land in $(BUILD)/fuzz.  A crash input found goes to
# kmod/engine/fuzz/regressions/.
FUZZ_SECONDS ?= 60
FUZZ_LIMIT = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS) -seed=1,-max_total_time=$(FUZZ_SECONDS))
FUZZERS := codec_fuzz engine_fuzz
FUZZ_FLAGS := -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude

include kmod/engine/sources.mk
ENGINE_SOURCES := $(addprefix kmod/engine/,$(atcp-engine-sources))

$(BUILD)/fuzz/%: kmod/engine/fuzz/%.cpp $(ENGINE_SOURCES) kmod/engine/sources.mk \
		$(wildcard kmod/engine/*.hpp include/atcp/*.h)
	@mkdir -p $(BUILD)/fuzz/corpus-$*
	clang++ $(FUZZ_FLAGS) -o $@ $(ENGINE_SOURCES) $<

fuzz: $(addprefix $(BUILD)/fuzz/,$(FUZZERS))
	$(BUILD)/fuzz/engine_fuzz kmod/engine/fuzz/regressions/*
	for f in $(FUZZERS); do \
		$(BUILD)/fuzz/$$f $(FUZZ_LIMIT) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus-$$f || exit 1; \
	done

# Benchmarks, not tests: the engine's ns per segment on the bulk paths
# (Google Benchmark, host), then bulk, ping-pong and connection rate for
# Linux's TCP and atcp in one guest, with their ratios, bulk across a path
# with a 1280-byte MTU (tools/bench/pmtu) and the lossy-path matrix
# (tools/bench/lossy, about 25 minutes of the guest's time under TCG).
# BENCH=NAME runs only tools/bench/NAME in the guest (lossy, pmtu, conns).
BENCH ?=
bench: kmod userland selftests
	$(if $(BENCH),,$(BUILD)/bin/engine_bench)
	$(VM) --timeout 3600 $(if $(filter conns,$(BENCH)),--mem 2048) -- tools/bench/$(or $(BENCH),run)

# packetdrill, built from ../shared/third_party/ (beside this tree) with
# tools/packetdrill/*.patch; the selftests run selftests/packetdrill/ with it.
packetdrill:
	tools/packetdrill/build $(BUILD)/packetdrill

# Not a gate: packetdrill's own Linux TCP suite (gtests/net/tcp) against atcp
# and Linux in one guest, IPv4, with the counts per folder.
PACKETDRILL_LINUX_ARGS := --send_omit_free --ip_version=ipv4 --local_ip=192.168.0.1 \
	--gateway_ip=192.168.0.1 --netmask_ip=255.255.0.0 --remote_ip=192.0.2.1 \
	-D TFO_COOKIE=3021b9d889017eeb -D CODE=host_unreachable \
	-D CMSG_LEVEL_IP=SOL_IP -D CMSG_TYPE_RECVERR=IP_RECVERR
packetdrill-linux: kmod userland packetdrill
	-$(VM) --timeout 3000 -- selftests/packetdrill/run --build $(BUILD) \
		--suite $(BUILD)/packetdrill/src/gtests/net/tcp --args "$(PACKETDRILL_LINUX_ARGS)"

# The guest: every selftest against the freshly built module, in a guest of
# each kernel in KVERS.
vmtest: kmod selftests packetdrill
	@set -e; for k in $(KVERS); do \
		$(VM) --kernel $$k -- selftests/run_selftests $(BUILD)/selftests; \
	done

# deps first, in its own make, so that KVER sees freshly installed headers.
check: deps
	$(MAKE) check-built

check-built: all packetdrill deb
	tools/check

# The debug-kernel tier: linux-source-6.12 built once with KASAN, lockdep,
# kmemleak, debug objects and fault injection (tools/vm/debug-kernel, cached
# in ~/.cache/atcp/debug-kernel), atcp.ko for it in build/kmod-debug, then
# the selftests, the packetdrill scripts, the stress suite and the
# fault-injection pass in its guests
# (tools/check-debug).  When that kernel is cached, make check runs all
# but its packetdrill pass among its own suites (tools/check).
DEBUG_KMOD := $(BUILD)/kmod-debug
check-debug: all packetdrill
	tools/check-debug

kmod-debug:
	@tree=$$(tools/vm/debug-kernel) && \
		$(MAKE) --no-print-directory -C kmod KVER=$$(cat $$tree/../release) KDIR=$$tree OUT=$(DEBUG_KMOD) && \
		cp -p $(DEBUG_KMOD)/kmod/atcp.ko $(DEBUG_KMOD)/atcp.ko

faultinject: $(BUILD)/faultinject/atcp_faultinject

$(BUILD)/faultinject/atcp_faultinject: tools/faultinject/atcp_faultinject.c include/uapi/linux/atcp.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude/uapi -o $@ $<

.PHONY: check-debug kmod-debug faultinject

demo: deps
	$(MAKE) all
	$(VM) -- tools/demo/demo

# Install: atcp.ko for each kernel in KVERS under /lib/modules/KVER/updates
# (depmod: socket(AF_ATCP, ...) then loads it through net-pf-19), the tools,
# their man pages and an example /etc/atcp-inetd.conf (kept if present).
install: install-modules install-tools

install-modules: kmod
	@set -e; for k in $(KVERS); do \
		install -D -m 0644 $(BUILD)/kmod/$$k/atcp.ko $(DESTDIR)/lib/modules/$$k/updates/atcp.ko; \
		[ -n "$(DESTDIR)" ] || depmod -a $$k; \
	done

# Only what is installed, not the tests: what the atcp-tools package builds.
TOOL_TARGETS := atcpstat atcp-ps atcp-inetd atcp-run atcp-preload
tools:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(shell nproc) --target $(TOOL_TARGETS)

install-tools: tools
	$(MAKE) --no-print-directory install-tools-built

install-tools-built:
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib/atcp
	install -m 0755 $(addprefix $(BUILD)/bin/,$(BINS)) $(DESTDIR)$(PREFIX)/sbin/
	install -m 0755 $(BUILD)/bin/atcp-run $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(BUILD)/bin/libatcp-preload.so $(DESTDIR)$(PREFIX)/lib/atcp/
	for m in Documentation/*.[1-8]; do \
		install -D -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$${m##*/}; \
	done
	[ -e $(DESTDIR)$(SYSCONFDIR)/atcp-inetd.conf ] || \
		install -D -m 0644 tools/inetd/inetd.conf.example $(DESTDIR)$(SYSCONFDIR)/atcp-inetd.conf

# What make install put there; /etc/atcp-inetd.conf stays if it was changed.
uninstall:
	@set -e; for k in $(KVERS); do \
		rm -f $(DESTDIR)/lib/modules/$$k/updates/atcp.ko; \
		[ -n "$(DESTDIR)" ] || [ ! -d /lib/modules/$$k/kernel ] || depmod -a $$k; \
	done
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/sbin/,$(BINS)) $(DESTDIR)$(PREFIX)/bin/atcp-run
	rm -rf $(DESTDIR)$(PREFIX)/lib/atcp
	for m in Documentation/*.[1-8]; do rm -f $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$${m##*/}; done
	cmp -s tools/inetd/inetd.conf.example $(DESTDIR)$(SYSCONFDIR)/atcp-inetd.conf && \
		rm -f $(DESTDIR)$(SYSCONFDIR)/atcp-inetd.conf || true

# The module's source for DKMS, /usr/src/atcp-VERSION: dkms.conf, kmod/ and
# include/ (no engine tests, fuzzers or benchmarks).
DKMS_SRC := /usr/src/atcp-$(VERSION)
install-dkms-source:
	install -d $(DESTDIR)$(DKMS_SRC)
	sed 's/@VERSION@/$(VERSION)/' kmod/dkms.conf.in >$(DESTDIR)$(DKMS_SRC)/dkms.conf
	find kmod include \( -path kmod/engine/tests -o -path kmod/engine/fuzz -o -path kmod/engine/bench \) -prune \
		-o -type f \( -name '*.[ch]' -o -name '*.cpp' -o -name '*.hpp' -o -name '*.mk' -o -name Kbuild \
		-o -name Makefile \) -print | \
		while read -r f; do install -D -m 0644 $$f $(DESTDIR)$(DKMS_SRC)/$$f || exit 1; done

# DKMS without packages: add the source, build and install for the running
# kernel (and, through AUTOINSTALL, each kernel installed later).
install-dkms: install-dkms-source
	dkms add atcp/$(VERSION)
	dkms install atcp/$(VERSION)

uninstall-dkms:
	dkms remove atcp/$(VERSION) --all
	rm -rf $(DKMS_SRC)

# Debian packages atcp-dkms and atcp-tools (debhelper, dh-dkms) in
# build/deb, then lintian on them.
deb:
	tools/deb/build $(VERSION) $(BUILD)/deb

clean:
	rm -rf $(BUILD)

.PHONY: all deps kmod userland selftests packetdrill packetdrill-linux test lint coverage fuzz bench vmtest check check-built demo clean \
	install install-modules tools install-tools install-tools-built uninstall install-dkms-source install-dkms uninstall-dkms deb
