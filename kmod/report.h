/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reports of bad input (report.c), for the manual heap and the collector
 * alike: one line per bad call, under one rate limit, naming the caller.
 *
 * The caller's address is captured once, at the exported function that
 * received the bad input (_RET_IP_ there), and passed down, as SLUB passes
 * _RET_IP_: a helper deeper down cannot tell who called the API.
 * Counting is the caller's business; a report only prints.
 */
#ifndef _GOHEAP_REPORT_H
#define _GOHEAP_REPORT_H

#include <linux/compiler.h>
#include <linux/stdarg.h>

__printf(2, 3) void gh_report(unsigned long caller, const char *fmt, ...);
__printf(2, 0) void gh_vreport(unsigned long caller, const char *fmt,
			       va_list args);

#endif /* _GOHEAP_REPORT_H */
