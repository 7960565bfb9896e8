// SPDX-License-Identifier: GPL-2.0
/*
 * The allocation profile as `go tool pprof` reads it: profile.proto
 * (github.com/google/pprof, proto/profile.proto), encoded by hand, gzipped.
 *
 * Protocol buffers on the wire: each field is a key, (field number << 3) |
 * wire type, as a varint, then its value: a varint (wire type 0: 7 bits a
 * byte, least significant first, the top bit set on every byte but the
 * last) or a length-delimited run of bytes (wire type 2: its length as a
 * varint, then the bytes), which carries strings, submessages and packed
 * repeated numbers. Submessages are encoded into a scratch buffer first, so
 * that their length is known when they are appended.
 *
 * gzip (RFC 1952) is a 10-byte header, raw deflate data (RFC 1951), the
 * CRC-32 of the uncompressed bytes and their length mod 2^32, both little
 * endian. The deflate data comes from the kernel's zlib_deflate when the
 * kernel has it (CONFIG_ZLIB_DEFLATE, as Debian's kernels do); otherwise,
 * and if it fails, the bytes go in as stored blocks, uncompressed, which
 * every inflater reads too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32.h>
#include <linux/kallsyms.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/zlib.h>
#include <kunit/visibility.h>

#include "pprof.h"

/* profile.proto's field numbers */
enum {
	PROFILE_SAMPLE_TYPE = 1,
	PROFILE_SAMPLE = 2,
	PROFILE_LOCATION = 4,
	PROFILE_FUNCTION = 5,
	PROFILE_STRING_TABLE = 6,
	PROFILE_PERIOD_TYPE = 11,
	PROFILE_PERIOD = 12,
	VALUETYPE_TYPE = 1,
	VALUETYPE_UNIT = 2,
	SAMPLE_LOCATION_ID = 1,
	SAMPLE_VALUE = 2,
	SAMPLE_LABEL = 3,
	LABEL_KEY = 1,
	LABEL_NUM = 3,
	LOCATION_ID = 1,
	LOCATION_LINE = 4,
	LINE_FUNCTION_ID = 1,
	FUNCTION_ID = 1,
	FUNCTION_NAME = 2,
	FUNCTION_SYSTEM_NAME = 3,
};

/* The string table's fixed part; function names follow. */
static const char *const gh_pprof_strings[] = {
	"", "alloc_objects", "count", "alloc_space", "bytes",
	"inuse_objects", "inuse_space", "space",
};

enum { STR_ALLOC_OBJECTS = 1, STR_COUNT, STR_ALLOC_SPACE, STR_BYTES,
	STR_INUSE_OBJECTS, STR_INUSE_SPACE, STR_SPACE, STR_FIRST_FUNCTION };

/* sample_type: the values of each sample, in order */
static const u8 gh_pprof_types[4][2] = {
	{ STR_ALLOC_OBJECTS, STR_COUNT }, { STR_ALLOC_SPACE, STR_BYTES },
	{ STR_INUSE_OBJECTS, STR_COUNT }, { STR_INUSE_SPACE, STR_BYTES },
};

static bool gh_pb_room(struct gh_pb *b, size_t n)
{
	size_t cap;
	u8 *nb;

	if (b->err)
		return false;
	if (n <= b->cap - b->len)
		return true;
	cap = max(2 * b->cap, b->len + n + 256);
	nb = kvmalloc(cap, GFP_KERNEL);
	if (!nb) {
		b->err = true;
		return false;
	}
	if (b->len)
		memcpy(nb, b->buf, b->len);
	kvfree(b->buf);
	b->buf = nb;
	b->cap = cap;
	return true;
}

/**
 * gh_pb_free() - free a buffer's memory and empty it
 * @b: the buffer
 */
void gh_pb_free(struct gh_pb *b)
{
	kvfree(b->buf);
	*b = (struct gh_pb){};
}
EXPORT_SYMBOL_IF_KUNIT(gh_pb_free);

