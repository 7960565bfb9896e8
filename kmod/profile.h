/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allocation profile (profile.c): the sampler malloc.c asks on its slow
 * paths, and the buckets a sampled large span points to.
 */
#ifndef _GOHEAP_PROFILE_H
#define _GOHEAP_PROFILE_H

#include <linux/types.h>

struct dentry;
struct gh_prof_bucket;

/* profile_rate (main.c's module parameter): mean bytes between samples */
extern unsigned int gh_profile_rate;
#define GH_PROFILE_RATE_DEFAULT	(64U << 20)

void gh_profile_init(struct dentry *root);
void gh_profile_exit(void);
void gh_profile_rearm_all(void);
bool gh_profile_due(unsigned int cls);
bool gh_profile_tick(size_t size);
struct gh_prof_bucket *gh_profile_alloc(size_t size, gfp_t gfp);
void gh_profile_free(struct gh_prof_bucket *b);

/* for the KUnit suite */
u32 gh_profile_neg_log2(u64 x);
u64 gh_profile_draw(unsigned int rate, u32 rnd);
u64 gh_profile_exp_neg(u64 x);

#endif /* _GOHEAP_PROFILE_H */
