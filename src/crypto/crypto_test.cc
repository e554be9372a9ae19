#include "crypto/crypto.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cstring>
#include <set>
#include <string>
#include <utility>

namespace kinlink::crypto {
namespace {

class CryptoTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Initialize().ok()); }
};

// 00 01 02 ... 1f: a fixed key for known-answer tests.
SecretBytes CountingKey() {
  std::string bytes;
  for (int i = 0; i < 32; ++i) bytes.push_back(static_cast<char>(i));
  return SecretBytes::CopyOf(bytes);
}

std::string FromHex(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  std::size_t n = 0;
  EXPECT_EQ(sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                           hex.size(), nullptr, &n, nullptr),
            0);
  out.resize(n);
  return out;
}

TEST_F(CryptoTest, InitializeIsIdempotent) {
  EXPECT_TRUE(Initialize().ok());
  EXPECT_TRUE(Initialize().ok());
}

TEST(HardenProcessTest, DisablesCoreDumpsAndDumpable) {
  ASSERT_TRUE(HardenProcess().ok());
  struct rlimit limit;
  ASSERT_EQ(getrlimit(RLIMIT_CORE, &limit), 0);
  EXPECT_EQ(limit.rlim_cur, 0u);
  EXPECT_EQ(limit.rlim_max, 0u);
  EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
  // A second call must still succeed (the limits can only be lowered).
  EXPECT_TRUE(HardenProcess().ok());
}

// --- SecretBytes -----------------------------------------------------------

TEST_F(CryptoTest, SecretBytesDefaultAndZeroSizeHoldNothing) {
  SecretBytes none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.data(), nullptr);
  SecretBytes zero(0);
  EXPECT_TRUE(zero.empty());
  EXPECT_EQ(zero.data(), nullptr);
  EXPECT_TRUE(zero.view().empty());
}

TEST_F(CryptoTest, SecretBytesIsZeroFilled) {
  SecretBytes bytes(100);
  ASSERT_EQ(bytes.size(), 100u);
  ASSERT_NE(bytes.data(), nullptr);
  EXPECT_EQ(bytes.view(), std::string(100, '\0'));
}

TEST_F(CryptoTest, SecretBytesCopyOfCopiesBytes) {
  const std::string source("k\0e\xffy", 5);
  SecretBytes bytes = SecretBytes::CopyOf(source);
  EXPECT_EQ(bytes.view(), source);
  EXPECT_NE(reinterpret_cast<const char*>(bytes.data()), source.data());
  EXPECT_TRUE(SecretBytes::CopyOf("").empty());
}

TEST_F(CryptoTest, SecretBytesRandomDiffers) {
  SecretBytes a = SecretBytes::Random(32);
  SecretBytes b = SecretBytes::Random(32);
  ASSERT_EQ(a.size(), 32u);
  ASSERT_EQ(b.size(), 32u);
  EXPECT_NE(a.view(), b.view());
  EXPECT_NE(a.view(), std::string(32, '\0'));
  EXPECT_TRUE(SecretBytes::Random(0).empty());
}

TEST_F(CryptoTest, SecretBytesMoveConstructionTransfersOwnership) {
  SecretBytes a = SecretBytes::CopyOf("abc");
  const unsigned char* buffer = a.data();
  SecretBytes b(std::move(a));
  EXPECT_EQ(b.data(), buffer);
  EXPECT_EQ(b.view(), "abc");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_EQ(a.data(), nullptr);
}

TEST_F(CryptoTest, SecretBytesMoveAssignmentReplacesAndEmptiesSource) {
  SecretBytes a = SecretBytes::CopyOf("first");
  SecretBytes b = SecretBytes::CopyOf("second");
  const unsigned char* buffer = b.data();
  a = std::move(b);
  EXPECT_EQ(a.data(), buffer);
  EXPECT_EQ(a.view(), "second");
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.data(), nullptr);
  // A moved-from object is reusable.
  b = SecretBytes::CopyOf("third");
  EXPECT_EQ(b.view(), "third");
}