/**
 * gh_pb_varint() - append @v as a varint
 * @b: the buffer
 * @v: the value
 */
void gh_pb_varint(struct gh_pb *b, u64 v)
{
	if (!gh_pb_room(b, 10))
		return;
	while (v >= 0x80) {
		b->buf[b->len++] = (u8)v | 0x80;
		v >>= 7;
	}
	b->buf[b->len++] = v;
}
EXPORT_SYMBOL_IF_KUNIT(gh_pb_varint);

/**
 * gh_pb_get_varint() - read a varint
 * @p: bytes
 * @len: how many there are
 * @v: the value read
 *
 * Return: the bytes it took, or 0 if @p holds no whole varint.
 */
size_t gh_pb_get_varint(const u8 *p, size_t len, u64 *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < len && i < 10; i++) {
		*v |= (u64)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80))
			return i + 1;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gh_pb_get_varint);

/**
 * gh_pb_uint() - append a varint field
 * @b: the buffer
 * @field: its field number
 * @v: its value
 */
void gh_pb_uint(struct gh_pb *b, unsigned int field, u64 v)
{
	gh_pb_varint(b, (u64)field << 3 | GH_PB_VARINT);
	gh_pb_varint(b, v);
}
EXPORT_SYMBOL_IF_KUNIT(gh_pb_uint);

/**
 * gh_pb_bytes() - append a length-delimited field
 * @b: the buffer
 * @field: its field number
 * @p: its bytes: a string or an encoded submessage
 * @len: how many
 */
void gh_pb_bytes(struct gh_pb *b, unsigned int field, const void *p,
		 size_t len)
{
	gh_pb_varint(b, (u64)field << 3 | GH_PB_LEN);
	gh_pb_varint(b, len);
	if (len && gh_pb_room(b, len)) {
		memcpy(b->buf + b->len, p, len);
		b->len += len;
	}
}
EXPORT_SYMBOL_IF_KUNIT(gh_pb_bytes);

/**
 * gh_pb_packed() - append a packed repeated varint field
 * @b: the buffer
 * @field: its field number
 * @v: the values
 * @n: how many
 */
void gh_pb_packed(struct gh_pb *b, unsigned int field, const u64 *v,
		  unsigned int n)
{
	size_t len = 0;
	unsigned int i;
	u64 x;

	for (i = 0; i < n; i++)
		for (x = v[i], len++; x >= 0x80; x >>= 7)
			len++;
	gh_pb_varint(b, (u64)field << 3 | GH_PB_LEN);
	gh_pb_varint(b, len);
	for (i = 0; i < n; i++)
		gh_pb_varint(b, v[i]);
}
EXPORT_SYMBOL_IF_KUNIT(gh_pb_packed);

/* Append @sub to @b as field @field, and empty @sub for the next one. */
static void gh_pb_sub(struct gh_pb *b, unsigned int field, struct gh_pb *sub)
{
	if (sub->err)
		b->err = true;
	gh_pb_bytes(b, field, sub->buf, sub->len);
	sub->len = 0;
}

