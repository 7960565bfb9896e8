// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the garbage collector. Graph shapes, concurrent mutation while
 * cycles run back to back, roots changing during marking, two domains at
 * once, page allocation failure, the memory limit, destroy, bad input.
 *
 * Every node carries its id and a checksum of its payload; every release
 * callback records the id in a bitmap, so a node released twice, or a
 * reachable node released at all, is caught, and freed memory is
 * KASAN-poisoned so that any use of a reclaimed node is reported.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/timer.h>
#include <linux/vmalloc.h>

#include "tests.h"
#include "../gc/gc.h"

struct gh_gc_test_node {
	struct gh_gc_test_node *next, *prev, *left, *right;
	u64 id;
	u64 check;
};

static const size_t gh_gc_test_node_ptrs[] = {
	offsetof(struct gh_gc_test_node, next), offsetof(struct gh_gc_test_node, prev),
	offsetof(struct gh_gc_test_node, left), offsetof(struct gh_gc_test_node, right),
};

/* Release bookkeeping of the running test (one test runs at a time). */
static struct {
	unsigned long *released;	/* bit per id */
	unsigned long max_id;
	atomic64_t count;
	atomic64_t twice;
} gh_gc_test_rel;

static void gh_gc_test_node_release(void *obj)
{
	struct gh_gc_test_node *n = obj;

	atomic64_inc(&gh_gc_test_rel.count);
	if (n->id < gh_gc_test_rel.max_id && test_and_set_bit(n->id, gh_gc_test_rel.released))
		atomic64_inc(&gh_gc_test_rel.twice);
}

static const struct goheap_gc_type gh_gc_test_node_type = {
	.name = "gc_node",
	.size = sizeof(struct gh_gc_test_node),
	.ptr_offsets = gh_gc_test_node_ptrs,
	.nr_ptrs = ARRAY_SIZE(gh_gc_test_node_ptrs),
	.release = gh_gc_test_node_release,
};

#define GH_GC_TEST_FANOUT	10000
static const size_t *gh_gc_test_fan_offsets;
static struct goheap_gc_type gh_gc_test_fan_type = {
	.name = "gc_fan",
	.size = GH_GC_TEST_FANOUT * sizeof(void *),
	.nr_ptrs = GH_GC_TEST_FANOUT,
};

static u64 gh_gc_test_check_of(u64 id)
{
	return id * 0x9e3779b97f4a7c15ULL ^ 0x5bd1e995;
}

static int gh_gc_test_init(struct kunit *test)
{
	gh_gc_test_rel.max_id = 4 << 20;
	gh_gc_test_rel.released = vzalloc(BITS_TO_LONGS(gh_gc_test_rel.max_id) * sizeof(long));
	if (!gh_gc_test_rel.released)
		return -ENOMEM;
	atomic64_set(&gh_gc_test_rel.count, 0);
	atomic64_set(&gh_gc_test_rel.twice, 0);
	return 0;
}

static void gh_gc_test_exit(struct kunit *test)
{
	vfree(gh_gc_test_rel.released);
	gh_gc_test_rel.released = NULL;
	gh_gc_test_rel.max_id = 0;
}

static struct goheap_gc_domain *gh_gc_test_domain(struct kunit *test, const char *name,
					  const struct goheap_gc_opts *opts)
{
	struct goheap_gc_domain *d = goheap_gc_create(name, opts);

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(d));
	return d;
}

/* Begin a section of @d: its token. */
static int gh_gc_test_enter(struct kunit *test, struct goheap_gc_domain *d)
{
	int tok = goheap_gc_enter(d);

	KUNIT_ASSERT_GE(test, tok, 0);
	return tok;
}

static struct gh_gc_test_node *gh_gc_test_new(struct kunit *test,
					       struct goheap_gc_domain *d, u64 id)
{
	struct gh_gc_test_node *n = goheap_gc_alloc(d, &gh_gc_test_node_type, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, n);
	n->id = id;
	n->check = gh_gc_test_check_of(id);
	return n;
}

/* Store through the barrier, and insist that it took. */
static void gh_gc_test_set(struct kunit *test, struct goheap_gc_domain *d, void *slot, void *v)
{
	KUNIT_ASSERT_EQ(test, goheap_gc_store(d, slot, v), 0);
}

static bool gh_gc_test_intact(const struct gh_gc_test_node *n)
{
	return n->check == gh_gc_test_check_of(n->id) && !test_bit(n->id, gh_gc_test_rel.released);
}

/* Objects the domain holds: allocated minus freed, from its accounting. */
static u64 gh_gc_test_live_objects(struct goheap_gc_domain *d, size_t obj_size)
{
	u64 bytes;

	spin_lock_bh(&d->lock);
	bytes = gh_gc_heap_alloc(d);
	spin_unlock_bh(&d->lock);
	return div_u64(bytes, obj_size);
}

#define GH_GC_TEST_NODE_SIZE	48	/* class of struct gh_gc_test_node */

/* ---- graph shapes ----------------------------------------------------------- */

struct gh_gc_test_shape {
	struct goheap_gc_domain *d;
	int tok;		/* the open section's */
	void *root;
	u64 next_id;
	u64 garbage;		/* nodes made unreachable */
};

/* A domain @name made with @opts (NULL for the defaults), a root, a section. */
static void gh_gc_test_shape_begin(struct kunit *test, struct gh_gc_test_shape *s,
				   const char *name, const struct goheap_gc_opts *opts)
{
	s->d = gh_gc_test_domain(test, name, opts);
	s->root = NULL;
	s->next_id = 0;
	s->garbage = 0;
	KUNIT_ASSERT_EQ(test, goheap_gc_add_root(s->d, &s->root), 0);
	s->tok = gh_gc_test_enter(test, s->d);
}

/* Collect, then check: nothing reachable released, all garbage once. */
static void gh_gc_test_shape_end(struct kunit *test, struct gh_gc_test_shape *s, u64 reachable)
{
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(s->d, s->tok), 0);
	KUNIT_ASSERT_EQ(test, goheap_gc_collect(s->d), 0);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count), s->garbage);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.twice), 0ULL);
	KUNIT_EXPECT_EQ(test, gh_gc_test_live_objects(s->d, GH_GC_TEST_NODE_SIZE), reachable);
}

static void gh_gc_test_shape_destroy(struct kunit *test, struct gh_gc_test_shape *s)
{
	u64 before = atomic64_read(&gh_gc_test_rel.count);
	u64 live = gh_gc_test_live_objects(s->d, GH_GC_TEST_NODE_SIZE);

	KUNIT_EXPECT_EQ(test, goheap_gc_remove_root(s->d, &s->root), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(s->d), 0);
	/* destroy releases what was still live, once each */
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count) - before, live);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.twice), 0ULL);
}

/* A list of @n nodes; doubly linked if @doubly. */
static struct gh_gc_test_node *gh_gc_test_list(struct kunit *test,
						struct gh_gc_test_shape *s, u64 n,
						bool doubly)
{
	struct gh_gc_test_node *head = NULL, *node;
	u64 i;

	for (i = 0; i < n; i++) {
		node = gh_gc_test_new(test, s->d, s->next_id++);
		gh_gc_test_set(test, s->d, &node->next, head);
		if (doubly && head)
			gh_gc_test_set(test, s->d, &head->prev, node);
		head = node;
		if (!(i % 4096))
			cond_resched();
	}
	return head;
}

static u64 gh_gc_test_list_verify(struct gh_gc_test_node *head, bool doubly)
{
	struct gh_gc_test_node *prev = NULL;
	u64 n = 0;

	for (; head; prev = head, head = head->next, n++) {
		if (!gh_gc_test_intact(head) || (doubly && prev && head->prev != prev))
			return U64_MAX;
		if (!(n % 4096))
			cond_resched();
	}
	return n;
}

static void gh_gc_test_lists(struct kunit *test)
{
	struct gh_gc_test_shape s;
	struct gh_gc_test_node *keep, *cut;
	unsigned int i;

	gh_gc_test_shape_begin(test, &s, "lists", NULL);
	keep = gh_gc_test_list(test, &s, 500, false);
	gh_gc_test_set(test, s.d, &s.root, keep);
	/* cut the singly linked list after 200 nodes: 300 become garbage */
	for (cut = keep, i = 1; i < 200; i++)
		cut = cut->next;
	gh_gc_test_set(test, s.d, &cut->next, NULL);
	s.garbage += 300;
	/* a doubly linked list hung off the first node, then half of it cut */
	gh_gc_test_set(test, s.d, &keep->left, gh_gc_test_list(test, &s, 400, true));
	for (cut = keep->left, i = 1; i < 100; i++)
		cut = cut->next;
	/* the cut-off half still points back (prev): still garbage */
	gh_gc_test_set(test, s.d, &cut->next, NULL);
	s.garbage += 300;
	/* an unrooted doubly linked list: all garbage */
	gh_gc_test_list(test, &s, 250, true);
	s.garbage += 250;
	gh_gc_test_shape_end(test, &s, 200 + 100);
	KUNIT_EXPECT_EQ(test, gh_gc_test_list_verify(s.root, false), 200ULL);
	KUNIT_EXPECT_EQ(test, gh_gc_test_list_verify(((struct gh_gc_test_node *)s.root)->left,
						     true), 100ULL);
	gh_gc_test_shape_destroy(test, &s);
}

static struct gh_gc_test_node *gh_gc_test_tree(struct kunit *test,
						struct gh_gc_test_shape *s,
						unsigned int depth)
{
	struct gh_gc_test_node *n = gh_gc_test_new(test, s->d, s->next_id++);

	if (depth) {
		gh_gc_test_set(test, s->d, &n->left, gh_gc_test_tree(test, s, depth - 1));
		gh_gc_test_set(test, s->d, &n->right, gh_gc_test_tree(test, s, depth - 1));
	}
	return n;
}

static u64 gh_gc_test_tree_verify(struct gh_gc_test_node *n)
{
	u64 l, r;

	if (!n)
		return 0;
	if (!gh_gc_test_intact(n))
		return U64_MAX / 4;
	l = gh_gc_test_tree_verify(n->left);
	r = gh_gc_test_tree_verify(n->right);
	return 1 + l + r;
}

static void gh_gc_test_binary_tree(struct kunit *test)
{
	struct gh_gc_test_shape s;
	struct gh_gc_test_node *t;

	gh_gc_test_shape_begin(test, &s, "tree", NULL);
	t = gh_gc_test_tree(test, &s, 11);		/* 4095 nodes */
	gh_gc_test_set(test, s.d, &s.root, t);
	/* drop the right subtree: 2047 nodes */
	gh_gc_test_set(test, s.d, &t->right, NULL);
	s.garbage += 2047;
	gh_gc_test_shape_end(test, &s, 2048);
	KUNIT_EXPECT_EQ(test, gh_gc_test_tree_verify(s.root), 2048ULL);
	gh_gc_test_shape_destroy(test, &s);
}

/*
 * Several mark workers (more than there are CPUs, so that they also share
 * one): a tree whose leaves carry lists and all point to one shared node,
 * part of it cut off. Every worker races for the shared node's mark bit
 * and the leaves' lists are spread over them by the gray list's balance.
 */
#define GH_GC_TEST_PM_DEPTH	12	/* 8191 tree nodes, 4096 leaves */
#define GH_GC_TEST_PM_LIST	7	/* nodes on each leaf's list */
#define GH_GC_TEST_PM_WORKERS	4

