// SPDX-License-Identifier: GPL-2.0
/*
 * goheapstat - show goheap's allocator statistics from debugfs.
 *
 * goheap (kmod/) publishes text files in /sys/kernel/debug/goheap/: stats
 * ("Name value" totals in the style of Go's runtime.MemStats), the tables
 * sizeclasses, percpu and arenas (a header line, then rows) and, later,
 * caches and nodes (typed caches and NUMA nodes, if the module has them)
 * and gc/<domain>/stats.
 * goheapstat shows:
 *
 *  - the totals, grouped, bytes also in KiB/MiB, and the two identities the
 *    module keeps, "ok" or the difference (an accounting bug, or counters
 *    that moved while the files were read):
 *      HeapSys   = HeapInuse + HeapIdle
 *      HeapInuse = Alloc + CacheBytes + CentralBytes + PendingBytes + TailBytes
 *                  (+ GCBytes, once the module has GC spans)
 *  - waste as the system pays it: Sys - HeapAlloc (everything held from the
 *    buddy allocator that is not a live object), split into idle arena
 *    pages, free objects in spans, span tails and metadata, beside class
 *    rounding alone (the sizeclasses waste column, weighted by bytes);
 *  - the size classes with spans or live objects, by live bytes, internal
 *    waste or churn (-s), maybe only the top N (-n);
 *  - the per-CPU caches, an arena summary, the NUMA nodes, the typed
 *    caches (slabtop's table) and the gc domains, if any.
 *
 * -1 prints once; -d SECS redraws like slabtop, with Mallocs/Frees rates;
 * --json prints every row of every file as one JSON object. Unknown stats
 * and appended columns are shown as they are: new fields need no change.
 * --pprof FILE copies the allocation profile (heap.pprof, gzipped
 * profile.proto) to FILE ("-": stdout) for `go tool pprof`, and prints
 * nothing else.
 *
 * Exit codes: 0 ok, 1 I/O error, 2 usage, 3 debugfs not mounted, 4 goheap
 * not loaded, 5 permission denied, 6 malformed file.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_DIR	"/sys/kernel/debug/goheap"
#define MAX_COLS	32

enum { ERR_IO = 1, ERR_USAGE, ERR_NODEBUGFS, ERR_NOTLOADED, ERR_PERM, ERR_MALFORMED };
enum { SORT_LIVE, SORT_WASTE, SORT_CHURN };	/* -s live|waste|churn */

/* Each table's header must start with these columns; more may follow. */
enum { C_CLASS, C_SIZE, C_PAGES, C_OBJECTS, C_MALLOCS, C_FREES, C_LIVE,
	C_CACHED, C_PARTIAL, C_FULL, C_INUSE, C_WASTE };
static const char *const class_cols[] = { "class", "size", "pages", "objects",
	"mallocs", "frees", "live", "spans_cached", "spans_partial", "spans_full",
	"bytes_inuse", "waste_permille", NULL };
enum { P_CPU, P_OBJECTS, P_BYTES, P_REFILLS, P_FLUSHES };
static const char *const percpu_cols[] = { "cpu", "objects", "bytes", "refills",
	"flushes", NULL };
enum { A_ARENA, A_ORDER, A_PAGES, A_INUSE, A_FREE };
static const char *const arena_cols[] = { "arena", "order", "pages", "inuse",
	"free", "map", NULL };

enum { T_NAME, T_OBJSIZE, T_SIZE, T_ALIGN, T_ACTIVE, T_ALLOCS, T_FREES,
	T_SLOTS, T_SPANS, T_OWN, T_CTOR, T_RCU };
static const char *const cache_cols[] = { "name", "objsize", "size", "align",
	"active", "allocs", "frees", "slots", "spans", "own", "ctor", "rcu", NULL };

enum { N_NODE, N_CPUS, N_ARENAS, N_SYS, N_INUSE, N_IDLE };
static const char *const node_cols[] = { "node", "cpus", "arenas", "sys_bytes",
	"inuse_bytes", "idle_bytes", NULL };

enum { F_STATS, F_CLASSES, F_PERCPU, F_ARENAS, NR_FILES };
static const struct {
	const char *name;
	const char *const *cols;	/* NULL: "Name value" lines */
} files[NR_FILES] = {
	{ "stats", NULL },
	{ "sizeclasses", class_cols },
	{ "percpu", percpu_cols },
	{ "arenas", arena_cols },
};

/*
 * One parsed file. A "Name value" file is a table without a header whose
 * column 0 is text; in a table only a "map" or "name" column is text.
 */
struct table {
	char *name;		/* a gc domain's */
	int ncols, nrows, textcol;
	char *cols[MAX_COLS];	/* the header; NULL for "Name value" */
	long long *num;		/* nrows * ncols; 0 in the text column */
	char **text;		/* per row, the text column */
	char **list;		/* per row of a gc file: a list line's values */
	bool lists;		/* gc files: "Name v1 v2 ..." lines allowed */
	long long more;		/* from "... N more arenas" */
};

