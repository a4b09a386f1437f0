# SPDX-License-Identifier: MIT
# Entry points: `make demo` and `make check` (both install packages, configure and build first).
BUILD ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo check check-asan check-tsan clean bench

all: build

deps:
	@./scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@./scripts/demo.sh $(BUILD)

# Every test of the normal build (unit, integration, security, valgrind, fuzz, conformance...), then the
# ASan+UBSan gate over the host side.
check: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900
	@$(MAKE) --no-print-directory check-asan
	@$(MAKE) --no-print-directory check-tsan

check-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCELLA_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900 -L 'unit|integration|security'

# Thread safety under ThreadSanitizer: the host library's (checklist H2), through the sandbox tests that call from
# several threads at once; libcella-verify's, through verifications from several threads on shared collateral; and
# cella-attestd's, through its end-to-end tests (TLS threads, HTTP daemons, the shared collateral table and policies;
# the front end's connection handling and shutdown) and one compiled policy evaluated by several threads at once;
# the enclave TLS servers' socket ocalls, closed under a blocked call; and the OpenSSL verifier's handshakes on one
# configured context from several threads (its kept collateral, given or fetched from a mock PCCS, and each
# connection's outcome).
check-tsan: deps
	@cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCELLA_SANITIZE_THREAD=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS) --target sandbox_test cella-monitor verify_threads_test cella-attestd attestd_policy_test \
		tls_host_test evidence_dcap_test
	@cd $(TSAN_BUILD) && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -j $(JOBS) --timeout 900 \
		-R '^(sandbox_(test|ocalls|concurrent|terminate_inflight|call_thread|abort|cleanup)|verify_threads_test|attestd_service|attestd_front|attestd_policy_test|tls_host_test|evidence_dcap_test|evidence_dcap_tls_fetch)$$'

bench: build
	@./scripts/bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
