# SPDX-License-Identifier: GPL-2.0
# The engine's sources, listed once: kmod/Kbuild compiles them into atcp.ko,
# kmod/engine/CMakeLists.txt into the host library that the unit tests and
# the benchmark link, and the top Makefile's fuzz rule into the fuzzers.
atcp-engine-sources := tcp_codec.cpp api.cpp conn.cpp input.cpp output.cpp \
	timers.cpp congestion.cpp recovery.cpp reassembly.cpp icmp.cpp \
	ecn.cpp rack.cpp probe.cpp syncookie.cpp timewait.cpp \
	synreceived.cpp