struct snapshot {
	struct table t[NR_FILES], *gc;
	struct table caches;	/* nrows 0 without typed caches */
	struct table nodes;	/* ncols 0 from a module without the file */
	int ngc;
	struct timespec when;
};

static struct {
	const char *dir, *pprof;
	int sort, top, count;
	double interval;
	bool once, json;
} opt = { .dir = DEFAULT_DIR };

/* Set by the SIGINT/SIGTERM handler (hence volatile): stop after this frame. */
static volatile sig_atomic_t stop;

static int fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("goheapstat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		exit(fail(ERR_IO, "out of memory"));
	return p;
}

static char *xstrdup(const char *s)
{
	return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

/* After a failed open of path. */
static int open_error(const char *path)
{
	if (errno == EACCES || errno == EPERM)
		return fail(ERR_PERM, "permission denied reading %s: run as root", path);
	return fail(ERR_IO, "cannot read %s: %s", path, strerror(errno));
}

/* ---- parsing ------------------------------------------------------------ */

static bool parse_number(const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return end != s && !*end && !errno;
}

/* Split on blanks into at most MAX_COLS + 1 tokens: one more is too many. */
static int split(char *line, char **tok)
{
	char *save = NULL, *t = strtok_r(line, " \t", &save);
	int n = 0;

	for (; t && n <= MAX_COLS; t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	return n;
}

static const char *parse_header(struct table *t, char *line, const char *const need[])
{
	char *tok[MAX_COLS + 1];
	int i, n = split(line, tok);

	if (n > MAX_COLS)
		return "too many columns";
	for (i = 0; i < n; i++) {
		t->cols[t->ncols++] = xstrdup(tok[i]);
		if (!strcmp(tok[i], "map") || !strcmp(tok[i], "name"))
			t->textcol = i;
	}
	for (i = 0; need[i]; i++)
		if (i >= n || strcmp(tok[i], need[i]))
			return "the header does not start with the expected columns";
	return NULL;
}

/*
 * "Name value"; in gc files also "Name v1 v2 ..." with any number of values
 * (PauseNs, the last pauses), kept as a list. One value is a number.
 */
static const char *parse_stat(struct table *t, char *line)
{
	char *list = xrealloc(NULL, strlen(line) + 1), *o = list, *save = NULL, *tok;
	char *name = strtok_r(line, " \t", &save);
	long long v = 0, *row;
	int n = 0;

	*list = '\0';
	while ((tok = strtok_r(NULL, " \t", &save)) && parse_number(tok, &v))
		o += sprintf(o, "%s%lld", n++ ? " " : "", v);
	if (tok || (n != 1 && !t->lists)) {
		free(list);
		return "expected 'Name value'";
	}
	t->num = xrealloc(t->num, (t->nrows + 1) * 2 * sizeof(*t->num));
	t->text = xrealloc(t->text, (t->nrows + 1) * sizeof(*t->text));
	t->list = xrealloc(t->list, (t->nrows + 1) * sizeof(*t->list));
	row = t->num + t->nrows * 2;
	row[0] = 0;
	row[1] = n == 1 ? v : n;
	t->list[t->nrows] = n == 1 ? NULL : list;
	if (n == 1)
		free(list);
	t->text[t->nrows++] = xstrdup(name);
	return NULL;
}

static const char *parse_row(struct table *t, char *line)
{
	char *tok[MAX_COLS + 1];
	int n = split(line, tok), i;
	long long *row;

	if (n != t->ncols)
		return "wrong number of columns";
	t->num = xrealloc(t->num, (t->nrows + 1) * n * sizeof(*t->num));
	t->text = xrealloc(t->text, (t->nrows + 1) * sizeof(*t->text));
	row = t->num + t->nrows * n;
	for (i = 0; i < n; i++) {
		row[i] = 0;
		if (i != t->textcol && !parse_number(tok[i], &row[i]))
			return "expected a number";
	}
	t->text[t->nrows++] = t->textcol < 0 ? NULL : xstrdup(tok[t->textcol]);
	return NULL;
}

/* Nothing the module prints needs quoting in JSON: keep it that way. */
static bool json_safe(const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || ((unsigned char)*s < ' ' && *s != '\t'))
			return false;
	return true;
}

/*
 * Read dir/file into t. need == NULL: "Name value" lines; else a header
 * starting with the columns in need, rows, maybe "... N more arenas".
 */
static int load_file(const char *dir, const char *file, struct table *t,
		     const char *const need[])
{
	char path[PATH_MAX], orig[256], *line = NULL;
	const char *why = NULL;
	int lineno = 0, rc = 0;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	t->textcol = need ? -1 : 0;
	t->ncols = need ? 0 : 2;
	f = fopen(path, "r");
	if (!f)
		return open_error(path);
	while (!why && getline(&line, &cap, f) >= 0) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		snprintf(orig, sizeof(orig), "%s", line);
		if (!line[strspn(line, " \t")])
			continue;
		if (!json_safe(line))
			why = "unexpected character";
		else if (!t->ncols)
			why = parse_header(t, line, need);
		else if (!need)
			why = parse_stat(t, line);
		else if (sscanf(line, " ... %lld more", &t->more) != 1)
			why = parse_row(t, line);
	}
	if (why)
		rc = fail(ERR_MALFORMED, "%s:%d: malformed line '%s': %s", path, lineno, orig, why);
	else if (ferror(f))
		rc = fail(ERR_IO, "error reading %s: %s", path, strerror(errno));
	else if (!t->ncols || (!need && !t->nrows))
		rc = fail(ERR_MALFORMED, "%s: empty file", path);
	fclose(f);
	free(line);
	return rc;
}