// --- Seal / Open -----------------------------------------------------------

TEST_F(CryptoTest, SealOpenRoundTrip) {
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  const std::string plaintext = "Amina K., born 1994, last seen in the north";
  const std::string sealed = Seal(key, plaintext, "record 7 v1");
  EXPECT_EQ(sealed.size(), SealedSize(plaintext.size()));
  EXPECT_EQ(sealed.find(plaintext), std::string::npos);
  Result<std::string> opened = Open(key, sealed, "record 7 v1");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, plaintext);
}

TEST_F(CryptoTest, SealedSizeAddsNonceAndTag) {
  EXPECT_EQ(SealedSize(0), 40u);
  EXPECT_EQ(SealedSize(32), 72u);
}

TEST_F(CryptoTest, SealOpenEmptyPlaintextAndEmptyAd) {
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  const std::string sealed = Seal(key, "", "");
  EXPECT_EQ(sealed.size(), SealedSize(0));
  Result<std::string> opened = Open(key, sealed, "");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "");
  EXPECT_EQ(Open(key, sealed, "x").status().code(), StatusCode::kUnauthenticated);
}

TEST_F(CryptoTest, SealUsesFreshNonces) {
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  const std::string a = Seal(key, "same", "ad");
  const std::string b = Seal(key, "same", "ad");
  EXPECT_NE(a, b);
  EXPECT_NE(a.substr(0, 24), b.substr(0, 24));
}

TEST_F(CryptoTest, OpenFailsForEveryTamperedByte) {
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  const std::string sealed = Seal(key, "a short record payload", "row 1");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (unsigned char flip : {0x01, 0x80, 0xff}) {
      std::string tampered = sealed;
      tampered[i] = static_cast<char>(tampered[i] ^ flip);
      Result<std::string> opened = Open(key, tampered, "row 1");
      EXPECT_EQ(opened.status().code(), StatusCode::kUnauthenticated)
          << "byte " << i << " flip " << int{flip};
    }
  }
}

