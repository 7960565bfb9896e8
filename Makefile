# SPDX-License-Identifier: GPL-2.0
#
# goheap top-level build. See README.md and Documentation/goheap.rst.
#
#   make          build kmod/goheap.ko (+ goheap_kunit.ko) against KDIR
#   make run      the main job: boot a VM, drive a workload, show statistics
#   make check    every test, in the test kernel and in Debian's stock kernel
#   make bench    goheap against kmalloc/kmem_cache, side by side
#   make sizeclasses   regenerate kmod/sizeclasses.h

STOCK_KDIR := $(firstword $(wildcard /usr/src/linux-headers-*-amd64))
KDIR ?= $(or $(wildcard /lib/modules/$(shell uname -r)/build),$(shell selftests/kernel.sh))
BUILD := $(CURDIR)/build

.PHONY: all modules check run bench clean sizeclasses check-sizeclasses deps

all: check-sizeclasses modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

$(BUILD)/mksizeclasses: userspace-tools/mksizeclasses.c
	@mkdir -p $(BUILD)
	$(CC) -O2 -Wall -Wextra -o $@ $<

sizeclasses: $(BUILD)/mksizeclasses
	$(BUILD)/mksizeclasses > kmod/sizeclasses.h

check-sizeclasses: $(BUILD)/mksizeclasses
	@$(BUILD)/mksizeclasses | cmp -s - kmod/sizeclasses.h || \
		{ echo "kmod/sizeclasses.h does not match the generator: run make sizeclasses" >&2; exit 1; }

deps:
	selftests/deps.sh

check: deps check-sizeclasses
	selftests/check.sh

run: deps check-sizeclasses
	selftests/run.sh

bench: deps
	selftests/bench.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -rf $(BUILD)
