#include "auth/totp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "crypto/crypto.h"

namespace kinlink::auth {
namespace {

using ::kinlink::StatusCode;

// RFC 6238 Appendix B seeds.
const std::string kSha1Seed = "12345678901234567890";
const std::string kSha256Seed = "12345678901234567890123456789012";

TotpParams EightDigits(TotpAlgorithm algorithm) {
  TotpParams p;
  p.algorithm = algorithm;
  p.digits = 8;
  return p;
}

struct Vector {
  std::int64_t time;
  const char* sha1;
  const char* sha256;
};

// RFC 6238 Appendix B (30 s steps, T0 = 0, 8 digits).
constexpr Vector kRfc6238[] = {
    {59, "94287082", "46119246"},         {1111111109, "07081804", "68084774"},
    {1111111111, "14050471", "67062674"}, {1234567890, "89005924", "91819424"},
    {2000000000, "69279037", "90698825"}, {20000000000, "65353130", "77737706"},
};

TEST(TotpTest, Rfc6238Sha1Vectors) {
  for (const Vector& v : kRfc6238) {
    SCOPED_TRACE(v.time);
    EXPECT_EQ(TotpCode(kSha1Seed, v.time, EightDigits(TotpAlgorithm::kSha1)), v.sha1);
  }
}

TEST(TotpTest, Rfc6238Sha256Vectors) {
  for (const Vector& v : kRfc6238) {
    SCOPED_TRACE(v.time);
    EXPECT_EQ(TotpCode(kSha256Seed, v.time, EightDigits(TotpAlgorithm::kSha256)), v.sha256);
  }
}

TEST(TotpTest, DefaultIsSixDigitSha1) {
  // The low six digits of the eight-digit codes (both are the same number
  // modulo a power of ten).
  EXPECT_EQ(TotpCode(kSha1Seed, 59), "287082");
  EXPECT_EQ(TotpCode(kSha1Seed, 1111111109), "081804");
  EXPECT_EQ(TotpCode(kSha1Seed, 20000000000), "353130");
  TotpParams seven;
  seven.digits = 7;
  EXPECT_EQ(TotpCode(kSha1Seed, 59, seven), "4287082");
}

TEST(TotpTest, RfcVectorsVerify) {
  for (const Vector& v : kRfc6238) {
    SCOPED_TRACE(v.time);
    std::int64_t step = -1;
    EXPECT_TRUE(VerifyTotp(kSha1Seed, v.sha1, v.time, 0, &step, EightDigits(TotpAlgorithm::kSha1)));
    EXPECT_EQ(step, v.time / 30);
    EXPECT_TRUE(
        VerifyTotp(kSha256Seed, v.sha256, v.time, 0, nullptr, EightDigits(TotpAlgorithm::kSha256)));
    // A SHA-1 code is not a SHA-256 code.
    EXPECT_FALSE(
        VerifyTotp(kSha256Seed, v.sha1, v.time, 0, nullptr, EightDigits(TotpAlgorithm::kSha256)));
  }
}

TEST(TotpTest, WindowAcceptsNeighbouringStepsOnly) {
  const std::int64_t now = 1111111111;  // step 37037037
  const std::int64_t now_step = TotpStep(now);
  ASSERT_EQ(now_step, 37037037);
  for (int offset = -3; offset <= 3; ++offset) {
    SCOPED_TRACE(offset);
    const std::string code = TotpCode(kSha1Seed, now + offset * 30);
    std::int64_t step = -1;
    const bool in_window_1 = offset >= -1 && offset <= 1;
    EXPECT_EQ(VerifyTotp(kSha1Seed, code, now, 1, &step), in_window_1);
    if (in_window_1) {
      EXPECT_EQ(step, now_step + offset);
    }
    EXPECT_EQ(VerifyTotp(kSha1Seed, code, now, 0), offset == 0);
    EXPECT_EQ(VerifyTotp(kSha1Seed, code, now, 2), offset >= -2 && offset <= 2);
  }
}

TEST(TotpTest, StepBoundaries) {
  // 59 and 60 are in steps 1 and 2.
  EXPECT_EQ(TotpStep(59), 1);
  EXPECT_EQ(TotpStep(60), 2);
  EXPECT_EQ(TotpStep(0), 0);
  EXPECT_EQ(TotpStep(-1), -1);
  std::int64_t step = -1;
  EXPECT_TRUE(VerifyTotp(kSha1Seed, TotpCode(kSha1Seed, 59), 60, 1, &step));
  EXPECT_EQ(step, 1);
  // At step 0 the window does not reach below zero.
  EXPECT_TRUE(VerifyTotp(kSha1Seed, TotpCode(kSha1Seed, 0), 0, 1, &step));
  EXPECT_EQ(step, 0);
  TotpParams shifted;
  shifted.epoch_seconds = 100;
  EXPECT_EQ(TotpStep(99, shifted), -1);
  EXPECT_EQ(TotpStep(130, shifted), 1);
  EXPECT_EQ(TotpCode(kSha1Seed, 130, shifted), TotpCode(kSha1Seed, 30));
  EXPECT_EQ(TotpCode(kSha1Seed, 99, shifted), "");
}

TEST(TotpTest, RejectsMalformedCodes) {
  const std::string good = TotpCode(kSha1Seed, 59);
  ASSERT_EQ(good.size(), 6u);
  std::int64_t step = 12345;
  EXPECT_FALSE(VerifyTotp(kSha1Seed, "", 59, 1, &step));
  EXPECT_FALSE(VerifyTotp(kSha1Seed, good.substr(0, 5), 59, 1, &step));
  EXPECT_FALSE(VerifyTotp(kSha1Seed, good + "0", 59, 1, &step));
  EXPECT_FALSE(VerifyTotp(kSha1Seed, good + " ", 59, 1, &step));
  EXPECT_FALSE(VerifyTotp(kSha1Seed, " " + good.substr(1), 59, 1, &step));
  EXPECT_FALSE(VerifyTotp(kSha1Seed, "12345a", 59, 1, &step));
  EXPECT_FALSE(VerifyTotp(kSha1Seed, "94287082", 59, 1, &step));  // 8 digits for 6
  std::string wrong = good;
  wrong[5] = wrong[5] == '9' ? '0' : static_cast<char>(wrong[5] + 1);
  EXPECT_FALSE(VerifyTotp(kSha1Seed, wrong, 59, 1, &step));
  EXPECT_EQ(step, 12345) << "matched_step must be left alone on failure";
}

TEST(TotpTest, RefusesWeakSecretsBadWindowsAndBadParams) {
  const std::string code = TotpCode(kSha1Seed, 59);
  EXPECT_EQ(TotpCode("", 59), "");
  EXPECT_EQ(TotpCode(std::string(kMinTotpSecretBytes - 1, 'k'), 59), "");
  EXPECT_EQ(TotpCode(std::string(kMinTotpSecretBytes, 'k'), 59).size(), 6u);
  EXPECT_EQ(TotpCode(std::string(kMaxTotpSecretBytes, 'k'), 59).size(), 6u);
  EXPECT_EQ(TotpCode(std::string(kMaxTotpSecretBytes + 1, 'k'), 59), "");
  EXPECT_FALSE(VerifyTotp(std::string(kMinTotpSecretBytes - 1, 'k'),
                          TotpCode(std::string(kMinTotpSecretBytes - 1, 'k'), 59), 59));
  EXPECT_FALSE(VerifyTotp("", "", 59));
  EXPECT_FALSE(VerifyTotp(kSha1Seed, code, 59, -1));
  EXPECT_FALSE(VerifyTotp(kSha1Seed, code, 59, kMaxTotpWindow + 1));
  EXPECT_TRUE(VerifyTotp(kSha1Seed, code, 59, kMaxTotpWindow));
  EXPECT_FALSE(VerifyTotp(kSha1Seed, code, -1));

  TotpParams bad;
  bad.digits = 5;
  EXPECT_EQ(TotpCode(kSha1Seed, 59, bad), "");
  EXPECT_FALSE(VerifyTotp(kSha1Seed, "28708", 59, 1, nullptr, bad));
}

TEST(TotpTest, ValidateParamsNamesTheField) {
  EXPECT_TRUE(ValidateTotpParams(TotpParams()).ok());
  TotpParams p;
  p.digits = 9;
  EXPECT_NE(ValidateTotpParams(p).message().find("digits"), std::string::npos);
  p = TotpParams();
  p.step_seconds = 0;
  EXPECT_NE(ValidateTotpParams(p).message().find("step"), std::string::npos);
  p = TotpParams();
  p.epoch_seconds = -1;
  EXPECT_NE(ValidateTotpParams(p).message().find("epoch"), std::string::npos);
  EXPECT_EQ(ValidateTotpParams(p).code(), StatusCode::kInvalidArgument);
}

TEST(TotpTest, GeneratedSecretsAreRandomAndUsable) {
  ASSERT_TRUE(crypto::Initialize().ok());
  crypto::SecretBytes a = GenerateTotpSecret();
  crypto::SecretBytes b = GenerateTotpSecret();
  EXPECT_EQ(a.size(), kTotpSecretBytes);
  EXPECT_NE(a.view(), b.view());
  const std::string code = TotpCode(a.view(), 1700000000);
  EXPECT_EQ(code.size(), 6u);
  EXPECT_TRUE(VerifyTotp(a.view(), code, 1700000000));
}

// RFC 4648 section 10, without the padding for encoding.
struct Base32Vector {
  const char* bytes;
  const char* unpadded;
  const char* padded;
};
constexpr Base32Vector kRfc4648[] = {
    {"", "", ""},
    {"f", "MY", "MY======"},
    {"fo", "MZXQ", "MZXQ===="},
    {"foo", "MZXW6", "MZXW6==="},
    {"foob", "MZXW6YQ", "MZXW6YQ="},
    {"fooba", "MZXW6YTB", "MZXW6YTB"},
    {"foobar", "MZXW6YTBOI", "MZXW6YTBOI======"},
};

TEST(Base32Test, Rfc4648Vectors) {
  for (const Base32Vector& v : kRfc4648) {
    SCOPED_TRACE(v.bytes);
    EXPECT_EQ(Base32Encode(v.bytes), v.unpadded);
    Result<std::string> unpadded = Base32Decode(v.unpadded);
    ASSERT_TRUE(unpadded.ok()) << unpadded.status().ToString();
    EXPECT_EQ(*unpadded, v.bytes);
    Result<std::string> padded = Base32Decode(v.padded);
    ASSERT_TRUE(padded.ok()) << padded.status().ToString();
    EXPECT_EQ(*padded, v.bytes);
  }
}

TEST(Base32Test, TotpSeedAndLowerCase) {
  EXPECT_EQ(Base32Encode(kSha1Seed), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  Result<std::string> lower = Base32Decode("gezdgnbvgy3tqojqgezdgnbvgy3tqojq");
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(*lower, kSha1Seed);
}

TEST(Base32Test, RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n <= 70; ++n) {
    SCOPED_TRACE(n);
    Result<std::string> back = Base32Decode(Base32Encode(bytes));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, bytes);
    bytes.push_back(static_cast<char>(n * 37 + 201));
  }
}

TEST(Base32Test, RejectsMalformedText) {
  struct Case {
    const char* name;
    std::string text;
    const char* message_part;
  };
  const Case cases[] = {
      {"digitOne", "MZXW1", "offset 4"},
      {"digitEight", "MZ8W6", "offset 2"},
      {"space", "MZXW 6YQ", "offset 4"},
      {"innerPadding", "MZ=W6===", "offset 2"},
      {"oneChar", "M", "length"},
      {"threeChars", "MZX", "length"},
      {"sixChars", "MZXW6Y", "length"},
      {"nineChars", "MZXW6YTBO", "length"},
      {"shortPadding", "MY==", "padding"},
      {"longPadding", "MZXW6YTB========", "padding"},
      {"nonCanonicalBits", "MZ", "non-zero bits"},
      {"nonCanonicalBitsPadded", "MZ======", "non-zero bits"},
      {"tooLong", std::string(kMaxBase32Chars + 8, 'A'), "kMaxBase32Chars"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<std::string> r = Base32Decode(c.text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message_part), std::string::npos) << r.status().message();
  }
}

TEST(OtpauthUriTest, EncodesLabelAndParameters) {
  Result<std::string> uri = OtpauthUri("Kinlink Amman", "k.haddad@example.org", kSha1Seed);
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  EXPECT_EQ(*uri,
            "otpauth://totp/Kinlink%20Amman:k.haddad%40example.org"
            "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Kinlink%20Amman"
            "&algorithm=SHA1&digits=6&period=30");
}

TEST(OtpauthUriTest, NonAsciiAndSha256) {
  TotpParams params = EightDigits(TotpAlgorithm::kSha256);
  params.step_seconds = 60;
  Result<std::string> uri = OtpauthUri("Kinlink \xD8\xB9\xD9\x85\xD8\xA7\xD9\x86",
                                       "a&b=c?d/e~f_g-h.i", kSha256Seed, params);
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  EXPECT_EQ(*uri,
            "otpauth://totp/Kinlink%20%D8%B9%D9%85%D8%A7%D9%86:a%26b%3Dc%3Fd%2Fe~f_g-h.i"
            "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"
            "&issuer=Kinlink%20%D8%B9%D9%85%D8%A7%D9%86&algorithm=SHA256&digits=8&period=60");
}

TEST(OtpauthUriTest, RefusesBadInput) {
  TotpParams shifted;
  shifted.epoch_seconds = 10;
  TotpParams bad_digits;
  bad_digits.digits = 4;
  struct Case {
    const char* name;
    std::string issuer;
    std::string account;
    std::string secret;
    TotpParams params;
  };
  const Case cases[] = {
      {"emptyIssuer", "", "user", kSha1Seed, TotpParams()},
      {"emptyAccount", "Kinlink", "", kSha1Seed, TotpParams()},
      {"colonInIssuer", "Kin:link", "user", kSha1Seed, TotpParams()},
      {"colonInAccount", "Kinlink", "us:er", kSha1Seed, TotpParams()},
      {"invalidUtf8", "Kinlink\xFF", "user", kSha1Seed, TotpParams()},
      {"longAccount", "Kinlink", std::string(257, 'u'), kSha1Seed, TotpParams()},
      {"shortSecret", "Kinlink", "user", std::string(15, 's'), TotpParams()},
      {"epoch", "Kinlink", "user", kSha1Seed, shifted},
      {"digits", "Kinlink", "user", kSha1Seed, bad_digits},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<std::string> uri = OtpauthUri(c.issuer, c.account, c.secret, c.params);
    ASSERT_FALSE(uri.ok());
    EXPECT_EQ(uri.status().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace kinlink::auth
