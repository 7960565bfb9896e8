/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small protocol buffer encoder and a gzip writer (pprof.c): enough to
 * write the allocation profile as the profile.proto that `go tool pprof`
 * reads. A leaf: it calls nothing of goheap's.
 */
#ifndef _GOHEAP_PPROF_H
#define _GOHEAP_PPROF_H

#include <linux/types.h>

/* A growing buffer (kvmalloc'd); @err is set once a write could not grow it. */
struct gh_pb {
	u8 *buf;
	size_t len, cap;
	bool err;
};

#define GH_PB_VARINT	0	/* wire types */
#define GH_PB_LEN	2

void gh_pb_free(struct gh_pb *b);
void gh_pb_varint(struct gh_pb *b, u64 v);
void gh_pb_uint(struct gh_pb *b, unsigned int field, u64 v);
void gh_pb_bytes(struct gh_pb *b, unsigned int field, const void *p,
		 size_t len);
void gh_pb_packed(struct gh_pb *b, unsigned int field, const u64 *v,
		  unsigned int n);
size_t gh_pb_get_varint(const u8 *p, size_t len, u64 *v);

int gh_gzip(const u8 *in, size_t len, u8 **out, size_t *outlen);

/* One sample of a heap profile: its stack, leaf first, and its values. */
struct gh_pprof_sample {
	const unsigned long *pcs;
	unsigned int npcs;
	u64 size;		/* the objects' size: the "bytes" label */
	u64 v[4];		/* alloc_objects alloc_space inuse_objects inuse_space */
};

int gh_pprof_heap(const struct gh_pprof_sample *s, unsigned int n, u64 period,
		  struct gh_pb *out);

#endif /* _GOHEAP_PPROF_H */