static long long cell(const struct table *t, int row, int col)
{
	return t->num[row * t->ncols + col];
}

/* The value of name in a "Name value" table; 0 and false if absent. */
static bool stat_get(const struct table *t, const char *name, long long *v)
{
	int r;

	*v = 0;
	for (r = 0; r < t->nrows; r++) {
		if (!strcmp(t->text[r], name)) {
			*v = cell(t, r, 1);
			return true;
		}
	}
	return false;
}

/* ---- the snapshot ------------------------------------------------------- */

static void free_table(struct table *t)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		free(t->cols[i]);
	for (i = 0; i < t->nrows; i++) {
		free(t->text[i]);
		if (t->list)
			free(t->list[i]);
	}
	free(t->list);
	free(t->name);
	free(t->num);
	free(t->text);
}

static void free_snapshot(struct snapshot *s)
{
	int f;

	for (f = 0; f < NR_FILES; f++)
		free_table(&s->t[f]);
	free_table(&s->caches);
	free_table(&s->nodes);
	while (s->ngc)
		free_table(&s->gc[--s->ngc]);
	free(s->gc);
	memset(s, 0, sizeof(*s));
}

static void free_dirents(struct dirent **list, int n)
{
	while (n > 0)
		free(list[--n]);
	free(list);
}

/* gc/<domain>/stats, domains in name order; no gc directory, no domains */
static int load_gc(const char *dir, struct snapshot *s)
{
	char path[PATH_MAX];
	struct dirent **list;
	struct stat st;
	int i, n, rc = 0;

	snprintf(path, sizeof(path), "%s/gc", dir);
	n = scandir(path, &list, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : open_error(path);
	s->gc = xrealloc(NULL, n * sizeof(*s->gc));
	for (i = 0; i < n && !rc; i++) {
		snprintf(path, sizeof(path), "%s/gc/%s", dir, list[i]->d_name);
		if (list[i]->d_name[0] == '.' || stat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		memset(&s->gc[s->ngc], 0, sizeof(*s->gc));
		s->gc[s->ngc].name = xstrdup(list[i]->d_name);
		s->gc[s->ngc].lists = true;
		rc = load_file(path, "stats", &s->gc[s->ngc++], NULL);
	}
	free_dirents(list, n);
	return rc;
}

/* A table that a module from before it does not have: absent is empty. */
static int load_optional(const char *dir, const char *file, struct table *t,
			 const char *const need[])
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	return load_file(dir, file, t, need);
}

/* Tell "debugfs is not mounted" (parent missing or empty) from "not loaded". */
static int check_dir(const char *dir)
{
	struct dirent **list = NULL;
	char copy[PATH_MAX], *parent;
	struct stat st;
	bool missing;
	int n;

	errno = 0;
	if (!stat(dir, &st) && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EACCES)
		return open_error(dir);
	snprintf(copy, sizeof(copy), "%s", dir);
	parent = dirname(copy);
	n = scandir(parent, &list, NULL, NULL);
	missing = n < 0 && (errno == ENOENT || errno == ENOTDIR);
	free_dirents(list, n);
	if (missing || (n >= 0 && n <= 2))	/* only . and .. */
		return fail(ERR_NODEBUGFS, "debugfs is not mounted at %s: mount -t debugfs none %s",
			    parent, parent);
	return fail(ERR_NOTLOADED, "goheap is not loaded (no %s)", dir);
}

static int load_snapshot(const char *dir, struct snapshot *s)
{
	int f, rc = check_dir(dir);

	for (f = 0; f < NR_FILES && !rc; f++)
		rc = load_file(dir, files[f].name, &s->t[f], files[f].cols);
	if (!rc)
		rc = load_optional(dir, "caches", &s->caches, cache_cols);
	if (!rc)
		rc = load_optional(dir, "nodes", &s->nodes, node_cols);
	if (!rc)
		rc = load_gc(dir, s);
	clock_gettime(CLOCK_MONOTONIC, &s->when);
	return rc;
}

/* ---- text output -------------------------------------------------------- */

/* "5.1 MiB"; with sep "" it is "5.1MiB", one token for tables */
static char *human(char *buf, long long v, const char *sep)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = v;
	int u = 0;

	for (; (d >= 1024 || d <= -1024) && u < 5; u++)
		d /= 1024;
	if (u)
		sprintf(buf, "%.1f%s%s", d, sep, unit[u]);
	else
		sprintf(buf, "%lld%sB", v, sep);
	return buf;
}

