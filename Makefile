# SPDX-License-Identifier: GPL-2.0
#
# goheap top-level build. See README.md and Documentation/goheap.rst.
#
#   make          build the modules (goheap.ko, goheap_kunit.ko on a KUnit
#                 kernel, the samples, the bench and stress modules) against
#                 KDIR
#   make run      the main job: boot a VM, drive a workload, show statistics
#                 (KERNEL=6.1, the default, 6.12 or 6.12-rt: Debian's kernel)
#   make check    every test, on the kernel matrix of selftests/check.sh
#   make bench    goheap against kmalloc/kmem_cache, side by side (KERNEL=
#                 as for run)
#   make sizeclasses   regenerate kmod/sizeclasses.h
#   make goheapstat    build build/goheapstat (static, runs in the VM too)

# Expanded only where used (not by clean): the fallback builds a test kernel.
KDIR ?= $(or $(wildcard /lib/modules/$(shell uname -r)/build),$(shell selftests/kernel.sh))
BUILD := $(CURDIR)/build

.PHONY: all modules check run bench clean sizeclasses check-sizeclasses deps goheapstat

all: check-sizeclasses modules goheapstat

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

$(BUILD)/mksizeclasses: userspace-tools/mksizeclasses.c
	@mkdir -p $(BUILD)
	$(CC) -O2 -Wall -Wextra -o $@ $<

$(BUILD)/goheapstat: userspace-tools/goheapstat.c
	@mkdir -p $(BUILD)
	$(CC) -O2 -Wall -Wextra -static -o $@ $<

goheapstat: $(BUILD)/goheapstat

sizeclasses: $(BUILD)/mksizeclasses
	$(BUILD)/mksizeclasses > kmod/sizeclasses.h

check-sizeclasses: $(BUILD)/mksizeclasses
	@$(BUILD)/mksizeclasses | cmp -s - kmod/sizeclasses.h || \
		{ echo "kmod/sizeclasses.h does not match the generator: run make sizeclasses" >&2; exit 1; }

deps:
	selftests/deps.sh

# deps first: on a fresh machine it installs the compiler the rest needs
check: deps
	$(MAKE) check-sizeclasses $(BUILD)/goheapstat
	selftests/check.sh

run: deps
	$(MAKE) check-sizeclasses $(BUILD)/goheapstat
	selftests/run.sh

bench: deps
	$(MAKE) $(BUILD)/goheapstat
	selftests/bench/bench.sh

# No kernel tree needed: the harness builds in copies under build/.
clean:
	rm -rf $(BUILD)
	find kmod selftests/bench selftests/stress \( -name '*.o' -o -name '*.ko' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name '.*.cmd' -o -name '*.order' \
		-o -name '.*.d' -o -name 'Module.symvers' \) -delete
	rm -f Module.symvers modules.order