static int gh_pprof_cmp_pc(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Index of @pc in the sorted unique @pcs[0 .. @n). */
static unsigned int gh_pprof_find(const unsigned long *pcs, unsigned int n,
				  unsigned long pc)
{
	unsigned int lo = 0, hi = n, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (pcs[mid] <= pc)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static void gh_pprof_locations(struct gh_pb *out, struct gh_pb *sub,
			       struct gh_pb *line, const unsigned long *pcs,
			       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		/* no LOCATION_ADDRESS: debugfs files show no kernel address */
		gh_pb_uint(sub, LOCATION_ID, i + 1);
		gh_pb_uint(line, LINE_FUNCTION_ID, i + 1);
		gh_pb_sub(sub, LOCATION_LINE, line);
		gh_pb_sub(out, PROFILE_LOCATION, sub);
	}
	for (i = 0; i < n; i++) {
		gh_pb_uint(sub, FUNCTION_ID, i + 1);
		gh_pb_uint(sub, FUNCTION_NAME, STR_FIRST_FUNCTION + i);
		gh_pb_uint(sub, FUNCTION_SYSTEM_NAME, STR_FIRST_FUNCTION + i);
		gh_pb_sub(out, PROFILE_FUNCTION, sub);
	}
}

static void gh_pprof_samples(struct gh_pb *out, struct gh_pb *sub,
			     struct gh_pb *label,
			     const struct gh_pprof_sample *s, unsigned int n,
			     const unsigned long *pcs, unsigned int npcs, u64 *ids)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < s[i].npcs; j++)
			ids[j] = gh_pprof_find(pcs, npcs, s[i].pcs[j]) + 1;
		gh_pb_packed(sub, SAMPLE_LOCATION_ID, ids, s[i].npcs);
		gh_pb_packed(sub, SAMPLE_VALUE, s[i].v, ARRAY_SIZE(s[i].v));
		gh_pb_uint(label, LABEL_KEY, STR_BYTES);
		gh_pb_uint(label, LABEL_NUM, s[i].size);
		gh_pb_sub(sub, SAMPLE_LABEL, label);
		gh_pb_sub(out, PROFILE_SAMPLE, sub);
	}
}

/**
 * gh_pprof_heap() - encode a heap profile
 * @s: its samples
 * @n: how many
 * @period: the sampling period, in bytes
 * @out: an empty buffer, filled with the profile.proto (not gzipped)
 *
 * Each distinct address of the stacks is a location with one line, whose
 * function is named by the address's "%pS" string (kallsyms); the address
 * itself is left out, as every debugfs file of goheap's leaves it out.
 *
 * Context: process context; may sleep.
 * Return: 0, or -ENOMEM (@out is then freed).
 */
int gh_pprof_heap(const struct gh_pprof_sample *s, unsigned int n, u64 period,
		  struct gh_pb *out)
{
	struct gh_pb sub = {}, inner = {};
	unsigned int i, j, total = 0, npcs = 0, depth = 0;
	unsigned long *pcs;
	char *name;
	int ret = -ENOMEM;
	u64 *ids;

	for (i = 0; i < n; i++) {
		total += s[i].npcs;
		depth = max(depth, s[i].npcs);
	}
	pcs = kvmalloc_array(total + 1, sizeof(*pcs), GFP_KERNEL);
	ids = kvmalloc_array(depth + 1, sizeof(*ids), GFP_KERNEL);
	name = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	if (!pcs || !ids || !name)
		goto nomem;
	for (i = 0; i < n; i++)
		for (j = 0; j < s[i].npcs; j++)
			pcs[npcs++] = s[i].pcs[j];
	sort(pcs, npcs, sizeof(*pcs), gh_pprof_cmp_pc, NULL);
	for (i = 0, j = 0; i < npcs; i++)
		if (!j || pcs[i] != pcs[j - 1])
			pcs[j++] = pcs[i];
	npcs = j;

