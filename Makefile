# Thin wrapper over the CMake presets. `make run` and `make test` do all the
# set-up on a fresh Debian 12 machine (scripts/deps installs what is missing).
JOBS ?= $(shell nproc)
PRESET ?= release
TYCHE = build/$(PRESET)/engine/tyche

.PHONY: all deps build run package test-package test test-slow test-asan test-fault test-valgrind test-mpi test-all bench fuzz fuzz-build fuzz-ci clean
all: build

deps:
	@scripts/deps

build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET) -j $(JOBS)

# The main job: the 2014 Ukraine scenario and its policy batch end to end,
# their charts, the same crisis week by week over six months (a time
# scenario) and its batch with their curves, then the two smaller scenarios (a rules model; the teaching
# example's batch).

run: build
	$(TYCHE) run scenarios/ukraine-2014.yaml
	$(TYCHE) batch scenarios/ukraine-2014-policy.yaml
	plots/tyche-plot results/ukraine-2014.h5 -o results/ukraine-2014-plots
	plots/tyche-plot results/ukraine-2014-policy.h5 -o results/ukraine-2014-policy-plots
	$(TYCHE) run scenarios/ukraine-2014-time.yaml
	$(TYCHE) batch scenarios/ukraine-2014-time-batch.yaml --quiet
	plots/tyche-plot results/ukraine-2014-time.h5 -o results/ukraine-2014-time-plots
	plots/tyche-plot results/ukraine-2014-time-batch.h5 -o results/ukraine-2014-time-batch-plots
	$(TYCHE) run scenarios/geneva-2014.yaml --quiet
	$(TYCHE) batch scenarios/release-deadline-options.yaml --quiet

# Test tiers (ctest labels): the default excludes `slow`; the sanitizer
# build also skips `stat` (statistical tests over many runs: minutes under
# ASan, and they test numbers, not memory) and `plots` (the chart script is
# Python: the release run tests it); the clang build skips `plots` too. `make test-slow` runs the slow
# tier (coverage at 200,000 samples and more). `make test-mpi` builds the
# MPI preset and runs the `mpi` tier (below).
CTEST_EXCLUDE = $(if $(filter asan,$(PRESET)),stat|slow|plots|install,$(if $(filter clang,$(PRESET)),slow|plots|install,slow))|valgrind|fault|fault_long|mpi

test: build
	ctest --preset $(PRESET) -j $(JOBS) -LE '$(CTEST_EXCLUDE)'

test-slow: build
	ctest --preset $(PRESET) -j $(JOBS) -L slow --output-on-failure

test-asan:
	$(MAKE) test PRESET=asan

# The fault-injection loop (preset fault: ASan, UBSan, LSan, the Nth
# allocation or write failing; docs/testing.md) and the main verbs under
# valgrind (preset valgrind: no -march=native). Each builds only the command.
test-fault: deps
	cmake --preset fault >/dev/null
	cmake --build --preset fault -j $(JOBS) --target tyche_cli
	ctest --preset fault -L '^fault$$'

test-valgrind: deps
	cmake --preset valgrind >/dev/null
	cmake --build --preset valgrind -j $(JOBS) --target tyche_cli
	ctest --preset valgrind -L '^valgrind$$'

# The MPI tier (label mpi, tests/mpi/): installs OpenMPI and the parallel
# HDF5 (scripts/deps --mpi), builds the release tyche as the reference the
# MPI build's results must equal bit for bit, builds the mpi preset (every
# target, warnings as errors), then runs tyche under mpirun at 1, 2 and 3
# ranks (docs/cluster.md). A few minutes on 2 cores.
test-mpi:
	@scripts/deps --mpi
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS) --target tyche_cli
	cmake --preset mpi -DTYCHE_REFERENCE_TYCHE=$(CURDIR)/build/release/engine/tyche >/dev/null
	cmake --build --preset mpi -j $(JOBS)
	ctest --preset mpi -L '^mpi$$'

# Everything CI checks: release tests, the ASan/UBSan tests, a clean clang
# build, the fault-injection loop, valgrind and the MPI tier.
test-all: test
	$(MAKE) test PRESET=asan
	$(MAKE) test PRESET=clang
	$(MAKE) test-fault
	$(MAKE) test-valgrind
	$(MAKE) test-mpi
	$(MAKE) test-package

# The Debian package (cmake/install.cmake): the `package` preset (portable,
# prefix /usr) and CPack, into build/package/tyche_VERSION_amd64.deb. Install
# it with `apt install ./build/package/tyche_*.deb` (README, Install).
# `make test-package` builds it and runs tests/install/deb.sh on it.
package: deps
	cmake --preset package >/dev/null
	cmake --build --preset package -j $(JOBS)
	cd build/package && cpack -G DEB >/dev/null
	@ls build/package/tyche_*_amd64.deb

test-package: package
	bash tests/install/deb.sh build/package/tyche_*_amd64.deb .

bench: build
	bench/run-draws

# Fuzzing (tests/fuzz/README.md): the libFuzzer targets built with clang,
# ASan and UBSan (preset fuzz). `make fuzz-ci` runs each briefly, as CI
# does; `make fuzz FUZZ_SECONDS=3600` runs each for an hour.
FUZZ_SECONDS ?= 600
FUZZ_CI_SECONDS ?= 30

fuzz-build: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS) --target fuzz_scenario fuzz_expr fuzz_results

fuzz: fuzz-build
	tests/fuzz/run $(FUZZ_SECONDS)

fuzz-ci: fuzz-build
	tests/fuzz/run $(FUZZ_CI_SECONDS)

clean:
	rm -rf build