static void gh_gc_test_pm_grow(struct kunit *test, struct gh_gc_test_shape *s,
			       struct gh_gc_test_node *n, unsigned int depth,
			       struct gh_gc_test_node *shared)
{
	if (depth) {
		gh_gc_test_set(test, s->d, &n->left, gh_gc_test_new(test, s->d, s->next_id++));
		gh_gc_test_set(test, s->d, &n->right, gh_gc_test_new(test, s->d, s->next_id++));
		gh_gc_test_pm_grow(test, s, n->left, depth - 1, shared);
		gh_gc_test_pm_grow(test, s, n->right, depth - 1, shared);
		return;
	}
	gh_gc_test_set(test, s->d, &n->next, gh_gc_test_list(test, s, GH_GC_TEST_PM_LIST, false));
	gh_gc_test_set(test, s->d, &n->prev, shared);
}

/* Nodes reachable from tree node @n through left, right and next. */
static u64 gh_gc_test_pm_verify(struct gh_gc_test_node *n, struct gh_gc_test_node *shared)
{
	u64 list;

	if (!n)
		return 0;
	if (!gh_gc_test_intact(n))
		return U64_MAX / 4;
	if (n->left || n->right)
		return 1 + gh_gc_test_pm_verify(n->left, shared) +
		       gh_gc_test_pm_verify(n->right, shared);
	list = gh_gc_test_list_verify(n->next, false);
	return n->prev == shared && list == GH_GC_TEST_PM_LIST ? 1 + list : U64_MAX / 4;
}

static void gh_gc_test_parallel_mark(struct kunit *test)
{
	const struct goheap_gc_opts opts = { .mark_workers = GH_GC_TEST_PM_WORKERS };
	const struct goheap_gc_opts too_many = { .mark_workers = GH_GC_MAX_MARK_WORKERS + 1 };
	const u64 per_leaf = 1 + GH_GC_TEST_PM_LIST;
	struct gh_gc_test_node *top, *shared;
	struct gh_gc_test_shape s;
	u64 reachable;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, PTR_ERR(goheap_gc_create("too_many", &too_many)), -EINVAL);
	gh_gc_test_shape_begin(test, &s, "parallel", &opts);
	shared = gh_gc_test_new(test, s.d, s.next_id++);
	top = gh_gc_test_new(test, s.d, s.next_id++);
	gh_gc_test_pm_grow(test, &s, top, GH_GC_TEST_PM_DEPTH, shared);
	gh_gc_test_set(test, s.d, &s.root, top);
	/* cut a subtree of depth 10 off: its nodes and its leaves' lists */
	gh_gc_test_set(test, s.d, &top->right->left, NULL);
	s.garbage += (1 << 10) - 1 + (1 << 10) * per_leaf;
	reachable = (1 << GH_GC_TEST_PM_DEPTH) - 1 + (1 << GH_GC_TEST_PM_DEPTH) * per_leaf -
		    s.garbage + 1;
	gh_gc_test_shape_end(test, &s, reachable);
	KUNIT_EXPECT_EQ(test, s.d->mark_workers, GH_GC_TEST_PM_WORKERS);
	KUNIT_EXPECT_EQ(test, gh_gc_test_pm_verify(s.root, shared) + 1, reachable);
	/* more cycles find the same live set and free nothing */
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, goheap_gc_collect(s.d), 0);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count), s.garbage);
	KUNIT_EXPECT_EQ(test, gh_gc_test_live_objects(s.d, GH_GC_TEST_NODE_SIZE), reachable);
	KUNIT_EXPECT_EQ(test, gh_gc_test_pm_verify(s.root, shared) + 1, reachable);
	gh_gc_test_shape_destroy(test, &s);
}

/* Three new nodes linked into a cycle by next: a -> b -> c -> a. */
static struct gh_gc_test_node *gh_gc_test_ring(struct kunit *test,
						struct gh_gc_test_shape *s)
{
	struct gh_gc_test_node *a = gh_gc_test_new(test, s->d, s->next_id++);
	struct gh_gc_test_node *b = gh_gc_test_new(test, s->d, s->next_id++);
	struct gh_gc_test_node *c = gh_gc_test_new(test, s->d, s->next_id++);

	gh_gc_test_set(test, s->d, &a->next, b);
	gh_gc_test_set(test, s->d, &b->next, c);
	gh_gc_test_set(test, s->d, &c->next, a);
	return a;
}

static void gh_gc_test_cycles_and_self_loops(struct kunit *test)
{
	struct gh_gc_test_shape s;
	struct gh_gc_test_node *a, *lone;

	gh_gc_test_shape_begin(test, &s, "cycles", NULL);
	/* a reachable 3-cycle with a self-loop on one node */
	a = gh_gc_test_ring(test, &s);
	gh_gc_test_set(test, s.d, &a->next->left, a->next);
	gh_gc_test_set(test, s.d, &s.root, a);
	/* an unreachable 3-cycle and an unreachable self-loop */
	gh_gc_test_ring(test, &s);
	lone = gh_gc_test_new(test, s.d, s.next_id++);
	gh_gc_test_set(test, s.d, &lone->right, lone);
	s.garbage += 4;
	gh_gc_test_shape_end(test, &s, 3);
	a = s.root;
	KUNIT_EXPECT_TRUE(test, gh_gc_test_intact(a) && gh_gc_test_intact(a->next) &&
			  gh_gc_test_intact(a->next->next) && a->next->next->next == a &&
			  a->next->left == a->next);
	gh_gc_test_shape_destroy(test, &s);
}

static void gh_gc_test_dag_shared_children(struct kunit *test)
{
	struct gh_gc_test_node *top, *shared[8], *leaf;
	struct gh_gc_test_shape s;
	unsigned int i;

	gh_gc_test_shape_begin(test, &s, "dag", NULL);
	top = gh_gc_test_new(test, s.d, s.next_id++);
	leaf = gh_gc_test_new(test, s.d, s.next_id++);
	for (i = 0; i < ARRAY_SIZE(shared); i++) {
		shared[i] = gh_gc_test_new(test, s.d, s.next_id++);
		gh_gc_test_set(test, s.d, &shared[i]->left, leaf);	/* all share leaf */
		if (i)
			gh_gc_test_set(test, s.d, &shared[i]->right, shared[i - 1]);
	}
	gh_gc_test_set(test, s.d, &top->left, shared[7]);
	gh_gc_test_set(test, s.d, &top->right, shared[3]);
	gh_gc_test_set(test, s.d, &s.root, top);
	/* cutting one of two paths to shared[3] frees nothing */
	gh_gc_test_set(test, s.d, &top->right, NULL);
	gh_gc_test_shape_end(test, &s, 10);
	for (i = 0; i < ARRAY_SIZE(shared); i++)
		KUNIT_EXPECT_TRUE(test, gh_gc_test_intact(shared[i]) && shared[i]->left == leaf);
	gh_gc_test_shape_destroy(test, &s);
}

/* A root or field pointing inside an object keeps the whole object alive. */
static void gh_gc_test_interior_pointers(struct kunit *test)
{
	struct gh_gc_test_node *a, *b;
	struct gh_gc_test_shape s;

	gh_gc_test_shape_begin(test, &s, "interior", NULL);
	a = gh_gc_test_new(test, s.d, s.next_id++);
	b = gh_gc_test_new(test, s.d, s.next_id++);
	gh_gc_test_set(test, s.d, &s.root, &a->id);		/* into a's payload */
	gh_gc_test_set(test, s.d, &a->next, (char *)b + sizeof(*b) - 1);	/* b's last byte */
	gh_gc_test_new(test, s.d, s.next_id++);
	s.garbage += 1;
	gh_gc_test_shape_end(test, &s, 2);
	KUNIT_EXPECT_TRUE(test, gh_gc_test_intact(a) && gh_gc_test_intact(b));
	gh_gc_test_shape_destroy(test, &s);
}

static void gh_gc_test_islands(struct kunit *test)
{
	struct gh_gc_test_node *island;
	struct gh_gc_test_shape s;
	unsigned int i;

	gh_gc_test_shape_begin(test, &s, "islands", NULL);
	for (i = 0; i < 20; i++) {
		island = gh_gc_test_tree(test, &s, 4);		/* 31 nodes each */
		gh_gc_test_set(test, s.d, &island->next, island);
		if (i == 7)
			gh_gc_test_set(test, s.d, &s.root, island);
		else
			s.garbage += 31;
	}
	gh_gc_test_shape_end(test, &s, 31);
	KUNIT_EXPECT_EQ(test, gh_gc_test_tree_verify(s.root), 31ULL);
	gh_gc_test_shape_destroy(test, &s);
}

static void gh_gc_test_million_chain(struct kunit *test)
{
	struct gh_gc_test_node *cut;
	struct gh_gc_test_shape s;
	unsigned int i;

	gh_gc_test_shape_begin(test, &s, "chain", NULL);
	gh_gc_test_set(test, s.d, &s.root, gh_gc_test_list(test, &s, 1000000, false));
	/* keep the first 600000, cut the rest */
	for (cut = s.root, i = 1; i < 600000; i++)
		cut = cut->next;
	gh_gc_test_set(test, s.d, &cut->next, NULL);
	s.garbage += 400000;
	gh_gc_test_shape_end(test, &s, 600000);
	KUNIT_EXPECT_EQ(test, gh_gc_test_list_verify(s.root, false), 600000ULL);
	gh_gc_test_shape_destroy(test, &s);
}

static void gh_gc_test_fanout(struct kunit *test)
{
	struct gh_gc_test_shape s;
	void **fan;
	unsigned int i;

	gh_gc_test_shape_begin(test, &s, "fanout", NULL);
	fan = goheap_gc_alloc(s.d, &gh_gc_test_fan_type, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fan);
	for (i = 0; i < GH_GC_TEST_FANOUT; i++)
		gh_gc_test_set(test, s.d, &fan[i], gh_gc_test_new(test, s.d, s.next_id++));
	gh_gc_test_set(test, s.d, &s.root, fan);
	/* drop every third child */
	for (i = 0; i < GH_GC_TEST_FANOUT; i += 3) {
		gh_gc_test_set(test, s.d, &fan[i], NULL);
		s.garbage++;
	}
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(s.d, s.tok), 0);
	KUNIT_ASSERT_EQ(test, goheap_gc_collect(s.d), 0);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count), s.garbage);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.twice), 0ULL);
	for (i = 0; i < GH_GC_TEST_FANOUT; i++)
		if (i % 3)
			KUNIT_ASSERT_TRUE(test, fan[i] && gh_gc_test_intact(fan[i]));
	KUNIT_EXPECT_EQ(test, goheap_gc_remove_root(s.d, &s.root), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(s.d), 0);
}

/* ---- concurrent mutation ------------------------------------------------------ */

#define GH_GC_TEST_MUT_ROOTS	16

struct gh_gc_test_mut {
	struct goheap_gc_domain *d;
	void *roots[GH_GC_TEST_MUT_ROOTS];
	atomic64_t next_id;
	atomic_t errors;
	atomic_t running;
	atomic_t parked;	/* mutators outside sections, holding */
	bool stop, hold;
	unsigned int cycles;
};

/* Walk a few steps from root @r, checking every node on the way. */
static struct gh_gc_test_node *gh_gc_test_mut_walk(struct gh_gc_test_mut *m,
						    unsigned int r, unsigned int steps)
{
	struct gh_gc_test_node *n = goheap_gc_load(&m->roots[r]);

	while (n && steps--) {
		if (!gh_gc_test_intact(n))
			atomic_inc(&m->errors);
		if (!n->next)
			break;
		n = goheap_gc_load((void **)&n->next);
	}
	return n;
}

