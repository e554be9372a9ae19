// Bloom filters, Dice and the keyed encoder. See bloom.h for the scheme.
#include "match/bloom.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "common/limits.h"
#include "common/little_endian.h"
#include "match/internal/popcount.h"
#include "match/string_metrics.h"

namespace kinlink::match {
namespace {

constexpr unsigned char kTagQgram = 'q';
constexpr unsigned char kTagWhole = 'w';
// Sip key bytes (crypto_shorthash_siphashx24_KEYBYTES).
constexpr std::size_t kSipKeyBytes = 16;
static_assert(crypto_shorthash_siphashx24_KEYBYTES == kSipKeyBytes);
static_assert(crypto_shorthash_siphashx24_BYTES == 16);
static_assert(crypto::kTokenBytes >= kSipKeyBytes);

bool ValidBits(std::size_t bits) { return bits != 0 && bits % 64 == 0 && bits <= kMaxBloomBits; }

double DiceFromCounts(std::uint64_t both, std::uint64_t count_a, std::uint64_t count_b) {
  if (count_a + count_b == 0) return 0.0;
  return 2.0 * static_cast<double>(both) / static_cast<double>(count_a + count_b);
}

}  // namespace

Result<BloomFilter> BloomFilter::Create(std::size_t bits) {
  if (!ValidBits(bits)) {
    return InvalidArgumentError("bloom filter length must be a positive multiple of 64 up to " +
                                std::to_string(kMaxBloomBits) + " bits");
  }
  BloomFilter f;
  f.words_.assign(bits / 64, 0);
  return f;
}

Result<BloomFilter> BloomFilter::FromBytes(std::string_view bytes) {
  KL_ASSIGN_OR_RETURN(BloomFilter f, Create(bytes.size() * 8));
  for (std::size_t w = 0; w < f.words_.size(); ++w) f.words_[w] = LoadLe64(bytes.data() + 8 * w);
  return f;
}

std::string BloomFilter::ToBytes() const {
  std::string out;
  AppendBytes(&out);
  return out;
}

void BloomFilter::AppendBytes(std::string* out) const {
  const std::size_t at = out->size();
  out->resize(at + words_.size() * 8);
  for (std::size_t w = 0; w < words_.size(); ++w) StoreLe64(words_[w], out->data() + at + 8 * w);
}

std::size_t BloomFilter::PopCount() const {
  return internal::KernelsFor(PopcountKernel::kAuto).popcount(words_.data(), words_.size());
}

BloomFilter BloomFilter::XorFold() const& { return BloomFilter(*this).XorFold(); }

BloomFilter BloomFilter::XorFold() && {
  if (words_.size() % 2 != 0) std::abort();  // documented precondition
  const std::size_t half = words_.size() / 2;
  for (std::size_t w = 0; w < half; ++w) words_[w] ^= words_[w + half];
  words_.resize(half);
  return std::move(*this);
}

double DiceCounted(const BloomFilter& a, std::size_t ones_a, const BloomFilter& b,
                   std::size_t ones_b, PopcountKernel kernel) {
  if (a.bits() != b.bits()) std::abort();  // documented precondition
  if (ones_a + ones_b == 0) return 0.0;
  const internal::PopcountKernels k = internal::KernelsFor(kernel);
  return DiceFromCounts(k.and_popcount(a.words().data(), b.words().data(), a.words().size()),
                        ones_a, ones_b);
}

double Dice(const BloomFilter& a, const BloomFilter& b, PopcountKernel kernel) {
  if (a.bits() != b.bits()) std::abort();  // documented precondition
  const internal::PopcountKernels k = internal::KernelsFor(kernel);
  const std::size_t n = a.words().size();
  return DiceFromCounts(k.and_popcount(a.words().data(), b.words().data(), n),
                        k.popcount(a.words().data(), n), k.popcount(b.words().data(), n));
}

Status BloomFilterSet::Add(const BloomFilter& filter) {
  if (filter.bits() != bits()) {
    return InvalidArgumentError("bloom filter of " + std::to_string(filter.bits()) +
                                " bits added to a set of " + std::to_string(bits()) + " bits");
  }
  words_.insert(words_.end(), filter.words().begin(), filter.words().end());
  popcounts_.push_back(static_cast<std::uint32_t>(filter.PopCount()));
  return OkStatus();
}

void BloomFilterSet::Reserve(std::size_t count) {
  words_.reserve(count * words_per_filter_);
  popcounts_.reserve(count);
}

Status DiceMany(const BloomFilter& query, const BloomFilterSet& set, std::span<double> scores,
                PopcountKernel kernel) {
  if (query.bits() != set.bits()) {
    return InvalidArgumentError("query filter length differs from the set's");
  }
  if (scores.size() != set.size()) {
    return InvalidArgumentError("scores span size differs from the number of filters");
  }
  const internal::PopcountKernels k = internal::KernelsFor(kernel);
  const std::size_t words = query.words().size();
  const std::uint64_t query_count = k.popcount(query.words().data(), words);
  // Blocks keep the counts in L1 between the kernel and the division.
  constexpr std::size_t kBlock = 256;
  std::array<std::uint32_t, kBlock> both{};
  const std::span<const std::uint32_t> counts = set.popcounts();
  for (std::size_t start = 0; start < set.size(); start += kBlock) {
    const std::size_t n = std::min(kBlock, set.size() - start);
    k.and_popcount_many(query.words().data(), set.words().data() + start * words, words, n,
                        both.data());
    for (std::size_t i = 0; i < n; ++i) {
      scores[start + i] = DiceFromCounts(both[i], query_count, counts[start + i]);
    }
  }
  return OkStatus();
}

Status DiceMany(const BloomFilter& query, std::span<const BloomFilter> many,
                std::span<double> scores, PopcountKernel kernel) {
  if (scores.size() != many.size()) {
    return InvalidArgumentError("scores span size differs from the number of filters");
  }
  const internal::PopcountKernels k = internal::KernelsFor(kernel);
  const std::size_t words = query.words().size();
  const std::uint64_t query_count = k.popcount(query.words().data(), words);
  for (std::size_t i = 0; i < many.size(); ++i) {
    if (many[i].bits() != query.bits()) {
      return InvalidArgumentError("filter " + std::to_string(i) +
                                  " length differs from the query's");
    }
    const std::uint64_t* w = many[i].words().data();
    scores[i] = DiceFromCounts(k.and_popcount(query.words().data(), w, words), query_count,
                               k.popcount(w, words));
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------
// Encoder
// ---------------------------------------------------------------------------

Status BloomParams::Validate() const {
  if (!ValidBits(bits)) {
    return InvalidArgumentError("bloom bits must be a positive multiple of 64 up to " +
                                std::to_string(kMaxBloomBits));
  }
  if (xor_fold && bits % 128 != 0) {
    return InvalidArgumentError("bloom bits must be a multiple of 128 with xor_fold");
  }
  if (q < 1 || q > 4) return InvalidArgumentError("bloom q must be 1-4");
  if (k < 1 || k > 64) return InvalidArgumentError("bloom k must be 1-64");
  return OkStatus();
}

namespace {

// Calls set(bit) for each of the k positions of one item. `message` holds
// [counter][tag][salt length][salt][item] (`size` bytes); byte 0 is the
// counter.
template <typename Set>
void ForEachPosition(unsigned char* message, std::size_t size, const unsigned char* sip_key,
                     const BloomParams& params, Set set) {
  std::size_t remaining = params.k;
  unsigned char block[16];
  for (unsigned counter = 0; remaining > 0; ++counter) {
    message[0] = static_cast<unsigned char>(counter);
    crypto_shorthash_siphashx24(block, message, size, sip_key);
    for (std::size_t w = 0; w < 4 && remaining > 0; ++w, --remaining) {
      std::uint32_t word = 0;
      std::memcpy(&word, block + 4 * w, sizeof word);
      // Multiply-shift maps 32 bits onto [0, L) without a division.
      set(static_cast<std::uint32_t>((static_cast<std::uint64_t>(word) * params.bits) >> 32));
    }
  }
  sodium_memzero(block, sizeof block);
}

// Sets the k positions of one item in `words`.
void InsertItem(unsigned char* message, std::size_t size, const unsigned char* sip_key,
                const BloomParams& params, std::uint64_t* words) {
  ForEachPosition(message, size, sip_key, params, [words](std::uint32_t bit) {
    words[bit / 64] |= std::uint64_t{1} << (bit % 64);
  });
}

// The characters of the precomputed bigrams: what matching forms, dates
// and padding are made of. kGramIndex maps an ASCII byte to its place in
// kGramChars, or -1.
constexpr std::string_view kGramChars = "_ abcdefghijklmnopqrstuvwxyz0123456789";
// A position in the table: bits ≤ kMaxBloomBits = 2^16, so one fits in
// 16 bits (half the table, which then stays in the caches better).
using BigramBit = std::uint16_t;
static_assert(kMaxBloomBits - 1 <= 0xffff);
constexpr std::size_t kGramCharCount = kGramChars.size();
constexpr std::array<std::int8_t, 128> kGramIndex = [] {
  std::array<std::int8_t, 128> index{};
  index.fill(-1);
  for (std::size_t i = 0; i < kGramChars.size(); ++i) {
    index[static_cast<unsigned char>(kGramChars[i])] = static_cast<std::int8_t>(i);
  }
  return index;
}();

}  // namespace

Result<BloomEncoder> BloomEncoder::Create(const crypto::SecretBytes& field_key,
                                          const BloomParams& params) {
  KL_RETURN_IF_ERROR(params.Validate());
  if (field_key.size() != crypto::kKeyBytes) {
    return InvalidArgumentError("bloom field key must be " + std::to_string(crypto::kKeyBytes) +
                                " bytes");
  }
  std::string derived = crypto::Token(field_key, kBloomKeyDomain, "");
  crypto::SecretBytes sip_key = crypto::SecretBytes::CopyOf(derived.substr(0, kSipKeyBytes));
  crypto::Wipe(derived);
  // Unsalted bigrams: the positions of every pair of kGramChars, computed
  // once here (the same SipHash calls Encode would make), so that Encode
  // looks them up instead of hashing each q-gram again. They are as secret
  // as the key they come from, so they live in locked memory too.
  crypto::SecretBytes bigrams;
  if (params.q == 2 && !params.salted) {
    bigrams = crypto::SecretBytes(kGramCharCount * kGramCharCount * params.k *
                                  sizeof(BigramBit));
    auto* out = reinterpret_cast<BigramBit*>(bigrams.data());
    unsigned char message[5] = {0, kTagQgram, 0, 0, 0};  // no salt: head of 3
    for (char first : kGramChars) {
      for (char second : kGramChars) {
        message[3] = static_cast<unsigned char>(first);
        message[4] = static_cast<unsigned char>(second);
        ForEachPosition(message, sizeof message, sip_key.data(), params,
                        [&out](std::uint32_t bit) { *out++ = static_cast<BigramBit>(bit); });
      }
    }
    sodium_memzero(message, sizeof message);
  }
  return BloomEncoder(std::move(sip_key), std::move(bigrams), params);
}

namespace {

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

Result<BloomFilter> BloomEncoder::Encode(const BloomItems& items) const {
  if (!params_.salted && !items.salt.empty()) {
    return InvalidArgumentError("bloom salt given but the params are not salted");
  }
  if (items.salt.size() > kMaxBloomSaltBytes) {
    return InvalidArgumentError("bloom salt over " + std::to_string(kMaxBloomSaltBytes) +
                                " bytes");
  }
  std::size_t total = 0;
  std::size_t longest_whole = 0;
  for (std::string_view s : items.qgram_strings) total += s.size();
  for (std::string_view s : items.whole_items) {
    total += s.size();
    longest_whole = std::max(longest_whole, s.size());
  }
  if (total > limits::kMaxFieldBytes) {
    return InvalidArgumentError("bloom input over kMaxFieldBytes");
  }

  KL_ASSIGN_OR_RETURN(BloomFilter filter, BloomFilter::Create(params_.bits));
  std::uint64_t* words = filter.mutable_words().data();
  const unsigned char* key = sip_key_.data();
  const std::size_t q = params_.q;
  // The fixed head of every message; the item is written after it. A
  // q-gram is at most 4 code points of at most 4 UTF-8 bytes each.
  const std::size_t head = 3 + items.salt.size();
  const std::size_t capacity = head + std::max<std::size_t>(16, longest_whole);
  unsigned char stack_buffer[512];
  std::vector<unsigned char> heap_buffer;
  unsigned char* message = stack_buffer;
  if (capacity > sizeof stack_buffer) {
    heap_buffer.resize(capacity);
    message = heap_buffer.data();
  }
  message[0] = 0;
  message[1] = kTagQgram;
  message[2] = static_cast<unsigned char>(items.salt.size());
  // An empty salt's data() may be null, which memcpy must not get.
  if (!items.salt.empty()) std::memcpy(message + 3, items.salt.data(), items.salt.size());
  unsigned char* item = message + head;

  std::u32string text;
  for (std::string_view s : items.qgram_strings) {
    if (s.empty()) continue;
    if (IsAscii(s)) {
      // One byte per code point: the q-grams are byte windows of the
      // padded string, as EncodeUtf8 of the code points would give.
      const std::size_t pad = params_.pad ? q - 1 : 0;
      const std::size_t n = s.size() + 2 * pad;
      auto at = [&](std::size_t i) -> unsigned char {
        return i < pad || i >= pad + s.size() ? '_' : static_cast<unsigned char>(s[i - pad]);
      };
      const std::size_t grams = n >= q ? n - q + 1 : 1;
      const std::size_t len = n >= q ? q : n;
      if (!bigrams_.empty() && len == 2 && items.salt.empty()) {
        // Bigrams from the table, each character looked up once; a bigram
        // with a character outside it is hashed.
        const auto* table = reinterpret_cast<const BigramBit*>(bigrams_.data());
        const std::size_t k = params_.k;
        unsigned char first = at(0);
        int first_index = kGramIndex[first & 0x7f];  // ASCII here
        for (std::size_t g = 0; g < grams; ++g) {
          const unsigned char second = at(g + 1);
          const int second_index = kGramIndex[second & 0x7f];
          if (first_index >= 0 && second_index >= 0) {
            const BigramBit* bits = table + (static_cast<std::size_t>(first_index) *
                                                 kGramCharCount +
                                             static_cast<std::size_t>(second_index)) *
                                                k;
            for (std::size_t i = 0; i < k; ++i) {
              words[bits[i] / 64] |= std::uint64_t{1} << (bits[i] % 64);
            }
          } else {
            item[0] = first;
            item[1] = second;
            InsertItem(message, head + 2, key, params_, words);
          }
          first = second;
          first_index = second_index;
        }
        continue;
      }
      for (std::size_t g = 0; g < grams; ++g) {
        for (std::size_t j = 0; j < len; ++j) item[j] = at(g + j);
        InsertItem(message, head + len, key, params_, words);
      }
      continue;
    }
    text.clear();
    if (params_.pad) text.append(q - 1, U'_');
    text += DecodeUtf8(s);
    if (params_.pad) text.append(q - 1, U'_');
    // A string shorter than q (only without padding) is one item.
    const std::size_t grams = text.size() >= q ? text.size() - q + 1 : 1;
    for (std::size_t g = 0; g < grams; ++g) {
      const std::string gram = EncodeUtf8(std::u32string_view(text).substr(g, q));
      std::memcpy(item, gram.data(), gram.size());
      InsertItem(message, head + gram.size(), key, params_, words);
    }
  }
  message[1] = kTagWhole;
  for (std::string_view s : items.whole_items) {
    if (s.empty()) continue;
    std::memcpy(item, s.data(), s.size());
    InsertItem(message, head + s.size(), key, params_, words);
  }
  sodium_memzero(message, capacity);
  if (params_.xor_fold) return std::move(filter).XorFold();
  return filter;
}

}  // namespace kinlink::match
