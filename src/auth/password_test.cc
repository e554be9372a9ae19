#include "auth/password.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/crypto.h"

namespace kinlink::auth {
namespace {

using ::kinlink::StatusCode;

constexpr PasswordStrength kFast = PasswordStrength::kInteractive;

class PasswordTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::Initialize().ok()); }
};

TEST_F(PasswordTest, HashIsArgon2idAndVerifies) {
  Result<std::string> hash = HashPassword("correct horse battery staple", kFast);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse battery stapl"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse battery staple "));
  EXPECT_FALSE(VerifyPassword(*hash, "Correct horse battery staple"));
}

TEST_F(PasswordTest, SaltMakesEachHashDifferent) {
  Result<std::string> a = HashPassword("the same password", kFast);
  Result<std::string> b = HashPassword("the same password", kFast);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword(*a, "the same password"));
  EXPECT_TRUE(VerifyPassword(*b, "the same password"));
}

TEST_F(PasswordTest, BytesAfterANulCount) {
  const std::string password("first part\0second part", 22);
  Result<std::string> hash = HashPassword(password, kFast);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(VerifyPassword(*hash, password));
  EXPECT_FALSE(VerifyPassword(*hash, std::string("first part\0other part!", 22)));
  EXPECT_FALSE(VerifyPassword(*hash, "first part"));
}

TEST_F(PasswordTest, HashRefusesEmptyAndOversizedPasswords) {
  Result<std::string> empty = HashPassword("", kFast);
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  Result<std::string> too_long = HashPassword(std::string(kMaxPasswordBytes + 1, 'x'), kFast);
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.status().message().find("kMaxPasswordBytes"), std::string::npos);

  const std::string longest(kMaxPasswordBytes, 'x');
  Result<std::string> hash = HashPassword(longest, kFast);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(VerifyPassword(*hash, longest));
}

TEST_F(PasswordTest, VerifyRejectsBadInputWithoutCrashing) {
  Result<std::string> hash = HashPassword("a long enough password", kFast);
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  EXPECT_FALSE(VerifyPassword(*hash, std::string(kMaxPasswordBytes + 1, 'x')));
  EXPECT_FALSE(VerifyPassword("", "a long enough password"));
  EXPECT_FALSE(VerifyPassword("not a hash", "a long enough password"));
  EXPECT_FALSE(VerifyPassword(hash->substr(0, hash->size() - 5), "a long enough password"));
  EXPECT_FALSE(VerifyPassword(*hash + std::string(1, '\0') + "x", "a long enough password"));
  EXPECT_FALSE(VerifyPassword(std::string(4096, '$'), "a long enough password"));
}

TEST_F(PasswordTest, NeedsRehashWhenLimitsDiffer) {
  Result<std::string> hash = HashPassword("a long enough password", kFast);
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(NeedsRehash(*hash, PasswordStrength::kInteractive));
  EXPECT_TRUE(NeedsRehash(*hash, PasswordStrength::kModerate));
  EXPECT_TRUE(NeedsRehash("", PasswordStrength::kInteractive));
  EXPECT_TRUE(NeedsRehash("$2y$10$not-argon", PasswordStrength::kInteractive));
}

TEST_F(PasswordTest, DefaultStrengthIsModerate) {
  Result<std::string> hash = HashPassword("a long enough password");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_FALSE(NeedsRehash(*hash));
  EXPECT_TRUE(NeedsRehash(*hash, PasswordStrength::kInteractive));
  EXPECT_TRUE(VerifyPassword(*hash, "a long enough password"));
}

struct PolicyCase {
  const char* name;
  std::string password;
  bool ok;
  const char* message_part;  // for failures
};

TEST_F(PasswordTest, PolicyTable) {
  const std::string e_acute = "\xC3\xA9";  // é, two bytes
  std::string eleven_e_acute;
  for (int i = 0; i < 11; ++i) eleven_e_acute += e_acute;
  std::string twelve_e_acute = eleven_e_acute + e_acute;
  const PolicyCase cases[] = {
      {"empty", "", false, "empty"},
      {"eleven", "abcdefghijk", false, "shorter than 12 characters"},
      {"twelve", "abcdefghijkl", true, ""},
      {"elevenTwoByteChars", eleven_e_acute, false, "shorter than 12 characters"},
      {"twelveDifferent", eleven_e_acute + "x", true, ""},
      {"longest", std::string(kMaxPasswordBytes - 1, 'a') + "b", true, ""},
      {"tooLong", std::string(kMaxPasswordBytes, 'a') + "b", false, "longer than 1024 bytes"},
      {"invalidUtf8", "abcdefghijkl\xFF", false, "not valid UTF-8"},
      {"overlongUtf8", "abcdefghijkl\xC0\xAF", false, "not valid UTF-8"},
      {"repeated", "aaaaaaaaaaaa", false, "one character repeated"},
      {"repeatedTwoByte", twelve_e_acute, false, "one character repeated"},
      {"repeatedSpace", std::string(20, ' '), false, "one character repeated"},
      {"twoCharacters", "abababababab", true, ""},
      {"almostRepeated", "aaaaaaaaaaab", true, ""},
      {"cyrillic",
       "\xD0\xBF\xD0\xB0\xD1\x80\xD0\xBE\xD0\xBB\xD1\x8C \xD0\xB4\xD0\xBB\xD1\x8F "
       "\xD1\x82\xD0\xB5\xD1\x81\xD1\x82\xD0\xB0",
       true, ""},
  };
  for (const PolicyCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Status s = CheckPasswordPolicy(c.password);
    EXPECT_EQ(s.ok(), c.ok) << s.ToString();
    if (!c.ok) {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
      EXPECT_NE(s.message().find(c.message_part), std::string::npos) << s.message();
    }
  }
}

TEST_F(PasswordTest, PolicyMessagesNeverCarryThePassword) {
  for (const std::string& password :
       {std::string("hunter2"), std::string("zzzzzzzzzzzzzzzz"), std::string("secret\xFFsecret")}) {
    const Status s = CheckPasswordPolicy(password);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.message().find(password), std::string::npos);
    EXPECT_EQ(s.message().find("hunter"), std::string::npos);
    EXPECT_EQ(s.message().find("zzz"), std::string::npos);
    EXPECT_EQ(s.message().find("secret"), std::string::npos);
  }
}

}  // namespace
}  // namespace kinlink::auth