static void gh_gc_test_mut_step(struct gh_gc_test_mut *m, u32 rnd)
{
	unsigned int r = rnd % GH_GC_TEST_MUT_ROOTS, r2 = (rnd >> 8) % GH_GC_TEST_MUT_ROOTS;
	struct goheap_gc_domain *d = m->d;
	struct gh_gc_test_node *n, *a, *b;
	int bad = 0;

	switch ((rnd >> 16) % 5) {
	case 0:		/* insert at the head of a root's list */
	case 1:
		n = goheap_gc_alloc(d, &gh_gc_test_node_type, GFP_KERNEL);
		if (!n) {
			atomic_inc(&m->errors);
			return;
		}
		n->id = atomic64_inc_return(&m->next_id);
		n->check = gh_gc_test_check_of(n->id);
		bad |= goheap_gc_store(d, (void **)&n->next, goheap_gc_load(&m->roots[r]));
		bad |= goheap_gc_store(d, &m->roots[r], n);
		break;
	case 2:		/* delete the node after a few steps */
		a = gh_gc_test_mut_walk(m, r, rnd >> 24 & 7);
		if (a && a->next)
			bad |= goheap_gc_store(d, (void **)&a->next, a->next->next);
		break;
	case 3:		/* relink: cross pointer from one list into another */
		a = gh_gc_test_mut_walk(m, r, rnd >> 24 & 15);
		b = gh_gc_test_mut_walk(m, r2, rnd >> 28);
		if (a)
			bad |= goheap_gc_store(d, (void **)&a->left, b);
		break;
	case 4:		/* move a list between a root and the heap */
		a = gh_gc_test_mut_walk(m, r, 0);
		if (a) {
			bad |= goheap_gc_store(d, (void **)&a->right,
					       goheap_gc_load(&m->roots[r2]));
			bad |= goheap_gc_store(d, &m->roots[r2], NULL);
		} else {
			b = gh_gc_test_mut_walk(m, r2, 0);
			if (b)
				bad |= goheap_gc_store(d, &m->roots[r], b->right);
		}
		break;
	}
	if (bad)
		atomic_inc(&m->errors);
}

static int gh_gc_test_mutator(void *arg)
{
	struct gh_gc_test_mut *m = arg;
	unsigned int i;
	int tok;

	while (!READ_ONCE(m->stop)) {
		if (READ_ONCE(m->hold)) {
			/* outside every section: the test checks the heap */
			atomic_inc(&m->parked);
			while (READ_ONCE(m->hold) && !READ_ONCE(m->stop))
				usleep_range(500, 1000);
			atomic_dec(&m->parked);
			continue;
		}
		tok = goheap_gc_enter(m->d);
		if (tok < 0) {
			atomic_inc(&m->errors);
			break;
		}
		for (i = 0; i < 32; i++)
			gh_gc_test_mut_step(m, get_random_u32());
		if (goheap_gc_exit(m->d, tok))
			atomic_inc(&m->errors);
		cond_resched();
	}
	atomic_dec(&m->running);
	return 0;
}

/* One mutator bound to every online CPU, running until m->stop. */
static void gh_gc_test_mutators_start(struct kunit *test, struct gh_gc_test_mut *m)
{
	int cpu;

	for_each_online_cpu(cpu) {
		struct task_struct *t = kthread_create(gh_gc_test_mutator, m, "gc-mutator/%d", cpu);

		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, cpu);
		atomic_inc(&m->running);
		wake_up_process(t);
	}
}

/* Count nodes reachable from the roots, marking each with a visit stamp. */
static u64 gh_gc_test_count_reachable(struct gh_gc_test_mut *m, u64 stamp)
{
	struct gh_gc_test_node **stack;
	u64 count = 0;
	size_t top = 0, cap = 1 << 20;
	unsigned int r;

	stack = vmalloc(cap * sizeof(*stack));
	if (!stack)
		return U64_MAX;
	for (r = 0; r < GH_GC_TEST_MUT_ROOTS; r++)
		if (m->roots[r])
			stack[top++] = m->roots[r];
	while (top) {
		struct gh_gc_test_node *n = stack[--top];
		struct gh_gc_test_node *kids[] = { n->next, n->prev, n->left, n->right };
		unsigned int k;

		/* visited nodes get @stamp in place of their checksum */
		if (n->check == stamp)
			continue;
		if (n->check != gh_gc_test_check_of(n->id))
			atomic_inc(&m->errors);
		n->check = stamp;
		count++;
		for (k = 0; k < ARRAY_SIZE(kids); k++)
			if (kids[k] && top < cap)
				stack[top++] = kids[k];
	}
	vfree(stack);
	return count;
}

static void gh_gc_test_concurrent_mutation(struct kunit *test)
{
	struct gh_gc_test_mut *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	unsigned long deadline;
	unsigned int r;
	u64 reachable;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->d = gh_gc_test_domain(test, "mutate", NULL);
	for (r = 0; r < GH_GC_TEST_MUT_ROOTS; r++)
		KUNIT_ASSERT_EQ(test, goheap_gc_add_root(m->d, &m->roots[r]), 0);
	gh_gc_test_mutators_start(test, m);
	/* cycles back to back for a while */
	deadline = jiffies + 8 * HZ;
	while (time_before(jiffies, deadline)) {
		KUNIT_EXPECT_EQ(test, goheap_gc_collect(m->d), 0);
		m->cycles++;
	}
	WRITE_ONCE(m->stop, true);
	while (atomic_read(&m->running))
		msleep(20);
	KUNIT_EXPECT_GT(test, m->cycles, 2U);
	KUNIT_EXPECT_EQ(test, atomic_read(&m->errors), 0);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.twice), 0ULL);

	/* one more cycle leaves exactly what is reachable */
	KUNIT_EXPECT_EQ(test, goheap_gc_collect(m->d), 0);
	reachable = gh_gc_test_count_reachable(m, U64_MAX);
	KUNIT_EXPECT_EQ(test, gh_gc_test_live_objects(m->d, GH_GC_TEST_NODE_SIZE), reachable);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count) + reachable,
			(u64)atomic64_read(&m->next_id));
	KUNIT_EXPECT_EQ(test, atomic_read(&m->errors), 0);
	for (r = 0; r < GH_GC_TEST_MUT_ROOTS; r++)
		KUNIT_EXPECT_EQ(test, goheap_gc_remove_root(m->d, &m->roots[r]), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(m->d), 0);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count),
			(u64)atomic64_read(&m->next_id));
}

/*
 * The shadow model, without touching the nodes: the ids reachable from the
 * roots, as a bitmap; each must be intact (not released). Mutators hold.
 */
static u64 gh_gc_test_shadow_check(struct kunit *test, struct gh_gc_test_mut *m,
				   unsigned long *seen, u64 max_id)
{
	struct gh_gc_test_node **stack;
	size_t top = 0, cap = 1 << 20;
	u64 count = 0;
	unsigned int r;

	stack = vmalloc(cap * sizeof(*stack));
	KUNIT_ASSERT_NOT_NULL(test, stack);
	bitmap_zero(seen, max_id + 1);
	for (r = 0; r < GH_GC_TEST_MUT_ROOTS; r++)
		if (m->roots[r])
			stack[top++] = m->roots[r];
	while (top) {
		struct gh_gc_test_node *n = stack[--top];
		struct gh_gc_test_node *kids[] = { n->next, n->prev, n->left, n->right };
		unsigned int k;

		if (n->id > max_id || __test_and_set_bit(n->id, seen))
			continue;
		KUNIT_EXPECT_TRUE(test, gh_gc_test_intact(n));
		count++;
		for (k = 0; k < ARRAY_SIZE(kids); k++)
			if (kids[k] && top < cap)
				stack[top++] = kids[k];
	}
	vfree(stack);
	return count;
}

/*
 * Mutators on every CPU and cycles back to back, in rounds; after each
 * round the mutators hold outside their sections, one forced collection
 * runs, and the heap is checked against a shadow of reachability: every
 * node reachable from the roots is intact, and every other node the
 * mutators made has been released, exactly once.
 */
static void gh_gc_test_shadow_model(struct kunit *test)
{
	const u64 max_id = (4 << 20) - 1;
	struct gh_gc_test_mut *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	unsigned long *seen = vzalloc(BITS_TO_LONGS(max_id + 1) * sizeof(long));
	unsigned long deadline;
	unsigned int r, round, i;
	u64 reachable;

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	m->d = gh_gc_test_domain(test, "shadow", NULL);
	for (r = 0; r < GH_GC_TEST_MUT_ROOTS; r++)
		KUNIT_ASSERT_EQ(test, goheap_gc_add_root(m->d, &m->roots[r]), 0);
	gh_gc_test_mutators_start(test, m);
	for (round = 0; round < 8; round++) {
		/* at least two collections under mutation, more for 0.5 s */
		deadline = jiffies + HZ / 2;
		for (i = 0; i < 2 || time_before(jiffies, deadline); i++) {
			KUNIT_EXPECT_EQ(test, goheap_gc_collect(m->d), 0);
			m->cycles++;
		}
		WRITE_ONCE(m->hold, true);
		while (atomic_read(&m->parked) < atomic_read(&m->running))
			usleep_range(500, 1000);
		KUNIT_EXPECT_EQ(test, goheap_gc_collect(m->d), 0);
		KUNIT_ASSERT_LE(test, (u64)atomic64_read(&m->next_id), max_id);
		reachable = gh_gc_test_shadow_check(test, m, seen, max_id);
		KUNIT_EXPECT_EQ(test, gh_gc_test_live_objects(m->d, GH_GC_TEST_NODE_SIZE),
				reachable);
		KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count) + reachable,
				(u64)atomic64_read(&m->next_id));
		KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.twice), 0ULL);
		KUNIT_EXPECT_EQ(test, atomic_read(&m->errors), 0);
		WRITE_ONCE(m->hold, false);
	}
	WRITE_ONCE(m->stop, true);
	while (atomic_read(&m->running))
		msleep(20);
	KUNIT_EXPECT_GE(test, m->cycles, 16U);
	for (r = 0; r < GH_GC_TEST_MUT_ROOTS; r++)
		KUNIT_EXPECT_EQ(test, goheap_gc_remove_root(m->d, &m->roots[r]), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(m->d), 0);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count),
			(u64)atomic64_read(&m->next_id));
	vfree(seen);
}

/* ---- roots during marking, two domains ------------------------------------------- */

struct gh_gc_test_bg_collect {
	struct goheap_gc_domain *d;
	struct completion done;
	int ret;
};

static int gh_gc_test_bg_collector(void *arg)
{
	struct gh_gc_test_bg_collect *c = arg;

	c->ret = goheap_gc_collect(c->d);
	complete(&c->done);
	return 0;
}

static void gh_gc_test_bg_start(struct kunit *test, struct gh_gc_test_bg_collect *c,
			struct goheap_gc_domain *d)
{
	struct task_struct *t;

	c->d = d;
	init_completion(&c->done);
	t = kthread_run(gh_gc_test_bg_collector, c, "gc-collect/%s", d->name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
}

static void gh_gc_test_roots_during_marking(struct kunit *test)
{
	static void *extra[64];
	struct gh_gc_test_bg_collect bg;
	struct gh_gc_test_shape s;
	unsigned int i, cycles;

	gh_gc_test_shape_begin(test, &s, "rootsmark", NULL);
	/* a big graph keeps the marker busy */
	gh_gc_test_set(test, s.d, &s.root, gh_gc_test_list(test, &s, 100000, false));
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(s.d, s.tok), 0);
	for (cycles = 0; cycles < 3; cycles++) {
		gh_gc_test_bg_start(test, &bg, s.d);
		for (i = 0; i < ARRAY_SIZE(extra); i++) {
			/* a root added while marking may run, then filled */
			extra[i] = NULL;
			KUNIT_ASSERT_EQ(test, goheap_gc_add_root(s.d, &extra[i]), 0);
			s.tok = gh_gc_test_enter(test, s.d);
			gh_gc_test_set(test, s.d, &extra[i],
			       gh_gc_test_new(test, s.d, 200000 + cycles * 100 + i));
			KUNIT_ASSERT_EQ(test, goheap_gc_exit(s.d, s.tok), 0);
		}
		wait_for_completion(&bg.done);
		KUNIT_EXPECT_EQ(test, bg.ret, 0);
		KUNIT_ASSERT_EQ(test, goheap_gc_collect(s.d), 0);
		for (i = 0; i < ARRAY_SIZE(extra); i++)
			KUNIT_EXPECT_TRUE(test, gh_gc_test_intact(extra[i]));
		/* removed during the next marking: released by the one after */
		gh_gc_test_bg_start(test, &bg, s.d);
		for (i = 0; i < ARRAY_SIZE(extra); i++)
			KUNIT_EXPECT_EQ(test, goheap_gc_remove_root(s.d, &extra[i]), 0);
		wait_for_completion(&bg.done);
		KUNIT_ASSERT_EQ(test, goheap_gc_collect(s.d), 0);
		s.garbage += ARRAY_SIZE(extra);
	}
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count), s.garbage);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.twice), 0ULL);
	KUNIT_EXPECT_EQ(test, gh_gc_test_list_verify(s.root, false), 100000ULL);
	gh_gc_test_shape_destroy(test, &s);
}

