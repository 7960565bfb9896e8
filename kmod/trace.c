// SPDX-License-Identifier: GPL-2.0
/* The one file that defines goheap's tracepoints (trace.h). */
#define CREATE_TRACE_POINTS
#include "trace.h"
