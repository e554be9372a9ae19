#include "auth/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <cstdlib>
#include <limits>

#include "auth/internal/sodium.h"
#include "common/utf8.h"

namespace kinlink::auth {

namespace {

constexpr char kBase32Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kMaxLabelPartBytes = 256;
constexpr int kMinDigits = 6;
constexpr int kMaxDigits = 8;
constexpr std::uint32_t kPowersOfTen[kMaxDigits + 1] = {
    1, 10, 100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000, 100'000'000};

bool ParamsValid(const TotpParams& params) { return ValidateTotpParams(params).ok(); }

bool SecretSizeValid(std::string_view secret) {
  return secret.size() >= kMinTotpSecretBytes && secret.size() <= kMaxTotpSecretBytes;
}

const char* AlgorithmName(TotpAlgorithm algorithm) {
  return algorithm == TotpAlgorithm::kSha256 ? "SHA256" : "SHA1";
}

// RFC 4226 HOTP of `counter`, written into `out` (params.digits + 1 bytes,
// NUL-terminated). Preconditions: valid secret size and params. Returns
// false only if OpenSSL fails.
bool HotpInto(std::string_view secret, std::uint64_t counter, const TotpParams& params, char* out) {
  unsigned char message[8];
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  const EVP_MD* md = params.algorithm == TotpAlgorithm::kSha256 ? EVP_sha256() : EVP_sha1();
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(md, secret.data(), static_cast<int>(secret.size()), message, sizeof message, mac,
           &mac_size) == nullptr ||
      mac_size < 20) {
    sodium_memzero(mac, sizeof mac);
    return false;
  }
  // Dynamic truncation (RFC 4226 5.3).
  const unsigned offset = mac[mac_size - 1] & 0x0f;
  const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                               (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8) |
                               static_cast<std::uint32_t>(mac[offset + 3]);
  sodium_memzero(mac, sizeof mac);
  std::uint32_t value = binary % kPowersOfTen[params.digits];
  for (int i = params.digits - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out[params.digits] = '\0';
  return true;
}

int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

Status CheckLabelPart(std::string_view what, std::string_view text) {
  const std::string name(what);
  if (text.empty()) return InvalidArgumentError(name + " is empty");
  if (text.size() > kMaxLabelPartBytes) {
    return InvalidArgumentError(name + " is longer than " + std::to_string(kMaxLabelPartBytes) +
                                " bytes");
  }
  if (!IsValidUtf8(text)) return InvalidArgumentError(name + " is not valid UTF-8");
  if (text.find(':') != std::string_view::npos) {
    return InvalidArgumentError(name + " contains ':', which authenticator apps split on");
  }
  return OkStatus();
}

}  // namespace

Status ValidateTotpParams(const TotpParams& params) {
  if (params.digits < kMinDigits || params.digits > kMaxDigits) {
    return InvalidArgumentError("TOTP digits must be 6, 7 or 8");
  }
  if (params.step_seconds <= 0) return InvalidArgumentError("TOTP step must be positive");
  if (params.epoch_seconds < 0) return InvalidArgumentError("TOTP epoch must not be negative");
  if (params.algorithm != TotpAlgorithm::kSha1 && params.algorithm != TotpAlgorithm::kSha256) {
    return InvalidArgumentError("unknown TOTP algorithm");
  }
  return OkStatus();
}

crypto::SecretBytes GenerateTotpSecret() {
  internal::RequireSodium();
  crypto::SecretBytes secret(kTotpSecretBytes);
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

std::int64_t TotpStep(std::int64_t unix_time, const TotpParams& params) {
  if (!ParamsValid(params) || unix_time < params.epoch_seconds) return -1;
  return (unix_time - params.epoch_seconds) / params.step_seconds;
}

std::string TotpCode(std::string_view secret, std::int64_t unix_time, const TotpParams& params) {
  if (!SecretSizeValid(secret)) return {};
  const std::int64_t step = TotpStep(unix_time, params);
  if (step < 0) return {};
  char code[kMaxDigits + 1];
  if (!HotpInto(secret, static_cast<std::uint64_t>(step), params, code)) return {};
  std::string out(code, static_cast<std::size_t>(params.digits));
  sodium_memzero(code, sizeof code);
  return out;
}

bool VerifyTotp(std::string_view secret, std::string_view code, std::int64_t unix_time, int window,
                std::int64_t* matched_step, const TotpParams& params) {
  if (!SecretSizeValid(secret) || window < 0 || window > kMaxTotpWindow) return false;
  const std::int64_t now_step = TotpStep(unix_time, params);
  if (now_step < 0) return false;
  // The length and the digit-only shape are not secret; check them first.
  if (code.size() != static_cast<std::size_t>(params.digits)) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  bool matched = false;
  std::int64_t best_step = 0;
  int best_distance = window + 1;
  char candidate[kMaxDigits + 1];
  // No early exit: every step in the window is computed and compared, so
  // the time taken does not say which step (if any) matched.
  for (int offset = -window; offset <= window; ++offset) {
    if (offset < 0 && now_step < -offset) continue;
    if (offset > 0 && now_step > std::numeric_limits<std::int64_t>::max() - offset) continue;
    const std::int64_t step = now_step + offset;
    if (!HotpInto(secret, static_cast<std::uint64_t>(step), params, candidate)) continue;
    const bool equal = sodium_memcmp(candidate, code.data(), code.size()) == 0;
    const int distance = std::abs(offset);
    // Offsets run upwards, so a strict '<' keeps the earlier of two equally
    // near steps.
    if (equal && distance < best_distance) {
      matched = true;
      best_step = step;
      best_distance = distance;
    }
  }
  sodium_memzero(candidate, sizeof candidate);
  if (matched && matched_step != nullptr) *matched_step = best_step;
  return matched;
}

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char ch : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(ch);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kBase32Alphabet[(buffer >> bits) & 0x1f]);
    }
  }
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 0x1f]);
  return out;
}