#define GH_GC_TEST_NEST_ROUNDS	200

/*
 * A task that enters @outer, then @inner inside it, and stores in both
 * (through the barrier, which a cycle of either domain may have on),
 * counting what fails.
 */
struct gh_gc_test_nester {
	struct goheap_gc_domain *outer, *inner;
	void *outer_root, *inner_root;
	u64 next_id;
	unsigned int nested, failed;
	struct completion done;
};

/* A node with the nester's next id, stored in @root of @d; false if not. */
static bool gh_gc_test_nest_store(struct gh_gc_test_nester *t,
				  struct goheap_gc_domain *d, void **root)
{
	struct gh_gc_test_node *n = goheap_gc_alloc(d, &gh_gc_test_node_type, GFP_KERNEL);

	if (!n)
		return false;
	n->id = t->next_id++;
	n->check = gh_gc_test_check_of(n->id);
	return !goheap_gc_store(d, root, n);
}

static int gh_gc_test_nest_thread(void *arg)
{
	struct gh_gc_test_nester *t = arg;
	int outer, inner;
	unsigned int i;

	for (i = 0; i < GH_GC_TEST_NEST_ROUNDS; i++) {
		outer = goheap_gc_enter(t->outer);
		if (outer < 0) {
			t->failed++;
			continue;
		}
		inner = goheap_gc_enter(t->inner);
		if (inner >= 0) {
			t->failed += !gh_gc_test_nest_store(t, t->inner, &t->inner_root);
			t->failed += goheap_gc_exit(t->inner, inner) != 0;
			t->nested++;
		} else {
			t->failed++;
		}
		t->failed += !gh_gc_test_nest_store(t, t->outer, &t->outer_root);
		t->failed += goheap_gc_exit(t->outer, outer) != 0;
		cond_resched();
	}
	complete(&t->done);
	return 0;
}

/* A collector that runs cycles until @stop. */
struct gh_gc_test_looper {
	struct goheap_gc_domain *d;
	bool stop;
	unsigned int cycles;
	struct completion done;
};

static int gh_gc_test_loop_collect(void *arg)
{
	struct gh_gc_test_looper *l = arg;

	while (!READ_ONCE(l->stop)) {
		goheap_gc_collect(l->d);
		l->cycles++;
	}
	complete(&l->done);
	return 0;
}

/*
 * Two tasks enter two domains in opposite orders, allocating and storing in
 * both, while both domains collect back to back. Sections never wait for
 * a collector, so this nests every time: nothing hangs, nothing fails, no
 * bad section is counted, lockdep has nothing to say, and what each task
 * last stored in each root survives.
 */
static void gh_gc_test_nested_domains(struct kunit *test)
{
	struct goheap_gc_domain *a = gh_gc_test_domain(test, "nest-a", NULL);
	struct goheap_gc_domain *b = gh_gc_test_domain(test, "nest-b", NULL);
	static struct gh_gc_test_nester ab, ba;
	struct gh_gc_test_looper la = { .d = a }, lb = { .d = b };
	u64 bad_before = a->stats.bad_sections + b->stats.bad_sections;
	struct gh_gc_test_nester *n[] = { &ab, &ba };
	struct gh_gc_test_looper *l[] = { &la, &lb };
	struct task_struct *t;
	unsigned int i;
	int tok, tok2;

	ab = (struct gh_gc_test_nester){ .outer = a, .inner = b, .next_id = 1 << 20 };
	ba = (struct gh_gc_test_nester){ .outer = b, .inner = a, .next_id = 2 << 20 };
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_EQ(test, goheap_gc_add_root(n[i]->outer, &n[i]->outer_root), 0);
		KUNIT_ASSERT_EQ(test, goheap_gc_add_root(n[i]->inner, &n[i]->inner_root), 0);
	}
	for (i = 0; i < 2; i++) {
		init_completion(&l[i]->done);
		t = kthread_run(gh_gc_test_loop_collect, l[i], "gc-loop/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < 2; i++) {
		init_completion(&n[i]->done);
		t = kthread_run(gh_gc_test_nest_thread, n[i], "gc-nest/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < 2; i++)
		KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&n[i]->done, 60 * HZ), 0UL);
	for (i = 0; i < 2; i++) {
		WRITE_ONCE(l[i]->stop, true);
		KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&l[i]->done, 60 * HZ), 0UL);
		KUNIT_EXPECT_GT(test, l[i]->cycles, 0U);
		KUNIT_EXPECT_EQ(test, n[i]->nested, GH_GC_TEST_NEST_ROUNDS);
		KUNIT_EXPECT_EQ(test, n[i]->failed, 0U);
	}
	KUNIT_EXPECT_EQ(test, a->stats.bad_sections + b->stats.bad_sections, bad_before);
	/* what the roots hold now survived every cycle */
	KUNIT_ASSERT_EQ(test, goheap_gc_collect(a), 0);
	KUNIT_ASSERT_EQ(test, goheap_gc_collect(b), 0);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_TRUE(test, gh_gc_test_intact(n[i]->outer_root));
		KUNIT_EXPECT_TRUE(test, gh_gc_test_intact(n[i]->inner_root));
	}
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.twice), 0ULL);
	/* one domain's sections nest too, each with its own token */
	tok = gh_gc_test_enter(test, a);
	tok2 = gh_gc_test_enter(test, a);
	KUNIT_EXPECT_NE(test, tok, tok2);
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(a, tok2), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(a, tok), 0);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ(test, goheap_gc_remove_root(n[i]->outer, &n[i]->outer_root), 0);
		KUNIT_EXPECT_EQ(test, goheap_gc_remove_root(n[i]->inner, &n[i]->inner_root), 0);
	}
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(a), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(b), 0);
}

static void gh_gc_test_two_domains(struct kunit *test)
{
	struct gh_gc_test_shape a, b;
	struct gh_gc_test_bg_collect ca, cb;

	gh_gc_test_shape_begin(test, &a, "twin-a", NULL);
	gh_gc_test_set(test, a.d, &a.root, gh_gc_test_list(test, &a, 30000, true));
	gh_gc_test_list(test, &a, 10000, false);
	a.garbage += 10000;
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(a.d, a.tok), 0);
	gh_gc_test_shape_begin(test, &b, "twin-b", NULL);
	b.next_id = 500000;
	gh_gc_test_set(test, b.d, &b.root, gh_gc_test_tree(test, &b, 13));
	gh_gc_test_tree(test, &b, 10);
	b.garbage += 2047;
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(b.d, b.tok), 0);

	gh_gc_test_bg_start(test, &ca, a.d);
	gh_gc_test_bg_start(test, &cb, b.d);
	wait_for_completion(&ca.done);
	wait_for_completion(&cb.done);
	KUNIT_EXPECT_EQ(test, ca.ret, 0);
	KUNIT_EXPECT_EQ(test, cb.ret, 0);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count), a.garbage + b.garbage);
	KUNIT_EXPECT_EQ(test, gh_gc_test_list_verify(a.root, true), 30000ULL);
	KUNIT_EXPECT_EQ(test, gh_gc_test_tree_verify(b.root), 16383ULL);
	KUNIT_EXPECT_EQ(test, gh_gc_test_live_objects(a.d, GH_GC_TEST_NODE_SIZE), 30000ULL);
	KUNIT_EXPECT_EQ(test, gh_gc_test_live_objects(b.d, GH_GC_TEST_NODE_SIZE), 16383ULL);
	gh_gc_test_shape_destroy(test, &a);
	gh_gc_test_shape_destroy(test, &b);
}

/* ---- failures and limits ------------------------------------------------------------ */

/* Skip, rather than fail, where page allocations cannot be made to fail. */
static void gh_gc_test_require_fault_injection(struct kunit *test)
{
	if (gh_test_fail_pages(true))
		kunit_skip(test, "fail_page_alloc is not armed for make_it_fail tasks");
	gh_test_fail_pages(false);
}

static void gh_gc_test_page_alloc_failure(struct kunit *test)
{
	struct gh_gc_test_node *n = NULL;
	struct gh_gc_test_shape s;
	unsigned int i, failed = 0;

	gh_gc_test_require_fault_injection(test);
	gh_gc_test_shape_begin(test, &s, "failpages", NULL);
	gh_gc_test_set(test, s.d, &s.root, gh_gc_test_list(test, &s, 2000, false));
	gh_gc_test_list(test, &s, 1000, false);
	s.garbage += 1000;
	/*
	 * allocation: once the spans and the arenas' free pages are used up,
	 * no new ones can be had (drain first, so that idle arenas are gone)
	 */
	goheap_drain();
	KUNIT_ASSERT_EQ(test, gh_test_fail_pages(true), 0);
	for (i = 0; i < 200000 && failed < 100; i++) {
		n = goheap_gc_alloc(s.d, &gh_gc_test_node_type, GFP_KERNEL);
		if (!n) {
			failed++;
			continue;
		}
		n->id = s.next_id++;
		n->check = gh_gc_test_check_of(n->id);
		s.garbage++;
	}
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(s.d, s.tok), 0);
	/* a whole cycle, gray blocks included, under injected failures */
	KUNIT_EXPECT_EQ(test, goheap_gc_collect(s.d), 0);
	KUNIT_EXPECT_EQ(test, gh_test_fail_pages(false), 0);
	KUNIT_EXPECT_GT(test, failed, 0U);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count), s.garbage);
	KUNIT_EXPECT_EQ(test, gh_gc_test_list_verify(s.root, false), 2000ULL);
	KUNIT_EXPECT_EQ(test, gh_gc_test_live_objects(s.d, GH_GC_TEST_NODE_SIZE), 2000ULL);
	gh_gc_test_shape_destroy(test, &s);
}

static void gh_gc_test_memory_limit(struct kunit *test)
{
	struct goheap_gc_opts opts = { .mem_limit = 64 * PAGE_SIZE, .gogc = GOHEAP_GC_OFF };
	struct gh_gc_test_shape s;
	struct gh_gc_test_node *n;
	unsigned int i;

	gh_gc_test_shape_begin(test, &s, "limit", &opts);
	for (i = 0; i < 100000; i++) {
		n = goheap_gc_alloc(s.d, &gh_gc_test_node_type, GFP_KERNEL);
		if (!n)
			break;
		n->id = s.next_id++;
		n->check = gh_gc_test_check_of(n->id);
		gh_gc_test_set(test, s.d, &n->next, s.root);
		gh_gc_test_set(test, s.d, &s.root, n);
	}
	KUNIT_EXPECT_NULL(test, n);
	KUNIT_EXPECT_LE(test, s.d->span_bytes, (u64)opts.mem_limit);
	KUNIT_EXPECT_GT(test, s.d->stats.limit_failures, 0ULL);
	/* drop everything: after a cycle there is room again */
	gh_gc_test_set(test, s.d, &s.root, NULL);
	s.garbage = s.next_id;
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(s.d, s.tok), 0);
	flush_work(&s.d->cycle_work);
	KUNIT_ASSERT_EQ(test, goheap_gc_collect(s.d), 0);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count), s.garbage);
	s.tok = gh_gc_test_enter(test, s.d);
	n = gh_gc_test_new(test, s.d, s.next_id++);
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(s.d, s.tok), 0);
	gh_gc_test_shape_destroy(test, &s);
}