	for (i = 0; i < ARRAY_SIZE(gh_pprof_types); i++) {
		gh_pb_uint(&sub, VALUETYPE_TYPE, gh_pprof_types[i][0]);
		gh_pb_uint(&sub, VALUETYPE_UNIT, gh_pprof_types[i][1]);
		gh_pb_sub(out, PROFILE_SAMPLE_TYPE, &sub);
	}
	gh_pprof_samples(out, &sub, &inner, s, n, pcs, npcs, ids);
	gh_pprof_locations(out, &sub, &inner, pcs, npcs);
	for (i = 0; i < ARRAY_SIZE(gh_pprof_strings); i++)
		gh_pb_bytes(out, PROFILE_STRING_TABLE, gh_pprof_strings[i],
			    strlen(gh_pprof_strings[i]));
	for (i = 0; i < npcs; i++) {
		snprintf(name, KSYM_SYMBOL_LEN, "%pS", (void *)pcs[i]);
		gh_pb_bytes(out, PROFILE_STRING_TABLE, name, strlen(name));
	}
	gh_pb_uint(&sub, VALUETYPE_TYPE, STR_SPACE);
	gh_pb_uint(&sub, VALUETYPE_UNIT, STR_BYTES);
	gh_pb_sub(out, PROFILE_PERIOD_TYPE, &sub);
	gh_pb_uint(out, PROFILE_PERIOD, period);
	if (!sub.err && !inner.err && !out->err)
		ret = 0;
nomem:
	gh_pb_free(&sub);
	gh_pb_free(&inner);
	kfree(name);
	kvfree(ids);
	kvfree(pcs);
	if (ret)
		gh_pb_free(out);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(gh_pprof_heap);

static void gh_put_le32(u8 *p, u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* @in as deflate stored blocks at @out; return the bytes written. */
static size_t gh_deflate_stored(const u8 *in, size_t len, u8 *out)
{
	size_t o = 0, chunk;

	do {
		chunk = min_t(size_t, len, 0xffff);
		out[o++] = chunk == len;	/* BFINAL, BTYPE 00: stored */
		out[o++] = chunk;
		out[o++] = chunk >> 8;
		out[o++] = ~chunk;
		out[o++] = ~chunk >> 8;
		memcpy(out + o, in, chunk);
		o += chunk;
		in += chunk;
		len -= chunk;
	} while (len);
	return o;
}

#if IS_ENABLED(CONFIG_ZLIB_DEFLATE)
/* @in deflated at @out (@room bytes); return the bytes written, 0 if it failed. */
static size_t gh_deflate_zlib(const u8 *in, size_t len, u8 *out, size_t room)
{
	struct z_stream_s z = {};
	size_t done = 0;

	z.workspace = vzalloc(zlib_deflate_workspacesize(MAX_WBITS, MAX_MEM_LEVEL));
	if (!z.workspace)
		return 0;
	if (zlib_deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS,
			      MAX_MEM_LEVEL, Z_DEFAULT_STRATEGY) == Z_OK) {
		z.next_in = in;
		z.avail_in = len;
		z.next_out = out;
		z.avail_out = room;
		if (zlib_deflate(&z, Z_FINISH) == Z_STREAM_END)
			done = z.total_out;
		zlib_deflateEnd(&z);
	}
	vfree(z.workspace);
	return done;
}
#else
static size_t gh_deflate_zlib(const u8 *in, size_t len, u8 *out, size_t room)
{
	return 0;
}
#endif

/**
 * gh_gzip() - gzip @len bytes at @in
 * @in: the bytes
 * @len: how many, below 4 GiB
 * @out: set to the gzip stream, kvmalloc'd (kvfree() it)
 * @outlen: set to its length
 *
 * Context: process context; may sleep.
 * Return: 0, or -ENOMEM.
 */
int gh_gzip(const u8 *in, size_t len, u8 **out, size_t *outlen)
{
	/* stored blocks take 5 bytes a 64 KiB; the 10-byte header, 8 after */
	size_t room = len + 5 * (len / 0xffff + 1), n;
	u8 *buf = kvmalloc(room + 18, GFP_KERNEL);

	if (!buf)
		return -ENOMEM;
	buf[0] = 0x1f;			/* magic */
	buf[1] = 0x8b;
	buf[2] = 8;			/* deflate */
	buf[3] = 0;			/* no flags */
	gh_put_le32(buf + 4, 0);	/* no modification time */
	buf[8] = 0;
	buf[9] = 3;			/* Unix */
	n = gh_deflate_zlib(in, len, buf + 10, room);
	if (!n)
		n = gh_deflate_stored(in, len, buf + 10);
	gh_put_le32(buf + 10 + n, crc32_le(~0U, in, len) ^ ~0U);
	gh_put_le32(buf + 14 + n, len);
	*out = buf;
	*outlen = n + 18;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gh_gzip);