Result<std::string> Base32Decode(std::string_view text) {
  if (text.size() > kMaxBase32Chars) {
    return InvalidArgumentError("base32 text is longer than " + std::to_string(kMaxBase32Chars) +
                                " characters (kMaxBase32Chars)");
  }
  std::size_t data_chars = text.size();
  while (data_chars > 0 && text[data_chars - 1] == '=') --data_chars;
  // Characters in the last 8-character group: 0 (complete) or 2, 4, 5, 7
  // (1, 2, 3, 4 bytes); 1, 3 and 6 leave bits no byte string produces.
  const std::size_t tail = data_chars % 8;
  if (tail == 1 || tail == 3 || tail == 6) {
    return InvalidArgumentError("base32 text has a length (" + std::to_string(data_chars) +
                                " characters) that no encoding has");
  }
  if (data_chars != text.size()) {
    const std::size_t padded = data_chars + (tail == 0 ? 0 : 8 - tail);
    if (text.size() != padded) {
      return InvalidArgumentError("base32 text has " + std::to_string(text.size() - data_chars) +
                                  " padding characters where " +
                                  std::to_string(padded - data_chars) + " belong");
    }
  }
  std::string out;
  out.reserve(data_chars * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data_chars; ++i) {
    const int value = Base32Value(text[i]);
    if (value < 0) {
      return InvalidArgumentError("invalid base32 character at offset " + std::to_string(i));
    }
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  // Canonical form only: the bits after the last byte must be zero, so that
  // each byte string has exactly one encoding.
  if (bits > 0 && (buffer & ((1U << bits) - 1)) != 0) {
    crypto::Wipe(out);
    return InvalidArgumentError("base32 text has non-zero bits after its last byte");
  }
  return out;
}

Result<std::string> OtpauthUri(std::string_view issuer, std::string_view account,
                               std::string_view secret, const TotpParams& params) {
  KL_RETURN_IF_ERROR(CheckLabelPart("issuer", issuer));
  KL_RETURN_IF_ERROR(CheckLabelPart("account", account));
  if (!SecretSizeValid(secret)) {
    return InvalidArgumentError("TOTP secret must have " + std::to_string(kMinTotpSecretBytes) +
                                " to " + std::to_string(kMaxTotpSecretBytes) + " bytes");
  }
  KL_RETURN_IF_ERROR(ValidateTotpParams(params));
  if (params.epoch_seconds != 0) {
    return InvalidArgumentError("otpauth URIs cannot express a TOTP epoch other than 0");
  }
  const std::string issuer_encoded = PercentEncode(issuer);
  const std::string account_encoded = PercentEncode(account);
  std::string secret_text = Base32Encode(secret);
  const std::string tail = std::string("&algorithm=") + AlgorithmName(params.algorithm) +
                           "&digits=" + std::to_string(params.digits) +
                           "&period=" + std::to_string(params.step_seconds);
  // Built in one reserved buffer: no reallocation leaves a stray copy of
  // the secret in freed memory.
  std::string uri;
  uri.reserve(64 + 2 * issuer_encoded.size() + account_encoded.size() + secret_text.size() +
              tail.size());
  uri.append("otpauth://totp/").append(issuer_encoded).append(":").append(account_encoded);
  uri.append("?secret=").append(secret_text);
  uri.append("&issuer=").append(issuer_encoded).append(tail);
  crypto::Wipe(secret_text);
  return uri;
}

}  // namespace kinlink::auth