#define GH_GC_TEST_MANY_ROOTS	10000
#define GH_GC_TEST_ROOT_CYCLES	20

struct gh_gc_test_root_swapper {
	struct kunit *test;
	struct goheap_gc_domain *d;
	void **roots;
	bool stop;
	unsigned long swaps;
	struct completion done;
};

/* Swap two roots' values through the barrier, over and over. */
static int gh_gc_test_root_swap_thread(void *arg)
{
	struct gh_gc_test_root_swapper *w = arg;
	unsigned int i, j;
	int tok;
	void *v;

	while (!READ_ONCE(w->stop)) {
		i = get_random_u32_below(GH_GC_TEST_MANY_ROOTS);
		j = get_random_u32_below(GH_GC_TEST_MANY_ROOTS);
		tok = goheap_gc_enter(w->d);
		if (tok < 0)
			break;
		v = goheap_gc_load(&w->roots[i]);
		goheap_gc_store(w->d, &w->roots[i], goheap_gc_load(&w->roots[j]));
		goheap_gc_store(w->d, &w->roots[j], v);
		goheap_gc_exit(w->d, tok);
		w->swaps++;
		cond_resched();
	}
	complete(&w->done);
	return 0;
}

/*
 * Ten thousand roots, each the only path to its node, shuffled by a
 * mutator while cycles run back to back. The root scan runs after the
 * cycle's start, concurrently with the shuffling, and still no rooted node
 * is released.
 */
static void gh_gc_test_many_roots(struct kunit *test)
{
	void **roots = kunit_kcalloc(test, GH_GC_TEST_MANY_ROOTS, sizeof(*roots), GFP_KERNEL);
	struct goheap_gc_domain *d = gh_gc_test_domain(test, "roots10k", NULL);
	struct gh_gc_test_root_swapper w = { .test = test, .d = d, .roots = roots };
	struct task_struct *t;
	unsigned int i;
	int tok;

	KUNIT_ASSERT_NOT_NULL(test, roots);
	tok = gh_gc_test_enter(test, d);
	for (i = 0; i < GH_GC_TEST_MANY_ROOTS; i++) {
		KUNIT_ASSERT_EQ(test, goheap_gc_add_root(d, &roots[i]), 0);
		gh_gc_test_set(test, d, &roots[i], gh_gc_test_new(test, d, i));
	}
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(d, tok), 0);
	init_completion(&w.done);
	t = kthread_run(gh_gc_test_root_swap_thread, &w, "gc-roots");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	for (i = 0; i < GH_GC_TEST_ROOT_CYCLES; i++)
		KUNIT_EXPECT_EQ(test, goheap_gc_collect(d), 0);
	WRITE_ONCE(w.stop, true);
	wait_for_completion(&w.done);
	KUNIT_ASSERT_EQ(test, goheap_gc_collect(d), 0);
	KUNIT_EXPECT_GT(test, w.swaps, 0UL);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count), 0ULL);
	for (i = 0; i < GH_GC_TEST_MANY_ROOTS; i++) {
		KUNIT_EXPECT_TRUE(test, gh_gc_test_intact(roots[i]));
		KUNIT_EXPECT_EQ(test, goheap_gc_remove_root(d, &roots[i]), 0);
	}
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count),
			(u64)GH_GC_TEST_MANY_ROOTS);
}

#define GH_GC_TEST_LIMIT_ALLOCS	20000

/*
 * Garbage allocated a section at a time against a memory limit, with GOGC
 * off and with a minimum heap far above the limit: the limit's cycle
 * always runs before an allocation is refused, so none is.
 */
static void gh_gc_test_limit_collects_first(struct kunit *test)
{
	const struct goheap_gc_opts opts[] = {
		{ .mem_limit = 64 * PAGE_SIZE, .gogc = GOHEAP_GC_OFF },
		{ .mem_limit = 64 * PAGE_SIZE, .min_heap = 64 << 20 },
	};
	struct goheap_gc_domain *d;
	unsigned int i, o, refused;
	int tok;

	for (o = 0; o < ARRAY_SIZE(opts); o++) {
		d = gh_gc_test_domain(test, o ? "limit-heap" : "limit-off", &opts[o]);
		for (i = refused = 0; i < GH_GC_TEST_LIMIT_ALLOCS; i++) {
			tok = gh_gc_test_enter(test, d);
			refused += !goheap_gc_alloc(d, &gh_gc_test_node_type, GFP_KERNEL);
			KUNIT_ASSERT_EQ(test, goheap_gc_exit(d, tok), 0);
		}
		KUNIT_EXPECT_EQ(test, refused, 0U);
		KUNIT_EXPECT_EQ(test, d->stats.limit_failures, 0ULL);
		KUNIT_EXPECT_GT(test, d->stats.num_gc, 0ULL);
		KUNIT_EXPECT_LE(test, d->span_bytes, (u64)opts[o].mem_limit);
		KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
	}
}

static void gh_gc_test_pacing_triggers_cycles(struct kunit *test)
{
	struct goheap_gc_opts opts = { .gogc = 50, .min_heap = 64 * 1024 };
	struct goheap_gc_domain *d = gh_gc_test_domain(test, "paced", &opts);
	unsigned int i;
	int tok;

	tok = gh_gc_test_enter(test, d);
	for (i = 0; i < 50000; i++) {
		struct gh_gc_test_node *n = goheap_gc_alloc(d, &gh_gc_test_node_type, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, n);
		n->id = i;
		n->check = gh_gc_test_check_of(i);
		if (!(i % 1024)) {
			goheap_gc_exit(d, tok);
			cond_resched();
			tok = gh_gc_test_enter(test, d);
		}
	}
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(d, tok), 0);
	flush_work(&d->cycle_work);
	/* nothing was rooted: the heap never grew far past its goal */
	KUNIT_EXPECT_GT(test, d->stats.num_gc, 0ULL);
	KUNIT_EXPECT_EQ(test, d->stats.num_forced_gc, 0ULL);
	KUNIT_EXPECT_LT(test, d->span_bytes, 50000ULL * GH_GC_TEST_NODE_SIZE);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count), 50000ULL);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.twice), 0ULL);
}

/*
 * A heap past its goal while a cycle marks: refills assist, and every
 * assist is counted and bounded (100 us and one slice of 16 objects; the
 * bound checked here is loose, for a KASAN kernel under TCG). The cycle
 * cannot end while the list is built in one section, so the marking bit
 * stays on through it.
 */
static void gh_gc_test_assists(struct kunit *test)
{
	struct goheap_gc_opts opts = { .gogc = 10, .min_heap = 64 * 1024 };
	struct gh_gc_test_shape s;
	unsigned int i;

	gh_gc_test_shape_begin(test, &s, "assists", &opts);
	gh_gc_test_set(test, s.d, &s.root, gh_gc_test_list(test, &s, 50000, false));
	for (i = 0; i < 50000; i++) {
		if (!(i % 1024)) {
			KUNIT_ASSERT_EQ(test, goheap_gc_exit(s.d, s.tok), 0);
			cond_resched();
			s.tok = gh_gc_test_enter(test, s.d);
		}
		gh_gc_test_new(test, s.d, s.next_id++);	/* garbage */
		s.garbage++;
	}
	gh_gc_test_shape_end(test, &s, 50000);
	KUNIT_EXPECT_GT(test, s.d->stats.assists, 0ULL);
	KUNIT_EXPECT_GE(test, s.d->stats.assist_ns, s.d->stats.assist_max_ns);
	KUNIT_EXPECT_LT(test, s.d->stats.assist_max_ns, 50ULL * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, gh_gc_test_list_verify(s.root, false), 50000ULL);
	gh_gc_test_shape_destroy(test, &s);
}

#define GH_GC_TEST_TYPES	100	/* more than the domain's type table holds */
#define GH_GC_TEST_TYPE_ROUNDS	10

/* The type record of the GC object @p, looked up through its span. */
static const struct goheap_gc_type *gh_gc_test_type_of(const void *p)
{
	const struct goheap_gc_type *type = NULL;
	struct gh_span *span;

	rcu_read_lock();
	span = gh_span_of(p);
	if (span && span->state == GH_SPAN_GC)
		type = gh_gc_span_tinfo(span)->type;
	rcu_read_unlock();
	return type;
}

/*
 * Many types in one domain, allocated in turn: types whose descriptors share
 * a slot of the domain's type table still get objects of their own type,
 * of their own size, that do not overlap; HeapAlloc counts each.
 */
static void gh_gc_test_many_types(struct kunit *test)
{
	struct goheap_gc_opts opts = { .gogc = GOHEAP_GC_OFF };
	unsigned int i, r, n = GH_GC_TEST_TYPES * GH_GC_TEST_TYPE_ROUNDS;
	struct goheap_gc_type *types;
	struct goheap_gc_domain *d;
	u64 bytes = 0;
	u8 **objs;
	int tok;

	types = kunit_kcalloc(test, GH_GC_TEST_TYPES, sizeof(*types), GFP_KERNEL);
	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, types);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < GH_GC_TEST_TYPES; i++)
		types[i].size = 8 + 8 * i;
	d = gh_gc_test_domain(test, "manytypes", &opts);
	tok = gh_gc_test_enter(test, d);
	for (r = 0; r < GH_GC_TEST_TYPE_ROUNDS; r++) {
		for (i = 0; i < GH_GC_TEST_TYPES; i++) {
			u8 *p = goheap_gc_alloc(d, &types[i], GFP_KERNEL);

			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_PTR_EQ(test, gh_gc_test_type_of(p), &types[i]);
			memset(p, i, types[i].size);
			objs[r * GH_GC_TEST_TYPES + i] = p;
			bytes += gh_classes[gh_size_to_class(types[i].size)].size;
		}
	}
	for (r = 0; r < n; r++) {
		i = r % GH_GC_TEST_TYPES;
		KUNIT_EXPECT_EQ(test, objs[r][0], (u8)i);
		KUNIT_EXPECT_EQ(test, objs[r][types[i].size - 1], (u8)i);
	}
	spin_lock_bh(&d->lock);
	KUNIT_EXPECT_EQ(test, gh_gc_heap_alloc(d), bytes);
	spin_unlock_bh(&d->lock);
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(d, tok), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
}

/* A timer (softirq context) that allocates and stores in a domain. */
struct gh_gc_test_softirq {
	struct timer_list timer;
	struct goheap_gc_domain *d;
	void *root;			/* the timer's list, registered */
	u64 next_id;
	unsigned int fired, failed;
	bool stop;
};

#define GH_GC_TEST_SOFTIRQ_NODES	8	/* per timer run */
#define GH_GC_TEST_SOFTIRQ_ID0		(1ULL << 21)

static void gh_gc_test_softirq_fn(struct timer_list *t)
{
	struct gh_gc_test_softirq *st = from_timer(st, t, timer);
	struct gh_gc_test_node *n;
	unsigned int i;
	int tok;

	tok = goheap_gc_enter(st->d);
	if (tok < 0) {
		st->failed++;
		return;
	}
	for (i = 0; i < GH_GC_TEST_SOFTIRQ_NODES; i++) {
		n = goheap_gc_alloc(st->d, &gh_gc_test_node_type, GFP_ATOMIC);
		if (!n) {
			st->failed++;
			break;
		}
		n->id = st->next_id++;
		n->check = gh_gc_test_check_of(n->id);
		st->failed += !!goheap_gc_store(st->d, (void **)&n->next,
						goheap_gc_load(&st->root));
		st->failed += !!goheap_gc_store(st->d, &st->root, n);
	}
	goheap_gc_exit(st->d, tok);
	st->fired++;
	if (!READ_ONCE(st->stop))
		mod_timer(&st->timer, jiffies + 1);
}

