#include "match/bloom.h"

#include <gtest/gtest.h>

#include <sodium.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "match/internal/reference.h"
#include "match/string_metrics.h"

namespace kinlink::match {
namespace {

crypto::SecretBytes Key(char fill) { return crypto::SecretBytes::CopyOf(std::string(32, fill)); }

std::vector<PopcountKernel> SupportedKernels() {
  std::vector<PopcountKernel> out;
  for (auto k : {PopcountKernel::kScalar, PopcountKernel::kPopcnt, PopcountKernel::kAvx2,
                 PopcountKernel::kAvx512, PopcountKernel::kAuto}) {
    if (PopcountKernelSupported(k)) out.push_back(k);
  }
  return out;
}

BloomFilter Filled(std::size_t bits, std::uint64_t word) {
  BloomFilter f = BloomFilter::Create(bits).value();
  for (auto& w : f.mutable_words()) w = word;
  return f;
}

BloomFilter Random(std::mt19937_64& rng, std::size_t bits, int density_percent) {
  BloomFilter f = BloomFilter::Create(bits).value();
  std::uniform_int_distribution<int> pct(0, 99);
  for (std::size_t i = 0; i < bits; ++i) {
    if (pct(rng) < density_percent) f.Set(i);
  }
  return f;
}

TEST(BloomFilterTest, CreateRejectsBadLengths) {
  EXPECT_FALSE(BloomFilter::Create(0).ok());
  EXPECT_FALSE(BloomFilter::Create(100).ok());
  EXPECT_FALSE(BloomFilter::Create(kMaxBloomBits + 64).ok());
  ASSERT_TRUE(BloomFilter::Create(512).ok());
  EXPECT_EQ(BloomFilter::Create(512)->bits(), 512u);
  EXPECT_FALSE(BloomFilter::FromBytes("abc").ok());
}

TEST(BloomFilterTest, SetTestPopcountAndBytesRoundTrip) {
  BloomFilter f = BloomFilter::Create(128).value();
  f.Set(0);
  f.Set(63);
  f.Set(64);
  f.Set(127);
  EXPECT_TRUE(f.Test(63));
  EXPECT_FALSE(f.Test(62));
  EXPECT_EQ(f.PopCount(), 4u);
  const std::string bytes = f.ToBytes();
  ASSERT_EQ(bytes.size(), 16u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x01);
  EXPECT_EQ(static_cast<unsigned char>(bytes[7]), 0x80);
  EXPECT_EQ(BloomFilter::FromBytes(bytes).value(), f);
}

TEST(BloomFilterTest, XorFoldCombinesHalves) {
  BloomFilter f = BloomFilter::Create(256).value();
  f.Set(3);
  f.Set(128 + 3);  // cancels
  f.Set(5);
  f.Set(128 + 9);
  const BloomFilter folded = f.XorFold();
  EXPECT_EQ(folded.bits(), 128u);
  EXPECT_FALSE(folded.Test(3));
  EXPECT_TRUE(folded.Test(5));
  EXPECT_TRUE(folded.Test(9));
  EXPECT_EQ(folded.PopCount(), 2u);
}

TEST(DiceTest, KnownValuesAndEmptyFilters) {
  BloomFilter a = BloomFilter::Create(64).value(), b = BloomFilter::Create(64).value();
  EXPECT_DOUBLE_EQ(Dice(a, b), 0.0);  // both empty: no evidence
  a.Set(1);
  a.Set(2);
  b.Set(2);
  b.Set(3);
  EXPECT_DOUBLE_EQ(Dice(a, b), 0.5);
  EXPECT_DOUBLE_EQ(Dice(a, a), 1.0);
}

TEST(DiceTest, AllKernelsEqualReferenceOnAdversarialInputs) {
  std::mt19937_64 rng(77);
  for (std::size_t bits = 64; bits <= 4096; bits += 64) {
    std::vector<std::pair<BloomFilter, BloomFilter>> cases = {
        {Filled(bits, 0), Filled(bits, 0)},
        {Filled(bits, ~0ULL), Filled(bits, ~0ULL)},
        {Filled(bits, ~0ULL), Filled(bits, 0)},
        {Filled(bits, 0xAAAAAAAAAAAAAAAAULL), Filled(bits, 0x5555555555555555ULL)},
        {Random(rng, bits, 50), Random(rng, bits, 50)},
        {Random(rng, bits, 3), Random(rng, bits, 97)},
    };
    BloomFilter single = Filled(bits, 0);
    single.Set(bits - 1);  // only the last bit: exercises every tail path
    cases.emplace_back(single, single);
    cases.emplace_back(single, Filled(bits, ~0ULL));
    for (const auto& [a, b] : cases) {
      const double expected = reference::Dice(a.words(), b.words());
      for (PopcountKernel k : SupportedKernels()) {
        ASSERT_EQ(Dice(a, b, k), expected) << bits << " " << PopcountKernelName(k);
      }
    }
  }
}

TEST(DiceTest, OneVsManyEqualsPairwise) {
  std::mt19937_64 rng(5);
  for (std::size_t bits : {64, 448, 1024, 1088}) {
    const BloomFilter query = Random(rng, bits, 30);
    std::vector<BloomFilter> many;
    BloomFilterSet set(bits);
    for (int i = 0; i < 600; ++i) {  // more than one internal block
      many.push_back(Random(rng, bits, i % 3 == 0 ? 0 : 30));
      ASSERT_TRUE(set.Add(many.back()).ok());
    }
    for (PopcountKernel k : SupportedKernels()) {
      std::vector<double> from_set(many.size()), from_span(many.size());
      ASSERT_TRUE(DiceMany(query, set, from_set, k).ok());
      ASSERT_TRUE(DiceMany(query, many, from_span, k).ok());
      for (std::size_t i = 0; i < many.size(); ++i) {
        const double expected = reference::Dice(query.words(), many[i].words());
        ASSERT_EQ(from_set[i], expected) << PopcountKernelName(k);
        ASSERT_EQ(from_span[i], expected);
      }
    }
  }
}

TEST(DiceTest, OneVsManyRejectsMismatches) {
  BloomFilterSet set(128);
  EXPECT_EQ(set.Add(BloomFilter::Create(64).value()).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(set.Add(BloomFilter::Create(128).value()).ok());
  std::vector<double> scores(1);
  EXPECT_FALSE(DiceMany(BloomFilter::Create(64).value(), set, scores).ok());
  std::vector<double> wrong(2);
  EXPECT_FALSE(DiceMany(BloomFilter::Create(128).value(), set, wrong).ok());
}

TEST(DiceTest, UnsupportedKernelFallsBackToBest) {
  std::mt19937_64 rng(11);
  const BloomFilter a = Random(rng, 1024, 40), b = Random(rng, 1024, 40);
  const double expected = reference::Dice(a.words(), b.words());
  for (auto k : {PopcountKernel::kScalar, PopcountKernel::kPopcnt, PopcountKernel::kAvx2,
                 PopcountKernel::kAvx512, PopcountKernel::kAuto}) {
    EXPECT_EQ(Dice(a, b, k), expected) << PopcountKernelName(k);
  }
}

TEST(DiceTest, KernelSupportIsConsistent) {
  EXPECT_TRUE(PopcountKernelSupported(PopcountKernel::kScalar));
  EXPECT_TRUE(PopcountKernelSupported(BestPopcountKernel()));
  EXPECT_NE(BestPopcountKernel(), PopcountKernel::kAuto);
}

class BloomEncoderTest : public ::testing::Test {
 protected:
  static BloomFilter Encode(const BloomEncoder& enc, std::string_view name,
                            std::string_view whole = {}, std::string_view salt = {}) {
    std::vector<std::string_view> names{name};
    std::vector<std::string_view> wholes;
    if (!whole.empty()) wholes.push_back(whole);
    return enc.Encode({names, wholes, salt}).value();
  }
};

TEST_F(BloomEncoderTest, DeterministicAndKeyed) {
  const auto key_a = Key('a'), key_b = Key('b');
  const BloomEncoder a = BloomEncoder::Create(key_a, {}).value();
  const BloomEncoder a2 = BloomEncoder::Create(key_a, {}).value();
  const BloomEncoder b = BloomEncoder::Create(key_b, {}).value();
  const BloomFilter fa = Encode(a, "mohammed");
  EXPECT_EQ(fa, Encode(a2, "mohammed"));
  EXPECT_EQ(fa.bits(), 1024u);
  EXPECT_NE(fa, Encode(b, "mohammed"));
  EXPECT_LT(Dice(fa, Encode(b, "mohammed")), 0.5);  // another key: unrelated bits
  // 9 padded bigrams × k = 20 positions, minus collisions.
  EXPECT_GT(fa.PopCount(), 120u);
  EXPECT_LE(fa.PopCount(), 180u);
}

// Pins the encoding scheme: stored filters become unreadable if positions
// change, so any change here must come with a new kBloomKeyDomain version.
TEST_F(BloomEncoderTest, EncodingIsStableAcrossReleases) {
  const auto key = Key('s');
  const BloomEncoder enc = BloomEncoder::Create(key, {}).value();
  const BloomFilter f = Encode(enc, "fatima", "FTM");
  EXPECT_EQ(crypto::ToHex(crypto::Hash(f.ToBytes())).substr(0, 32), "6d305bba7a48d06b86d73c5dd92e48f6");
}

TEST_F(BloomEncoderTest, SimilarNamesScoreHigherThanDifferentOnes) {
  const auto key = Key('k');
  const BloomEncoder enc = BloomEncoder::Create(key, {}).value();
  const BloomFilter m1 = Encode(enc, "mohammed"), m2 = Encode(enc, "muhammad");
  const BloomFilter other = Encode(enc, "oleksandr");
  EXPECT_GT(Dice(m1, m2), 0.4);
  EXPECT_LT(Dice(m1, other), 0.25);
  EXPECT_DOUBLE_EQ(Dice(m1, Encode(enc, "mohammed")), 1.0);
  // Arabic script q-grams are code points, not bytes.
  EXPECT_GT(Dice(Encode(enc, "محمد"), Encode(enc, "محمود")), 0.6);
}

TEST_F(BloomEncoderTest, WholeItemsAreTaggedApartFromQgrams) {
  const auto key = Key('k');
  BloomParams params;
  params.pad = false;
  const BloomEncoder enc = BloomEncoder::Create(key, params).value();
  std::vector<std::string_view> grams{"ab"}, none;
  std::vector<std::string_view> whole{"ab"};
  const BloomFilter as_gram = enc.Encode({grams, none, ""}).value();
  const BloomFilter as_whole = enc.Encode({none, whole, ""}).value();
  EXPECT_NE(as_gram, as_whole);
  const BloomFilter both = enc.Encode({grams, whole, ""}).value();
  EXPECT_GT(both.PopCount(), as_gram.PopCount());
}

TEST_F(BloomEncoderTest, SaltSeparatesRecords) {
  const auto key = Key('k');
  BloomParams params;
  params.salted = true;
  const BloomEncoder enc = BloomEncoder::Create(key, params).value();
  EXPECT_EQ(Encode(enc, "ali", {}, "1988"), Encode(enc, "ali", {}, "1988"));
  EXPECT_LT(Dice(Encode(enc, "ali", {}, "1988"), Encode(enc, "ali", {}, "1989")), 0.5);
  // A salt without salted params is a mistake, not silently ignored.
  const BloomEncoder plain = BloomEncoder::Create(key, {}).value();
  std::vector<std::string_view> names{"ali"};
  EXPECT_EQ(plain.Encode({names, {}, "1988"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(enc.Encode({names, {}, std::string(256, '1')}).ok());
}

TEST_F(BloomEncoderTest, XorFoldHalvesLength) {
  const auto key = Key('k');
  BloomParams params;
  params.xor_fold = true;
  const BloomEncoder folded = BloomEncoder::Create(key, params).value();
  const BloomEncoder plain = BloomEncoder::Create(key, {}).value();
  const BloomFilter f = Encode(folded, "fatima");
  EXPECT_EQ(f.bits(), 512u);
  EXPECT_EQ(f, Encode(plain, "fatima").XorFold());
}

TEST_F(BloomEncoderTest, RejectsBadParamsKeysAndOversizedInput) {
  const auto key = Key('k');
  BloomParams p;
  p.bits = 100;
  EXPECT_FALSE(BloomEncoder::Create(key, p).ok());
  p = {};
  p.q = 0;
  EXPECT_FALSE(BloomEncoder::Create(key, p).ok());
  p = {};
  p.k = 65;
  EXPECT_FALSE(BloomEncoder::Create(key, p).ok());
  p = {};
  p.bits = 960;  // multiple of 64, not of 128
  p.xor_fold = true;
  EXPECT_FALSE(BloomEncoder::Create(key, p).ok());
  EXPECT_FALSE(BloomEncoder::Create(crypto::SecretBytes::CopyOf("short"), {}).ok());
  const BloomEncoder enc = BloomEncoder::Create(key, {}).value();
  const std::string huge(20000, 'a');
  std::vector<std::string_view> names{huge};
  EXPECT_FALSE(enc.Encode({names, {}, ""}).ok());
}

TEST_F(BloomEncoderTest, EmptyInputAndInvalidUtf8) {
  const auto key = Key('k');
  const BloomEncoder enc = BloomEncoder::Create(key, {}).value();
  EXPECT_EQ(Encode(enc, "").PopCount(), 0u);
  // Invalid bytes become U+FFFD and still encode deterministically.
  const BloomFilter bad = Encode(enc, "a\xFF" "b");
  EXPECT_GT(bad.PopCount(), 0u);
  EXPECT_EQ(bad, Encode(enc, "a\xEF\xBF\xBD" "b"));
}

TEST(BloomDiceTest, CountedDiceEqualsDiceOnRandomFilters) {
  std::mt19937_64 rng(7);
  for (std::size_t bits : {64u, 1024u, 2048u}) {
    for (int round = 0; round < 50; ++round) {
      BloomFilter a = *BloomFilter::Create(bits);
      BloomFilter b = *BloomFilter::Create(bits);
      const int density = round % 5;  // 0 = empty filters too
      for (std::size_t i = 0; i < bits; ++i) {
        if (density > 0 && rng() % 5 < static_cast<unsigned>(density)) a.Set(i);
        if (density > 0 && rng() % 7 < static_cast<unsigned>(density)) b.Set(i);
      }
      EXPECT_DOUBLE_EQ(DiceCounted(a, a.PopCount(), b, b.PopCount()), Dice(a, b))
          << bits << " bits, round " << round;
    }
  }
}

}  // namespace
}  // namespace kinlink::match

namespace kinlink::match {
namespace {

// The scheme of bloom.h written out plainly (strings of code points, one
// std::string message per item): the reference the encoder is held to.
BloomFilter ReferenceEncode(const crypto::SecretBytes& field_key, const BloomParams& p,
                            const std::vector<std::string>& grams_of,
                            const std::vector<std::string>& whole, const std::string& salt) {
  const std::string sip_key = crypto::Token(field_key, kBloomKeyDomain, "").substr(0, 16);
  BloomFilter f = BloomFilter::Create(p.bits).value();
  auto insert = [&](char tag, const std::string& item) {
    std::string message;
    message.push_back('\0');
    message.push_back(tag);
    message.push_back(static_cast<char>(salt.size()));
    message += salt;
    message += item;
    std::size_t positions = 0;
    for (unsigned counter = 0; positions < p.k; ++counter) {
      message[0] = static_cast<char>(counter);
      unsigned char block[16];
      crypto_shorthash_siphashx24(block, reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size(),
                                  reinterpret_cast<const unsigned char*>(sip_key.data()));
      for (int w = 0; w < 4 && positions < p.k; ++w, ++positions) {
        std::uint32_t word = 0;
        std::memcpy(&word, block + 4 * w, 4);
        f.Set(static_cast<std::size_t>((static_cast<std::uint64_t>(word) * p.bits) >> 32));
      }
    }
  };
  for (const std::string& s : grams_of) {
    if (s.empty()) continue;
    std::u32string text = DecodeUtf8(s);
    if (p.pad) text = std::u32string(p.q - 1, U'_') + text + std::u32string(p.q - 1, U'_');
    const std::size_t grams = text.size() >= p.q ? text.size() - p.q + 1 : 1;
    for (std::size_t g = 0; g < grams; ++g) insert('q', EncodeUtf8(text.substr(g, p.q)));
  }
  for (const std::string& s : whole) {
    if (!s.empty()) insert('w', s);
  }
  return p.xor_fold ? f.XorFold() : f;
}

TEST(BloomEncoderReferenceTest, EqualsPlainSchemeOnRandomInputs) {
  std::mt19937_64 rng(5);
  const std::vector<std::string> pieces = {"a", "Z", "_", " ", "0", "\t", std::string(1, '\0'),
                                           "\x7f", "é", "ж", "ع", "ሀ", "😀", "\xFF", "\xC3"};
  auto random_string = [&](std::size_t max_pieces) {
    std::string s;
    const std::size_t n = rng() % (max_pieces + 1);
    for (std::size_t i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    return s;
  };
  for (int round = 0; round < 400; ++round) {
    BloomParams p;
    p.bits = 128 * (1 + rng() % 8);
    p.q = 1 + rng() % 4;
    p.pad = rng() % 4 != 0;
    p.k = 1 + rng() % 30;
    p.salted = rng() % 2 == 0;
    p.xor_fold = rng() % 2 == 0;
    const crypto::SecretBytes key = Key(static_cast<char>('a' + rng() % 26));
    const BloomEncoder enc = BloomEncoder::Create(key, p).value();
    std::vector<std::string> grams_of, whole;
    for (std::size_t i = rng() % 4; i > 0; --i) grams_of.push_back(random_string(12));
    for (std::size_t i = rng() % 3; i > 0; --i) whole.push_back(random_string(round % 10 == 0 ? 400 : 6));
    const std::string salt = p.salted ? random_string(5) : "";
    const std::vector<std::string_view> g(grams_of.begin(), grams_of.end());
    const std::vector<std::string_view> w(whole.begin(), whole.end());
    const Result<BloomFilter> got = enc.Encode({g, w, salt});
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, ReferenceEncode(key, p, grams_of, whole, salt)) << "round " << round;
  }
}

// Unsalted bigrams come from the table made at Create: every bigram of
// the table's characters (lower-case letters, digits, space, padding), next
// to characters outside it (capitals, punctuation, other scripts), hashed
// as the plain scheme does, under the parameters the encodings use.
TEST(BloomEncoderReferenceTest, BigramTableEqualsPlainScheme) {
  std::mt19937_64 rng(6);
  const std::string table = "_ abcdefghijklmnopqrstuvwxyz0123456789";
  const std::string outside = "AZ-'.,~\x7f";
  for (std::size_t k : {std::size_t{8}, std::size_t{12}, std::size_t{20}, std::size_t{33}}) {
    for (bool xor_fold : {false, true}) {
      BloomParams p;
      p.bits = 1024;
      p.k = k;
      p.xor_fold = xor_fold;
      const crypto::SecretBytes key = Key(static_cast<char>('a' + k % 26));
      const BloomEncoder enc = BloomEncoder::Create(key, p).value();
      // Every pair of table characters once, then random mixtures.
      std::vector<std::string> values;
      for (char a : table) {
        std::string s;
        for (char b : table) s += std::string{a, b, ' '};
        values.push_back(s);
      }
      for (int i = 0; i < 200; ++i) {
        std::string s;
        for (std::size_t n = rng() % 12; n > 0; --n) {
          s += rng() % 5 == 0 ? outside[rng() % outside.size()] : table[rng() % table.size()];
        }
        values.push_back(s);
      }
      for (const std::string& v : values) {
        const std::string_view g[] = {v};
        const Result<BloomFilter> got = enc.Encode({g, {}, ""});
        ASSERT_TRUE(got.ok());
        EXPECT_EQ(*got, ReferenceEncode(key, p, {v}, {}, "")) << v;
      }
    }
  }
}

}  // namespace
}  // namespace kinlink::match
