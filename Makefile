# atcp: one entry point.  `make check` and `make demo` are all a fresh
# Debian 12 machine needs; see README.md.

# The newest installed kernel that has headers to build against.
KVER ?= $(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1 | cut -d/ -f4)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := $(CURDIR)/build
VM := tools/vm/run

export KVER KDIR BUILD

all: kmod userland selftests

deps:
	tools/deps

kmod:
	$(MAKE) -C kmod KVER=$(KVER) KDIR=$(KDIR)

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

# The guest: every selftest against the freshly built module.
vmtest: kmod selftests
	$(VM) -- selftests/run_selftests $(BUILD)/selftests

# deps first, in its own make, so that KVER sees freshly installed headers.
check: deps
	$(MAKE) check-built

check-built: all
	tools/check

demo: deps
	$(MAKE) all
	$(VM) -- tools/demo/demo

clean:
	-$(MAKE) -C kmod clean
	rm -rf $(BUILD)

.PHONY: all deps kmod userland selftests test coverage fuzz bench vmtest check check-built demo clean
