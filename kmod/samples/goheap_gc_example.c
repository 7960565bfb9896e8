// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_gc_example.ko: a graph store in a garbage-collected goheap domain,
 * using nothing but <goheap.h> (and ctl.h beside it: the debugfs control
 * file). It is the example to copy for the collector, as goheap_sample.c is
 * for goheap_alloc() and goheap_free().
 *
 * The store keeps graphs of nodes. A node has four edges and a next link,
 * an id and a payload of random words under a checksum. Graphs hang off
 * GEX_ROOTS named entries, root slots 0..GEX_ROOTS-1; nothing ever frees a
 * node: a node lives as long as some root reaches it, and the collector
 * reclaims it afterwards.
 *
 * The collector's contract, as this module keeps it:
 *
 *  - Typed objects. Nodes are allocated with gex_node_type, which gives
 *    their size and the offsets of all five pointer fields. goheap returns
 *    them zeroed, so a fresh node's pointer fields are already NULL.
 *
 *  - Roots. gex_roots[] is the only place outside the domain that points
 *    into it. Each slot is registered with goheap_gc_add_root() at load,
 *    while it holds NULL, and unregistered before the domain is destroyed.
 *
 *  - Sections. Nodes are touched only between goheap_gc_enter(), which
 *    returns the section's token, and goheap_gc_exit() with that token.
 *    Inside a section node pointers may sit in local variables (and in the
 *    walk's stack, a local buffer); across sections they are kept only in
 *    roots or in nodes. A section never waits for the collector, but a
 *    collection waits for the sections open when it flips its barrier, so
 *    long commands (build, churn) end their section every GEX_BATCH steps:
 *    at that point what they have built already hangs off a root, and the
 *    next section starts again from the root, holding nothing over.
 *    goheap_gc_collect() and goheap_gc_destroy() are called outside every
 *    section (from inside one they fail with -EDEADLK).
 *
 *  - The barrier. Every pointer store into a node or a root goes through
 *    goheap_gc_store(), clearing a root included, and its return value is
 *    checked: an error means a bug here (the slot is not a pointer field of
 *    a live node nor a root, or the value is not a node), and the command
 *    fails with it. Loads are goheap_gc_load().
 *
 *  - Release callbacks. gex_node_release() runs once for every node the
 *    collector reclaims, and for every node left when the domain is
 *    destroyed at unload. It counts; it is where a real user frees what a
 *    node owns outside the domain (a kmalloc()ed buffer, a reference). It
 *    runs in the collector's worker, with no goheap lock held, after the
 *    node became unreachable: it must not follow the node's pointer fields
 *    (their targets may be released already) nor use the domain.
 *
 * Commands are written to /sys/kernel/debug/goheap_gc_example/ctl, one per
 * write; a malformed one fails with -EINVAL:
 *
 *   build <root> <n> [list|ring|tree]   replace the graph of root slot
 *                                       <root> by a new one of <n> nodes
 *                                       (a list if no shape is given; a
 *                                       tree is a binary search tree)
 *   link <from> <to>         cross edge from the first node of root <from>
 *                            to the first node of root <to> (-ENOENT if
 *                            either root is empty)
 *   drop <root>              clear root slot <root>
 *   collect                  a full collection (goheap_gc_collect())
 *   verify                   walk everything reachable and check every
 *                            node; -EIO if one is corrupt
 *   churn <ops>              <ops> random insertions, cuts, relinks and
 *                            root moves over the whole store
 *
 * /sys/kernel/debug/goheap_gc_example/status reads, one "key value" a line:
 * domain (its name), allocated and released (nodes since load), reachable
 * and corrupt (counted by a walk from the roots), roots (slots in use).
 * After a collection, reachable = allocated - released.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/jhash.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <goheap.h>
#include "ctl.h"

#define GEX_DOMAIN	"example"
#define GEX_ROOTS	16
#define GEX_EDGES	4
#define GEX_CROSS	(GEX_EDGES - 1)	/* the edge "link" sets */
#define GEX_FIELDS	(GEX_EDGES + 1)	/* edges and next */
#define GEX_PAYLOAD	5		/* u32 words */
#define GEX_MAX_BUILD	BIT(20)
#define GEX_MAX_CHURN	BIT(24)
#define GEX_BATCH	256		/* steps per section in long commands */

struct gex_node {
	struct gex_node *edge[GEX_EDGES];	/* tree: 0 left, 1 right */
	struct gex_node *next;			/* list and ring */
	u64 id;
	u64 seen;				/* epoch of the last walk */
	u32 check;
	u32 payload[GEX_PAYLOAD];		/* tree: payload[0] is the key */
};

static const size_t gex_node_ptrs[] = {
	offsetof(struct gex_node, edge[0]),
	offsetof(struct gex_node, edge[1]),
	offsetof(struct gex_node, edge[2]),
	offsetof(struct gex_node, edge[3]),
	offsetof(struct gex_node, next),
};

static atomic64_t gex_allocated = ATOMIC64_INIT(0);
static atomic64_t gex_released = ATOMIC64_INIT(0);

/**
 * gex_node_release() - the release callback of gex_node_type
 * @obj: a node the collector reclaims (or goheap_gc_destroy() frees)
 *
 * Runs once per node, in the collector's worker, with no goheap lock held.
 * A real user frees here what the node owns outside the domain, e.g.
 * kfree(node->buf): the node's own fields are intact, but its pointer
 * fields must not be followed (their targets may be released already), and
 * the domain must not be used.
 */
static void gex_node_release(void *obj)
{
	atomic64_inc(&gex_released);
}

static const struct goheap_gc_type gex_node_type = {
	.name = "gex_node",
	.size = sizeof(struct gex_node),
	.ptr_offsets = gex_node_ptrs,
	.nr_ptrs = ARRAY_SIZE(gex_node_ptrs),
	.release = gex_node_release,
};

enum gex_shape { GEX_LIST, GEX_RING, GEX_TREE };

static const char *const gex_shape_names[] = {
	[GEX_LIST] = "list", [GEX_RING] = "ring", [GEX_TREE] = "tree",
};

static struct goheap_gc_domain *gex_domain;
static struct gex_node *gex_roots[GEX_ROOTS];	/* registered roots */
static struct dentry *gex_dir;

/* Serialises commands and status walks; collections run concurrently. */
static DEFINE_MUTEX(gex_lock);
static u64 gex_next_id;		/* ids handed out; lock held */
static u64 gex_epoch;		/* walks done; lock held */

/* ---- nodes --------------------------------------------------------------- */

static u32 gex_checksum(const struct gex_node *n)
{
	return jhash2(n->payload, GEX_PAYLOAD,
		      lower_32_bits(n->id) ^ upper_32_bits(n->id));
}

static bool gex_intact(const struct gex_node *n)
{
	return n->id && n->id <= gex_next_id && n->check == gex_checksum(n);
}

/* A new, unlinked node; inside a section, lock held. */
static struct gex_node *gex_new(void)
{
	struct gex_node *n = goheap_gc_alloc(gex_domain, &gex_node_type,
					     GFP_KERNEL);

	if (!n)
		return NULL;
	atomic64_inc(&gex_allocated);
	n->id = ++gex_next_id;
	get_random_bytes(n->payload, sizeof(n->payload));
	n->check = gex_checksum(n);
	return n;
}

/**
 * gex_set() - store a node pointer through the barrier
 * @slot: a pointer field of a live node, or a root
 * @value: a node, or NULL
 *
 * Context: inside a section.
 * Return: 0, or the error of goheap_gc_store() (a bug in this module).
 */
static int gex_set(struct gex_node **slot, struct gex_node *value)
{
	int ret = goheap_gc_store(gex_domain, (void **)slot, value);

	if (ret)
		pr_err("goheap_gc_store(%p, %p) failed: %d\n", slot, value, ret);
	return ret;
}

static struct gex_node *gex_get(struct gex_node *const *slot)
{
	return goheap_gc_load((void *const *)slot);
}

/* Pointer field @k of @n: edge[0..GEX_EDGES-1], then next. */
static struct gex_node **gex_field(struct gex_node *n, unsigned int k)
{
	return k < GEX_EDGES ? &n->edge[k] : &n->next;
}

/**
 * gex_yield() - end the section and begin another
 * @tok: the section's token; set to the new one's
 *
 * Lets a collection that waits for this section go on. The caller holds
 * no node pointer across it: it starts again from a root.
 *
 * Context: inside a section; on failure, outside any.
 * Return: 0, or the error of goheap_gc_enter().
 */
static int gex_yield(int *tok)
{
	goheap_gc_exit(gex_domain, *tok);
	cond_resched();
	*tok = goheap_gc_enter(gex_domain);
	return min(*tok, 0);
}

/* ---- build ---------------------------------------------------------------- */

/* Add one node to the graph of @root in the way of @shape (in a section). */
static int gex_insert(struct gex_node **root, enum gex_shape shape)
{
	struct gex_node *n = gex_new(), *head = gex_get(root), *p, **slot;
	int ret;

	if (!n)
		return -ENOMEM;
	switch (shape) {
	case GEX_LIST:		/* at the head */
		ret = gex_set(&n->next, head);
		return ret ?: gex_set(root, n);
	case GEX_RING:		/* after the first node: the ring stays closed */
		if (!head) {
			ret = gex_set(&n->next, n);
			return ret ?: gex_set(root, n);
		}
		ret = gex_set(&n->next, gex_get(&head->next));
		return ret ?: gex_set(&head->next, n);
	case GEX_TREE:		/* a binary search tree on payload[0] */
		for (slot = root; (p = gex_get(slot)); )
			slot = &p->edge[n->payload[0] >= p->payload[0]];
		return gex_set(slot, n);
	}
	return -EINVAL;
}

static int gex_cmd_build(unsigned int r, unsigned int count, enum gex_shape shape)
{
	unsigned int i;
	int ret, tok;

	tok = goheap_gc_enter(gex_domain);
	if (tok < 0)
		return tok;
	/* the old graph becomes garbage, unless linked from another root's */
	ret = gex_set(&gex_roots[r], NULL);
	for (i = 0; i < count && !ret; i++) {
		if (i && !(i % GEX_BATCH)) {
			/* all built so far hangs off the root */
			ret = gex_yield(&tok);
			if (ret)
				return ret;
		}
		ret = gex_insert(&gex_roots[r], shape);
	}
	goheap_gc_exit(gex_domain, tok);
	return ret;
}

/* ---- link, drop ---------------------------------------------------------------- */

static int gex_cmd_link(unsigned int from, unsigned int to)
{
	struct gex_node *a, *b;
	int ret, tok;

	tok = goheap_gc_enter(gex_domain);
	if (tok < 0)
		return tok;
	a = gex_get(&gex_roots[from]);
	b = gex_get(&gex_roots[to]);
	if (a && b) {
		ret = gex_set(&a->edge[GEX_CROSS], b);
	} else {
		pr_err("link %u %u: root %u is empty\n", from, to, a ? to : from);
		ret = -ENOENT;
	}
	goheap_gc_exit(gex_domain, tok);
	return ret;
}

static int gex_cmd_drop(unsigned int r)
{
	int ret, tok = goheap_gc_enter(gex_domain);

	if (tok < 0)
		return tok;
	ret = gex_set(&gex_roots[r], NULL);
	goheap_gc_exit(gex_domain, tok);
	return ret;
}

/* ---- walk ------------------------------------------------------------------------ */

struct gex_census {
	u64 reachable;
	u64 corrupt;
	unsigned int roots;
};

/*
 * Depth first from @n, with @stack (room for @cap nodes), marking visited
 * nodes with the walk's epoch so that cycles and shared nodes count once.
 * A corrupt node is counted and not followed. Context: inside a section.
 */
static void gex_walk_from(struct gex_node *n, struct gex_node **stack,
			  size_t cap, struct gex_census *c)
{
	struct gex_node *kid;
	size_t top = 0;
	unsigned int k;

	if (n->seen == gex_epoch)
		return;
	n->seen = gex_epoch;
	stack[top++] = n;
	while (top) {
		n = stack[--top];
		c->reachable++;
		if (!gex_intact(n)) {
			c->corrupt++;
			continue;
		}
		for (k = 0; k < GEX_FIELDS; k++) {
			kid = gex_get(gex_field(n, k));
			if (!kid || kid->seen == gex_epoch)
				continue;
			if (top == cap) {
				/* more reachable nodes than live ones */
				c->corrupt++;
				continue;
			}
			kid->seen = gex_epoch;
			stack[top++] = kid;
		}
	}
}

/**
 * gex_walk() - count and check everything reachable from the roots
 * @c: the counts
 *
 * Depth first from each root (gex_walk_from()), with a stack in a local
 * buffer that holds node pointers only inside the section.
 *
 * Context: gex_lock held, outside any section.
 * Return: 0, or -ENOMEM or the error of goheap_gc_enter().
 */
static int gex_walk(struct gex_census *c)
{
	/* no node is reachable that is not allocated and unreleased */
	u64 live = atomic64_read(&gex_allocated) - atomic64_read(&gex_released);
	struct gex_node **stack, *n;
	unsigned int r;
	int ret = 0, tok;

	memset(c, 0, sizeof(*c));
	stack = kvmalloc_array(live + 1, sizeof(*stack), GFP_KERNEL);
	if (!stack)
		return -ENOMEM;
	tok = goheap_gc_enter(gex_domain);
	if (tok < 0) {
		kvfree(stack);
		return tok;
	}
	gex_epoch++;
	for (r = 0; r < GEX_ROOTS; r++) {
		n = gex_get(&gex_roots[r]);
		if (!n)
			continue;
		c->roots++;
		gex_walk_from(n, stack, live + 1, c);
		if (need_resched()) {
			/* between roots only: the stack is empty */
			ret = gex_yield(&tok);
			if (ret)
				break;
		}
	}
	if (!ret)
		goheap_gc_exit(gex_domain, tok);
	kvfree(stack);
	return ret;
}

static int gex_cmd_verify(void)
{
	struct gex_census c;
	int ret = gex_walk(&c);

	if (ret)
		return ret;
	if (c.corrupt) {
		pr_err("verify: %llu of %llu reachable nodes are corrupt\n",
		       c.corrupt, c.reachable);
		return -EIO;
	}
	return 0;
}

/* ---- churn ------------------------------------------------------------------------- */

/*
 * A node some random steps from a random non-empty root, or NULL if every
 * root is empty (in a section).
 */
static struct gex_node *gex_pick(u32 rnd)
{
	unsigned int r, i, k, steps = rnd % 16;
	struct gex_node *n = NULL, *kid = NULL;

	for (i = 0; i < GEX_ROOTS && !n; i++) {
		r = (rnd / 16 + i) % GEX_ROOTS;
		n = gex_get(&gex_roots[r]);
	}
	while (n && steps--) {
		/* a random non-NULL field, if any */
		for (i = 0, k = get_random_u32() % GEX_FIELDS; i < GEX_FIELDS; i++) {
			kid = gex_get(gex_field(n, (k + i) % GEX_FIELDS));
			if (kid)
				break;
		}
		if (!kid)
			break;
		n = kid;
	}
	return n;
}

/* One random mutation (in a section). */
static int gex_churn_step(u32 rnd)
{
	struct gex_node **root = &gex_roots[rnd % GEX_ROOTS];
	struct gex_node **slot, *p, *q, *n;
	unsigned int k = (rnd >> 4) % GEX_FIELDS, i;
	u32 pick = rnd >> 8;
	int ret = 0;

	switch ((rnd >> 28) % 8) {
	case 0:
	case 1:
	case 2:		/* insert a node into an edge, or start a root */
		n = gex_new();
		if (!n)
			return -ENOMEM;
		p = gex_pick(pick);
		slot = p ? gex_field(p, k) : root;
		ret = gex_set(gex_field(n, k), gex_get(slot));
		return ret ?: gex_set(slot, n);
	case 3:		/* cut an edge */
		p = gex_pick(pick);
		return p ? gex_set(gex_field(p, k), NULL) : 0;
	case 4:
	case 5:		/* relink an edge anywhere: cross edges, cycles */
		p = gex_pick(pick);
		q = gex_pick(get_random_u32());
		return p ? gex_set(gex_field(p, k), q) : 0;
	case 6:		/* move a root deeper into the store, or clear it */
		q = pick % 4 ? gex_pick(get_random_u32()) : NULL;
		return gex_set(root, q);
	default:	/* a fresh short list replaces a root's graph */
		ret = gex_set(root, NULL);
		for (i = 0; i <= pick % 8 && !ret; i++)
			ret = gex_insert(root, GEX_LIST);
		return ret;
	}
}

static int gex_cmd_churn(unsigned int ops)
{
	unsigned int i;
	int ret = 0, tok;

	tok = goheap_gc_enter(gex_domain);
	if (tok < 0)
		return tok;
	for (i = 0; i < ops && !ret; i++) {
		if (i && !(i % GEX_BATCH)) {
			ret = gex_yield(&tok);
			if (ret)
				return ret;
		}
		ret = gex_churn_step(get_random_u32());
	}
	goheap_gc_exit(gex_domain, tok);
	return ret;
}

/* ---- commands ------------------------------------------------------------------------ */

/* Parse argument @i of @argv as an unsigned number in @min..@max. */
static bool gex_arg(char **argv, int i, unsigned int min, unsigned int max,
		    unsigned int *val)
{
	if (kstrtouint(argv[i], 10, val) || *val < min || *val > max) {
		pr_err("%s: '%s' is not a number from %u to %u\n",
		       argv[0], argv[i], min, max);
		return false;
	}
	return true;
}

/* Split @line at blanks into @argv: the number of words, -1 if over @max. */
static int gex_split(char *line, char **argv, int max)
{
	int argc = 0;
	char *tok;

	while ((tok = strsep(&line, " \t")) != NULL) {
		if (!*tok)
			continue;
		if (argc == max)
			return -1;
		argv[argc++] = tok;
	}
	return argc;
}

/* build <root> <n> [list|ring|tree] */
static int gex_run_build(int argc, char **argv)
{
	int shape = GEX_LIST;
	unsigned int a, b;

	if (!gex_arg(argv, 1, 0, GEX_ROOTS - 1, &a) ||
	    !gex_arg(argv, 2, 1, GEX_MAX_BUILD, &b))
		return -EINVAL;
	if (argc == 4) {
		shape = match_string(gex_shape_names, ARRAY_SIZE(gex_shape_names),
				     argv[3]);
		if (shape < 0) {
			pr_err("build: no shape '%s' (list, ring, tree)\n", argv[3]);
			return -EINVAL;
		}
	}
	return gex_cmd_build(a, b, shape);
}

static int gex_run(char *line)
{
	char *argv[5], cmd[80];
	unsigned int a, b;
	int argc;

	strscpy(cmd, line, sizeof(cmd));
	argc = gex_split(line, argv, ARRAY_SIZE(argv));
	if (argc <= 0)
		goto bad;
	if (!strcmp(argv[0], "build") && (argc == 3 || argc == 4))
		return gex_run_build(argc, argv);
	if (!strcmp(argv[0], "link") && argc == 3) {
		if (!gex_arg(argv, 1, 0, GEX_ROOTS - 1, &a) ||
		    !gex_arg(argv, 2, 0, GEX_ROOTS - 1, &b))
			return -EINVAL;
		return gex_cmd_link(a, b);
	}
	if (!strcmp(argv[0], "drop") && argc == 2) {
		if (!gex_arg(argv, 1, 0, GEX_ROOTS - 1, &a))
			return -EINVAL;
		return gex_cmd_drop(a);
	}
	if (!strcmp(argv[0], "collect") && argc == 1)
		return goheap_gc_collect(gex_domain);
	if (!strcmp(argv[0], "verify") && argc == 1)
		return gex_cmd_verify();
	if (!strcmp(argv[0], "churn") && argc == 2) {
		if (!gex_arg(argv, 1, 1, GEX_MAX_CHURN, &a))
			return -EINVAL;
		return gex_cmd_churn(a);
	}
bad:
	pr_err("bad command '%s' (see the comment at the top of goheap_gc_example.c)\n",
	       cmd);
	return -EINVAL;
}

static const struct sample_ctl gex_ctl = {
	.run = gex_run,
	.lock = &gex_lock,
};

static int status_show(struct seq_file *m, void *v)
{
	struct gex_census c;
	int ret;

	mutex_lock(&gex_lock);
	ret = gex_walk(&c);
	mutex_unlock(&gex_lock);
	if (ret)
		return ret;
	seq_printf(m, "domain %s\nallocated %lld\nreleased %lld\n", GEX_DOMAIN,
		   (long long)atomic64_read(&gex_allocated),
		   (long long)atomic64_read(&gex_released));
	seq_printf(m, "reachable %llu\ncorrupt %llu\nroots %u\n",
		   c.reachable, c.corrupt, c.roots);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(status);

/* ---- load, unload ---------------------------------------------------------------------- */

static int __init gex_init(void)
{
	unsigned int r;
	int ret;

	gex_domain = goheap_gc_create(GEX_DOMAIN, NULL);
	if (IS_ERR(gex_domain))
		return PTR_ERR(gex_domain);
	for (r = 0; r < GEX_ROOTS; r++) {
		ret = goheap_gc_add_root(gex_domain, (void **)&gex_roots[r]);
		if (ret) {
			/* destroy forgets the roots with the domain */
			goheap_gc_destroy(gex_domain);
			return ret;
		}
	}
	gex_dir = debugfs_create_dir("goheap_gc_example", NULL);
	debugfs_create_file("ctl", 0200, gex_dir, (void *)&gex_ctl, &sample_ctl_fops);
	debugfs_create_file("status", 0400, gex_dir, NULL, &status_fops);
	return 0;
}

static void __exit gex_exit(void)
{
	unsigned int r;

	/* no command runs after this */
	debugfs_remove_recursive(gex_dir);
	for (r = 0; r < GEX_ROOTS; r++)
		if (goheap_gc_remove_root(gex_domain, (void **)&gex_roots[r]))
			pr_err("root %u was not registered\n", r);
	/* releases every node left, reachable or not */
	if (goheap_gc_destroy(gex_domain))
		pr_err("goheap_gc_destroy failed\n");
	pr_info("unloaded: %lld nodes allocated, %lld released\n",
		(long long)atomic64_read(&gex_allocated),
		(long long)atomic64_read(&gex_released));
}

module_init(gex_init);
module_exit(gex_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("goheap garbage collector example: a graph store");
