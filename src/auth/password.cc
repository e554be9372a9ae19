#include "auth/password.h"

#include <sodium.h>

#include <cstring>

#include "auth/internal/sodium.h"
#include "common/utf8.h"

namespace kinlink::auth {

namespace {

struct Limits {
  unsigned long long opslimit;
  std::size_t memlimit;
};

Limits LimitsFor(PasswordStrength strength) {
  switch (strength) {
    case PasswordStrength::kInteractive:
      return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
    case PasswordStrength::kModerate:
      break;
  }
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

// crypto_pwhash_str* read a NUL-terminated string of under
// crypto_pwhash_STRBYTES bytes; a string_view from a database row has
// neither guarantee, so copy it into a terminated buffer first.
bool CopyHash(std::string_view stored_hash, char (&out)[crypto_pwhash_STRBYTES]) {
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES ||
      stored_hash.find('\0') != std::string_view::npos) {
    return false;
  }
  std::memcpy(out, stored_hash.data(), stored_hash.size());
  out[stored_hash.size()] = '\0';
  return true;
}

// Byte length of the UTF-8 sequence that starts with `lead` (valid input).
std::size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// Precondition: `text` is non-empty, valid UTF-8.
bool IsOneCharacterRepeated(std::string_view text) {
  const std::size_t n = SequenceLength(static_cast<unsigned char>(text[0]));
  if (text.size() % n != 0) return false;
  const std::string_view first = text.substr(0, n);
  for (std::size_t i = n; i < text.size(); i += n) {
    if (text.substr(i, n) != first) return false;
  }
  return true;
}

std::size_t CountCodePoints(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, PasswordStrength strength) {
  if (password.empty()) return InvalidArgumentError("password is empty");
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgumentError("password is longer than " + std::to_string(kMaxPasswordBytes) +
                                " bytes (kMaxPasswordBytes)");
  }
  if (!internal::SodiumReady()) return InternalError("libsodium failed to initialise");
  const Limits limits = LimitsFor(strength);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), limits.opslimit, limits.memlimit) !=
      0) {
    return ResourceExhaustedError("Argon2id could not allocate " +
                                  std::to_string(limits.memlimit >> 20) + " MiB");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view stored_hash, std::string_view password) {
  if (password.empty() || password.size() > kMaxPasswordBytes) return false;
  char hash[crypto_pwhash_STRBYTES];
  if (!CopyHash(stored_hash, hash)) return false;
  if (!internal::SodiumReady()) return false;
  return crypto_pwhash_str_verify(hash, password.data(), password.size()) == 0;
}

bool NeedsRehash(std::string_view stored_hash, PasswordStrength strength) {
  char hash[crypto_pwhash_STRBYTES];
  if (!CopyHash(stored_hash, hash)) return true;
  const Limits limits = LimitsFor(strength);
  // 0: current; 1: other limits or Argon2i; -1: not a hash libsodium knows.
  return crypto_pwhash_str_needs_rehash(hash, limits.opslimit, limits.memlimit) != 0;
}

Status CheckPasswordPolicy(std::string_view password) {
  if (password.empty()) return InvalidArgumentError("password is empty");
  // Length in bytes first, so that the scans below see bounded input.
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgumentError("password is longer than " + std::to_string(kMaxPasswordBytes) +
                                " bytes (kMaxPasswordBytes)");
  }
  if (!IsValidUtf8(password)) return InvalidArgumentError("password is not valid UTF-8");
  if (CountCodePoints(password) < kMinPasswordChars) {
    return InvalidArgumentError("password is shorter than " + std::to_string(kMinPasswordChars) +
                                " characters (kMinPasswordChars)");
  }
  if (IsOneCharacterRepeated(password)) {
    return InvalidArgumentError("password is one character repeated");
  }
  return OkStatus();
}

}  // namespace kinlink::auth