/* The stats this tool knows, in display order, after their group's title
 * (marked '='); the rest go under "Other".
 */
static const char *const known[] = {
	"=Memory: from the page allocator, arenas, spans, free, given back, metadata",
	"Sys", "HeapSys", "HeapInuse", "HeapIdle", "HeapReleased", "MetaBytes",
	"=In spans: live objects, free in per-CPU caches, central lists, pending, tails, GC",
	"Alloc", "HeapAlloc", "CacheBytes", "CentralBytes", "PendingBytes", "TailBytes",
	"GCBytes",
	"=Objects", "HeapObjects", "Mallocs", "Frees", "TotalAlloc",
	"=Page heap", "Arenas", "Spans",
	"=Errors caught", "InvalidFrees", "DoubleFrees", "Oversize", "BadGfp",
	"=Slow paths: spans taken and given back by caches, central and remote frees",
	"Refills", "Flushes", "CentralFrees", "CentralAllocs", "RemoteFrees",
	"SpanAllocs", "SpanFrees", NULL
};

static bool is_known(const char *name)
{
	int k;

	for (k = 0; known[k] && strcmp(known[k], name); k++)
		;
	return known[k];
}

/* Bytes: MemStats' byte counts and any name ending in "Bytes". */
static void print_stat(const char *name, long long v)
{
	size_t n = strlen(name);
	char h[32];

	if ((!strncmp(name, "Heap", 4) && strcmp(name, "HeapObjects")) ||
	    !strcmp(name, "Sys") || !strcmp(name, "Alloc") || !strcmp(name, "TotalAlloc") ||
	    (n >= 5 && !strcmp(name + n - 5, "Bytes")))
		printf("  %-16s %15lld  %s\n", name, v, human(h, v, " "));
	else
		printf("  %-16s %15lld\n", name, v);
}

/* A list line: how many values, then the last few (the newest pauses). */
static void print_list(const char *name, long long n, const char *list)
{
	const char *p = list + strlen(list);
	int spaces = 0;

	while (p > list && (p[-1] != ' ' || ++spaces < 6))
		p--;
	printf("  %-16s %8lld values", name, n);
	if (*p)
		printf("  %s%s", p > list ? "... " : "", p);
	putchar('\n');
}

/* A "Name value" table under title, maybe without the names in groups. */
static void print_stats(const struct table *st, const char *title, bool skip_known)
{
	int r;

	for (r = 0; r < st->nrows; r++) {
		if (skip_known && is_known(st->text[r]))
			continue;
		if (title)
			printf("%s\n", title);
		title = NULL;
		if (st->list && st->list[r])
			print_list(st->text[r], cell(st, r, 1), st->list[r]);
		else
			print_stat(st->text[r], cell(st, r, 1));
	}
}

/*
 * "names[0] = names[1] + ...", then ok or by how much the sum is off. A
 * term marked '?' counts only if the module has it (older ones lack it).
 */
static void print_identity(const struct table *st, const char *const names[])
{
	const char *missing = NULL, *name;
	long long diff = 0, v;
	int i, col = 0;
	bool found;

	for (i = 0; names[i]; i++) {
		name = names[i] + (names[i][0] == '?');
		found = stat_get(st, name, &v);
		if (!found && name != names[i])
			continue;
		col += printf(i > 1 ? " + %s" : i ? " = %s" : "  %s", name);
		if (!found && !missing)
			missing = name;
		diff += i ? -v : v;
	}
	printf("%*s", col < 76 ? 76 - col : 1, "");
	if (missing)
		printf("n/a (no %s)\n", missing);
	else if (!diff)
		printf("ok\n");
	else
		printf("off by %+lld\n", diff);
}

/* Class rounding over every allocation since the last reset, in permille. */
static long long rounding_permille(const struct table *cl)
{
	double given = 0, lost = 0;
	int r;

	for (r = 0; r < cl->nrows; r++) {
		double bytes = (double)cell(cl, r, C_MALLOCS) * cell(cl, r, C_SIZE);

		given += bytes;
		lost += bytes * cell(cl, r, C_WASTE) / 1000;
	}
	return given > 0 ? (long long)(1000 * lost / given + 0.5) : 0;
}

/*
 * What the system pays beyond the live objects: everything held from the
 * buddy allocator (Sys) less HeapAlloc, split by where it sits, beside the
 * class-rounding figure, which counts only what rounding to a class adds.
 */
