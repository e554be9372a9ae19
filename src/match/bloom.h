// Keyed field-level Bloom filter encodings (PPRL) and their Dice
// similarity: how a registry and the hub compare names without ever holding
// plaintext (docs: security.md "PPRL encodings", matching.md "Encodings").
//
// One filter per field (given name, family name, ...), not one per record,
// so that each field keeps its own evidence and explanation.
//
// Encoding (BloomEncoder): every item sets k bit positions in a filter of
// L bits. Items are
//   - the q-grams (default q = 2, on code points) of each given string,
//     padded with q-1 '_' on each side so that first and last letters weigh
//     as much as inner ones ("ali" → _a al li i_), and
//   - whole items inserted as one unit each (phonetic codes, consonant
//     skeletons, variant-group ids), tagged apart from q-grams so that the
//     whole item "ab" never sets the bits of the bigram "ab".
// Positions come from a keyed PRF per item, not from double hashing
// (h1 + i·h2 leaks structure that pattern-mining attacks exploit):
//   sip_key = first 16 bytes of crypto::Token(field_key, kBloomKeyDomain, "")
//   block_c = SipHash-2-4-128(sip_key, c ‖ tag ‖ len(salt) ‖ salt ‖ item),
//             c = 0, 1, ... (one byte)
//   each block gives four 32-bit words w; position = (w · L) >> 32;
//   the first k words over blocks 0, 1, ... are the item's k positions.
// Why SipHash (libsodium crypto_shorthash_siphashx24) rather than the keyed
// BLAKE2b that security.md names: an item is a 2–8 byte q-gram and a name
// field has 10–40 of them, each needing k ≈ 20 positions; SipHash-128 is a
// keyed PRF built for exactly such short inputs and is several times faster
// there than BLAKE2b (whose 128-byte block and 12 rounds dominate short
// messages). The key itself is still derived with keyed BLAKE2b, and the
// security argument (an attacker without the field key cannot compute
// positions) needs only a PRF, which SipHash is.
//
// Hardening (BloomParams), both off by default:
//   - salted: a per-record salt string (e.g. the birth year) is mixed into
//     every item, so the same q-gram sets different bits in records with
//     different salts. This defeats frequency attacks across the registry
//     but makes records with different (or missing) salts incomparable:
//     use a stable attribute, and only where it is rarely missing or wrong.
//   - xor_fold: the L-bit filter is folded in half (bit i XOR bit i + L/2),
//     giving L/2 bits in which no single bit reveals whether one position
//     was set. Costs some accuracy (folded bits cancel).
// The parameters are part of the versioned encoding schema: both sides of
// a comparison must use the same key, params and salt rule.
//
// Dice(A, B) = 2|A∧B| / (|A| + |B|), and 0.0 when both are empty. Kernels:
// portable scalar, POPCNT, AVX2 (vpshufb nibble look-up, Muła et al.) and
// AVX-512 VPOPCNTDQ, chosen once at run time (__builtin_cpu_supports), all
// built without -march flags through __attribute__((target)). Every kernel
// returns the exact same counts (tested against the bit-by-bit reference).
//
// Thread-safety: BloomFilter and BloomFilterSet are value types; a const
// BloomEncoder may be used from several threads.
//
//   KL_ASSIGN_OR_RETURN(BloomEncoder enc, BloomEncoder::Create(key, {}));
//   std::string_view names[] = {"mohammed"};
//   std::string_view keys[] = {"MHMD"};
//   KL_ASSIGN_OR_RETURN(BloomFilter f, enc.Encode({names, keys, ""}));
//   double d = Dice(f, other);
#ifndef KINLINK_MATCH_BLOOM_H_
#define KINLINK_MATCH_BLOOM_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "crypto/crypto.h"

namespace kinlink::match {

inline constexpr std::size_t kMaxBloomBits = 65536;
inline constexpr std::size_t kMaxBloomSaltBytes = 255;
inline constexpr std::string_view kBloomKeyDomain = "kinlink.match.bloom.siphash.v1";

// A fixed-length bit set; bit i is bit (i % 64) of word i / 64.
class BloomFilter {
 public:
  BloomFilter() = default;  // 0 bits
  // INVALID_ARGUMENT unless bits is a positive multiple of 64, ≤ kMaxBloomBits.
  static Result<BloomFilter> Create(std::size_t bits);
  // From the little-endian words of ToBytes(); the length gives the size.
  // INVALID_ARGUMENT for a length that Create would reject.
  static Result<BloomFilter> FromBytes(std::string_view bytes);
  std::string ToBytes() const;
  // The same bytes appended to *out.
  void AppendBytes(std::string* out) const;

  std::size_t bits() const { return words_.size() * 64; }
  std::span<const std::uint64_t> words() const { return words_; }
  std::span<std::uint64_t> mutable_words() { return words_; }
  // Precondition: bit < bits().
  void Set(std::size_t bit) { words_[bit / 64] |= std::uint64_t{1} << (bit % 64); }
  bool Test(std::size_t bit) const { return (words_[bit / 64] >> (bit % 64)) & 1U; }
  std::size_t PopCount() const;
  // Bit i of the result is Test(i) XOR Test(i + bits()/2). Precondition:
  // bits() is a multiple of 128. The second form folds in place.
  BloomFilter XorFold() const&;
  BloomFilter XorFold() &&;

