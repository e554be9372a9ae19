// crypto: Kinlink's key hierarchy and primitives, all from libsodium.
//
//   passphrase --Argon2id--> key-wrapping key --+
//   key file (32 bytes) -------------------------+--> unwraps the master key
//   master key --crypto_kdf--> purpose keys (record-key wrapping, token,
//                              audit MAC, session MAC)
//   per-record data key (random) --wrapped by--> record-key wrapping key
//   record payload = XChaCha20-Poly1305(data key, ad = record id + version)
//   keyed tokens   = BLAKE2b keyed with the token key
//
// Secret keys live in SecretBytes: sodium_malloc'd memory (guard pages,
// mlock'ed, wiped on free). HardenProcess() disables core dumps.
//
// Thread-safety: every function is thread-safe once Initialize() returned
// OK; a SecretBytes object is not synchronised.
//
//   KL_RETURN_IF_ERROR(crypto::Initialize());
//   SecretBytes master = SecretBytes::Random(kKeyBytes);
//   SecretBytes tokens = DeriveKey(master, Purpose::kToken);
//   std::string t = Token(tokens, "source-id", "A-17");
#ifndef KINLINK_CRYPTO_CRYPTO_H_
#define KINLINK_CRYPTO_CRYPTO_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace kinlink::crypto {

inline constexpr std::size_t kKeyBytes = 32;
inline constexpr std::size_t kTokenBytes = 16;  // 128-bit keyed tokens
inline constexpr std::size_t kMacBytes = 32;

// Calls sodium_init(). Idempotent. INTERNAL if libsodium cannot start.
Status Initialize();

// Disables core dumps and ptrace attachment by other users
// (prctl(PR_SET_DUMPABLE, 0), RLIMIT_CORE = 0). Call first thing in main.
Status HardenProcess();

// Secret bytes in locked, guarded memory, wiped when destroyed. Move-only.
class SecretBytes {
 public:
  SecretBytes() = default;
  // Zero-filled. Aborts if the allocation fails (like operator new).
  explicit SecretBytes(std::size_t size);
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  static SecretBytes Random(std::size_t size);
  static SecretBytes CopyOf(std::string_view bytes);

  unsigned char* data() { return data_; }
  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // A view of the bytes; valid while this object lives.
  std::string_view view() const {
    return {reinterpret_cast<const char*>(data_), size_};
  }

