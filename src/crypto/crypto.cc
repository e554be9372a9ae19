#include "crypto/crypto.h"

#include <sodium.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <utility>

#include "crypto/internal/init.h"

namespace kinlink::crypto {

namespace internal {

bool SodiumReady() {
  // A function-local static: initialised exactly once, thread-safely, and
  // afterwards a single load. sodium_init() returns 1 when already started
  // (e.g. by another library in the process), which is success too.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

void RequireSodium() {
  if (!SodiumReady()) std::abort();
}

}  // namespace internal

namespace {

constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "kinlink1";

static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kKeyBytes == crypto_kdf_KEYBYTES);
static_assert(kKeyBytes >= crypto_generichash_KEYBYTES_MIN &&
              kKeyBytes <= crypto_generichash_KEYBYTES_MAX);
static_assert(kTokenBytes >= crypto_generichash_BYTES_MIN);
static_assert(kMacBytes <= crypto_generichash_BYTES_MAX);

// Keys of the wrong size are bugs in the caller, never input: a short key
// would make libsodium read past the buffer, so stop here.
void RequireKey(const SecretBytes& key) {
  if (key.size() != kKeyBytes) std::abort();
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string ErrnoText(int err) { return std::generic_category().message(err); }

// Checks size and decrypts `sealed` into `out`, which must have
// sealed.size() - kNonceBytes - kTagBytes bytes.
Status OpenInto(const SecretBytes& key, std::string_view sealed, std::string_view associated_data,
                unsigned char* out) {
  const unsigned char* nonce = Bytes(sealed);
  const unsigned char* ciphertext = nonce + kNonceBytes;
  unsigned long long plaintext_size = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          out, &plaintext_size, nullptr, ciphertext, sealed.size() - kNonceBytes,
          Bytes(associated_data), associated_data.size(), nonce, key.data()) != 0) {
    return UnauthenticatedError(
        "sealed data failed authentication (wrong key, wrong associated data or altered "
        "bytes)");
  }
  return OkStatus();
}

Status CheckSealedSize(std::string_view sealed) {
  if (sealed.size() < kNonceBytes + kTagBytes) {
    return DataLossError("sealed data is " + std::to_string(sealed.size()) +
                         " bytes, shorter than nonce and tag (" +
                         std::to_string(kNonceBytes + kTagBytes) + " bytes)");
  }
  return OkStatus();
}

}  // namespace

Status Initialize() {
  if (!internal::SodiumReady()) return InternalError("libsodium failed to initialise");
  return OkStatus();
}

Status HardenProcess() {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return InternalError("prctl(PR_SET_DUMPABLE, 0) failed: " + ErrnoText(errno));
  }
  struct rlimit no_core = {0, 0};
  if (setrlimit(RLIMIT_CORE, &no_core) != 0) {
    return InternalError("setrlimit(RLIMIT_CORE, 0) failed: " + ErrnoText(errno));
  }
  return OkStatus();
}

SecretBytes::SecretBytes(std::size_t size) {
  if (size == 0) return;
  internal::RequireSodium();
  data_ = static_cast<unsigned char*>(sodium_malloc(size));
  if (data_ == nullptr) std::abort();
  // sodium_malloc fills with 0xdb to expose use of uninitialised memory; the
  // contract here is zero-filled.
  sodium_memzero(data_, size);
  size_ = size;
}

