// The master key's wrapping (passphrase or key file), its stored form, and
// key files.

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>

#include "common/limits.h"
#include "crypto/crypto.h"
#include "crypto/internal/init.h"

namespace kinlink::crypto {

namespace {

// Associated data binds each sealed master key to the way it was wrapped, so
// that a blob cannot be replayed under the other method.
constexpr std::string_view kPassphraseAd = "kinlink master key v1|passphrase";
constexpr std::string_view kKeyFileAd = "kinlink master key v1|keyfile";

constexpr std::string_view kMagic = "KLWK";
constexpr std::uint8_t kVersion = 1;
// magic, version, method, opslimit, memlimit, salt length.
constexpr std::size_t kFixedHeaderBytes = 4 + 1 + 1 + 8 + 8 + 1;

constexpr std::size_t kKeyFileHexChars = 2 * kKeyBytes;
// Anything longer than 64 hex digits and a newline is wrong; read one byte
// more than that to tell "too long" from "exactly right".
constexpr std::size_t kKeyFileReadLimit = kKeyFileHexChars + 2;

std::string ErrnoText(int err) { return std::generic_category().message(err); }

Status ErrnoStatus(int err, const std::string& what) {
  std::string message = what + ": " + ErrnoText(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return NotFoundError(std::move(message));
    case EACCES:
    case EPERM:
      return PermissionDeniedError(std::move(message));
    case EEXIST:
      return AlreadyExistsError(std::move(message));
    case ENOSPC:
    case EDQUOT:
      return ResourceExhaustedError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

void PutLe(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t GetLe(std::string_view in, std::size_t pos, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[pos + i])) << (8 * i);
  }
  return v;
}

Status CheckParams(const KdfParams& params) {
  if (params.opslimit < crypto_pwhash_OPSLIMIT_MIN ||
      params.opslimit > crypto_pwhash_OPSLIMIT_MAX) {
    return InvalidArgumentError("Argon2id opslimit " + std::to_string(params.opslimit) +
                                " is outside [" + std::to_string(crypto_pwhash_OPSLIMIT_MIN) +
                                ", " + std::to_string(crypto_pwhash_OPSLIMIT_MAX) + "]");
  }
  if (params.memlimit < crypto_pwhash_MEMLIMIT_MIN ||
      params.memlimit > crypto_pwhash_MEMLIMIT_MAX) {
    return InvalidArgumentError("Argon2id memlimit " + std::to_string(params.memlimit) +
                                " is outside [" + std::to_string(crypto_pwhash_MEMLIMIT_MIN) +
                                ", " + std::to_string(crypto_pwhash_MEMLIMIT_MAX) + "]");
  }
  return OkStatus();
}

Status CheckPassphrase(std::string_view passphrase) {
  if (passphrase.empty()) return InvalidArgumentError("passphrase is empty");
  if (passphrase.size() > limits::kMaxPassphraseBytes) {
    return InvalidArgumentError("passphrase is " + std::to_string(passphrase.size()) +
                                " bytes, over kMaxPassphraseBytes (" +
                                std::to_string(limits::kMaxPassphraseBytes) + ")");
  }
  return OkStatus();
}

Status CheckKeySize(const SecretBytes& key, std::string_view what) {
  if (key.size() != kKeyBytes) {
    return InvalidArgumentError(std::string(what) + " is " + std::to_string(key.size()) +
                                " bytes, expected " + std::to_string(kKeyBytes));
  }
  return OkStatus();
}

// Argon2id(passphrase, salt) -> key-wrapping key.
Result<SecretBytes> DeriveWrappingKey(std::string_view passphrase, std::string_view salt,
                                      const KdfParams& params) {
  SecretBytes kek(kKeyBytes);
  errno = 0;
  if (crypto_pwhash(kek.data(), kek.size(), passphrase.data(), passphrase.size(),
                    reinterpret_cast<const unsigned char*>(salt.data()), params.opslimit,
                    params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // Parameters were checked, so a failure is almost always the memory.
    if (errno == ENOMEM || errno == 0) {
      return ResourceExhaustedError("Argon2id could not allocate " +
                                    std::to_string(params.memlimit) + " bytes");
    }
    return InternalError("Argon2id failed: " + ErrnoText(errno));
  }
  return kek;
}

Status CheckUnwrappedKey(const SecretBytes& master) {
  if (master.size() != kKeyBytes) {
    return DataLossError("unwrapped master key is " + std::to_string(master.size()) +
                         " bytes, expected " + std::to_string(kKeyBytes));
  }
  return OkStatus();
}

Status WriteAll(int fd, const unsigned char* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot write key file " + path);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return OkStatus();
}

// Makes the new directory entry durable, so that a crash right after
// `kinlink init` cannot leave a registry whose key file vanished.
Status SyncParentDirectory(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open directory of key file " + path);
  Status status;
  if (::fsync(fd) != 0 && errno != EINVAL) {
    status = ErrnoStatus(errno, "cannot sync directory of key file " + path);
  }
  ::close(fd);
  return status;
}

Status WriteNewKeyFile(int fd, const std::string& path) {
  // Make the mode exact whatever the umask was.
  if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0) {
    return ErrnoStatus(errno, "cannot chmod key file " + path);
  }
  SecretBytes key = SecretBytes::Random(kKeyBytes);
  // Hex digits, newline; sodium_bin2hex also writes a NUL after the digits,
  // which the newline then replaces.
  SecretBytes text(kKeyFileHexChars + 1);
  sodium_bin2hex(reinterpret_cast<char*>(text.data()), text.size(), key.data(), key.size());
  text.data()[kKeyFileHexChars] = '\n';
  KL_RETURN_IF_ERROR(WriteAll(fd, text.data(), text.size(), path));
  if (::fsync(fd) != 0) return ErrnoStatus(errno, "cannot sync key file " + path);
  return OkStatus();
}

bool IsHexDigit(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

KdfParams KdfParams::Moderate() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

KdfParams KdfParams::Sensitive() {
  return {crypto_pwhash_OPSLIMIT_SENSITIVE, crypto_pwhash_MEMLIMIT_SENSITIVE};
}

std::string WrappedKey::Serialize() const {
  // Only this module builds WrappedKeys; fields that do not fit the format
  // are a bug, not input.
  if (salt.size() > 0xff || sealed.size() > 0xffffffffULL) std::abort();
  std::string out;
  out.reserve(kFixedHeaderBytes + salt.size() + 4 + sealed.size());
  out.append(kMagic);
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(method));
  PutLe(out, kdf.opslimit, 8);
  PutLe(out, kdf.memlimit, 8);
  out.push_back(static_cast<char>(salt.size()));
  out.append(salt);
  PutLe(out, sealed.size(), 4);
  out.append(sealed);
  return out;
}

Result<WrappedKey> WrappedKey::Parse(std::string_view bytes) {
  const std::string total = " (" + std::to_string(bytes.size()) + " bytes)";
  if (bytes.size() < kFixedHeaderBytes) {
    return DataLossError("wrapped key is truncated in its header" + total);
  }
  if (bytes.substr(0, kMagic.size()) != kMagic) {
    return DataLossError("wrapped key does not start with \"KLWK\"");
  }
  const auto version = static_cast<std::uint8_t>(bytes[4]);
  if (version != kVersion) {
    return DataLossError("wrapped key has unsupported version " + std::to_string(version));
  }
  WrappedKey key;
  const auto method = static_cast<std::uint8_t>(bytes[5]);
  if (method != static_cast<std::uint8_t>(Method::kPassphrase) &&
      method != static_cast<std::uint8_t>(Method::kKeyFile)) {
    return DataLossError("wrapped key has unknown method " + std::to_string(method));
  }
  key.method = static_cast<Method>(method);
  key.kdf.opslimit = GetLe(bytes, 6, 8);
  const std::uint64_t memlimit = GetLe(bytes, 14, 8);
  const std::size_t salt_size = static_cast<unsigned char>(bytes[22]);
  std::size_t pos = kFixedHeaderBytes;

  if (key.method == Method::kPassphrase) {
    if (memlimit > crypto_pwhash_MEMLIMIT_MAX) {
      return DataLossError("wrapped key has Argon2id memlimit over the maximum");
    }
    key.kdf.memlimit = static_cast<std::size_t>(memlimit);
    if (!CheckParams(key.kdf).ok()) {
      return DataLossError("wrapped key has Argon2id parameters out of range");
    }
    if (salt_size != crypto_pwhash_SALTBYTES) {
      return DataLossError("wrapped key has a " + std::to_string(salt_size) +
                           "-byte salt, expected " + std::to_string(crypto_pwhash_SALTBYTES));
    }
  } else if (key.kdf.opslimit != 0 || memlimit != 0 || salt_size != 0) {
    return DataLossError("key-file wrapped key carries passphrase parameters");
  }

  if (bytes.size() - pos < salt_size + 4) {
    return DataLossError("wrapped key is truncated in its salt" + total);
  }
  key.salt = std::string(bytes.substr(pos, salt_size));
  pos += salt_size;
  const std::uint64_t sealed_size = GetLe(bytes, pos, 4);
  pos += 4;
  if (sealed_size != SealedSize(kKeyBytes)) {
    return DataLossError("wrapped key has a sealed part of " + std::to_string(sealed_size) +
                         " bytes, expected " + std::to_string(SealedSize(kKeyBytes)));
  }
  if (bytes.size() - pos < sealed_size) {
    return DataLossError("wrapped key is truncated in its sealed part" + total);
  }
  if (bytes.size() - pos > sealed_size) {
    return DataLossError("wrapped key has " + std::to_string(bytes.size() - pos - sealed_size) +
                         " trailing bytes");
  }
  key.sealed = std::string(bytes.substr(pos));
  return key;
}

Result<WrappedKey> WrapWithPassphrase(const SecretBytes& master, std::string_view passphrase,
                                      const KdfParams& params) {
  KL_RETURN_IF_ERROR(CheckKeySize(master, "master key"));
  KL_RETURN_IF_ERROR(CheckPassphrase(passphrase));
  KL_RETURN_IF_ERROR(CheckParams(params));
  if (!internal::SodiumReady()) return InternalError("libsodium failed to initialise");
  WrappedKey wrapped;
  wrapped.method = WrappedKey::Method::kPassphrase;
  wrapped.kdf = params;
  wrapped.salt.assign(crypto_pwhash_SALTBYTES, '\0');
  randombytes_buf(wrapped.salt.data(), wrapped.salt.size());
  KL_ASSIGN_OR_RETURN(SecretBytes kek, DeriveWrappingKey(passphrase, wrapped.salt, params));
  wrapped.sealed = Seal(kek, master.view(), kPassphraseAd);
  return wrapped;
}

Result<WrappedKey> WrapWithKeyFile(const SecretBytes& master, const SecretBytes& file_key) {
  KL_RETURN_IF_ERROR(CheckKeySize(master, "master key"));
  KL_RETURN_IF_ERROR(CheckKeySize(file_key, "key file key"));
  WrappedKey wrapped;
  wrapped.method = WrappedKey::Method::kKeyFile;
  wrapped.sealed = Seal(file_key, master.view(), kKeyFileAd);
  return wrapped;
}

Result<SecretBytes> UnwrapWithPassphrase(const WrappedKey& wrapped, std::string_view passphrase) {
  if (wrapped.method != WrappedKey::Method::kPassphrase) {
    return FailedPreconditionError(
        "this registry's master key is wrapped with a key file, not a passphrase");
  }
  KL_RETURN_IF_ERROR(CheckPassphrase(passphrase));
  if (!CheckParams(wrapped.kdf).ok()) {
    return DataLossError("wrapped key has Argon2id parameters out of range");
  }
  if (wrapped.salt.size() != crypto_pwhash_SALTBYTES) {
    return DataLossError("wrapped key has a " + std::to_string(wrapped.salt.size()) +
                         "-byte salt, expected " + std::to_string(crypto_pwhash_SALTBYTES));
  }
  KL_ASSIGN_OR_RETURN(SecretBytes kek, DeriveWrappingKey(passphrase, wrapped.salt, wrapped.kdf));
  Result<SecretBytes> master = OpenSecret(kek, wrapped.sealed, kPassphraseAd);
  if (!master.ok()) {
    if (master.status().code() == StatusCode::kUnauthenticated) {
      return UnauthenticatedError("wrong passphrase");
    }
    return master.status();
  }
  KL_RETURN_IF_ERROR(CheckUnwrappedKey(*master));
  return master;
}

Result<SecretBytes> UnwrapWithKeyFile(const WrappedKey& wrapped, const SecretBytes& file_key) {
  if (wrapped.method != WrappedKey::Method::kKeyFile) {
    return FailedPreconditionError(
        "this registry's master key is wrapped with a passphrase, not a key file");
  }
  KL_RETURN_IF_ERROR(CheckKeySize(file_key, "key file key"));
  Result<SecretBytes> master = OpenSecret(file_key, wrapped.sealed, kKeyFileAd);
  if (!master.ok()) {
    if (master.status().code() == StatusCode::kUnauthenticated) {
      return UnauthenticatedError("wrong key file");
    }
    return master.status();
  }
  KL_RETURN_IF_ERROR(CheckUnwrappedKey(*master));
  return master;
}

Status CreateKeyFile(const std::string& path) {
  if (!internal::SodiumReady()) return InternalError("libsodium failed to initialise");
  // O_EXCL: never overwrite (an overwritten key file orphans a registry);
  // with O_CREAT it also refuses a symlink planted at `path`.
  int fd =
      ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    if (errno == EEXIST) return AlreadyExistsError("key file " + path + " already exists");
    return ErrnoStatus(errno, "cannot create key file " + path);
  }
  Status status = WriteNewKeyFile(fd, path);
  if (::close(fd) != 0 && status.ok()) {
    status = ErrnoStatus(errno, "cannot close key file " + path);
  }
  if (status.ok()) status = SyncParentDirectory(path);
  if (!status.ok()) {
    // A half-written key file must not be mistaken for a good one later.
    ::unlink(path.c_str());
  }
  return status;
}

Result<SecretBytes> ReadKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return ErrnoStatus(errno, "cannot open key file " + path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "cannot stat key file " + path);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgumentError("key file " + path + " is not a regular file");
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    const char* what = (st.st_mode & (S_IRGRP | S_IROTH)) != 0
                           ? " is readable by group or others (mode "
                           : " is writable or executable by group or others (mode ";
    return InvalidArgumentError("key file " + path + what + mode + "); chmod 600 it");
  }

  // The text is the key: keep it in locked memory, never in a std::string.
  SecretBytes text(kKeyFileReadLimit);
  std::size_t size = 0;
  while (size < text.size()) {
    ssize_t n = ::read(fd, text.data() + size, text.size() - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "cannot read key file " + path);
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  ::close(fd);

  const bool newline = size == kKeyFileHexChars + 1 && text.data()[kKeyFileHexChars] == '\n';
  if (size != kKeyFileHexChars && !newline) {
    const std::string got = size >= kKeyFileReadLimit
                                ? "more than " + std::to_string(kKeyFileReadLimit - 1)
                                : std::to_string(size);
    return InvalidArgumentError("key file " + path + " has " + got + " bytes; expected " +
                                std::to_string(kKeyFileHexChars) +
                                " hexadecimal characters and an optional newline");
  }
  for (std::size_t i = 0; i < kKeyFileHexChars; ++i) {
    if (!IsHexDigit(text.data()[i])) {
      return InvalidArgumentError("key file " + path + " has a non-hexadecimal byte at offset " +
                                  std::to_string(i));
    }
  }
  SecretBytes key(kKeyBytes);
  std::size_t key_size = 0;
  if (sodium_hex2bin(key.data(), key.size(), reinterpret_cast<const char*>(text.data()),
                     kKeyFileHexChars, nullptr, &key_size, nullptr) != 0 ||
      key_size != kKeyBytes) {
    return InvalidArgumentError("key file " + path + " is not a valid key");
  }
  return key;
}

}  // namespace kinlink::crypto
