// auth/totp: time-based one-time passwords (RFC 6238) for the second factor
// of staff accounts, and the Base32 (RFC 4648) text form of their secrets.
//
// Defaults are what authenticator apps expect: HMAC-SHA1, 6 digits, 30 s
// steps from the Unix epoch. HMAC-SHA256 is available for apps that
// support it. HMAC comes from OpenSSL's libcrypto (libsodium has no SHA-1).
//
// Secrets are raw bytes (a std::string_view; crypto::SecretBytes::view()
// for one in locked memory). Codes and Base32 text of secrets are secrets
// too: never log them; crypto::Wipe() strings that held them.
//
// Replay: a code stays valid for its whole step (and the window around it).
// VerifyTotp reports the step it matched; the caller stores the last
// accepted step per account and refuses any code whose step is not greater.
//
// Thread-safety: every function is thread-safe.
//
//   crypto::SecretBytes secret = auth::GenerateTotpSecret();
//   KL_ASSIGN_OR_RETURN(std::string uri,
//                       auth::OtpauthUri("Kinlink Amman", "k.haddad", secret.view()));
//   ...
//   std::int64_t step = 0;
//   if (!auth::VerifyTotp(secret.view(), code, now, 1, &step) || step <= last_step) {
//     return UnauthenticatedError("wrong code");
//   }
//   last_step = step;  // stored with the account
#ifndef KINLINK_AUTH_TOTP_H_
#define KINLINK_AUTH_TOTP_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/crypto.h"

namespace kinlink::auth {

// Bytes of a secret from GenerateTotpSecret (160 bits, RFC 4226's
// recommendation and the HMAC-SHA1 output size).
inline constexpr std::size_t kTotpSecretBytes = 20;
// Shortest secret accepted (RFC 4226: at least 128 bits).
inline constexpr std::size_t kMinTotpSecretBytes = 16;
// Longest secret accepted (an HMAC-SHA256 block).
inline constexpr std::size_t kMaxTotpSecretBytes = 64;
// Widest verification window, in steps either side of now.
inline constexpr int kMaxTotpWindow = 10;
// Longest text Base32Decode accepts (a kMaxTotpSecretBytes secret is 103).
inline constexpr std::size_t kMaxBase32Chars = 1024;

enum class TotpAlgorithm { kSha1, kSha256 };

struct TotpParams {
  TotpAlgorithm algorithm = TotpAlgorithm::kSha1;
  int digits = 6;                  // 6..8
  std::int64_t step_seconds = 30;  // > 0
  std::int64_t epoch_seconds = 0;  // T0 of RFC 6238
};

// INVALID_ARGUMENT naming the bad field: digits outside 6..8, a step that
// is not positive, a negative epoch. For checking configuration at start-up.
Status ValidateTotpParams(const TotpParams& params);

// A new random secret of kTotpSecretBytes bytes (libsodium randombytes_buf),
// in locked memory. Aborts if libsodium cannot start (like operator new).
crypto::SecretBytes GenerateTotpSecret();

// The code for `unix_time`: `params.digits` ASCII digits, zero-padded.
// Returns an empty string (which no code equals) when the secret is shorter
// than kMinTotpSecretBytes or longer than kMaxTotpSecretBytes, the params
// are invalid, or unix_time is before params.epoch_seconds.
std::string TotpCode(std::string_view secret, std::int64_t unix_time,
                     const TotpParams& params = TotpParams());

// True when `code` (exactly params.digits ASCII digits, nothing else)
// equals the code of a step within `window` steps of the step of
// `unix_time`. Every candidate is computed and compared in constant time.
// On success, and when `matched_step` is not null, stores the matched step
// number there (the one nearest now if several match; the earlier of two
// equally near). False, leaving *matched_step alone, for a wrong code, a
// window outside 0..kMaxTotpWindow, or any input TotpCode would refuse.
bool VerifyTotp(std::string_view secret, std::string_view code, std::int64_t unix_time,
                int window = 1, std::int64_t* matched_step = nullptr,
                const TotpParams& params = TotpParams());

// The step number of `unix_time` under `params` (what VerifyTotp reports
// for a code of the current step). Precondition: valid params and
// unix_time >= params.epoch_seconds; returns -1 otherwise.
std::int64_t TotpStep(std::int64_t unix_time, const TotpParams& params = TotpParams());

// RFC 4648 Base32, upper case, without '=' padding.
std::string Base32Encode(std::string_view bytes);

// Decodes RFC 4648 Base32. Accepts upper and lower case, with or without
// correct '=' padding; nothing else (no spaces). INVALID_ARGUMENT (with the
// offset, never the character) for a character outside the alphabet, a
// length no encoding has, wrong padding, non-zero unused trailing bits, or
// text longer than kMaxBase32Chars.
Result<std::string> Base32Decode(std::string_view text);

// The otpauth:// URI that authenticator apps read from a QR code:
//   otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER
//       &algorithm=SHA1&digits=6&period=30
// with issuer and account percent-encoded (RFC 3986 unreserved characters
// kept). The URI holds the secret: show it once, never log or store it.
// INVALID_ARGUMENT when issuer or account is empty, not valid UTF-8, holds
// a ':' (apps split the label on it), or is over 256 bytes; when the secret
// has a length TotpCode refuses; or when params are invalid or have an
// epoch other than 0 (the URI format has no field for it).
Result<std::string> OtpauthUri(std::string_view issuer, std::string_view account,
                               std::string_view secret, const TotpParams& params = TotpParams());

}  // namespace kinlink::auth

#endif  // KINLINK_AUTH_TOTP_H_