  friend bool operator==(const BloomFilter&, const BloomFilter&) = default;

 private:
  std::vector<std::uint64_t> words_;
};

// ---------------------------------------------------------------------------
// Dice
// ---------------------------------------------------------------------------

enum class PopcountKernel : std::uint8_t { kAuto, kScalar, kPopcnt, kAvx2, kAvx512 };
// Whether this CPU (and OS) can run `kernel`. kAuto and kScalar: always.
bool PopcountKernelSupported(PopcountKernel kernel);
// The fastest supported kernel; what kAuto means. Detected once.
PopcountKernel BestPopcountKernel();
std::string_view PopcountKernelName(PopcountKernel kernel);  // "scalar", "avx2", ...

// Dice of two filters. Precondition: a.bits() == b.bits() (filters of one
// schema have one length; aborts otherwise). An unsupported `kernel` is
// replaced by kAuto.
double Dice(const BloomFilter& a, const BloomFilter& b,
            PopcountKernel kernel = PopcountKernel::kAuto);
// The same with both popcounts known (kept beside each filter): one pass
// over the words instead of three. Preconditions: a.bits() == b.bits(),
// ones_a == a.PopCount(), ones_b == b.PopCount().
double DiceCounted(const BloomFilter& a, std::size_t ones_a, const BloomFilter& b,
                   std::size_t ones_b, PopcountKernel kernel = PopcountKernel::kAuto);

// Many filters of one length in one contiguous buffer, with their
// popcounts precomputed: the layout the one-vs-many kernel streams over.
class BloomFilterSet {
 public:
  // Precondition: bits is a positive multiple of 64.
  explicit BloomFilterSet(std::size_t bits) : words_per_filter_(bits / 64) {}
  // INVALID_ARGUMENT when filter.bits() differs from bits().
  Status Add(const BloomFilter& filter);
  void Reserve(std::size_t count);
  std::size_t size() const { return popcounts_.size(); }
  std::size_t bits() const { return words_per_filter_ * 64; }
  std::span<const std::uint64_t> FilterWords(std::size_t i) const {
    return std::span<const std::uint64_t>(words_).subspan(i * words_per_filter_,
                                                          words_per_filter_);
  }
  std::span<const std::uint32_t> popcounts() const { return popcounts_; }
  std::span<const std::uint64_t> words() const { return words_; }

 private:
  std::size_t words_per_filter_;
  std::vector<std::uint64_t> words_;
  std::vector<std::uint32_t> popcounts_;
};

// scores[i] = Dice(query, filter i). INVALID_ARGUMENT when the lengths
// differ or scores.size() != number of filters.
Status DiceMany(const BloomFilter& query, const BloomFilterSet& set, std::span<double> scores,
                PopcountKernel kernel = PopcountKernel::kAuto);
Status DiceMany(const BloomFilter& query, std::span<const BloomFilter> many,
                std::span<double> scores, PopcountKernel kernel = PopcountKernel::kAuto);

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

struct BloomParams {
  std::size_t bits = 1024;  // L before folding: multiple of 64 (of 128 with xor_fold)
  std::size_t q = 2;        // q-gram length in code points, 1..4
  bool pad = true;          // q-1 '_' on each side of each string
  std::size_t k = 20;       // positions per item, 1..64
  bool salted = false;      // mix the per-record salt into every item
  bool xor_fold = false;    // output L/2 bits
  // OK, or INVALID_ARGUMENT naming the parameter out of range.
  Status Validate() const;
  std::size_t OutputBits() const { return xor_fold ? bits / 2 : bits; }
};

// What one field contributes. Strings are UTF-8; invalid bytes count as
// U+FFFD (see DecodeUtf8). Empty strings are skipped.
struct BloomItems {
  std::span<const std::string_view> qgram_strings;  // split into q-grams
  std::span<const std::string_view> whole_items;    // one item each
  std::string_view salt;  // only with BloomParams::salted; may be empty
};

// Turns items into a filter under one field key. Move-only (holds the
// derived SipHash key in locked memory).
class BloomEncoder {
 public:
  // INVALID_ARGUMENT for a field key that is not crypto::kKeyBytes long or
  // for invalid params.
  static Result<BloomEncoder> Create(const crypto::SecretBytes& field_key,
                                     const BloomParams& params);
  // INVALID_ARGUMENT when a salt is given without params.salted, the salt
  // is over kMaxBloomSaltBytes, or the strings together exceed
  // limits::kMaxFieldBytes. Deterministic: same key, params and items give
  // the same filter.
  Result<BloomFilter> Encode(const BloomItems& items) const;
  const BloomParams& params() const { return params_; }

 private:
  BloomEncoder(crypto::SecretBytes sip_key, crypto::SecretBytes bigrams, const BloomParams& params)
      : sip_key_(std::move(sip_key)), bigrams_(std::move(bigrams)), params_(params) {}
  crypto::SecretBytes sip_key_;  // 16 bytes
  // q = 2 without salting: the k positions (u16) of each bigram of the
  // characters that matching forms are made of, computed at Create; empty
  // otherwise. Read-only after Create.
  crypto::SecretBytes bigrams_;
  BloomParams params_;
};

}  // namespace kinlink::match

#endif  // KINLINK_MATCH_BLOOM_H_
