#include <fcntl.h>
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <string>

#include "common/limits.h"
#include "crypto/crypto.h"

namespace kinlink::crypto {
namespace {

// Argon2id at its cheapest, so that the tests stay fast; the production
// floor (Moderate) is checked by value only.
const KdfParams kFast = {1, 1 << 20};

class KeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Initialize().ok());
    std::string tmpl = ::testing::TempDir() + "kl_keys_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Writes `content` to a new file with exactly `mode`.
  std::string WriteFile(const std::string& name, const std::string& content, mode_t mode = 0600) {
    const std::string path = Path(name);
    int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    EXPECT_EQ(::fchmod(fd, mode), 0);
    ::close(fd);
    return path;
  }

  static std::string ReadAll(const std::string& path) {
    std::string out;
    int fd = ::open(path.c_str(), O_RDONLY);
    EXPECT_GE(fd, 0);
    char buf[256];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    return out;
  }

  std::string dir_;
};

const std::string kHex = "00112233445566778899aabbccddeeff0123456789abcdef0f1e2d3c4b5a6978";

std::string HexToBytes(const std::string& hex) {
  std::string out(hex.size() / 2, '\0');
  std::size_t n = 0;
  EXPECT_EQ(sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                           hex.size(), nullptr, &n, nullptr),
            0);
  return out;
}

// --- KdfParams -------------------------------------------------------------

TEST(KdfParamsTest, ModerateAndSensitiveAreLibsodiumValues) {
  EXPECT_EQ(KdfParams::Moderate().opslimit, 3u);
  EXPECT_EQ(KdfParams::Moderate().memlimit, 256u << 20);
  EXPECT_EQ(KdfParams::Sensitive().opslimit, 4u);
  EXPECT_EQ(KdfParams::Sensitive().memlimit, std::size_t{1} << 30);
  EXPECT_EQ(KdfParams::Moderate().opslimit, crypto_pwhash_OPSLIMIT_MODERATE);
  EXPECT_EQ(KdfParams::Sensitive().memlimit, crypto_pwhash_MEMLIMIT_SENSITIVE);
}

// --- Passphrase wrapping ---------------------------------------------------

TEST_F(KeysTest, PassphraseWrapRoundTrip) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  Result<WrappedKey> wrapped = WrapWithPassphrase(master, "correct horse", kFast);
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  EXPECT_EQ(wrapped->method, WrappedKey::Method::kPassphrase);
  EXPECT_EQ(wrapped->kdf.opslimit, kFast.opslimit);
  EXPECT_EQ(wrapped->kdf.memlimit, kFast.memlimit);
  EXPECT_EQ(wrapped->salt.size(), crypto_pwhash_SALTBYTES);
  EXPECT_EQ(wrapped->sealed.size(), SealedSize(kKeyBytes));
  EXPECT_EQ(wrapped->sealed.find(master.view()), std::string::npos);

  Result<SecretBytes> unwrapped = UnwrapWithPassphrase(*wrapped, "correct horse");
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_EQ(unwrapped->view(), master.view());
}

TEST_F(KeysTest, PassphraseWrapUsesFreshSalt) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  Result<WrappedKey> a = WrapWithPassphrase(master, "pass", kFast);
  Result<WrappedKey> b = WrapWithPassphrase(master, "pass", kFast);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->salt, b->salt);
  EXPECT_NE(a->sealed, b->sealed);
}

TEST_F(KeysTest, WrongPassphraseIsUnauthenticated) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  Result<WrappedKey> wrapped = WrapWithPassphrase(master, "correct horse", kFast);
  ASSERT_TRUE(wrapped.ok());
  for (std::string_view wrong : {"correct hors", "correct horse ", "Correct horse", "x"}) {
    Result<SecretBytes> r = UnwrapWithPassphrase(*wrapped, wrong);
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << wrong;
    EXPECT_EQ(r.status().message(), "wrong passphrase");
  }
}

