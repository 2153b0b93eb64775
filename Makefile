# Thin wrapper over CMake presets. `make run` and `make test` are the two documented entry points.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)
ARGS ?=

.PHONY: deps build run test test-asan test-tsan fuzz format format-check bench package clean

deps:
	@bash .ci/install-deps.sh

$(BUILD_DIR)/build.ninja: | deps
	cmake --preset $(PRESET)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build --preset $(PRESET) -j $(JOBS)

run: build
	$(BUILD_DIR)/agent/app/portwarden $(ARGS)

test: build
	ctest --preset $(PRESET) -j $(JOBS)

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