/*
 * Allocation and stores from softirq context (a timer) while the task
 * allocates in the same domain and collects: no deadlock on the domain's
 * locks (lockdep would report one taken in softirq and with softirqs on),
 * and the timer's list, rooted, survives every cycle intact.
 */
static void gh_gc_test_softirq(struct kunit *test)
{
	struct gh_gc_test_softirq *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	struct gh_gc_test_shape s;
	unsigned int r, i;

	KUNIT_ASSERT_NOT_NULL(test, st);
	gh_gc_test_shape_begin(test, &s, "softirq", NULL);
	st->d = s.d;
	st->next_id = GH_GC_TEST_SOFTIRQ_ID0;
	KUNIT_ASSERT_EQ(test, goheap_gc_add_root(s.d, &st->root), 0);
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(s.d, s.tok), 0);
	timer_setup(&st->timer, gh_gc_test_softirq_fn, 0);
	mod_timer(&st->timer, jiffies + 1);
	for (r = 0; r < 20; r++) {
		s.tok = gh_gc_test_enter(test, s.d);
		for (i = 0; i < 2000; i++) {
			gh_gc_test_new(test, s.d, s.next_id++);	/* garbage */
			s.garbage++;
		}
		KUNIT_ASSERT_EQ(test, goheap_gc_exit(s.d, s.tok), 0);
		KUNIT_ASSERT_EQ(test, goheap_gc_collect(s.d), 0);
	}
	WRITE_ONCE(st->stop, true);
	del_timer_sync(&st->timer);
	KUNIT_EXPECT_GT(test, st->fired, 0U);
	KUNIT_EXPECT_EQ(test, st->failed, 0U);
	KUNIT_EXPECT_EQ(test, gh_gc_test_list_verify(st->root, false),
			(u64)st->fired * GH_GC_TEST_SOFTIRQ_NODES);
	s.tok = gh_gc_test_enter(test, s.d);
	gh_gc_test_shape_end(test, &s, (u64)st->fired * GH_GC_TEST_SOFTIRQ_NODES);
	KUNIT_EXPECT_EQ(test, goheap_gc_remove_root(s.d, &st->root), 0);
	gh_gc_test_shape_destroy(test, &s);
}

/* ---- bad input ------------------------------------------------------------------------ */

static void gh_gc_test_bad_types(struct kunit *test)
{
	static const size_t outside[] = { 64 };
	static const size_t misaligned[] = { 4 };
	static const struct goheap_gc_type zero = { .name = "zero", .size = 0 };
	static const struct goheap_gc_type out = {
		.name = "out", .size = 64, .ptr_offsets = outside, .nr_ptrs = 1,
	};
	static const struct goheap_gc_type mis = {
		.name = "mis", .size = 64, .ptr_offsets = misaligned, .nr_ptrs = 1,
	};
	struct goheap_gc_domain *d = gh_gc_test_domain(test, "badtypes", NULL);
	int tok = gh_gc_test_enter(test, d);

	KUNIT_EXPECT_NULL(test, goheap_gc_alloc(d, NULL, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, goheap_gc_alloc(d, &zero, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, goheap_gc_alloc(d, &out, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, goheap_gc_alloc(d, &mis, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, d->stats.bad_types, 4ULL);
	KUNIT_EXPECT_EQ(test, d->heap_alloc, 0ULL);
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(d, tok), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
}

/* DMA, DMA32 and HIGHMEM are refused as the manual heap refuses them. */
static void gh_gc_test_bad_gfp(struct kunit *test)
{
	static const gfp_t refused[] = { __GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM };
	struct goheap_stats *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	struct goheap_gc_domain *d = gh_gc_test_domain(test, "badgfp", NULL);
	unsigned long long before;
	unsigned int i;
	int tok;

	KUNIT_ASSERT_NOT_NULL(test, st);
	goheap_read_stats(st);
	before = st->bad_gfp;
	tok = gh_gc_test_enter(test, d);
	for (i = 0; i < ARRAY_SIZE(refused); i++)
		KUNIT_EXPECT_NULL(test, goheap_gc_alloc(d, &gh_gc_test_node_type,
							GFP_KERNEL | refused[i]));
	KUNIT_EXPECT_EQ(test, d->heap_alloc, 0ULL);
	KUNIT_EXPECT_NOT_NULL(test, goheap_gc_alloc(d, &gh_gc_test_node_type, GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(d, tok), 0);
	goheap_read_stats(st);
	KUNIT_EXPECT_EQ(test, st->bad_gfp - before, ARRAY_SIZE(refused));
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
}

/* 40 bytes in a 48-byte class: the last 8 bytes of each slot are no field */
static const size_t gh_gc_test_pad_ptrs[] = { 0, 32 };
static const struct goheap_gc_type gh_gc_test_pad_type = {
	.name = "gc_pad",
	.size = 40,
	.ptr_offsets = gh_gc_test_pad_ptrs,
	.nr_ptrs = ARRAY_SIZE(gh_gc_test_pad_ptrs),
};

/*
 * The checked barrier reads the pointer map without a bound check (the map
 * covers the class slot): a word past the type's size, a misaligned slot
 * and a plain word are refused, the type's pointer fields taken.
 */
static void gh_gc_test_store_past_type(struct kunit *test)
{
	struct goheap_gc_domain *d = goheap_gc_create("pastype", NULL);
	void **a, **b, *pad;
	int tok;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(d));
	tok = gh_gc_test_enter(test, d);
	a = goheap_gc_alloc(d, &gh_gc_test_pad_type, GFP_KERNEL);
	b = goheap_gc_alloc(d, &gh_gc_test_pad_type, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	pad = a[5];	/* past the type: whatever the slot held */
	KUNIT_EXPECT_EQ(test, goheap_gc_store(d, &a[4], b), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_store(d, &a[0], b), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_store(d, &a[5], b), -EINVAL);
	KUNIT_EXPECT_EQ(test, goheap_gc_store(d, &a[1], b), -EINVAL);
	KUNIT_EXPECT_EQ(test, goheap_gc_store(d, (void **)((char *)a + 4), b), -EINVAL);
	KUNIT_EXPECT_EQ(test, d->stats.bad_stores, 3ULL);
	KUNIT_EXPECT_PTR_EQ(test, a[0], (void *)b);
	KUNIT_EXPECT_PTR_EQ(test, a[4], (void *)b);
	KUNIT_EXPECT_PTR_EQ(test, a[5], pad);
	KUNIT_EXPECT_NULL(test, a[1]);
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(d, tok), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
}

/*
 * A CPU's store cache remembers the span of its last checked store. Once
 * that span is swept away, a store through a stale pointer into it must
 * miss the cache and be refused, not land in freed memory (KASAN would see
 * the freed span structure read).
 */
static void gh_gc_test_store_cache_outdated(struct kunit *test)
{
	struct goheap_gc_domain *d = gh_gc_test_domain(test, "storecache", NULL);
	struct gh_gc_test_node *a, *b;
	int tok, i;

	migrate_disable();	/* one CPU's store cache throughout */
	tok = gh_gc_test_enter(test, d);
	a = gh_gc_test_new(test, d, 0);
	b = gh_gc_test_new(test, d, 1);
	gh_gc_test_set(test, d, &a->next, b);	/* caches the span */
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(d, tok), 0);
	/* both unreachable: cycles free them, then their span */
	for (i = 0; i < 5 && READ_ONCE(d->span_bytes); i++)
		KUNIT_EXPECT_EQ(test, goheap_gc_collect(d), 0);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, d->span_bytes, 0ULL);
	tok = gh_gc_test_enter(test, d);
	KUNIT_EXPECT_EQ(test, goheap_gc_store(d, (void **)&a->next, NULL), -EINVAL);
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(d, tok), 0);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, d->stats.bad_stores, 1ULL);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
}

/* The span of the live GC object @p of @d; a live object keeps it. */
static struct gh_span *gh_gc_test_span(struct goheap_gc_domain *d, const void *p)
{
	struct gh_span *span;

	rcu_read_lock();
	span = gh_gc_domain_span(d, p);
	rcu_read_unlock();
	return span;
}

/*
 * Values checked against the cached span: an interior, misaligned pointer
 * into a live object is taken; a slot of the span never handed out, and
 * the span's tail past its last object, are refused.
 */
static void gh_gc_test_store_cache_values(struct kunit *test)
{
	struct goheap_gc_domain *d = gh_gc_test_domain(test, "storevalues", NULL);
	struct gh_gc_test_node *a, *b;
	struct gh_span *span;
	void *free_slot, *tail;
	int tok;

	migrate_disable();	/* one CPU's cache: a and b share a fresh span */
	tok = gh_gc_test_enter(test, d);
	a = gh_gc_test_new(test, d, 0);
	b = gh_gc_test_new(test, d, 1);
	KUNIT_ASSERT_PTR_EQ(test, b, a + 1);
	span = gh_gc_test_span(d, a);
	KUNIT_ASSERT_NOT_NULL(test, span);
	KUNIT_ASSERT_GT(test, span->nelems, 2U);
	free_slot = b + 1;
	tail = span->base + (size_t)span->nelems * span->size;
	gh_gc_test_set(test, d, &a->next, b);		/* caches the span */
	gh_gc_test_set(test, d, &a->left, (char *)b + 3);
	KUNIT_EXPECT_EQ(test, goheap_gc_store(d, (void **)&a->right, free_slot), -EINVAL);
	KUNIT_EXPECT_EQ(test, goheap_gc_store(d, (void **)&a->right, tail), -EINVAL);
	KUNIT_EXPECT_EQ(test, goheap_gc_store(d, (void **)&a->right, (char *)span->base - 1),
			-EINVAL);
	KUNIT_EXPECT_NULL(test, a->right);
	KUNIT_EXPECT_EQ(test, d->stats.bad_stores, 3ULL);
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(d, tok), 0);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
}

/*
 * The marker scans an object's own fields and nothing past it: with a
 * reachable object and, next to it in its span, a garbage object that
 * points to a third, a cycle frees both of the latter.
 */
static void gh_gc_test_scan_own_fields(struct kunit *test)
{
	struct goheap_gc_domain *d = gh_gc_test_domain(test, "ownfields", NULL);
	struct gh_gc_test_node *a, *b, *c;
	void *root = NULL;
	int tok;

	KUNIT_ASSERT_EQ(test, goheap_gc_add_root(d, &root), 0);
	migrate_disable();	/* one CPU's cache: neighbours in one span */
	tok = gh_gc_test_enter(test, d);
	a = gh_gc_test_new(test, d, 0);
	b = gh_gc_test_new(test, d, 1);
	c = gh_gc_test_new(test, d, 2);
	KUNIT_ASSERT_PTR_EQ(test, b, a + 1);
	gh_gc_test_set(test, d, &root, a);
	gh_gc_test_set(test, d, &b->next, c);
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(d, tok), 0);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, goheap_gc_collect(d), 0);
	KUNIT_EXPECT_EQ(test, gh_gc_test_live_objects(d, GH_GC_TEST_NODE_SIZE), 1ULL);
	KUNIT_EXPECT_EQ(test, goheap_gc_remove_root(d, &root), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
}

/* 2 KiB objects with pointer fields in their first and last words */
#define GH_GC_TEST_BIG_WORDS	(2048 / sizeof(void *))
static const size_t gh_gc_test_big_ptrs[] = { 0, 2048 - sizeof(void *) };
static const struct goheap_gc_type gh_gc_test_big_type = {
	.name = "gc_big",
	.size = 2048,
	.ptr_offsets = gh_gc_test_big_ptrs,
	.nr_ptrs = ARRAY_SIZE(gh_gc_test_big_ptrs),
};

