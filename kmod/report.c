// SPDX-License-Identifier: GPL-2.0
/*
 * Bad-input reports. Every report of goheap.ko, whether of the manual heap
 * (a bad free, a bad realloc) or of a GC domain (a bad store, a stale
 * handle), goes through here, so one rate limit bounds what a buggy or
 * hostile caller can make goheap print. Pointers are printed with %p
 * (hashed); the caller is printed with %pS.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/printk.h>
#include <linux/ratelimit.h>

#include "internal.h"
#include "report.h"
#include "trace.h"

static DEFINE_RATELIMIT_STATE(gh_report_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

/**
 * gh_vreport() - print one bad-input report, rate-limited
 * @caller: the return address captured at the exported entry point, or 0
 *	when the bad input is found later (a raced double free)
 * @fmt: what was wrong, printf-style, without a trailing newline
 * @args: its arguments
 */
void gh_vreport(unsigned long caller, const char *fmt, va_list args)
{
	struct va_format vaf = { .fmt = fmt };
	va_list copy;

	if (!__ratelimit(&gh_report_rs))
		return;
	va_copy(copy, args);
	vaf.va = &copy;
	if (caller)
		pr_err("%pV (from %pS)\n", &vaf, (void *)caller);
	else
		pr_err("%pV\n", &vaf);
	va_end(copy);
}

/**
 * gh_report() - print one bad-input report, rate-limited
 * @caller: the return address captured at the exported entry point
 * @fmt: what was wrong, printf-style, without a trailing newline
 */
void gh_report(unsigned long caller, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	gh_vreport(caller, fmt, args);
	va_end(args);
}

void gh_report_bad_free(enum gh_counter kind, const void *p, const char *why,
			unsigned long caller)
{
	gh_count(kind);
	trace_bad_free(caller, p, why);
	gh_report(caller, "bad free of %p: %s", p, why);
}