SecretBytes::~SecretBytes() {
  // sodium_free wipes, unlocks and unmaps; it accepts nullptr.
  sodium_free(data_);
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    sodium_free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes SecretBytes::Random(std::size_t size) {
  SecretBytes out(size);
  if (size > 0) randombytes_buf(out.data(), size);
  return out;
}

SecretBytes SecretBytes::CopyOf(std::string_view bytes) {
  SecretBytes out(bytes.size());
  if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

SecretBytes DeriveKey(const SecretBytes& master, Purpose purpose) {
  RequireKey(master);
  SecretBytes out(kKeyBytes);
  if (crypto_kdf_derive_from_key(out.data(), out.size(), static_cast<std::uint64_t>(purpose),
                                 kKdfContext, master.data()) != 0) {
    std::abort();  // only fails for sizes, fixed at compile time above
  }
  return out;
}

std::size_t SealedSize(std::size_t plaintext_size) {
  return kNonceBytes + plaintext_size + kTagBytes;
}

std::string Seal(const SecretBytes& key, std::string_view plaintext,
                 std::string_view associated_data) {
  RequireKey(key);
  internal::RequireSodium();
  std::string out(SealedSize(plaintext.size()), '\0');
  unsigned char* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long ciphertext_size = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + kNonceBytes, &ciphertext_size, Bytes(plaintext), plaintext.size(),
      Bytes(associated_data), associated_data.size(), nullptr, nonce, key.data());
  return out;
}

Result<std::string> Open(const SecretBytes& key, std::string_view sealed,
                         std::string_view associated_data) {
  RequireKey(key);
  KL_RETURN_IF_ERROR(CheckSealedSize(sealed));
  std::string out(sealed.size() - kNonceBytes - kTagBytes, '\0');
  KL_RETURN_IF_ERROR(
      OpenInto(key, sealed, associated_data, reinterpret_cast<unsigned char*>(out.data())));
  return out;
}

Result<SecretBytes> OpenSecret(const SecretBytes& key, std::string_view sealed,
                               std::string_view associated_data) {
  RequireKey(key);
  KL_RETURN_IF_ERROR(CheckSealedSize(sealed));
  const std::size_t size = sealed.size() - kNonceBytes - kTagBytes;
  SecretBytes out(size);
  // libsodium writes through the pointer only on success; an empty
  // SecretBytes has no buffer, so give it a dummy one.
  unsigned char empty = 0;
  KL_RETURN_IF_ERROR(OpenInto(key, sealed, associated_data, size == 0 ? &empty : out.data()));
  return out;
}

void FillRandom(SecretBytes& out) {
  internal::RequireSodium();
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

Status OpenSecretInto(const SecretBytes& key, std::string_view sealed,
                      std::string_view associated_data, SecretBytes& out) {
  RequireKey(key);
  KL_RETURN_IF_ERROR(CheckSealedSize(sealed));
  const std::size_t size = sealed.size() - kNonceBytes - kTagBytes;
  if (size != out.size() || size == 0) {
    return InvalidArgumentError("sealed secret has " + std::to_string(size) +
                                " bytes, the buffer " + std::to_string(out.size()));
  }
  return OpenInto(key, sealed, associated_data, out.data());
}

std::string Token(const SecretBytes& key, std::string_view domain, std::string_view value) {
  RequireKey(key);
  // Domains are program constants; one over 4 GiB is a bug.
  if (domain.size() > 0xffffffffULL) std::abort();
  const auto n = static_cast<std::uint32_t>(domain.size());
  const unsigned char prefix[4] = {
      static_cast<unsigned char>(n), static_cast<unsigned char>(n >> 8),
      static_cast<unsigned char>(n >> 16), static_cast<unsigned char>(n >> 24)};
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), kTokenBytes);
  crypto_generichash_update(&state, prefix, sizeof prefix);
  crypto_generichash_update(&state, Bytes(domain), domain.size());
  crypto_generichash_update(&state, Bytes(value), value.size());
  std::string out(kTokenBytes, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(out.data()), out.size());
  // The state holds key material (the keyed BLAKE2b chaining value).
  sodium_memzero(&state, sizeof state);
  return out;
}

std::string Mac(const SecretBytes& key, std::string_view message) {
  RequireKey(key);
  std::string out(kMacBytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(), Bytes(message),
                     message.size(), key.data(), key.size());
  return out;
}

bool VerifyMac(const SecretBytes& key, std::string_view message, std::string_view mac) {
  RequireKey(key);
  if (mac.size() != kMacBytes) return false;
  const std::string expected = Mac(key, message);
  return sodium_memcmp(expected.data(), mac.data(), kMacBytes) == 0;
}

std::string Hash(std::string_view message) {
  std::string out(kMacBytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(), Bytes(message),
                     message.size(), nullptr, 0);
  return out;
}

void Wipe(std::string& buffer) {
  if (!buffer.empty()) sodium_memzero(buffer.data(), buffer.size());
}

std::string ToHex(std::string_view bytes) {
  // sodium_bin2hex is constant-time (hex of keys and tokens must not leak
  // through timing) and writes a terminating NUL.
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), Bytes(bytes), bytes.size());
  out.pop_back();
  return out;
}

}  // namespace kinlink::crypto