#define GH_GC_TEST_BIG_OBJECTS	200

/*
 * The type's pointer map repeats over the longest span the type can have:
 * in a grown span (more objects than its class's own), the last object's
 * fields are taken and its plain word refused. KASAN would see the map
 * read past its end if it were short.
 */
static void gh_gc_test_store_grown_span(struct kunit *test)
{
	struct goheap_gc_domain *d = gh_gc_test_domain(test, "grownspan", NULL);
	void ***objs = kunit_kcalloc(test, GH_GC_TEST_BIG_OBJECTS, sizeof(*objs), GFP_KERNEL);
	struct gh_span *span = NULL;
	void **last = NULL;
	int tok, i;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	tok = gh_gc_test_enter(test, d);
	for (i = 0; i < GH_GC_TEST_BIG_OBJECTS; i++) {
		objs[i] = goheap_gc_alloc(d, &gh_gc_test_big_type, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	/* the last object of the last span that grew */
	for (i = 0; i < GH_GC_TEST_BIG_OBJECTS; i++) {
		struct gh_span *s = gh_gc_test_span(d, objs[i]);

		if (s->nelems > gh_classes[s->cls].nelems &&
		    objs[i] == gh_span_obj(s, s->nelems - 1)) {
			span = s;
			last = objs[i];
		}
	}
	KUNIT_ASSERT_NOT_NULL(test, last);
	KUNIT_EXPECT_LE(test, span->nelems, gh_span_grown_objects_max(span->cls));
	gh_gc_test_set(test, d, &last[0], last);
	gh_gc_test_set(test, d, &last[GH_GC_TEST_BIG_WORDS - 1], objs[0]);
	KUNIT_EXPECT_EQ(test, goheap_gc_store(d, &last[1], last), -EINVAL);
	KUNIT_EXPECT_EQ(test, goheap_gc_store(d, &last[GH_GC_TEST_BIG_WORDS - 2], last),
			-EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, last[GH_GC_TEST_BIG_WORDS - 1], (void *)objs[0]);
	KUNIT_EXPECT_NULL(test, last[1]);
	KUNIT_EXPECT_EQ(test, d->stats.bad_stores, 2ULL);
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(d, tok), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
}

/* A pinned timer's checked stores, from softirq context on the task's CPU. */
struct gh_gc_test_irq_stores {
	struct timer_list timer;
	struct goheap_gc_domain *d;
	void **pad;			/* an object of gh_gc_test_pad_type */
	int good, bad, enter;
	struct completion done;
};

static void gh_gc_test_irq_stores_fn(struct timer_list *t)
{
	struct gh_gc_test_irq_stores *is = from_timer(is, t, timer);
	int tok = goheap_gc_enter(is->d);

	is->enter = tok < 0 ? tok : 0;
	if (tok >= 0) {
		is->good = goheap_gc_store(is->d, &is->pad[0], is->pad);
		is->bad = goheap_gc_store(is->d, &is->pad[1], is->pad);
		goheap_gc_exit(is->d, tok);
	}
	complete(&is->done);
}

/*
 * Only task context writes a CPU's store cache: an interrupt's stores are
 * checked as well (the pointer field taken, the plain word refused), in a
 * span described on its stack, and leave the interrupted CPU's cached span
 * as it was.
 */
static void gh_gc_test_store_cache_irq(struct kunit *test)
{
	struct goheap_gc_domain *d = gh_gc_test_domain(test, "storeirq", NULL);
	struct gh_gc_test_irq_stores is = { .d = d };
	struct gh_gc_test_node *a;
	struct gh_gc_store_cache *sc;
	void *cached_base;
	int tok;

	init_completion(&is.done);
	migrate_disable();	/* the timer fires on this CPU */
	tok = gh_gc_test_enter(test, d);
	a = gh_gc_test_new(test, d, 0);
	is.pad = goheap_gc_alloc(d, &gh_gc_test_pad_type, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, is.pad);
	KUNIT_ASSERT_PTR_NE(test, gh_gc_test_span(d, a), gh_gc_test_span(d, is.pad));
	gh_gc_test_set(test, d, &a->next, a);		/* caches a's span */
	sc = this_cpu_ptr(d->store_cache);
	cached_base = READ_ONCE(sc->base);
	KUNIT_ASSERT_PTR_EQ(test, cached_base, gh_gc_test_span(d, a)->base);
	timer_setup_on_stack(&is.timer, gh_gc_test_irq_stores_fn, TIMER_PINNED);
	mod_timer(&is.timer, jiffies + 1);
	wait_for_completion(&is.done);
	del_timer_sync(&is.timer);
	destroy_timer_on_stack(&is.timer);
	KUNIT_EXPECT_EQ(test, is.enter, 0);
	KUNIT_EXPECT_EQ(test, is.good, 0);
	KUNIT_EXPECT_EQ(test, is.bad, -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, is.pad[0], (void *)is.pad);
	KUNIT_EXPECT_NULL(test, is.pad[1]);
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(sc->base), cached_base);
	gh_gc_test_set(test, d, &a->prev, a);
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(d, tok), 0);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, d->stats.bad_stores, 1ULL);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
}

static void gh_gc_test_bad_stores(struct kunit *test)
{
	struct gh_gc_test_node *a, *b;
	struct gh_gc_test_shape s;
	void *foreign = kmalloc(64, GFP_KERNEL);
	void *unrooted = NULL;

	KUNIT_ASSERT_NOT_NULL(test, foreign);
	gh_gc_test_shape_begin(test, &s, "badstores", NULL);
	a = gh_gc_test_new(test, s.d, s.next_id++);
	b = gh_gc_test_new(test, s.d, s.next_id++);
	gh_gc_test_set(test, s.d, &s.root, a);
	gh_gc_test_set(test, s.d, &a->next, b);
	/* a foreign pointer into a field, and stores to slots that are no field */
	KUNIT_EXPECT_EQ(test, goheap_gc_store(s.d, (void **)&a->left, foreign), -EINVAL);
	KUNIT_EXPECT_EQ(test, goheap_gc_store(s.d, (void **)&a->id, b), -EINVAL);
	KUNIT_EXPECT_EQ(test, goheap_gc_store(s.d, &unrooted, b), -EINVAL);
	KUNIT_EXPECT_EQ(test, goheap_gc_store(s.d, (void **)foreign, b), -EINVAL);
	KUNIT_EXPECT_EQ(test, s.d->stats.bad_stores, 4ULL);
	/* nothing was written */
	KUNIT_EXPECT_NULL(test, a->left);
	KUNIT_EXPECT_EQ(test, a->id, 0ULL);
	KUNIT_EXPECT_NULL(test, unrooted);
	/* a field holding a foreign pointer (written behind the barrier's back) */
	WRITE_ONCE(a->right, foreign);
	s.garbage = 0;
	gh_gc_test_shape_end(test, &s, 2);
	KUNIT_EXPECT_GT(test, (u64)atomic64_read(&s.d->stats.foreign_ptrs), 0ULL);
	KUNIT_EXPECT_TRUE(test, gh_gc_test_intact(a) && a->next == b && gh_gc_test_intact(b));
	WRITE_ONCE(a->right, NULL);
	gh_gc_test_shape_destroy(test, &s);
	kfree(foreign);
}

/*
 * Exits with no open section behind the token (never one, out of range,
 * negative, closed already), and collect or destroy of any domain from
 * inside a section: each refused and counted, nothing else changed.
 */
static void gh_gc_test_bad_sections(struct kunit *test)
{
	struct goheap_gc_domain *d = gh_gc_test_domain(test, "badsections", NULL);
	struct goheap_gc_domain *e = gh_gc_test_domain(test, "badsections_e", NULL);
	int outer, inner;

	KUNIT_EXPECT_EQ(test, goheap_gc_exit(d, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(d, -1), -EINVAL);
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(d, INT_MAX), -EINVAL);
	outer = gh_gc_test_enter(test, d);
	inner = gh_gc_test_enter(test, d);		/* nested */
	KUNIT_EXPECT_EQ(test, goheap_gc_collect(d), -EDEADLK);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), -EDEADLK);
	/* nor another domain's: its sections may wait for this one */
	KUNIT_EXPECT_EQ(test, goheap_gc_collect(e), -EDEADLK);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(e), -EDEADLK);
	KUNIT_EXPECT_EQ(test, e->stats.bad_sections, 2ULL);
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(d, inner), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_collect(d), -EDEADLK);
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(d, inner), -EINVAL);	/* closed */
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(d, outer), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(d, outer), -EINVAL);
	KUNIT_EXPECT_EQ(test, d->stats.bad_sections, 8ULL);
	KUNIT_EXPECT_EQ(test, goheap_gc_collect(d), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(e), 0);
}

#define GH_GC_TEST_MANY_SECTIONS	1100	/* past 16 per CPU + 1024 shared */

/*
 * Sections nested deeper than a CPU's slots go on in the shared overflow
 * slots, each with its own token; past those, enter refuses with -EBUSY
 * (reported, counted) and nothing else changes. All close again, in any
 * order, and the domain collects afterwards.
 */
static void gh_gc_test_many_sections(struct kunit *test)
{
	struct goheap_gc_domain *d = gh_gc_test_domain(test, "manysections", NULL);
	int *tok = kunit_kcalloc(test, GH_GC_TEST_MANY_SECTIONS, sizeof(*tok), GFP_KERNEL);
	unsigned int i, open = 0, busy = 0;

	KUNIT_ASSERT_NOT_NULL(test, tok);
	migrate_disable();	/* one CPU's slots first, then the shared ones */
	for (i = 0; i < GH_GC_TEST_MANY_SECTIONS; i++) {
		tok[i] = goheap_gc_enter(d);
		if (tok[i] >= 0)
			open++;
		else
			busy += tok[i] == -EBUSY;
	}
	migrate_enable();
	KUNIT_EXPECT_GT(test, open, 16U + 1000U);
	KUNIT_EXPECT_EQ(test, open + busy, GH_GC_TEST_MANY_SECTIONS);
	KUNIT_EXPECT_GT(test, busy, 0U);
	KUNIT_EXPECT_EQ(test, d->stats.bad_sections, (u64)busy);
	KUNIT_EXPECT_EQ(test, goheap_gc_collect(d), -EDEADLK);
	/* the odd ones first, then the rest: any order closes them */
	for (i = 1; i < GH_GC_TEST_MANY_SECTIONS; i += 2)
		if (tok[i] >= 0)
			KUNIT_EXPECT_EQ(test, goheap_gc_exit(d, tok[i]), 0);
	for (i = 0; i < GH_GC_TEST_MANY_SECTIONS; i += 2)
		if (tok[i] >= 0)
			KUNIT_EXPECT_EQ(test, goheap_gc_exit(d, tok[i]), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_collect(d), 0);
	/* a slot freed is a slot to take again */
	i = gh_gc_test_enter(test, d);
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(d, i), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
}

struct gh_gc_test_other_exit {
	struct goheap_gc_domain *d;
	int tok, ret;
	struct completion done;
};

static int gh_gc_test_other_exit_fn(void *arg)
{
	struct gh_gc_test_other_exit *o = arg;

	o->ret = goheap_gc_exit(o->d, o->tok);
	complete(&o->done);
	return 0;
}

/* Another task cannot close a section with its token. */
static void gh_gc_test_exit_other_task(struct kunit *test)
{
	struct gh_gc_test_other_exit o = { .d = gh_gc_test_domain(test, "exitother", NULL) };
	struct task_struct *t;

	o.tok = gh_gc_test_enter(test, o.d);
	init_completion(&o.done);
	t = kthread_run(gh_gc_test_other_exit_fn, &o, "gc-exit-other");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&o.done);
	KUNIT_EXPECT_EQ(test, o.ret, -EINVAL);
	KUNIT_EXPECT_EQ(test, o.d->stats.bad_sections, 1ULL);
	KUNIT_EXPECT_EQ(test, goheap_gc_collect(o.d), -EDEADLK);
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(o.d, o.tok), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(o.d), 0);
}

