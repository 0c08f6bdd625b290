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

$(BUILD)/fuzz/%: kmod/engine/fuzz/%.cpp $(wildcard kmod/engine/*.cpp kmod/engine/*.hpp include/atcp/*.h)
	@mkdir -p $(BUILD)/fuzz/corpus-$*
	clang++ $(FUZZ_FLAGS) -o $@ kmod/engine/*.cpp $<

fuzz: $(addprefix $(BUILD)/fuzz/,$(FUZZERS))
	$(BUILD)/fuzz/engine_fuzz kmod/engine/fuzz/regressions/*
	for f in $(FUZZERS); do \
		$(BUILD)/fuzz/$$f $(FUZZ_LIMIT) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus-$$f || exit 1; \
	done

# Benchmarks, not tests: the engine's ns per segment on the bulk paths
# (Google Benchmark, host), then bulk, ping-pong and connection rate for
# Linux's TCP and atcp in one guest, with their ratios.
bench: kmod userland
	$(BUILD)/bin/engine_bench
	$(VM) -- tools/bench/run

# The guest: every selftest against the freshly built module, in a guest of
# each kernel in KVERS.
vmtest: kmod selftests
	@set -e; for k in $(KVERS); do \
		$(VM) --kernel $$k -- selftests/run_selftests $(BUILD)/selftests; \
	done

# deps first, in its own make, so that KVER sees freshly installed headers.
check: deps
	$(MAKE) check-built

check-built: all
	tools/check

demo: deps
	$(MAKE) all
	$(VM) -- tools/demo/demo

clean:
	rm -rf $(BUILD)

.PHONY: all deps kmod userland selftests test coverage fuzz bench vmtest check check-built demo clean