static void print_waste(const struct table *st, const struct table *cl)
{
	long long sys, alloc, idle, cache, central, pending, tail, meta, rp;
	char h[32], h2[32];

	if (!stat_get(st, "Sys", &sys) || !stat_get(st, "HeapAlloc", &alloc) || sys <= 0)
		return;
	stat_get(st, "HeapIdle", &idle);
	stat_get(st, "CacheBytes", &cache);
	stat_get(st, "CentralBytes", &central);
	stat_get(st, "PendingBytes", &pending);
	stat_get(st, "TailBytes", &tail);
	stat_get(st, "MetaBytes", &meta);
	rp = rounding_permille(cl);
	printf("Waste: held beyond live objects (Sys - HeapAlloc)\n");
	printf("  %-16s %15lld  %s (%.1f %% of Sys)\n", "Sys - HeapAlloc", sys - alloc,
	       human(h, sys - alloc, " "), 100.0 * (sys - alloc) / sys);
	printf("    idle arena pages %s, free objects in spans %s,",
	       human(h, idle, " "), human(h2, cache + central + pending, " "));
	printf(" span tails %s, metadata %s\n", human(h, tail, " "), human(h2, meta, " "));
	printf("  class rounding alone: %lld.%lld %% of the bytes handed out since the last reset\n",
	       rp / 10, rp % 10);
}

static void print_totals(const struct table *st)
{
	static const char *const sys[] = { "HeapSys", "HeapInuse", "HeapIdle", NULL };
	static const char *const inuse[] = { "HeapInuse", "Alloc", "CacheBytes",
		"CentralBytes", "PendingBytes", "TailBytes", "?GCBytes", NULL };
	long long v;
	int k;

	for (k = 0; known[k]; k++) {
		if (known[k][0] == '=')
			printf("%s\n", known[k] + 1);
		else if (stat_get(st, known[k], &v))
			print_stat(known[k], v);
	}
	print_stats(st, "Other", true);
	printf("Identities\n");
	print_identity(st, sys);
	print_identity(st, inuse);
}

struct class_key {
	int row;
	long long key;
};

/* Largest first; ties in class order. */
static int cmp_keys(const void *a, const void *b)
{
	const struct class_key *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;
	return x->row - y->row;
}

static void print_class(const struct table *t, int r)
{
	char live[32], inuse[32], spans[80];

	snprintf(spans, sizeof(spans), "%lld/%lld/%lld", cell(t, r, C_CACHED),
		 cell(t, r, C_PARTIAL), cell(t, r, C_FULL));
	printf("%5lld %6lld %5lld %9lld %8lld %10s %10lld %10lld %12s %11s %4lld.%lld%%\n",
	       cell(t, r, C_CLASS), cell(t, r, C_SIZE), cell(t, r, C_PAGES),
	       cell(t, r, C_OBJECTS), cell(t, r, C_LIVE),
	       human(live, cell(t, r, C_LIVE) * cell(t, r, C_SIZE), ""),
	       cell(t, r, C_MALLOCS), cell(t, r, C_FREES), spans,
	       human(inuse, cell(t, r, C_INUSE), ""),
	       cell(t, r, C_WASTE) / 10, cell(t, r, C_WASTE) % 10);
}

/* The classes with spans or live objects (live < 0 happens transiently). */
static void print_classes(const struct table *t)
{
	static const char *const by[] = { "live bytes", "internal waste", "churn" };
	struct class_key *keys = xrealloc(NULL, t->nrows * sizeof(*keys));
	long long live = 0, bytes = 0, spans = 0, inuse = 0, sp;
	int n = 0, shown, r;
	char h1[32], h2[32];

	for (r = 0; r < t->nrows; r++) {
		sp = cell(t, r, C_CACHED) + cell(t, r, C_PARTIAL) + cell(t, r, C_FULL);
		if (!sp && !cell(t, r, C_LIVE))
			continue;
		live += cell(t, r, C_LIVE);
		bytes += cell(t, r, C_LIVE) * cell(t, r, C_SIZE);
		spans += sp;
		inuse += cell(t, r, C_INUSE);
		keys[n].row = r;
		keys[n++].key = opt.sort == SORT_WASTE ? cell(t, r, C_WASTE) :
			opt.sort == SORT_CHURN ? cell(t, r, C_MALLOCS) + cell(t, r, C_FREES) :
			cell(t, r, C_LIVE) * cell(t, r, C_SIZE);
	}
	qsort(keys, n, sizeof(*keys), cmp_keys);
	shown = opt.top && opt.top < n ? opt.top : n;
	printf("\nSize classes in use, by %s\n", by[opt.sort]);
	printf("%5s %6s %5s %9s %8s %10s %10s %10s %12s %11s %6s\n", "class", "size",
	       "pages", "objs/span", "live", "live_bytes", "mallocs", "frees",
	       "spans(c/p/f)", "inuse_bytes", "waste");
	for (r = 0; r < shown; r++)
		print_class(t, keys[r].row);
	printf("total: %d of %d classes in use, %d shown; %lld live objects, %s; %lld spans, %s\n",
	       n, t->nrows, shown, live, human(h1, bytes, " "), spans, human(h2, inuse, " "));
	free(keys);
}

