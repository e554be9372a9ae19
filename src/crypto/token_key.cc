// TokenKey: keyed BLAKE2b-128 (RFC 7693) with the key block compressed
// once. Must give exactly crypto::Token's bytes (libsodium's
// crypto_generichash with a 32-byte key and 16-byte output); tested
// against it on random keys, domains and values of every length class.
// ComputeFour hashes four one-block messages at once with AVX2 (one per
// 64-bit lane), where the CPU has it.
#include <immintrin.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "common/little_endian.h"
#include "crypto/crypto.h"

namespace kinlink::crypto {

namespace {

constexpr std::size_t kBlockBytes = 128;

constexpr std::array<std::uint64_t, 8> kIv = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

constexpr std::uint8_t kSigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

// One BLAKE2b round of G steps over the state v (columns, then diagonals),
// and the twelve rounds, written out (constant indices into kSigma).
#define KL_BLAKE2B_ROUND_OF(G, r)            \
  G(r, 0, v[0], v[4], v[8], v[12])           \
  G(r, 1, v[1], v[5], v[9], v[13])           \
  G(r, 2, v[2], v[6], v[10], v[14])          \
  G(r, 3, v[3], v[7], v[11], v[15])          \
  G(r, 4, v[0], v[5], v[10], v[15])          \
  G(r, 5, v[1], v[6], v[11], v[12])          \
  G(r, 6, v[2], v[7], v[8], v[13])           \
  G(r, 7, v[3], v[4], v[9], v[14])
#define KL_BLAKE2B_TWELVE_ROUNDS(ROUND) \
  ROUND(0) ROUND(1) ROUND(2) ROUND(3) ROUND(4) ROUND(5) ROUND(6) ROUND(7) ROUND(8) ROUND(9) \
  ROUND(10) ROUND(11)

constexpr std::uint64_t Rotr(std::uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

// Token's message starts with the domain's length as 4 little-endian bytes.
void PutDomainLength(std::string_view domain, unsigned char out[4]) {
  const auto n = static_cast<std::uint32_t>(domain.size());
  for (int i = 0; i < 4; ++i) out[i] = static_cast<unsigned char>(n >> (8 * i));
}

// A token's bytes: the first two result words, little-endian.
void PutToken(std::uint64_t h0, std::uint64_t h1, unsigned char* out) {
  static_assert(kTokenBytes == 16);
  StoreLe64(h0, out);
  StoreLe64(h1, out + 8);
}

// One compression of `block` into h; t = bytes hashed so far, including
// this block; last = whether it is the final block.
void Compress(std::uint64_t h[8], const unsigned char* block, std::uint64_t t, bool last) {
  std::uint64_t m[16];
  for (int i = 0; i < 16; ++i) m[i] = LoadLe64(block + 8 * i);
  std::uint64_t v[16];
  for (int i = 0; i < 8; ++i) {
    v[i] = h[i];
    v[i + 8] = kIv[i];
  }
  v[12] ^= t;
  if (last) v[14] = ~v[14];
  // Written out round by round (constant indices), so that v and m stay
  // in registers: a loop over kSigma made it twice as slow.
#define KL_BLAKE2B_G(r, i, a, b, c, d) \
  a = a + b + m[kSigma[r][2 * (i)]];   \
  d = Rotr(d ^ a, 32);                 \
  c = c + d;                           \
  b = Rotr(b ^ c, 24);                 \
  a = a + b + m[kSigma[r][2 * (i) + 1]]; \
  d = Rotr(d ^ a, 16);                 \
  c = c + d;                           \
  b = Rotr(b ^ c, 63);
#define KL_BLAKE2B_ROUND(r) KL_BLAKE2B_ROUND_OF(KL_BLAKE2B_G, r)
  KL_BLAKE2B_TWELVE_ROUNDS(KL_BLAKE2B_ROUND)
#undef KL_BLAKE2B_ROUND
#undef KL_BLAKE2B_G
  for (int i = 0; i < 8; ++i) h[i] ^= v[i] ^ v[i + 8];
  sodium_memzero(v, sizeof v);
  sodium_memzero(m, sizeof m);
}

// Four final compressions side by side, one message per 64-bit lane of
// the AVX2 registers (the same G steps as Compress on four independent
// states): the chaining value is `chain` in every lane, lane j hashes
// blocks[j] with byte count t[j]. out[j] = the first kTokenBytes of lane
// j's result.
__attribute__((target("avx2"))) void CompressFour(const std::uint64_t chain[8],
                                                  const unsigned char* const blocks[4],
                                                  const std::uint64_t t[4],
                                                  unsigned char* const out[4]) {
  __m256i m[16];
  for (int i = 0; i < 16; ++i) {
    m[i] = _mm256_set_epi64x(static_cast<long long>(LoadLe64(blocks[3] + 8 * i)),
                             static_cast<long long>(LoadLe64(blocks[2] + 8 * i)),
                             static_cast<long long>(LoadLe64(blocks[1] + 8 * i)),
                             static_cast<long long>(LoadLe64(blocks[0] + 8 * i)));
  }
  __m256i v[16];
  for (int i = 0; i < 8; ++i) {
    v[i] = _mm256_set1_epi64x(static_cast<long long>(chain[i]));
    v[i + 8] = _mm256_set1_epi64x(static_cast<long long>(kIv[i]));
  }
  v[12] = _mm256_xor_si256(v[12], _mm256_set_epi64x(static_cast<long long>(t[3]),
                                                    static_cast<long long>(t[2]),
                                                    static_cast<long long>(t[1]),
                                                    static_cast<long long>(t[0])));
  v[14] = _mm256_xor_si256(v[14], _mm256_set1_epi64x(-1));  // the final block
  // Byte rotations of each 64-bit lane by 24 and 16 bits.
  const __m256i rot24 = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3,
                                         4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
  const __m256i rot16 = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2,
                                         3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
#define KL_BLAKE2B_G4(r, i, a, b, c, d)                                                  \
  a = _mm256_add_epi64(_mm256_add_epi64(a, b), m[kSigma[r][2 * (i)]]);                  \
  d = _mm256_shuffle_epi32(_mm256_xor_si256(d, a), 0xb1);                               \
  c = _mm256_add_epi64(c, d);                                                           \
  b = _mm256_shuffle_epi8(_mm256_xor_si256(b, c), rot24);                               \
  a = _mm256_add_epi64(_mm256_add_epi64(a, b), m[kSigma[r][2 * (i) + 1]]);              \
  d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot16);                               \
  c = _mm256_add_epi64(c, d);                                                           \
  b = _mm256_xor_si256(b, c);                                                           \
  b = _mm256_or_si256(_mm256_srli_epi64(b, 63), _mm256_add_epi64(b, b));
#define KL_BLAKE2B_ROUND4(r) KL_BLAKE2B_ROUND_OF(KL_BLAKE2B_G4, r)
  KL_BLAKE2B_TWELVE_ROUNDS(KL_BLAKE2B_ROUND4)
#undef KL_BLAKE2B_ROUND4
#undef KL_BLAKE2B_G4
  // h[i] = chain[i] ^ v[i] ^ v[i + 8]; a token is h[0] and h[1].
  alignas(32) std::uint64_t h0[4], h1[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(h0),
                     _mm256_xor_si256(_mm256_set1_epi64x(static_cast<long long>(chain[0])),
                                      _mm256_xor_si256(v[0], v[8])));
  _mm256_store_si256(reinterpret_cast<__m256i*>(h1),
                     _mm256_xor_si256(_mm256_set1_epi64x(static_cast<long long>(chain[1])),
                                      _mm256_xor_si256(v[1], v[9])));
  for (int j = 0; j < 4; ++j) PutToken(h0[j], h1[j], out[j]);
  sodium_memzero(v, sizeof v);
  sodium_memzero(m, sizeof m);
  sodium_memzero(h0, sizeof h0);
  sodium_memzero(h1, sizeof h1);
}

bool HaveAvx2() {
  static const bool have = __builtin_cpu_supports("avx2") != 0;
  return have;
}

// Writes Token's message for (domain, value) — the domain's length as 4
// little-endian bytes, the domain, the value — into `block`, zero-padded.
// Precondition: it fits (4 + |domain| + |value| <= kBlockBytes). Returns
// its length.
std::size_t OneBlockMessage(std::string_view domain, std::string_view value,
                            unsigned char block[kBlockBytes]) {
  PutDomainLength(domain, block);
  std::size_t fill = 4;
  if (!domain.empty()) std::memcpy(block + fill, domain.data(), domain.size());
  fill += domain.size();
  if (!value.empty()) std::memcpy(block + fill, value.data(), value.size());
  fill += value.size();
  std::memset(block + fill, 0, kBlockBytes - fill);
  return fill;
}

}  // namespace

void TokenKey::ComputeFour(const std::string_view (&domain)[4], const std::string_view (&value)[4],
                           unsigned char* const (&out)[4]) const {
  if (chain_.size() != 8 * sizeof(std::uint64_t)) std::abort();  // documented precondition
  bool one_block = HaveAvx2();
  for (int j = 0; j < 4; ++j) {
    one_block = one_block && 4 + domain[j].size() + value[j].size() <= kBlockBytes;
  }
  if (!one_block) {
    for (int j = 0; j < 4; ++j) Compute(domain[j], value[j], out[j]);
    return;
  }
  alignas(32) unsigned char blocks[4][kBlockBytes];
  std::uint64_t t[4];
  for (int j = 0; j < 4; ++j) t[j] = kBlockBytes + OneBlockMessage(domain[j], value[j], blocks[j]);
  std::uint64_t chain[8];
  std::memcpy(chain, chain_.data(), sizeof chain);
  const unsigned char* const block_ptrs[4] = {blocks[0], blocks[1], blocks[2], blocks[3]};
  CompressFour(chain, block_ptrs, t, out);
  sodium_memzero(blocks, sizeof blocks);
  sodium_memzero(chain, sizeof chain);
}

TokenKey::TokenKey(const SecretBytes& key) : chain_(8 * sizeof(std::uint64_t)) {
  if (key.size() != kKeyBytes) std::abort();  // documented precondition
  std::uint64_t h[8];
  for (int i = 0; i < 8; ++i) h[i] = kIv[i];
  // Parameter block: digest length, key length, fanout 1, depth 1.
  h[0] ^= 0x01010000ULL ^ (static_cast<std::uint64_t>(kKeyBytes) << 8) ^ kTokenBytes;
  unsigned char block[kBlockBytes] = {};
  std::memcpy(block, key.data(), kKeyBytes);
  // Never the last block: a token's message is at least its 4-byte prefix.
  Compress(h, block, kBlockBytes, false);
  std::memcpy(chain_.data(), h, sizeof h);
  sodium_memzero(block, sizeof block);
  sodium_memzero(h, sizeof h);
}

void TokenKey::Compute(std::string_view domain, std::string_view value, unsigned char* out) const {
  if (chain_.size() != 8 * sizeof(std::uint64_t)) std::abort();  // documented precondition
  if (domain.size() > 0xffffffffULL) std::abort();  // as Token
  std::uint64_t h[8];
  std::memcpy(h, chain_.data(), sizeof h);
  unsigned char prefix[4];
  PutDomainLength(domain, prefix);
  const std::string_view pieces[3] = {
      std::string_view(reinterpret_cast<const char*>(prefix), sizeof prefix), domain, value};
  // Streams the pieces through one block buffer; a full block is
  // compressed only once more bytes follow it (the last block is final).
  unsigned char block[kBlockBytes];
  std::size_t fill = 0;
  std::uint64_t done = kBlockBytes;  // the key block
  for (std::string_view piece : pieces) {
    while (!piece.empty()) {
      if (fill == kBlockBytes) {
        done += kBlockBytes;
        Compress(h, block, done, false);
        fill = 0;
      }
      const std::size_t take = std::min(kBlockBytes - fill, piece.size());
      std::memcpy(block + fill, piece.data(), take);
      fill += take;
      piece.remove_prefix(take);
    }
  }
  std::memset(block + fill, 0, kBlockBytes - fill);
  done += fill;
  Compress(h, block, done, true);
  PutToken(h[0], h[1], out);
  sodium_memzero(block, sizeof block);
  sodium_memzero(h, sizeof h);
}

}  // namespace kinlink::crypto