/* An exit names the domain it leaves: the wrong one is refused, no harm done. */
static void gh_gc_test_exit_wrong_domain(struct kunit *test)
{
	struct goheap_gc_domain *d = gh_gc_test_domain(test, "exitwrong_d", NULL);
	struct goheap_gc_domain *e = gh_gc_test_domain(test, "exitwrong_e", NULL);
	int tok = gh_gc_test_enter(test, d);

	KUNIT_EXPECT_EQ(test, goheap_gc_exit(e, tok), -EINVAL);
	KUNIT_EXPECT_EQ(test, e->stats.bad_sections, 1ULL);
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(d, tok), 0);
	KUNIT_EXPECT_EQ(test, d->stats.bad_sections, 0ULL);
	/* both usable afterwards */
	KUNIT_EXPECT_EQ(test, goheap_gc_collect(d), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_collect(e), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(e), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
}

static void gh_gc_test_double_destroy(struct kunit *test)
{
	struct goheap_gc_domain *d = gh_gc_test_domain(test, "twice", NULL);
	u64 before = gh_gc_double_destroy_count();

	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), -ENOENT);
	KUNIT_EXPECT_EQ(test, gh_gc_double_destroy_count() - before, 1ULL);
}

/* Every bad argument to goheap_gc_create() is refused, and makes nothing. */
static void gh_gc_test_bad_create(struct kunit *test)
{
	static const struct goheap_gc_opts bad_opts[] = {
		{ .gogc = GOHEAP_GC_OFF - 1 },
		{ .flags = GOHEAP_GC_UNCHECKED << 1 },
		{ .mark_workers = GH_GC_MAX_MARK_WORKERS + 1 },
	};
	struct goheap_gc_domain *taken = gh_gc_test_domain(test, "taken", NULL);
	struct goheap_gc_domain *d;
	char long_name[GH_GC_NAME_LEN + 1];
	unsigned int i;

	memset(long_name, 'x', GH_GC_NAME_LEN);
	long_name[GH_GC_NAME_LEN] = '\0';
	KUNIT_EXPECT_EQ(test, PTR_ERR(goheap_gc_create(NULL, NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(goheap_gc_create("", NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(goheap_gc_create(long_name, NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(goheap_gc_create("a/b", NULL)), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(bad_opts); i++)
		KUNIT_EXPECT_EQ(test, PTR_ERR(goheap_gc_create("badopts", &bad_opts[i])),
				-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(goheap_gc_create("taken", NULL)), -EEXIST);
	/* nothing was made: the names are free, the one taken still works */
	d = goheap_gc_create("badopts", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(d));
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_collect(taken), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(taken), 0);
}

static void gh_gc_test_destroy_with_live_objects(struct kunit *test)
{
	struct gh_gc_test_shape s;

	gh_gc_test_shape_begin(test, &s, "destroylive", NULL);
	gh_gc_test_set(test, s.d, &s.root, gh_gc_test_tree(test, &s, 9));
	KUNIT_ASSERT_EQ(test, goheap_gc_exit(s.d, s.tok), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(s.d), 0);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.count), 1023ULL);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&gh_gc_test_rel.twice), 0ULL);
}

/* Bytes in the kernel's unreclaimable slab, per-CPU deltas included. */
static long gh_gc_test_slab_bytes(void)
{
	long bytes = atomic_long_read(&vm_node_stat[NR_SLAB_UNRECLAIMABLE_B]);
	unsigned int cpu;
	int nid;

	for_each_online_cpu(cpu)
		for_each_online_node(nid)
			bytes += per_cpu_ptr(NODE_DATA(nid)->per_cpu_nodestats, cpu)
					->vm_node_stat_diff[NR_SLAB_UNRECLAIMABLE_B];
	return bytes;
}

/* Blocks on the domain's gray lists, listed or spare. */
static unsigned int gh_gc_test_gray_blocks(struct goheap_gc_domain *d)
{
	struct gh_gray_block *b;
	unsigned int n = 0;

	spin_lock_bh(&d->gray_lock);
	list_for_each_entry(b, &d->gray, node)
		n++;
	list_for_each_entry(b, &d->gray_free, node)
		n++;
	spin_unlock_bh(&d->gray_lock);
	return n;
}

#define GH_GC_TEST_FLAT_DOMAINS	10
#define GH_GC_TEST_CYCLES	1000	/* per domain: 10,000 in all */
#define GH_GC_TEST_SLAB_SLACK	(1L << 20)

/* A tiny domain whose cycles one kthread runs back to back. */
struct gh_gc_test_cycler {
	struct gh_gc_test_shape s;
	unsigned int failed;
	struct completion done;
};

static int gh_gc_test_cycler_fn(void *arg)
{
	struct gh_gc_test_cycler *c = arg;
	unsigned int i;

	for (i = 0; i < GH_GC_TEST_CYCLES; i++)
		c->failed += !!goheap_gc_collect(c->s.d);
	complete(&c->done);
	return 0;
}

/*
 * 10,000 cycles of tiny domains, 1000 each for ten domains at once (their
 * handshakes share grace periods, which a single domain's 10,000 cycles in
 * a row would wait for one by one, past KUnit's time limit): the memory
 * the collector holds is flat (each cycle used to add four 4 KiB gray
 * blocks, kept until destroy), and destroy gives back everything the
 * domains took.
 */
static void gh_gc_test_cycles_hold_flat(struct kunit *test)
{
	long slab_start = gh_gc_test_slab_bytes(), slab_warm;
	struct gh_gc_test_cycler *c;
	struct task_struct *t;
	char name[16];
	unsigned int i, k;

	c = kunit_kcalloc(test, GH_GC_TEST_FLAT_DOMAINS, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	for (i = 0; i < GH_GC_TEST_FLAT_DOMAINS; i++) {
		snprintf(name, sizeof(name), "flat%u", i);
		gh_gc_test_shape_begin(test, &c[i].s, name, NULL);
		gh_gc_test_set(test, c[i].s.d, &c[i].s.root,
			       gh_gc_test_new(test, c[i].s.d, c[i].s.next_id++));
		KUNIT_ASSERT_EQ(test, goheap_gc_exit(c[i].s.d, c[i].s.tok), 0);
		for (k = 0; k < 10; k++)
			KUNIT_ASSERT_EQ(test, goheap_gc_collect(c[i].s.d), 0);
		init_completion(&c[i].done);
	}
	slab_warm = gh_gc_test_slab_bytes();
	for (i = 0; i < GH_GC_TEST_FLAT_DOMAINS; i++) {
		t = kthread_run(gh_gc_test_cycler_fn, &c[i], "gc-flat/%u", i);
		if (IS_ERR(t)) {
			KUNIT_FAIL(test, "no kthread for domain %u", i);
			c[i].failed++;
			complete(&c[i].done);
		}
	}
	for (i = 0; i < GH_GC_TEST_FLAT_DOMAINS; i++)
		wait_for_completion(&c[i].done);
	KUNIT_EXPECT_LT(test, gh_gc_test_slab_bytes() - slab_warm, GH_GC_TEST_SLAB_SLACK);
	for (i = 0; i < GH_GC_TEST_FLAT_DOMAINS; i++) {
		struct goheap_gc_domain *d = c[i].s.d;

		KUNIT_EXPECT_EQ(test, c[i].failed, 0U);
		KUNIT_EXPECT_EQ(test, d->stats.num_gc, 10ULL + GH_GC_TEST_CYCLES);
		KUNIT_EXPECT_LE(test, gh_gc_test_gray_blocks(d), GH_GC_GRAY_SPARE);
		KUNIT_EXPECT_EQ(test, gh_gc_test_live_objects(d, GH_GC_TEST_NODE_SIZE), 1ULL);
		KUNIT_EXPECT_EQ(test, goheap_gc_remove_root(d, &c[i].s.root), 0);
		KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
	}
	rcu_barrier();	/* spans are freed after a grace period */
	KUNIT_EXPECT_LT(test, gh_gc_test_slab_bytes() - slab_start, GH_GC_TEST_SLAB_SLACK);
}

static int gh_gc_test_suite_init(struct kunit_suite *suite)
{
	size_t *off = kcalloc(GH_GC_TEST_FANOUT, sizeof(*off), GFP_KERNEL);
	unsigned int i;

	if (!off)
		return -ENOMEM;
	for (i = 0; i < GH_GC_TEST_FANOUT; i++)
		off[i] = i * sizeof(void *);
	gh_gc_test_fan_offsets = off;
	gh_gc_test_fan_type.ptr_offsets = off;
	return 0;
}

static void gh_gc_test_suite_exit(struct kunit_suite *suite)
{
	kfree(gh_gc_test_fan_offsets);
}

static struct kunit_case gh_gc_cases[] = {
	KUNIT_CASE(gh_gc_test_lists),
	KUNIT_CASE(gh_gc_test_binary_tree),
	KUNIT_CASE(gh_gc_test_parallel_mark),
	KUNIT_CASE(gh_gc_test_cycles_and_self_loops),
	KUNIT_CASE(gh_gc_test_dag_shared_children),
	KUNIT_CASE(gh_gc_test_interior_pointers),
	KUNIT_CASE(gh_gc_test_islands),
	KUNIT_CASE(gh_gc_test_million_chain),
	KUNIT_CASE(gh_gc_test_fanout),
	KUNIT_CASE(gh_gc_test_concurrent_mutation),
	KUNIT_CASE(gh_gc_test_shadow_model),
	KUNIT_CASE(gh_gc_test_roots_during_marking),
	KUNIT_CASE(gh_gc_test_many_roots),
	KUNIT_CASE(gh_gc_test_two_domains),
	KUNIT_CASE(gh_gc_test_nested_domains),
	KUNIT_CASE(gh_gc_test_page_alloc_failure),
	KUNIT_CASE(gh_gc_test_memory_limit),
	KUNIT_CASE(gh_gc_test_limit_collects_first),
	KUNIT_CASE(gh_gc_test_pacing_triggers_cycles),
	KUNIT_CASE(gh_gc_test_assists),
	KUNIT_CASE(gh_gc_test_softirq),
	KUNIT_CASE(gh_gc_test_many_types),
	KUNIT_CASE(gh_gc_test_bad_types),
	KUNIT_CASE(gh_gc_test_bad_gfp),
	KUNIT_CASE(gh_gc_test_bad_stores),
	KUNIT_CASE(gh_gc_test_store_past_type),
	KUNIT_CASE(gh_gc_test_store_cache_outdated),
	KUNIT_CASE(gh_gc_test_store_cache_values),
	KUNIT_CASE(gh_gc_test_store_cache_irq),
	KUNIT_CASE(gh_gc_test_store_grown_span),
	KUNIT_CASE(gh_gc_test_scan_own_fields),
	KUNIT_CASE(gh_gc_test_bad_sections),
	KUNIT_CASE(gh_gc_test_exit_other_task),
	KUNIT_CASE(gh_gc_test_many_sections),
	KUNIT_CASE(gh_gc_test_exit_wrong_domain),
	KUNIT_CASE(gh_gc_test_cycles_hold_flat),
	KUNIT_CASE(gh_gc_test_double_destroy),
	KUNIT_CASE(gh_gc_test_bad_create),
	KUNIT_CASE(gh_gc_test_destroy_with_live_objects),
	{}
};

struct kunit_suite gh_gc_suite = {
	.name = "goheap_gc",
	.init = gh_gc_test_init,
	.exit = gh_gc_test_exit,
	.suite_init = gh_gc_test_suite_init,
	.suite_exit = gh_gc_test_suite_exit,
	.test_cases = gh_gc_cases,
};
