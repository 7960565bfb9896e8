// SPDX-License-Identifier: GPL-2.0
/*
 * The allocation profile's pieces (profile.c, pprof.c): the sampler's
 * fixed-point logarithm and exponential and the distribution of its
 * distances, the protocol buffer encoder and the gzip writer.
 */
#include <linux/crc32.h>
#include <linux/math64.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "tests.h"
#include "../pprof.h"
#include "../profile.h"

#define ONE_Q16		(1U << 16)
#define ONE_Q32		(1ULL << 32)

static void gh_prof_test_neg_log2(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, gh_profile_neg_log2(1ULL << 32), 0U);
	KUNIT_EXPECT_EQ(test, gh_profile_neg_log2(1ULL << 31), ONE_Q16);
	KUNIT_EXPECT_EQ(test, gh_profile_neg_log2(1), 32 * ONE_Q16);
	/* -log2(0.75) = 27199.90 / 2^16; within 2^-16 */
	KUNIT_EXPECT_GE(test, gh_profile_neg_log2(3ULL << 30), 27199U);
	KUNIT_EXPECT_LE(test, gh_profile_neg_log2(3ULL << 30), 27201U);
	/* -log2(0.1) = 217705.88 / 2^16 */
	KUNIT_EXPECT_GE(test, gh_profile_neg_log2(429496730), 217705U);
	KUNIT_EXPECT_LE(test, gh_profile_neg_log2(429496730), 217707U);
}

static void gh_prof_test_exp(struct kunit *test)
{
	/* exp(0) = 1, exp(-ln 2) = 1/2, exp(-1) = 0.3678794 */
	KUNIT_EXPECT_EQ(test, gh_profile_exp_neg(0), ONE_Q32);
	KUNIT_EXPECT_LE(test, abs((s64)gh_profile_exp_neg(2977044472ULL) - (s64)(ONE_Q32 / 2)),
			64);
	KUNIT_EXPECT_LE(test, abs((s64)gh_profile_exp_neg(ONE_Q32) - 1580030169LL), 64);
	/* exp(-3) = 0.0497871 */
	KUNIT_EXPECT_LE(test, abs((s64)gh_profile_exp_neg(3 * ONE_Q32) - 213833830LL), 64);
	KUNIT_EXPECT_EQ(test, gh_profile_exp_neg(64 * ONE_Q32), 0ULL);
}

/*
 * The distances' mean. Over an even grid of u the mean is the integral of
 * -ln(u), 1, up to the grid's error (0.31 / n, at the midpoints used
 * here) and the arithmetic's (2^-16 * ln 2): well under 0.1 %. Over
 * random draws, the mean of n exponential draws has standard deviation
 * rate / sqrt(n): 4 of them is 2.83 % for n = 20000 (a false failure once
 * in 15000 runs), plus the fixed point's 2e-5.
 */
#define GH_DRAWS	20000

static void gh_prof_test_draw_mean(struct kunit *test)
{
	const unsigned int rate = 1U << 20;
	u64 sum = 0, dev;
	unsigned int i;

	for (i = 0; i < GH_DRAWS; i++)
		sum += gh_profile_draw(rate, (u32)div_u64((2ULL * i + 1) << 31, GH_DRAWS));
	dev = abs((s64)div_u64(sum, GH_DRAWS) - (s64)rate);
	KUNIT_EXPECT_LE_MSG(test, dev, rate / 1000, "grid mean %llu, rate %u",
			    div_u64(sum, GH_DRAWS), rate);

	sum = 0;
	for (i = 0; i < GH_DRAWS; i++)
		sum += gh_profile_draw(rate, get_random_u32());
	dev = abs((s64)div_u64(sum, GH_DRAWS) - (s64)rate);
	/* 4 / sqrt(20000) = 0.02828, + 2e-5 */
	KUNIT_EXPECT_LE_MSG(test, dev, (u64)rate * 2839 / 100000,
			    "random mean %llu, rate %u", div_u64(sum, GH_DRAWS), rate);
	/* the largest distance: 32 * ln 2 = 22.18 times the mean */
	KUNIT_EXPECT_LE(test, gh_profile_draw(rate, 0), 23ULL * rate);
	KUNIT_EXPECT_EQ(test, gh_profile_draw(rate, U32_MAX), 0ULL);
}

