// Bloom filters, Dice and the keyed encoder. See bloom.h for the scheme.
#include "match/bloom.h"

#include <sodium.h>

#include <array>
#include <cstdlib>
#include <cstring>

#include "common/limits.h"
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
  for (std::size_t w = 0; w < f.words_.size(); ++w) {
    std::uint64_t v = 0;
    for (int b = 7; b >= 0; --b) {
      v = (v << 8) | static_cast<unsigned char>(bytes[w * 8 + static_cast<std::size_t>(b)]);
    }
    f.words_[w] = v;
  }
  return f;
}

std::string BloomFilter::ToBytes() const {
  std::string out(words_.size() * 8, '\0');
  for (std::size_t w = 0; w < words_.size(); ++w) {
    for (std::size_t b = 0; b < 8; ++b) {
      out[w * 8 + b] = static_cast<char>((words_[w] >> (8 * b)) & 0xff);
    }
  }
  return out;
}

std::size_t BloomFilter::PopCount() const {
  return internal::KernelsFor(PopcountKernel::kAuto).popcount(words_.data(), words_.size());
}

BloomFilter BloomFilter::XorFold() const {
  if (words_.size() % 2 != 0) std::abort();  // documented precondition
  BloomFilter out;
  const std::size_t half = words_.size() / 2;
  out.words_.resize(half);
  for (std::size_t w = 0; w < half; ++w) out.words_[w] = words_[w] ^ words_[w + half];
  return out;
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
  return BloomEncoder(std::move(sip_key), params);
}

namespace {

// Sets the k positions of one item. `message` holds
// [counter][tag][salt length][salt][item]; byte 0 is the counter.
void InsertItem(std::string& message, const unsigned char* sip_key, const BloomParams& params,
                BloomFilter& filter) {
  std::size_t remaining = params.k;
  unsigned char block[16];
  for (unsigned counter = 0; remaining > 0; ++counter) {
    message[0] = static_cast<char>(counter);
    crypto_shorthash_siphashx24(block, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size(), sip_key);
    for (std::size_t w = 0; w < 4 && remaining > 0; ++w, --remaining) {
      std::uint32_t word = 0;
      std::memcpy(&word, block + 4 * w, sizeof word);
      // Multiply-shift maps 32 bits onto [0, L) without a division.
      filter.Set(static_cast<std::size_t>((static_cast<std::uint64_t>(word) * params.bits) >> 32));
    }
  }
  sodium_memzero(block, sizeof block);
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
  for (std::string_view s : items.qgram_strings) total += s.size();
  for (std::string_view s : items.whole_items) total += s.size();
  if (total > limits::kMaxFieldBytes) {
    return InvalidArgumentError("bloom input over kMaxFieldBytes");
  }

  KL_ASSIGN_OR_RETURN(BloomFilter filter, BloomFilter::Create(params_.bits));
  const unsigned char* key = sip_key_.data();
  // The fixed head of every message; the item is appended after it.
  std::string message;
  message.reserve(3 + items.salt.size() + 64);
  message.push_back('\0');
  message.push_back('\0');
  message.push_back(static_cast<char>(items.salt.size()));
  message.append(items.salt);
  const std::size_t head = message.size();

  message[1] = static_cast<char>(kTagQgram);
  const std::size_t q = params_.q;
  for (std::string_view s : items.qgram_strings) {
    if (s.empty()) continue;
    std::u32string text;
    if (params_.pad) text.append(q - 1, U'_');
    text += DecodeUtf8(s);
    if (params_.pad) text.append(q - 1, U'_');
    // A string shorter than q (only without padding) is one item.
    const std::size_t grams = text.size() >= q ? text.size() - q + 1 : 1;
    for (std::size_t g = 0; g < grams; ++g) {
      message.resize(head);
      message += EncodeUtf8(std::u32string_view(text).substr(g, q));
      InsertItem(message, key, params_, filter);
    }
  }
  message[1] = static_cast<char>(kTagWhole);
  for (std::string_view s : items.whole_items) {
    if (s.empty()) continue;
    message.resize(head);
    message.append(s);
    InsertItem(message, key, params_, filter);
  }
  crypto::Wipe(message);
  return params_.xor_fold ? filter.XorFold() : filter;
}

}  // namespace kinlink::match
