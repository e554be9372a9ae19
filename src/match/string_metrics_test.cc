#include "match/string_metrics.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "match/internal/reference.h"

namespace kinlink::match {
namespace {

std::u32string U(std::string_view utf8) { return DecodeUtf8(utf8); }

std::u32string RandomString(std::mt19937& rng, std::u32string_view alphabet, std::size_t len) {
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::u32string s(len, U'\0');
  for (auto& c : s) c = alphabet[pick(rng)];
  return s;
}

// Alphabets: tiny (many matches), Latin, Arabic, Cyrillic (outside the
// 256-entry direct table), and a mix.
const std::vector<std::u32string>& Alphabets() {
  static const std::vector<std::u32string> alphabets = {
      U"ab", U"abc", U"abcdefghijklmnopqrstuvwxyz", U"\u0645\u062D\u062F\u0639\u0644",
      U"\u0410\u0411\u0412\u0413\u043E\u043B\u0435", U"a\u0645b\u0410\U0001F600"};
  return alphabets;
}

std::size_t RandomLength(std::mt19937& rng) {
  // Mostly name lengths, with the 63/64/65 boundary and long strings.
  static const std::size_t kSpecial[] = {0, 1, 2, 63, 64, 65, 100, 130};
  std::uniform_int_distribution<int> coin(0, 3);
  if (coin(rng) == 0) {
    std::uniform_int_distribution<std::size_t> i(0, std::size(kSpecial) - 1);
    return kSpecial[i(rng)];
  }
  std::uniform_int_distribution<std::size_t> len(0, 20);
  return len(rng);
}

TEST(Utf8DecodeTest, DecodesValidText) {
  EXPECT_EQ(DecodeUtf8("a\xD9\x85\xE2\x82\xAC\xF0\x9F\x98\x80"), U"a\u0645\u20AC\U0001F600");
  EXPECT_EQ(EncodeUtf8(U"a\u0645\u20AC\U0001F600"), "a\xD9\x85\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_EQ(DecodeUtf8(""), U"");
}

TEST(Utf8DecodeTest, MapsEachBadByteToReplacement) {
  EXPECT_EQ(DecodeUtf8("a\x80z"), U"a\uFFFDz");                  // stray continuation
  EXPECT_EQ(DecodeUtf8("\xC0\xAF"), U"\uFFFD\uFFFD");            // overlong
  EXPECT_EQ(DecodeUtf8("\xED\xA0\x80"), U"\uFFFD\uFFFD\uFFFD");  // surrogate
  EXPECT_EQ(DecodeUtf8("\xF4\x90\x80\x80"), U"\uFFFD\uFFFD\uFFFD\uFFFD");  // > U+10FFFF
  EXPECT_EQ(DecodeUtf8("x\xE2\x82"), U"x\uFFFD\uFFFD");          // truncated
  EXPECT_EQ(DecodeUtf8("\xE2\x82" "a"), U"\uFFFD\uFFFDa");
}

TEST(LevenshteinTest, KnownDistances) {
  EXPECT_EQ(LevenshteinDistance(U"kitten", U"sitting"), 3u);
  EXPECT_EQ(LevenshteinDistance(U"", U"abc"), 3u);
  EXPECT_EQ(LevenshteinDistance(U"abc", U""), 3u);
  EXPECT_EQ(LevenshteinDistance(U"", U""), 0u);
  EXPECT_EQ(LevenshteinDistance(U("محمد"), U("محمود")), 1u);
  EXPECT_DOUBLE_EQ(LevenshteinSimilarity(U"", U""), 1.0);
  EXPECT_DOUBLE_EQ(LevenshteinSimilarity(U"mohammed", U"muhammad"), 1.0 - 2.0 / 8.0);
}

TEST(LevenshteinTest, CutoffZeroesLowScores) {
  EXPECT_DOUBLE_EQ(LevenshteinSimilarity(U"abcd", U"abxy", 0.6), 0.0);
  EXPECT_DOUBLE_EQ(LevenshteinSimilarity(U"abcd", U"abxy", 0.5), 0.5);
  EXPECT_DOUBLE_EQ(LevenshteinSimilarity(U"a", U"abcdefgh", 0.5), 0.0);  // length bound
  CachedLevenshtein cached(U"abcd");
  EXPECT_DOUBLE_EQ(cached.Similarity(U"abxy", 0.6), 0.0);
  EXPECT_DOUBLE_EQ(cached.Similarity(U"abxy", 0.5), 0.5);
}

TEST(LevenshteinTest, FastEqualsReferenceOnRandomStrings) {
  std::mt19937 rng(20240611);
  for (const auto& alphabet : Alphabets()) {
    for (int n = 0; n < 700; ++n) {
      const std::u32string a = RandomString(rng, alphabet, RandomLength(rng));
      const std::u32string b = RandomString(rng, alphabet, RandomLength(rng));
      const std::size_t expected = reference::LevenshteinDistance(a, b);
      ASSERT_EQ(LevenshteinDistance(a, b), expected) << a.size() << " " << b.size();
      ASSERT_EQ(CachedLevenshtein(a).Distance(b), expected);
      ASSERT_EQ(CachedLevenshtein(b).Distance(a), expected);
      ASSERT_EQ(LevenshteinSimilarity(a, b), reference::LevenshteinSimilarity(a, b));
    }
  }
}

TEST(LevenshteinTest, BoundaryLengthsAgainstReference) {
  std::mt19937 rng(7);
  for (std::size_t la : {62, 63, 64, 65, 66}) {
    for (std::size_t lb : {0, 1, 63, 64, 65, 128}) {
      const std::u32string a = RandomString(rng, U"ab", la);
      const std::u32string b = RandomString(rng, U"ab", lb);
      EXPECT_EQ(CachedLevenshtein(a).Distance(b), reference::LevenshteinDistance(a, b));
      EXPECT_EQ(LevenshteinDistance(a, b), reference::LevenshteinDistance(a, b));
    }
  }
  // All-different 64-code-point pattern: the highest bit decides the score.
  const std::u32string x(64, U'x'), y(64, U'y');
  EXPECT_EQ(LevenshteinDistance(x, y), 64u);
  EXPECT_EQ(LevenshteinDistance(x, x), 0u);
}

TEST(JaroTest, KnownValues) {
  // Classic examples from Winkler (1990) / Wikipedia.
  EXPECT_NEAR(JaroSimilarity(U"MARTHA", U"MARHTA"), 0.944444, 1e-6);
  EXPECT_NEAR(JaroWinklerSimilarity(U"MARTHA", U"MARHTA"), 0.961111, 1e-6);
  EXPECT_NEAR(JaroSimilarity(U"DIXON", U"DICKSONX"), 0.766667, 1e-6);
  EXPECT_NEAR(JaroWinklerSimilarity(U"DIXON", U"DICKSONX"), 0.813333, 1e-6);
  EXPECT_NEAR(JaroWinklerSimilarity(U"DWAYNE", U"DUANE"), 0.84, 1e-6);
  EXPECT_DOUBLE_EQ(JaroSimilarity(U"", U""), 1.0);
  EXPECT_DOUBLE_EQ(JaroSimilarity(U"a", U""), 0.0);
  EXPECT_DOUBLE_EQ(JaroSimilarity(U"abc", U"xyz"), 0.0);
  EXPECT_DOUBLE_EQ(JaroWinklerSimilarity(U("محمد"), U("محمد")), 1.0);
}

TEST(JaroTest, WinklerBoostOnlyAboveThreshold) {
  // Jaro("ab", "ac") = (1/2 + 1/2 + 1) / 3 = 2/3 ≤ 0.7: no prefix boost.
  EXPECT_DOUBLE_EQ(JaroWinklerSimilarity(U"ab", U"ac"), JaroSimilarity(U"ab", U"ac"));
  // The prefix counts at most 4 code points.
  const double jaro = JaroSimilarity(U"abcdefgx", U"abcdefgy");
  EXPECT_DOUBLE_EQ(JaroWinklerSimilarity(U"abcdefgx", U"abcdefgy"), jaro + 0.4 * (1.0 - jaro));
}

TEST(JaroTest, FastEqualsReferenceOnRandomStrings) {
  std::mt19937 rng(1234567);
  for (const auto& alphabet : Alphabets()) {
    for (int n = 0; n < 700; ++n) {
      const std::u32string a = RandomString(rng, alphabet, RandomLength(rng));
      const std::u32string b = RandomString(rng, alphabet, RandomLength(rng));
      const double jaro = reference::JaroSimilarity(a, b);
      const double jw = reference::JaroWinklerSimilarity(a, b);
      ASSERT_EQ(reference::JaroSimilarity(b, a), jaro) << "the definition is symmetric";
      ASSERT_EQ(JaroSimilarity(a, b), jaro) << a.size() << " " << b.size();
      ASSERT_EQ(JaroSimilarity(b, a), jaro);
      ASSERT_EQ(JaroWinklerSimilarity(a, b), jw);
      const CachedJaroWinkler cached(a);
      ASSERT_EQ(cached.JaroSimilarity(b), jaro);
      ASSERT_EQ(cached.Similarity(b), jw);
      ASSERT_EQ(CachedJaroWinkler(b).Similarity(a), jw);
    }
  }
}

TEST(JaroTest, CutoffMatchesUncutScore) {
  std::mt19937 rng(99);
  for (int n = 0; n < 2000; ++n) {
    const std::u32string a = RandomString(rng, U"abcd", RandomLength(rng));
    const std::u32string b = RandomString(rng, U"abcd", RandomLength(rng));
    const double jw = reference::JaroWinklerSimilarity(a, b);
    for (double cutoff : {0.5, 0.8, 0.9}) {
      const double expected = jw >= cutoff ? jw : 0.0;
      ASSERT_EQ(JaroWinklerSimilarity(a, b, cutoff), expected);
      ASSERT_EQ(CachedJaroWinkler(a).Similarity(b, cutoff), expected);
    }
  }
}

TEST(TokenSetTest, SwappedOrderScoresOne) {
  EXPECT_DOUBLE_EQ(TokenSetSimilarity(U"hasan mohamed", U"mohamed hasan"), 1.0);
  EXPECT_DOUBLE_EQ(CachedTokenSet(U"hasan mohamed").Similarity(U"mohamed  hasan"), 1.0);
}

TEST(TokenSetTest, MissingMiddleNameGetsPartialCredit) {
  // (5+5 + 7+7) / (5+3+7 + 5+7) = 24/27.
  EXPECT_NEAR(TokenSetSimilarity(U"hasan ali mohamed", U"hasan mohamed"), 24.0 / 27.0, 1e-12);
}

TEST(TokenSetTest, EmptyAndSeparatorOnlyNames) {
  EXPECT_DOUBLE_EQ(TokenSetSimilarity(U"", U"   "), 1.0);
  EXPECT_DOUBLE_EQ(TokenSetSimilarity(U"ali", U" "), 0.0);
  EXPECT_EQ(SplitNameTokens(U"  a\u00A0bc\tdef ").size(), 3u);
}

TEST(TokenSetTest, ExactPairingMatchesExhaustiveSearch) {
  // Two tokens of `a` compete for the same best partner in `b`.
  const std::u32string a = U"abcd abcf";
  const std::u32string b = U"abce abcdx";
  EXPECT_NEAR(TokenSetSimilarity(a, b), reference::TokenSetSimilarity(a, b), 1e-12);
}

TEST(TokenSetTest, FastEqualsExhaustiveOnSmallNames) {
  std::mt19937 rng(4242);
  std::uniform_int_distribution<int> tokens(0, 4);
  std::uniform_int_distribution<std::size_t> len(1, 6);
  auto name = [&] {
    std::u32string s;
    const int n = tokens(rng);
    for (int i = 0; i < n; ++i) {
      if (i) s += U' ';
      s += RandomString(rng, U"abc\u0645", len(rng));
    }
    return s;
  };
  for (int n = 0; n < 1500; ++n) {
    const std::u32string a = name(), b = name();
    const double expected = reference::TokenSetSimilarity(a, b);
    ASSERT_NEAR(TokenSetSimilarity(a, b), expected, 1e-12);
    ASSERT_NEAR(CachedTokenSet(a).Similarity(b), expected, 1e-12);
  }
}

TEST(TokenSetTest, ManyTokensUseGreedyAndStayInRange) {
  const std::u32string a = U"a b c d e f g h";
  const std::u32string b = U"h g f e d c b a";
  EXPECT_DOUBLE_EQ(TokenSetSimilarity(a, b), 1.0);
  const double s = TokenSetSimilarity(U"ab cd ef gh ij kl mn op", U"ab cd ef gh ij kl mn");
  EXPECT_NEAR(s, 28.0 / 30.0, 1e-12);
}

}  // namespace
}  // namespace kinlink::match
