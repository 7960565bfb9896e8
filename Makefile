# SPDX-License-Identifier: GPL-2.0
#
# goheap top-level build. See README.md and Documentation/goheap.rst.
#
#   make          build kmod/goheap.ko (+ goheap_kunit.ko) against KDIR
#   make run      the main job: boot a VM, drive a workload, show statistics
#   make check    every test, in the test kernel and in Debian's stock kernel
#   make bench    goheap against kmalloc/kmem_cache, side by side
#   make sizeclasses   regenerate kmod/sizeclasses.h
#   make goheapstat    build build/goheapstat (static, runs in the VM too)

STOCK_KDIR := $(firstword $(wildcard /usr/src/linux-headers-*-amd64))
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

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -rf $(BUILD)