TEST_F(CryptoTest, OpenFailsWithWrongAssociatedData) {
  // This is what makes a ciphertext moved to another row fail to open.
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  const std::string sealed = Seal(key, "payload", "record 7 v1");
  EXPECT_EQ(Open(key, sealed, "record 8 v1").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Open(key, sealed, "record 7 v2").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Open(key, sealed, "").status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(Open(key, sealed, "record 7 v1").ok());
}

TEST_F(CryptoTest, OpenFailsWithWrongKey) {
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  SecretBytes other = SecretBytes::Random(kKeyBytes);
  const std::string sealed = Seal(key, "payload", "ad");
  Result<std::string> opened = Open(other, sealed, "ad");
  EXPECT_EQ(opened.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(opened.status().message().find("payload"), std::string::npos);
}

TEST_F(CryptoTest, OpenRejectsShortInputAsDataLossAndTruncationAsUnauthenticated) {
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  const std::string sealed = Seal(key, "0123456789", "ad");
  for (std::size_t n = 0; n < sealed.size(); ++n) {
    const StatusCode want = n < 40 ? StatusCode::kDataLoss : StatusCode::kUnauthenticated;
    EXPECT_EQ(Open(key, sealed.substr(0, n), "ad").status().code(), want) << "length " << n;
  }
  EXPECT_EQ(Open(key, sealed + "x", "ad").status().code(), StatusCode::kUnauthenticated);
}

TEST_F(CryptoTest, OpenSecretRoundTripAndErrors) {
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  SecretBytes data_key = SecretBytes::Random(kKeyBytes);
  const std::string sealed = Seal(key, data_key.view(), "record 3");
  Result<SecretBytes> opened = OpenSecret(key, sealed, "record 3");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->view(), data_key.view());
  EXPECT_EQ(OpenSecret(key, sealed, "record 4").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(OpenSecret(key, sealed.substr(0, 39), "record 3").status().code(),
            StatusCode::kDataLoss);
  Result<SecretBytes> empty = OpenSecret(key, Seal(key, "", "e"), "e");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(OpenSecret(key, Seal(key, "", "e"), "f").status().code(), StatusCode::kUnauthenticated);
}

TEST_F(CryptoTest, SealMatchesLibsodiumLayout) {
  // nonce || ciphertext || tag, decryptable with libsodium directly.
  SecretBytes key = CountingKey();
  const std::string sealed = Seal(key, "layout", "ad");
  std::string plain(6, '\0');
  unsigned long long n = 0;
  ASSERT_EQ(crypto_aead_xchacha20poly1305_ietf_decrypt(
                reinterpret_cast<unsigned char*>(plain.data()), &n, nullptr,
                reinterpret_cast<const unsigned char*>(sealed.data()) + 24, sealed.size() - 24,
                reinterpret_cast<const unsigned char*>("ad"), 2,
                reinterpret_cast<const unsigned char*>(sealed.data()), key.data()),
            0);
  EXPECT_EQ(n, 6u);
  EXPECT_EQ(plain, "layout");
}

// --- Tokens, MACs, hashes --------------------------------------------------

TEST_F(CryptoTest, TokenIsDeterministicAndSized) {
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  const std::string t = Token(key, "source-id", "A-17");
  EXPECT_EQ(t.size(), kTokenBytes);
  EXPECT_EQ(Token(key, "source-id", "A-17"), t);
}

TEST_F(CryptoTest, TokenDiffersByKeyDomainAndValue) {
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  SecretBytes other = SecretBytes::Random(kKeyBytes);
  const std::string t = Token(key, "source-id", "A-17");
  EXPECT_NE(Token(other, "source-id", "A-17"), t);
  EXPECT_NE(Token(key, "family-name", "A-17"), t);
  EXPECT_NE(Token(key, "source-id", "A-18"), t);
  EXPECT_NE(Token(key, "source-id", ""), Token(key, "", "source-id"));
}

TEST_F(CryptoTest, TokenLengthPrefixSeparatesDomainFromValue) {
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  EXPECT_NE(Token(key, "ab", "c"), Token(key, "a", "bc"));
  EXPECT_NE(Token(key, "", "abc"), Token(key, "abc", ""));
}

TEST_F(CryptoTest, TokenMatchesDocumentedEncoding) {
  // Stored tokens depend on this exact encoding: BLAKE2b-128 keyed, over
  // LE32(len(domain)) || domain || value.
  SecretBytes key = CountingKey();
  const std::string input = std::string("\x02\x00\x00\x00", 4) + "ab" + "c";
  std::string expected(16, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(expected.data()), 16,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size(), key.data(),
                     key.size());
  EXPECT_EQ(Token(key, "ab", "c"), expected);
}

TEST_F(CryptoTest, MacVerifiesAndRejectsChanges) {
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  const std::string mac = Mac(key, "audit entry 12");
  EXPECT_EQ(mac.size(), kMacBytes);
  EXPECT_EQ(Mac(key, "audit entry 12"), mac);
  EXPECT_TRUE(VerifyMac(key, "audit entry 12", mac));
  EXPECT_FALSE(VerifyMac(key, "audit entry 13", mac));
  EXPECT_FALSE(VerifyMac(SecretBytes::Random(kKeyBytes), "audit entry 12", mac));
  EXPECT_FALSE(VerifyMac(key, "audit entry 12", mac.substr(0, 31)));
  EXPECT_FALSE(VerifyMac(key, "audit entry 12", mac + "x"));
  EXPECT_FALSE(VerifyMac(key, "audit entry 12", ""));
  for (std::size_t i = 0; i < mac.size(); ++i) {
    std::string bad = mac;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(VerifyMac(key, "audit entry 12", bad)) << "byte " << i;
  }
}

TEST_F(CryptoTest, MacDiffersFromHashAndToken) {
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  EXPECT_NE(Mac(key, "m"), Hash("m"));
  EXPECT_NE(Mac(key, "m").substr(0, 16), Token(key, "", "m"));
}

TEST_F(CryptoTest, HashKnownAnswers) {
  EXPECT_EQ(ToHex(Hash("")), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(ToHex(Hash("abc")), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  EXPECT_EQ(Hash("abc").size(), 32u);
}

// --- DeriveKey -------------------------------------------------------------

TEST_F(CryptoTest, DeriveKeyIsDeterministicAndPurposesDiffer) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  std::set<std::string> seen;
  for (Purpose p :
       {Purpose::kRecordKeyWrap, Purpose::kToken, Purpose::kAuditMac, Purpose::kSessionMac}) {
    SecretBytes a = DeriveKey(master, p);
    SecretBytes b = DeriveKey(master, p);
    ASSERT_EQ(a.size(), kKeyBytes);
    EXPECT_EQ(a.view(), b.view());
    EXPECT_NE(a.view(), master.view());
    seen.insert(std::string(a.view()));
  }
  EXPECT_EQ(seen.size(), 4u);
  SecretBytes other = SecretBytes::Random(kKeyBytes);
  EXPECT_NE(DeriveKey(other, Purpose::kToken).view(), DeriveKey(master, Purpose::kToken).view());
}

TEST_F(CryptoTest, DeriveKeyMatchesBlake2bWithSubkeyIdAndContext) {
  // crypto_kdf in libsodium 1.0.18 is BLAKE2b keyed with the master key,
  // salt = LE64(subkey id) || 0^8, personal = context || 0^8. Checking that
  // independently pins the context "kinlink1" and the purpose numbers.
  SecretBytes master = CountingKey();
  unsigned char salt[16] = {2};  // Purpose::kToken
  unsigned char personal[16] = {'k', 'i', 'n', 'l', 'i', 'n', 'k', '1'};
  std::string expected(32, '\0');
  ASSERT_EQ(crypto_generichash_blake2b_salt_personal(
                reinterpret_cast<unsigned char*>(expected.data()), 32, nullptr, 0, master.data(),
                master.size(), salt, personal),
            0);
  EXPECT_EQ(DeriveKey(master, Purpose::kToken).view(), expected);
}

TEST_F(CryptoTest, DeriveKeyAbortsOnWrongMasterSize) {
  SecretBytes short_master = SecretBytes::Random(16);
  EXPECT_DEATH(DeriveKey(short_master, Purpose::kToken), "");
}

TEST_F(CryptoTest, SealAbortsOnWrongKeySize) {
  SecretBytes short_key = SecretBytes::Random(16);
  EXPECT_DEATH(Seal(short_key, "x", ""), "");
}

// --- Wipe, ToHex -----------------------------------------------------------

TEST_F(CryptoTest, WipeZeroesEveryByteAndKeepsSize) {
  std::string secret = "correct horse battery staple";
  const std::size_t size = secret.size();
  Wipe(secret);
  EXPECT_EQ(secret, std::string(size, '\0'));
  std::string empty;
  Wipe(empty);
  EXPECT_TRUE(empty.empty());
}

TEST_F(CryptoTest, ToHexIsLowerCase) {
  EXPECT_EQ(ToHex(""), "");
  EXPECT_EQ(ToHex(std::string("\x00\xff\x10\xab", 4)), "00ff10ab");
  EXPECT_EQ(FromHex(ToHex("round trip")), "round trip");
}

}  // namespace
}  // namespace kinlink::crypto

namespace kinlink::crypto {
namespace {

TEST(HotPathTest, FillRandomChangesBytesAndKeepsSize) {
  SecretBytes key(kKeyBytes);
  const std::string zeros(kKeyBytes, '\0');
  FillRandom(key);
  EXPECT_EQ(key.size(), kKeyBytes);
  EXPECT_NE(key.view(), zeros);
  const std::string first(key.view());
  FillRandom(key);
  EXPECT_NE(key.view(), first);
}

TEST(HotPathTest, OpenSecretIntoMatchesOpenSecret) {
  SecretBytes wrap = SecretBytes::Random(kKeyBytes);
  SecretBytes data = SecretBytes::Random(kKeyBytes);
  const std::string sealed = Seal(wrap, data.view(), "ad");
  SecretBytes out(kKeyBytes);
  ASSERT_TRUE(OpenSecretInto(wrap, sealed, "ad", out).ok());
  EXPECT_EQ(out.view(), data.view());
  EXPECT_EQ(OpenSecretInto(wrap, sealed, "other", out).code(), StatusCode::kUnauthenticated);
  SecretBytes wrong_size(16);
  EXPECT_EQ(OpenSecretInto(wrap, sealed, "ad", wrong_size).code(), StatusCode::kInvalidArgument);
}

// Deterministic test bytes (a linear congruential generator).
class TestBytes {
 public:
  explicit TestBytes(std::uint32_t seed) : seed_(seed) {}
  std::uint32_t Next() {
    seed_ = seed_ * 1664525u + 1013904223u;
    return seed_ >> 8;
  }
  std::string Bytes(std::size_t n) {
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(Next());
    return out;
  }

 private:
  std::uint32_t seed_;
};

// TokenKey gives Token's bytes: random keys, domains and values whose
// message lengths cover one block, exact block multiples and several blocks.
TEST(TokenKeyTest, EqualsTokenOnRandomInputs) {
  TestBytes rng(17);
  for (int round = 0; round < 3000; ++round) {
    const SecretBytes key = SecretBytes::CopyOf(rng.Bytes(kKeyBytes));
    const TokenKey fast(key);
    // An empty domain every third round: the lengths below then fall on
    // the block edges exactly.
    const std::string domain = rng.Bytes(round % 3 == 0 ? 0 : rng.Next() % 40);
    // Lengths around the block edges (124 = 128 - the 4-byte prefix).
    const std::size_t lengths[] = {0, 1, 15, 16, 17, 100, 123, 124, 125, 200, 252, 253, 380, 1000};
    const std::string value = rng.Bytes(round < 1000 ? lengths[round % 14] : rng.Next() % 600);
    unsigned char out[kTokenBytes];
    fast.Compute(domain, value, out);
    ASSERT_EQ(std::string(reinterpret_cast<const char*>(out), kTokenBytes), Token(key, domain, value))
        << "round " << round << " domain " << domain.size() << " value " << value.size();
  }
}

// ComputeFour gives Token's bytes for each of its four messages: one-block
// messages of every length up to the block edge (4 + domain + value =
// 128), messages one byte over it (four Computes then), and mixtures.
TEST(TokenKeyTest, ComputeFourEqualsTokenForEachMessage) {
  TestBytes rng(23);
  for (int round = 0; round < 2000; ++round) {
    const SecretBytes key = SecretBytes::CopyOf(rng.Bytes(kKeyBytes));
    const TokenKey fast(key);
    std::string domains[4], values[4];
    for (int j = 0; j < 4; ++j) {
      domains[j] = rng.Bytes(rng.Next() % 45);
      // Up to the block edge, or (one round in five) just past it.
      const std::size_t room = 124 - domains[j].size();
      const std::size_t length = round % 5 == 4 && j == round % 4 ? room + 1 + rng.Next() % 3
                                 : round % 7 == 0                 ? room
                                                                  : rng.Next() % (room + 1);
      values[j] = rng.Bytes(length);
    }
    const std::string_view d[4] = {domains[0], domains[1], domains[2], domains[3]};
    const std::string_view v[4] = {values[0], values[1], values[2], values[3]};
    unsigned char out[4][kTokenBytes];
    unsigned char* const outs[4] = {out[0], out[1], out[2], out[3]};
    fast.ComputeFour(d, v, outs);
    for (int j = 0; j < 4; ++j) {
      ASSERT_EQ(std::string(reinterpret_cast<const char*>(out[j]), kTokenBytes),
                Token(key, domains[j], values[j]))
          << "round " << round << " message " << j << " domain " << domains[j].size()
          << " value " << values[j].size();
    }
  }
}

}  // namespace
}  // namespace kinlink::crypto