TEST_F(KeysTest, AlteredSaltOrParamsFailAsWrongPassphrase) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  Result<WrappedKey> wrapped = WrapWithPassphrase(master, "pw", kFast);
  ASSERT_TRUE(wrapped.ok());
  WrappedKey salted = *wrapped;
  salted.salt[0] = static_cast<char>(salted.salt[0] ^ 1);
  EXPECT_EQ(UnwrapWithPassphrase(salted, "pw").status().code(), StatusCode::kUnauthenticated);
  WrappedKey costlier = *wrapped;
  costlier.kdf.opslimit = 2;
  EXPECT_EQ(UnwrapWithPassphrase(costlier, "pw").status().code(), StatusCode::kUnauthenticated);
}

TEST_F(KeysTest, PassphraseLimits) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  EXPECT_EQ(WrapWithPassphrase(master, "", kFast).status().code(), StatusCode::kInvalidArgument);
  const std::string longest(limits::kMaxPassphraseBytes, 'p');
  const std::string too_long(limits::kMaxPassphraseBytes + 1, 'p');
  EXPECT_EQ(WrapWithPassphrase(master, too_long, kFast).status().code(),
            StatusCode::kInvalidArgument);
  Result<WrappedKey> wrapped = WrapWithPassphrase(master, longest, kFast);
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  EXPECT_TRUE(UnwrapWithPassphrase(*wrapped, longest).ok());
  EXPECT_EQ(UnwrapWithPassphrase(*wrapped, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(UnwrapWithPassphrase(*wrapped, too_long).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(KeysTest, PassphraseWrapRejectsParamsBelowMinimum) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  EXPECT_EQ(WrapWithPassphrase(master, "pw", {0, 1 << 20}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(WrapWithPassphrase(master, "pw", {1, crypto_pwhash_MEMLIMIT_MIN - 1}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(WrapWithPassphrase(master, "pw", KdfParams{}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(KeysTest, WrapRejectsWrongMasterSize) {
  SecretBytes short_master = SecretBytes::Random(16);
  EXPECT_EQ(WrapWithPassphrase(short_master, "pw", kFast).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(WrapWithKeyFile(short_master, SecretBytes::Random(kKeyBytes)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(WrapWithKeyFile(SecretBytes::Random(kKeyBytes), short_master).status().code(),
            StatusCode::kInvalidArgument);
}

// --- Key-file wrapping -----------------------------------------------------

TEST_F(KeysTest, KeyFileWrapRoundTrip) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  SecretBytes file_key = SecretBytes::Random(kKeyBytes);
  Result<WrappedKey> wrapped = WrapWithKeyFile(master, file_key);
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  EXPECT_EQ(wrapped->method, WrappedKey::Method::kKeyFile);
  EXPECT_TRUE(wrapped->salt.empty());
  Result<SecretBytes> unwrapped = UnwrapWithKeyFile(*wrapped, file_key);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_EQ(unwrapped->view(), master.view());
}

TEST_F(KeysTest, WrongKeyFileIsUnauthenticated) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  Result<WrappedKey> wrapped = WrapWithKeyFile(master, SecretBytes::Random(kKeyBytes));
  ASSERT_TRUE(wrapped.ok());
  Result<SecretBytes> r = UnwrapWithKeyFile(*wrapped, SecretBytes::Random(kKeyBytes));
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(r.status().message(), "wrong key file");
}

TEST_F(KeysTest, MethodMismatchIsFailedPrecondition) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  SecretBytes file_key = SecretBytes::Random(kKeyBytes);
  Result<WrappedKey> by_file = WrapWithKeyFile(master, file_key);
  Result<WrappedKey> by_pass = WrapWithPassphrase(master, "pw", kFast);
  ASSERT_TRUE(by_file.ok());
  ASSERT_TRUE(by_pass.ok());
  Status s = UnwrapWithPassphrase(*by_file, "pw").status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("key file"), std::string::npos) << s.message();
  s = UnwrapWithKeyFile(*by_pass, file_key).status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("passphrase"), std::string::npos) << s.message();
}

TEST_F(KeysTest, SealedMasterCannotBeReplayedUnderOtherMethod) {
  // The key-wrapping key of a passphrase wrap, used as a "key file" key,
  // must not open it: the associated data names the method.
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  SecretBytes file_key = SecretBytes::Random(kKeyBytes);
  Result<WrappedKey> by_file = WrapWithKeyFile(master, file_key);
  ASSERT_TRUE(by_file.ok());
  EXPECT_EQ(Open(file_key, by_file->sealed, "kinlink master key v1|passphrase").status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_TRUE(Open(file_key, by_file->sealed, "kinlink master key v1|keyfile").ok());
}

// --- WrappedKey serialisation ---------------------------------------------

TEST_F(KeysTest, SerializeLayout) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  Result<WrappedKey> wrapped = WrapWithPassphrase(master, "pw", kFast);
  ASSERT_TRUE(wrapped.ok());
  const std::string blob = wrapped->Serialize();
  ASSERT_EQ(blob.size(), 4u + 1 + 1 + 8 + 8 + 1 + 16 + 4 + 72);
  EXPECT_EQ(blob.substr(0, 4), "KLWK");
  EXPECT_EQ(blob[4], 1);
  EXPECT_EQ(blob[5], 1);
  EXPECT_EQ(blob.substr(6, 8), std::string("\x01\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(blob.substr(14, 8), std::string("\0\0\x10\0\0\0\0\0", 8));
  EXPECT_EQ(blob[22], 16);
  EXPECT_EQ(blob.substr(23, 16), wrapped->salt);
  EXPECT_EQ(blob.substr(39, 4), std::string("\x48\0\0\0", 4));
  EXPECT_EQ(blob.substr(43), wrapped->sealed);
}

TEST_F(KeysTest, ParseRoundTripBothMethods) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  SecretBytes file_key = SecretBytes::Random(kKeyBytes);
  Result<WrappedKey> by_pass = WrapWithPassphrase(master, "pw", kFast);
  Result<WrappedKey> by_file = WrapWithKeyFile(master, file_key);
  ASSERT_TRUE(by_pass.ok());
  ASSERT_TRUE(by_file.ok());

  Result<WrappedKey> p = WrappedKey::Parse(by_pass->Serialize());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->method, WrappedKey::Method::kPassphrase);
  EXPECT_EQ(p->kdf.opslimit, kFast.opslimit);
  EXPECT_EQ(p->kdf.memlimit, kFast.memlimit);
  EXPECT_EQ(p->salt, by_pass->salt);
  EXPECT_EQ(p->sealed, by_pass->sealed);
  Result<SecretBytes> m1 = UnwrapWithPassphrase(*p, "pw");
  ASSERT_TRUE(m1.ok());
  EXPECT_EQ(m1->view(), master.view());

  Result<WrappedKey> f = WrappedKey::Parse(by_file->Serialize());
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->method, WrappedKey::Method::kKeyFile);
  EXPECT_EQ(f->sealed, by_file->sealed);
  Result<SecretBytes> m2 = UnwrapWithKeyFile(*f, file_key);
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->view(), master.view());
}

TEST_F(KeysTest, ParseRejectsEveryTruncationAndTrailingBytes) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  for (bool passphrase : {true, false}) {
    Result<WrappedKey> wrapped = passphrase
                                     ? WrapWithPassphrase(master, "pw", kFast)
                                     : WrapWithKeyFile(master, SecretBytes::Random(kKeyBytes));
    ASSERT_TRUE(wrapped.ok());
    const std::string blob = wrapped->Serialize();
    for (std::size_t n = 0; n < blob.size(); ++n) {
      EXPECT_EQ(WrappedKey::Parse(blob.substr(0, n)).status().code(), StatusCode::kDataLoss)
          << "length " << n;
    }
    EXPECT_EQ(WrappedKey::Parse(blob + '\0').status().code(), StatusCode::kDataLoss);
    EXPECT_TRUE(WrappedKey::Parse(blob).ok());
  }
}

TEST_F(KeysTest, ParseRejectsMalformedFields) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  Result<WrappedKey> wrapped = WrapWithPassphrase(master, "pw", kFast);
  ASSERT_TRUE(wrapped.ok());
  const std::string blob = wrapped->Serialize();
  auto with = [&](std::size_t pos, char byte) {
    std::string b = blob;
    b[pos] = byte;
    return WrappedKey::Parse(b).status();
  };
  EXPECT_EQ(with(0, 'X').code(), StatusCode::kDataLoss);  // magic
  EXPECT_EQ(with(4, 2).code(), StatusCode::kDataLoss);    // version
  EXPECT_EQ(with(4, 0).code(), StatusCode::kDataLoss);
  EXPECT_EQ(with(5, 0).code(), StatusCode::kDataLoss);  // method
  EXPECT_EQ(with(5, 3).code(), StatusCode::kDataLoss);
  EXPECT_EQ(with(5, 2).code(), StatusCode::kDataLoss);    // key file with params
  EXPECT_EQ(with(6, 0).code(), StatusCode::kDataLoss);    // opslimit 0
  EXPECT_EQ(with(16, 0).code(), StatusCode::kDataLoss);   // memlimit 0
  EXPECT_EQ(with(22, 15).code(), StatusCode::kDataLoss);  // salt length
  EXPECT_EQ(with(22, 17).code(), StatusCode::kDataLoss);
  EXPECT_EQ(with(39, 0x47).code(), StatusCode::kDataLoss);  // sealed length
  EXPECT_EQ(with(42, 1).code(), StatusCode::kDataLoss);
  // memlimit beyond what libsodium accepts.
  std::string huge = blob;
  huge[21] = static_cast<char>(0xff);
  EXPECT_EQ(WrappedKey::Parse(huge).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(WrappedKey::Parse("").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(WrappedKey::Parse(std::string(200, 'K')).status().code(), StatusCode::kDataLoss);
}

TEST_F(KeysTest, ParseRejectsKeyFileBlobWithSalt) {
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  WrappedKey wrapped = WrapWithKeyFile(master, SecretBytes::Random(kKeyBytes)).value();
  wrapped.salt = std::string(16, 's');
  EXPECT_EQ(WrappedKey::Parse(wrapped.Serialize()).status().code(), StatusCode::kDataLoss);
}

// --- Key files -------------------------------------------------------------

TEST_F(KeysTest, CreateKeyFileWritesHexWithMode0600) {
  const std::string path = Path("master.key");
  ASSERT_TRUE(CreateKeyFile(path).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  const std::string text = ReadAll(path);
  ASSERT_EQ(text.size(), 65u);
  EXPECT_EQ(text.back(), '\n');
  for (std::size_t i = 0; i < 64; ++i) {
    EXPECT_TRUE((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f'))
        << "offset " << i;
  }
  Result<SecretBytes> key = ReadKeyFile(path);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->size(), kKeyBytes);
  EXPECT_EQ(ToHex(key->view()), text.substr(0, 64));
}

TEST_F(KeysTest, CreateKeyFileModeIgnoresUmask) {
  const mode_t old = ::umask(0);
  const Status s = CreateKeyFile(Path("k"));
  ::umask(old);
  ASSERT_TRUE(s.ok()) << s.ToString();
  struct stat st;
  ASSERT_EQ(::stat(Path("k").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(KeysTest, CreateKeyFileRefusesToOverwrite) {
  const std::string path = Path("master.key");
  ASSERT_TRUE(CreateKeyFile(path).ok());
  const std::string before = ReadAll(path);
  EXPECT_EQ(CreateKeyFile(path).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadAll(path), before);
}

TEST_F(KeysTest, CreateKeyFileRefusesSymlink) {
  const std::string target = WriteFile("target", "keep me");
  const std::string link = Path("link.key");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  EXPECT_EQ(CreateKeyFile(link).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadAll(target), "keep me");
  const std::string dangling = Path("dangling.key");
  ASSERT_EQ(::symlink(Path("nowhere").c_str(), dangling.c_str()), 0);
  EXPECT_FALSE(CreateKeyFile(dangling).ok());
  struct stat st;
  EXPECT_NE(::stat(Path("nowhere").c_str(), &st), 0);
}

TEST_F(KeysTest, CreateKeyFileInMissingDirectoryIsNotFound) {
  EXPECT_EQ(CreateKeyFile(Path("no/such/dir/k")).code(), StatusCode::kNotFound);
}

TEST_F(KeysTest, CreatedKeysDiffer) {
  ASSERT_TRUE(CreateKeyFile(Path("a")).ok());
  ASSERT_TRUE(CreateKeyFile(Path("b")).ok());
  EXPECT_NE(ReadKeyFile(Path("a"))->view(), ReadKeyFile(Path("b"))->view());
}

TEST_F(KeysTest, ReadKeyFileAcceptsUpperAndLowerHexWithOrWithoutNewline) {
  const std::string expected = HexToBytes(kHex);
  std::string upper = kHex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& content : {kHex, kHex + "\n", upper, upper + "\n"}) {
    Result<SecretBytes> key = ReadKeyFile(WriteFile("k", content));
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->view(), expected);
  }
}

TEST_F(KeysTest, ReadKeyFileMissingIsNotFound) {
  EXPECT_EQ(ReadKeyFile(Path("absent")).status().code(), StatusCode::kNotFound);
}

TEST_F(KeysTest, ReadKeyFileRefusesGroupOrOtherPermissions) {
  for (mode_t mode : {0640, 0604, 0620, 0602, 0610, 0601, 0644, 0660}) {
    const std::string path = WriteFile("k", kHex + "\n", mode);
    Status s = ReadKeyFile(path).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << std::oct << mode;
    EXPECT_NE(s.message().find("chmod 600"), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find(kHex), std::string::npos);
  }
  EXPECT_TRUE(ReadKeyFile(WriteFile("k", kHex, 0400)).ok());
}

TEST_F(KeysTest, ReadKeyFileRefusesWrongLength) {
  for (const std::string& content :
       {std::string(), kHex.substr(0, 63), kHex.substr(0, 63) + "\n", kHex + "0", kHex + "\n\n",
        kHex + "\r\n", kHex + " ", "\n" + kHex, kHex + kHex, std::string(5000, 'a')}) {
    Status s = ReadKeyFile(WriteFile("k", content)).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << content.size();
    EXPECT_EQ(s.message().find(kHex.substr(0, 16)), std::string::npos) << s.message();
  }
}

TEST_F(KeysTest, ReadKeyFileRefusesNonHex) {
  for (std::size_t pos : {0u, 31u, 63u}) {
    for (char bad : {'g', 'G', ' ', '\n', '\0', 'x'}) {
      std::string content = kHex + "\n";
      content[pos] = bad;
      Status s = ReadKeyFile(WriteFile("k", content)).status();
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << pos << " " << int{bad};
      EXPECT_EQ(s.message().find(kHex.substr(0, 16)), std::string::npos);
    }
  }
}

TEST_F(KeysTest, ReadKeyFileRefusesDirectory) {
  const std::string sub = Path("sub");
  ASSERT_EQ(::mkdir(sub.c_str(), 0700), 0);
  EXPECT_EQ(ReadKeyFile(sub).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(KeysTest, KeyFileWrapEndToEnd) {
  const std::string path = Path("master.key");
  ASSERT_TRUE(CreateKeyFile(path).ok());
  SecretBytes master = SecretBytes::Random(kKeyBytes);
  Result<SecretBytes> file_key = ReadKeyFile(path);
  ASSERT_TRUE(file_key.ok());
  Result<WrappedKey> wrapped = WrapWithKeyFile(master, *file_key);
  ASSERT_TRUE(wrapped.ok());
  const std::string stored = wrapped->Serialize();

  Result<WrappedKey> parsed = WrappedKey::Parse(stored);
  ASSERT_TRUE(parsed.ok());
  Result<SecretBytes> again = ReadKeyFile(path);
  ASSERT_TRUE(again.ok());
  Result<SecretBytes> unwrapped = UnwrapWithKeyFile(*parsed, *again);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_EQ(unwrapped->view(), master.view());

  ASSERT_TRUE(CreateKeyFile(Path("other.key")).ok());
  Result<SecretBytes> other = ReadKeyFile(Path("other.key"));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(UnwrapWithKeyFile(*parsed, *other).status().code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace kinlink::crypto
