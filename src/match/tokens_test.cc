#include "match/tokens.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace kinlink::match {
namespace {

crypto::SecretBytes Key(char fill) { return crypto::SecretBytes::CopyOf(std::string(32, fill)); }

TEST(TokenTest, EqualOnlyForSameKeyDomainAndValue) {
  const auto k1 = Key('1'), k2 = Key('2');
  const Token128 t = MakeToken(k1, "given.skeleton", "MHMD");
  EXPECT_EQ(t, MakeToken(k1, "given.skeleton", "MHMD"));
  EXPECT_NE(t, MakeToken(k2, "given.skeleton", "MHMD"));
  EXPECT_NE(t, MakeToken(k1, "family.skeleton", "MHMD"));
  EXPECT_NE(t, MakeToken(k1, "given.skeleton", "MHMT"));
  // The domain is length-prefixed.
  EXPECT_NE(MakeToken(k1, "ab", "c"), MakeToken(k1, "a", "bc"));
}

TEST(TokenTest, MatchesCryptoTokenAndRoundTrips) {
  const auto k = Key('x');
  const Token128 t = MakeToken(k, "d", "v");
  EXPECT_EQ(t.ToBytes(), crypto::Token(k, "d", "v"));
  EXPECT_EQ(Token128::FromBytes(t.ToBytes()).value(), t);
  EXPECT_EQ(t.ToHex().size(), 32u);
  EXPECT_EQ(Token128::FromBytes("short").status().code(), StatusCode::kInvalidArgument);
}

TEST(TokenTest, OrderedAndHashable) {
  const auto k = Key('x');
  std::unordered_set<Token128> set;
  for (int i = 0; i < 100; ++i) set.insert(MakeToken(k, "n", std::to_string(i)));
  set.insert(MakeToken(k, "n", "7"));
  EXPECT_EQ(set.size(), 100u);
  Token128 lo, hi;
  hi.bytes[0] = 1;
  EXPECT_LT(lo, hi);
}

}  // namespace
}  // namespace kinlink::match