static void print_percpu(const struct table *t)
{
	char h[32];
	int r;

	printf("\nPer-CPU caches: free objects held; refills and flushes since load\n");
	printf("%5s %9s %10s %10s %10s\n", "cpu", "objects", "bytes", "refills", "flushes");
	for (r = 0; r < t->nrows; r++)
		printf("%5lld %9lld %10s %10lld %10lld\n", cell(t, r, P_CPU),
		       cell(t, r, P_OBJECTS), human(h, cell(t, r, P_BYTES), ""),
		       cell(t, r, P_REFILLS), cell(t, r, P_FLUSHES));
}

/* The module lists at most 256 arenas; the rest it only counts. */
static void print_arenas(const struct table *t)
{
	long long sum[A_FREE + 1] = { 0 };
	char h[32];
	int r, k;

	for (r = 0; r < t->nrows; r++)
		for (k = A_PAGES; k <= A_FREE; k++)
			sum[k] += cell(t, r, k);
	printf("\nArenas: %lld", t->nrows + t->more);
	if (t->more)
		printf(" (sums of the %d listed; %lld more not listed)", t->nrows, t->more);
	printf("\n  %lld pages (%s): %lld in use, %lld free\n",
	       sum[A_PAGES], human(h, sum[A_PAGES] * sysconf(_SC_PAGESIZE), " "),
	       sum[A_INUSE], sum[A_FREE]);
}

/* Only with more than one node: one node says nothing the totals do not. */
static void print_nodes(const struct table *t)
{
	char h1[32], h2[32];
	int r;

	if (t->nrows < 2)
		return;
	printf("\nNUMA nodes: the arenas that serve each node's requests\n");
	printf("%5s %5s %7s %12s %12s\n", "node", "cpus", "arenas", "sys", "inuse");
	for (r = 0; r < t->nrows; r++)
		printf("%5lld %5lld %7lld %12s %12s\n", cell(t, r, N_NODE),
		       cell(t, r, N_CPUS), cell(t, r, N_ARENAS),
		       human(h1, cell(t, r, N_SYS), ""), human(h2, cell(t, r, N_INUSE), ""));
}

/* slabtop's table; a merged cache shares its class's spans: no slots */
static void print_caches(const struct table *t)
{
	int r;

	if (!t->nrows)
		return;
	printf("\nTyped caches: objects active, slots in own spans; allocs and frees since creation\n");
	printf("%-24s %7s %6s %9s %9s %6s %10s %10s %s\n", "name", "objsize", "size",
	       "active", "slots", "spans", "allocs", "frees", "kind");
	for (r = 0; r < t->nrows; r++)
		printf("%-24s %7lld %6lld %9lld %9lld %6lld %10lld %10lld %s%s%s\n",
		       t->text[r], cell(t, r, T_OBJSIZE), cell(t, r, T_SIZE),
		       cell(t, r, T_ACTIVE), cell(t, r, T_SLOTS), cell(t, r, T_SPANS),
		       cell(t, r, T_ALLOCS), cell(t, r, T_FREES),
		       cell(t, r, T_OWN) ? "own" : "merged",
		       cell(t, r, T_CTOR) ? ",ctor" : "", cell(t, r, T_RCU) ? ",rcu" : "");
}

static void print_report(const struct snapshot *s)
{
	int i;

	printf("goheap statistics in %s\n", opt.dir);
	print_totals(&s->t[F_STATS]);
	print_waste(&s->t[F_STATS], &s->t[F_CLASSES]);
	print_classes(&s->t[F_CLASSES]);
	print_percpu(&s->t[F_PERCPU]);
	print_arenas(&s->t[F_ARENAS]);
	print_nodes(&s->nodes);
	print_caches(&s->caches);
	if (s->ngc)
		printf("\nGC domains\n");
	for (i = 0; i < s->ngc; i++)
		print_stats(&s->gc[i], s->gc[i].name, false);
}

