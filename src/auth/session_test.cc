#include "auth/session.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "crypto/crypto.h"

namespace kinlink::auth {
namespace {

using ::kinlink::StatusCode;

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::Initialize().ok()); }
};

bool AllBase64Url(const std::string& s) {
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

TEST_F(SessionTest, IdsAreWellFormedAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewSessionId();
    ASSERT_EQ(id.size(), kSessionIdChars);
    ASSERT_TRUE(AllBase64Url(id));
    ASSERT_TRUE(IsWellFormedSessionId(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST_F(SessionTest, CsrfTokensHaveTheSameShape) {
  const std::string a = NewCsrfToken();
  const std::string b = NewCsrfToken();
  EXPECT_EQ(a.size(), kSessionIdChars);
  EXPECT_TRUE(IsWellFormedSessionId(a));
  EXPECT_NE(a, b);
}

TEST_F(SessionTest, ShapeCheckRejectsEverythingElse) {
  const std::string id = NewSessionId();
  EXPECT_FALSE(IsWellFormedSessionId(""));
  EXPECT_FALSE(IsWellFormedSessionId(id.substr(0, kSessionIdChars - 1)));
  EXPECT_FALSE(IsWellFormedSessionId(id + "A"));
  EXPECT_FALSE(IsWellFormedSessionId(id + "="));
  EXPECT_FALSE(IsWellFormedSessionId(std::string(100000, 'A')));
  for (char bad : {'+', '/', '=', '.', ' ', '\0', '\xC3'}) {
    std::string s = id;
    s[10] = bad;
    EXPECT_FALSE(IsWellFormedSessionId(s)) << static_cast<int>(bad);
  }
  // The last character carries 4 bits and 2 unused ones, which must be 0:
  // 'A' (0) and 'E' (4) are canonical, 'B' (1) and 'D' (3) are not.
  std::string s = id;
  s.back() = 'A';
  EXPECT_TRUE(IsWellFormedSessionId(s));
  s.back() = 'E';
  EXPECT_TRUE(IsWellFormedSessionId(s));
  s.back() = 'B';
  EXPECT_FALSE(IsWellFormedSessionId(s));
  s.back() = 'D';
  EXPECT_FALSE(IsWellFormedSessionId(s));
}

TEST_F(SessionTest, HashIsKeyedAndDeterministic) {
  const crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  const crypto::SecretBytes other_key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  const std::string id = NewSessionId();
  Result<std::string> h1 = SessionIdHash(key, id);
  Result<std::string> h2 = SessionIdHash(key, id);
  Result<std::string> h_other_key = SessionIdHash(other_key, id);
  Result<std::string> h_other_id = SessionIdHash(key, NewSessionId());
  ASSERT_TRUE(h1.ok() && h2.ok() && h_other_key.ok() && h_other_id.ok());
  EXPECT_EQ(h1->size(), kSessionIdHashBytes);
  EXPECT_EQ(*h1, *h2);
  EXPECT_NE(*h1, *h_other_key);
  EXPECT_NE(*h1, *h_other_id);
  // Domain-separated: not the plain keyed MAC of the id.
  EXPECT_NE(*h1, crypto::Mac(key, id));
}

TEST_F(SessionTest, HashRefusesMalformedIdsWithoutEchoingThem) {
  const crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  const std::string forged = "forged-cookie-value";
  Result<std::string> h = SessionIdHash(key, forged);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(h.status().message().find(forged), std::string::npos);
  EXPECT_FALSE(SessionIdHash(key, "").ok());
  EXPECT_FALSE(SessionIdHash(key, NewSessionId() + "x").ok());
}

TEST_F(SessionTest, TokensEqual) {
  const std::string a = NewCsrfToken();
  std::string b = a;
  EXPECT_TRUE(TokensEqual(a, b));
  b[0] = b[0] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(TokensEqual(a, b));
  b = a;
  b.back() = b.back() == 'A' ? 'E' : 'A';
  EXPECT_FALSE(TokensEqual(a, b));
  EXPECT_FALSE(TokensEqual(a, a.substr(0, 42)));
  EXPECT_FALSE(TokensEqual(a, a + "x"));
  EXPECT_FALSE(TokensEqual(a, ""));
  EXPECT_FALSE(TokensEqual("", a));
  EXPECT_FALSE(TokensEqual("", ""));
}

}  // namespace
}  // namespace kinlink::auth
