# Thin wrapper over CMake presets. `make run` and `make test` are the two documented entry points.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)
ARGS ?=
# Extra ctest arguments for `make test`, e.g. CTEST_ARGS='-R inventory'.
CTEST_ARGS ?=

.PHONY: deps deps-build build run test test-asan test-tsan test-image test-minimal fuzz format format-check \
	bench package clean

# `make run` installs only what building and running the agent needs; everything else
# (`make test`, benchmarks, lint) installs the whole set.
deps-build:
	@bash .ci/install-deps.sh build

deps:
	@bash .ci/install-deps.sh all

# The agent alone: a build directory configured here has no test suite (no test packages
# needed); `make test` later turns it on in the same directory.
run: deps-build
	@test -f $(BUILD_DIR)/build.ninja || cmake --preset $(PRESET) -DPORTWARDEN_BUILD_TESTS=OFF
	cmake --build --preset $(PRESET) -j $(JOBS) --target portwarden
	$(BUILD_DIR)/agent/app/portwarden $(ARGS)

$(BUILD_DIR)/build.ninja: | deps
	cmake --preset $(PRESET)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build --preset $(PRESET) -j $(JOBS)

# Every test. Re-enables the suite in a build directory that `make run` configured without it.
test: deps $(BUILD_DIR)/build.ninja
	@if grep -q '^PORTWARDEN_BUILD_TESTS:BOOL=OFF' $(BUILD_DIR)/CMakeCache.txt; then \
	  cmake --preset $(PRESET) -DPORTWARDEN_BUILD_TESTS=ON; fi
	cmake --build --preset $(PRESET) -j $(JOBS)
	ctest --preset $(PRESET) -j $(JOBS) $(CTEST_ARGS)

# Opt-in (about 15 minutes, needs the Debian mirror): builds the Dockerfile with buildah from a
# base image made by mmdebstrap, runs the agent in it and scrapes /metrics.
test-image:
	@bash .ci/install-deps.sh image
	bash tests/deploy/image/check_image.sh

# Opt-in (15-30 minutes, needs the Debian mirror): `make test` in a fresh minbase Debian 12 root
# holding only git, make, sudo and ca-certificates. TESTS=regex limits ctest.
test-minimal:
	@bash .ci/install-deps.sh image
	bash tests/deploy/minimal/check_minimal_debian.sh

test-asan:
	$(MAKE) test PRESET=asan

# ThreadSanitizer: the unit tests, the integration tests (threaded daemon, scheduler, probe
# loop and pool) and the fuzz corpus replays; suppressions in tests/tsan.supp.
TSAN_LABELS ?= unit|integration|fuzz
test-tsan:
	$(MAKE) build PRESET=tsan
	ctest --preset tsan -j $(JOBS) -L '$(TSAN_LABELS)'

# libFuzzer targets (clang from Debian): build them, run each for FUZZ_SECONDS.
FUZZ_SECONDS ?= 45
fuzz:
	$(MAKE) build PRESET=fuzz
	bash tests/fuzz/run_fuzzers.sh build/fuzz $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.h' '*.cc')

bench: build
	bash tests/bench/run_all.sh $(BUILD_DIR)

package: build
	cd $(BUILD_DIR) && cpack -G DEB

clean:
	rm -rf build