/* The refresh banner: Mallocs and Frees over the interval just passed. */
static void print_rates(const struct snapshot *prev, const struct snapshot *cur,
			int frame)
{
	static const char *const names[] = { "Mallocs", "Frees" };
	double secs = 0;
	long long a, b;
	int i;

	if (prev)
		secs = cur->when.tv_sec - prev->when.tv_sec +
		       (cur->when.tv_nsec - prev->when.tv_nsec) / 1e9;
	printf("every %gs, refresh %d", opt.interval, frame);
	if (opt.count)
		printf(" of %d", opt.count);
	printf(" (Ctrl-C quits)\n");
	for (i = 0; i < 2; i++) {
		stat_get(&cur->t[F_STATS], names[i], &b);
		if (prev && stat_get(&prev->t[F_STATS], names[i], &a) && secs > 0)
			printf("  %s %+lld (%.1f/s)", names[i], b - a, (b - a) / secs);
		else
			printf("  %s %lld", names[i], b);
	}
	printf(prev ? "  in %.2fs\n\n" : "  (rates from the next refresh)\n\n", secs);
}

/* ---- JSON output -------------------------------------------------------- */

/* load_file() let no quote, backslash or control character through */
static void json_string(const char *s)
{
	printf("\"%s\"", s);
}

static void json_row(const struct table *t, int r)
{
	int i;

	putchar('{');
	for (i = 0; i < t->ncols; i++) {
		fputs(i ? ", " : "", stdout);
		json_string(t->cols[i]);
		fputs(": ", stdout);
		if (i == t->textcol)
			json_string(t->text[r]);
		else
			printf("%lld", cell(t, r, i));
	}
	putchar('}');
}

/* ": [v1, v2, ...]" from "v1 v2 ..." */
static void json_list(const char *list)
{
	fputs(": [", stdout);
	for (; *list; list++) {
		if (*list == ' ')
			fputs(", ", stdout);
		else
			putchar(*list);
	}
	putchar(']');
}

/* sep "key": a "Name value" table as an object, a table as an array */
static void json_table(const char *sep, const char *key, const struct table *t)
{
	bool named = !t->cols[0];
	int r;

	fputs(sep, stdout);
	json_string(key);
	fputs(named ? ": {" : ": [", stdout);
	for (r = 0; r < t->nrows; r++) {
		fputs(r ? ",\n    " : "\n    ", stdout);
		if (named && t->list && t->list[r]) {
			json_string(t->text[r]);
			json_list(t->list[r]);
		} else if (named) {
			json_string(t->text[r]);
			printf(": %lld", cell(t, r, 1));
		} else {
			json_row(t, r);
		}
	}
	fputs(t->nrows ? "\n  " : "", stdout);
	putchar(named ? '}' : ']');
}

static void print_json(const struct snapshot *s)
{
	int i;

	for (i = 0; i < NR_FILES; i++)
		json_table(i ? ",\n  " : "{\n  ", files[i].name, &s->t[i]);
	if (s->caches.ncols)
		json_table(",\n  ", "caches", &s->caches);
	if (s->nodes.ncols)
		json_table(",\n  ", "nodes", &s->nodes);
	printf(",\n  \"arenas_more\": %lld,\n  \"gc\": {", s->t[F_ARENAS].more);
	for (i = 0; i < s->ngc; i++)
		json_table(i ? ",\n  " : "\n  ", s->gc[i].name, &s->gc[i]);
	printf("%s}\n}\n", s->ngc ? "\n  " : "");
}