 private:
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

// Argon2id cost. Moderate is the floor (docs/security.md); stored with the
// wrapped key so that an open uses the parameters of the wrap.
struct KdfParams {
  std::uint64_t opslimit = 0;
  std::size_t memlimit = 0;
  static KdfParams Moderate();   // libsodium's MODERATE (3 passes, 256 MiB)
  static KdfParams Sensitive();  // libsodium's SENSITIVE (4 passes, 1 GiB)
};

// The master key, wrapped (encrypted) by a key-wrapping key. What is stored
// in the registry; never the master key itself.
struct WrappedKey {
  enum class Method : std::uint8_t { kPassphrase = 1, kKeyFile = 2 };
  Method method = Method::kPassphrase;
  KdfParams kdf;        // kPassphrase only
  std::string salt;     // crypto_pwhash_SALTBYTES, kPassphrase only
  std::string sealed;   // nonce || XChaCha20-Poly1305 ciphertext of the key
  // A self-describing byte string (version, method, params, salt, sealed).
  std::string Serialize() const;
  // DATA_LOSS when malformed.
  static Result<WrappedKey> Parse(std::string_view bytes);
};

// Wraps `master` under Argon2id(passphrase, fresh salt).
// INVALID_ARGUMENT for an empty passphrase or one over kMaxPassphraseBytes;
// RESOURCE_EXHAUSTED if Argon2id cannot get its memory.
Result<WrappedKey> WrapWithPassphrase(const SecretBytes& master, std::string_view passphrase,
                                      const KdfParams& params);
// Wraps `master` under a 32-byte key read from a key file.
Result<WrappedKey> WrapWithKeyFile(const SecretBytes& master, const SecretBytes& file_key);
// UNAUTHENTICATED ("wrong passphrase" / "wrong key file") when the key does
// not open the wrap; FAILED_PRECONDITION when the method does not match.
Result<SecretBytes> UnwrapWithPassphrase(const WrappedKey& wrapped, std::string_view passphrase);
Result<SecretBytes> UnwrapWithKeyFile(const WrappedKey& wrapped, const SecretBytes& file_key);

// Key files: exactly 64 hexadecimal characters and an optional final
// newline; mode 0600. CreateKeyFile fails with ALREADY_EXISTS rather than
// overwrite. ReadKeyFile: NOT_FOUND, PERMISSION_DENIED, or
// INVALID_ARGUMENT with the reason (wrong length, not hex, readable by
// group or others).
Status CreateKeyFile(const std::string& path);
Result<SecretBytes> ReadKeyFile(const std::string& path);

// Purpose keys, derived from the master key with crypto_kdf (context
// "kinlink1"). Values are stable: changing one orphans stored data.
// Precondition: master.size() == kKeyBytes (aborts otherwise).
enum class Purpose : std::uint64_t {
  kRecordKeyWrap = 1,
  kToken = 2,
  kAuditMac = 3,
  kSessionMac = 4,
};
SecretBytes DeriveKey(const SecretBytes& master, Purpose purpose);

// AEAD: XChaCha20-Poly1305-IETF with a random 24-byte nonce.
// Returns nonce || ciphertext || tag.
// Precondition for Seal, Open, OpenSecret, Token, Mac and VerifyMac:
// key.size() == kKeyBytes (aborts otherwise: a programming error).
std::string Seal(const SecretBytes& key, std::string_view plaintext,
                 std::string_view associated_data);
// UNAUTHENTICATED when the key, the associated data or any byte is wrong;
// DATA_LOSS when `sealed` is too short.
Result<std::string> Open(const SecretBytes& key, std::string_view sealed,
                         std::string_view associated_data);
// As Open, but decrypts straight into locked memory, for sealed keys (a
// wrapped per-record data key) that must never sit in a std::string.
Result<SecretBytes> OpenSecret(const SecretBytes& key, std::string_view sealed,
                               std::string_view associated_data);
// Sealed size for a plaintext of `plaintext_size` bytes.
std::size_t SealedSize(std::size_t plaintext_size);

// Hot-path forms that reuse an existing locked buffer: sodium_malloc maps
// guarded, locked pages (several system calls), far too slow per record.
// FillRandom overwrites `out` with fresh random bytes. OpenSecretInto
// opens into `out`, whose size must equal the plaintext size
// (INVALID_ARGUMENT otherwise); other errors as Open.
void FillRandom(SecretBytes& out);
Status OpenSecretInto(const SecretBytes& key, std::string_view sealed,
                      std::string_view associated_data, SecretBytes& out);

// Keyed token: BLAKE2b-128 keyed with `key` over (domain, value), with the
// domain length-prefixed so that ("ab","c") and ("a","bc") differ.
std::string Token(const SecretBytes& key, std::string_view domain, std::string_view value);

// Keyed tokens under one fixed key, for hot loops: Token's bytes at about
// half its cost. A keyed BLAKE2b hashes the key as a block of its own
// before the message; TokenKey compresses that block once, when it is
// made, so a token of a short value costs one compression instead of two,
// and it writes into the caller's buffer instead of allocating. The
// chaining value derived from the key is kept in locked memory and wiped.
// Move-only; Compute is const and thread-safe.
class TokenKey {
 public:
  TokenKey() = default;
  // Precondition: key.size() == kKeyBytes (aborts otherwise).
  explicit TokenKey(const SecretBytes& key);
  // out[0, kTokenBytes) = Token(key, domain, value). Precondition: made
  // from a key (not default-constructed; aborts otherwise).
  void Compute(std::string_view domain, std::string_view value, unsigned char* out) const;
  // out[j][0, kTokenBytes) = Token(key, domain[j], value[j]) for j < 4:
  // Compute's bytes, at about a third of the cost of four Computes when
  // the CPU has AVX2 and each message fits one BLAKE2b block (4 + |domain|
  // + |value| ≤ 128 bytes); otherwise four Computes. Same preconditions.
  void ComputeFour(const std::string_view (&domain)[4], const std::string_view (&value)[4],
                   unsigned char* const (&out)[4]) const;
  // One token to compute: Token(key, domain, value) into out[0, kTokenBytes).
  struct Message {
    std::string_view domain, value;
    unsigned char* out;
  };
  // Computes n tokens, four at a time: message(i) gives the i-th Message
  // (or any struct with members domain, value, out). A last
  // group of two or three is filled up with repeats of its last message
  // (one four-way hash costs less than two single ones); a last single
  // message is hashed alone.
  template <typename Message>
  void ComputeEach(std::size_t n, Message message) const {
    for (std::size_t i = 0; i < n; i += 4) {
      const std::size_t left = n - i;
      if (left == 1) {
        const auto m = message(i);
        Compute(m.domain, m.value, m.out);
        return;
      }
      std::string_view domains[4], values[4];
      unsigned char spare[kTokenBytes];  // where the repeats go
      unsigned char* outs[4];
      for (std::size_t j = 0; j < 4; ++j) {
        const auto m = message(i + std::min(j, left - 1));
        domains[j] = m.domain;
        values[j] = m.value;
        outs[j] = j < left ? m.out : spare;
      }
      ComputeFour(domains, values, outs);
    }
  }

 private:
  SecretBytes chain_;  // BLAKE2b's eight chaining words after the key block
};

// Keyed MAC: BLAKE2b-256 keyed with `key`.
std::string Mac(const SecretBytes& key, std::string_view message);
// Constant-time comparison of a MAC.
bool VerifyMac(const SecretBytes& key, std::string_view message, std::string_view mac);

// Unkeyed BLAKE2b-256 (for hash chains over already-MAC'd data).
std::string Hash(std::string_view message);

// Overwrites a std::string's bytes with zeros (for transient plaintext).
void Wipe(std::string& buffer);

// Lower-case hexadecimal.
std::string ToHex(std::string_view bytes);

}  // namespace kinlink::crypto

#endif  // KINLINK_CRYPTO_CRYPTO_H_