static void gh_prof_test_varint(struct kunit *test)
{
	static const u64 vals[] = { 0, 1, 127, 128, 300, 16383, 16384,
				    U32_MAX, 1ULL << 56, U64_MAX };
	static const u8 pb150[] = { 0x08, 0x96, 0x01 };
	static const u8 pbstr[] = { 0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g' };
	static const u8 packed[] = { 0x0a, 0x04, 0x03, 0x8e, 0x02, 0x01 };
	const u64 pv[] = { 3, 270, 1 };
	struct gh_pb b = {};
	size_t off = 0, n;
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(vals); i++)
		gh_pb_varint(&b, vals[i]);
	KUNIT_ASSERT_FALSE(test, b.err);
	/* 1+1+1+2+2+2+3+5+9+10 bytes */
	KUNIT_EXPECT_EQ(test, b.len, (size_t)36);
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		n = gh_pb_get_varint(b.buf + off, b.len - off, &v);
		KUNIT_ASSERT_NE(test, n, (size_t)0);
		KUNIT_EXPECT_EQ(test, v, vals[i]);
		off += n;
	}
	KUNIT_EXPECT_EQ(test, off, b.len);
	gh_pb_free(&b);

	/* the protocol buffers documentation's examples */
	gh_pb_uint(&b, 1, 150);
	KUNIT_ASSERT_EQ(test, b.len, sizeof(pb150));
	KUNIT_EXPECT_EQ(test, memcmp(b.buf, pb150, sizeof(pb150)), 0);
	gh_pb_free(&b);
	gh_pb_bytes(&b, 2, "testing", 7);
	KUNIT_ASSERT_EQ(test, b.len, sizeof(pbstr));
	KUNIT_EXPECT_EQ(test, memcmp(b.buf, pbstr, sizeof(pbstr)), 0);
	gh_pb_free(&b);
	gh_pb_packed(&b, 1, pv, ARRAY_SIZE(pv));
	KUNIT_ASSERT_EQ(test, b.len, sizeof(packed));
	KUNIT_EXPECT_EQ(test, memcmp(b.buf, packed, sizeof(packed)), 0);
	gh_pb_free(&b);
}

static u32 get_le32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static void gh_prof_test_gzip(struct kunit *test)
{
	static const u8 head[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	const size_t big = 200000;	/* more than three stored blocks */
	u8 *out, *in;
	size_t len;

	KUNIT_ASSERT_EQ(test, gh_gzip((const u8 *)"hello", 5, &out, &len), 0);
	KUNIT_ASSERT_GE(test, len, sizeof(head) + 8);
	KUNIT_EXPECT_EQ(test, memcmp(out, head, sizeof(head)), 0);
	/* CRC-32 of "hello" and the length */
	KUNIT_EXPECT_EQ(test, get_le32(out + len - 8), 0x3610a686U);
	KUNIT_EXPECT_EQ(test, get_le32(out + len - 4), 5U);
	if (out[10] == 1) {	/* one final stored block */
		KUNIT_EXPECT_EQ(test, len, (size_t)10 + 5 + 5 + 8);
		KUNIT_EXPECT_EQ(test, get_le32(out + 11), 0xfffa0005U);
		KUNIT_EXPECT_EQ(test, memcmp(out + 15, "hello", 5), 0);
	}
	kvfree(out);

	in = kvmalloc(big, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	get_random_bytes(in, big);
	KUNIT_ASSERT_EQ(test, gh_gzip(in, big, &out, &len), 0);
	KUNIT_EXPECT_EQ(test, get_le32(out + len - 8), crc32_le(~0U, in, big) ^ ~0U);
	KUNIT_EXPECT_EQ(test, get_le32(out + len - 4), (u32)big);
	/* random bytes do not compress: at most stored blocks' size */
	KUNIT_EXPECT_LE(test, len, big + 5 * (big / 65535 + 1) + 18);
	kvfree(out);
	kvfree(in);
}

static bool gh_prof_has(const struct gh_pb *b, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i + n <= b->len; i++)
		if (!memcmp(b->buf + i, s, n))
			return true;
	return false;
}

static void gh_prof_test_pprof(struct kunit *test)
{
	const unsigned long pcs[] = { (unsigned long)gh_prof_test_pprof,
				      (unsigned long)gh_prof_test_gzip };
	struct gh_pprof_sample s = {
		.pcs = pcs, .npcs = ARRAY_SIZE(pcs), .size = 64,
		.v = { 10, 640, 4, 256 },
	};
	struct gh_pb b = {};
	u64 v;
	size_t n;

	KUNIT_ASSERT_EQ(test, gh_pprof_heap(&s, 1, 4096, &b), 0);
	/* field 1 (sample_type), length-delimited, a 4-byte ValueType {1, 2} */
	KUNIT_EXPECT_EQ(test, b.buf[0], 0x0a);
	KUNIT_EXPECT_EQ(test, b.buf[1], 4);
	KUNIT_EXPECT_EQ(test, b.buf[2], 0x08);
	KUNIT_EXPECT_EQ(test, b.buf[3], 1);	/* "alloc_objects" */
	KUNIT_EXPECT_TRUE(test, gh_prof_has(&b, "inuse_space"));
	/* a function named by kallsyms, as %pS prints it */
	KUNIT_EXPECT_TRUE(test, gh_prof_has(&b, "gh_prof_test_gzip+0x0/"));
	/* ends with period (field 12) = 4096 */
	KUNIT_ASSERT_GE(test, b.len, (size_t)3);
	KUNIT_EXPECT_EQ(test, b.buf[b.len - 3], 12 << 3);
	n = gh_pb_get_varint(b.buf + b.len - 2, 2, &v);
	KUNIT_EXPECT_EQ(test, n, (size_t)2);
	KUNIT_EXPECT_EQ(test, v, 4096ULL);
	gh_pb_free(&b);
}

static struct kunit_case gh_profile_cases[] = {
	KUNIT_CASE(gh_prof_test_neg_log2),
	KUNIT_CASE(gh_prof_test_exp),
	KUNIT_CASE(gh_prof_test_draw_mean),
	KUNIT_CASE(gh_prof_test_varint),
	KUNIT_CASE(gh_prof_test_gzip),
	KUNIT_CASE(gh_prof_test_pprof),
	{}
};

struct kunit_suite gh_profile_suite = {
	.name = "goheap_profile",
	.test_cases = gh_profile_cases,
};