/* ---- main loop and options ---------------------------------------------- */

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void sleep_interval(void)
{
	struct timespec ts;

	ts.tv_sec = (time_t)opt.interval;
	ts.tv_nsec = (long)((opt.interval - ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR && !stop)
		;
}

static int run(void)
{
	struct snapshot prev = { 0 }, cur = { 0 };
	int frame, rc = 0;

	for (frame = 1; !stop; frame++) {
		rc = load_snapshot(opt.dir, &cur);
		if (rc)
			break;
		if (opt.interval && !opt.json) {
			printf("\033[H\033[2J");
			print_rates(frame > 1 ? &prev : NULL, &cur, frame);
		}
		if (opt.json)
			print_json(&cur);
		else
			print_report(&cur);
		fflush(stdout);
		free_snapshot(&prev);
		prev = cur;
		memset(&cur, 0, sizeof(cur));
		if (!opt.interval || frame == opt.count)
			break;
		sleep_interval();
	}
	free_snapshot(&prev);
	free_snapshot(&cur);
	return rc;
}

/* --pprof: copy dir/heap.pprof to opt.pprof, if it is a gzip stream. */
static int copy_pprof(void)
{
	char path[PATH_MAX], buf[65536];
	FILE *in, *out;
	size_t n, total = 0;
	int rc = check_dir(opt.dir);

	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/heap.pprof", opt.dir);
	in = fopen(path, "rb");
	if (!in)
		return open_error(path);
	out = strcmp(opt.pprof, "-") ? fopen(opt.pprof, "wb") : stdout;
	if (!out) {
		rc = fail(ERR_IO, "cannot write %s: %s", opt.pprof, strerror(errno));
		fclose(in);
		return rc;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (!total && (n < 2 || (unsigned char)buf[0] != 0x1f ||
			       (unsigned char)buf[1] != 0x8b)) {
			rc = fail(ERR_MALFORMED, "%s: not a gzip stream", path);
			break;
		}
		total += n;
		if (fwrite(buf, 1, n, out) != n) {
			rc = fail(ERR_IO, "cannot write %s: %s", opt.pprof, strerror(errno));
			break;
		}
	}
	if (!rc && ferror(in))
		rc = fail(ERR_IO, "cannot read %s: %s", path, strerror(errno));
	if (!rc && !total)
		rc = fail(ERR_MALFORMED, "%s: empty file", path);
	fclose(in);
	if ((out == stdout ? fflush(out) : fclose(out)) && !rc)
		rc = fail(ERR_IO, "cannot write %s: %s", opt.pprof, strerror(errno));
	return rc;
}

static int print_usage(FILE *f, int rc)
{
	fprintf(f,
		"usage: goheapstat [-1 | -d SECS [-c COUNT]] [-s live|waste|churn] [-n N]\n"
		"                  [--json] [--dir DIR]\n"
		"       goheapstat --pprof FILE [--dir DIR]\n"
		"  -1          print once (the default when stdout is not a terminal)\n"
		"  -d SECS     redraw every SECS seconds, with Mallocs/Frees rates\n"
		"              (the default, every 2 s, on a terminal)\n"
		"  -c COUNT    stop after COUNT refreshes\n"
		"  -s KEY      order size classes by live bytes (live, the default),\n"
		"              internal waste permille (waste) or mallocs + frees (churn)\n"
		"  -n N        show the first N size classes only (0: all in use)\n"
		"  --json      print every file as one JSON object (each refresh with -d)\n"
		"  --dir DIR   read DIR (default $GOHEAP_DEBUGFS, else %s)\n"
		"  --pprof FILE  copy the allocation profile (heap.pprof) to FILE, '-' for\n"
		"              stdout, for `go tool pprof`\n"
		"  -h, --help  this text\n"
		"Exit: 0 ok, 1 I/O error, 2 usage, 3 debugfs not mounted, 4 goheap not\n"
		"loaded, 5 permission denied, 6 malformed file.\n", DEFAULT_DIR);
	return rc;
}

static int usage_error(const char *fmt, const char *arg)
{
	fail(ERR_USAGE, fmt, arg);
	return print_usage(stderr, ERR_USAGE);
}

static bool parse_int(const char *s, int *out, int min)
{
	long long v;

	if (!parse_number(s, &v) || v < min || v > INT_MAX)
		return false;
	*out = v;
	return true;
}

static int parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dir", required_argument, NULL, 'D' },
		{ "pprof", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const sorts[] = { "live", "waste", "churn", NULL };
	char *env = getenv("GOHEAP_DEBUGFS"), *end;
	int c;

	if (env && *env)
		opt.dir = env;
	while ((c = getopt_long(argc, argv, "1d:c:s:n:h", longopts, NULL)) != -1) {
		if (c == '1') {
			opt.once = true;
		} else if (c == 'd') {
			opt.interval = strtod(optarg, &end);
			if (end == optarg || *end || !(opt.interval > 0 && opt.interval <= 86400))
				return usage_error("bad -d '%s': seconds, more than 0", optarg);
		} else if (c == 'c' && !parse_int(optarg, &opt.count, 1)) {
			return usage_error("bad -c '%s': a count, 1 or more", optarg);
		} else if (c == 's') {
			for (opt.sort = 0; sorts[opt.sort] && strcmp(optarg, sorts[opt.sort]);)
				opt.sort++;
			if (!sorts[opt.sort])
				return usage_error("bad -s '%s': live, waste or churn", optarg);
		} else if (c == 'n' && !parse_int(optarg, &opt.top, 0)) {
			return usage_error("bad -n '%s': a count, 0 for all", optarg);
		} else if (c == 'j') {
			opt.json = true;
		} else if (c == 'D') {
			opt.dir = optarg;
		} else if (c == 'P') {
			if (!*optarg)
				return usage_error("bad --pprof '%s': a file name, or - for stdout",
						   optarg);
			opt.pprof = optarg;
		} else if (c == 'h') {
			exit(print_usage(stdout, 0));
		} else if (c == '?') {
			return print_usage(stderr, ERR_USAGE);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (opt.once && (opt.interval || opt.count))
		return usage_error("-1 does not go with %s", "-d or -c");
	if (opt.pprof && (opt.once || opt.interval || opt.count || opt.json))
		return usage_error("--pprof does not go with %s", "-1, -d, -c or --json");
	if (opt.pprof)
		return 0;
	if (!opt.once && !opt.json && !opt.interval && (opt.count || isatty(1)))
		opt.interval = 2;
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int rc = parse_options(argc, argv);

	if (rc)
		return rc;
	/* no SA_RESTART, so that Ctrl-C cuts the sleep short */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return opt.pprof ? copy_pprof() : run();
}
