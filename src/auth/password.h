// auth/password: staff password hashing and the password policy.
//
// Hashes are libsodium's crypto_pwhash_str strings: Argon2id with a random
// salt, its cost parameters encoded in the string ("$argon2id$v=19$m=...").
// A stored hash therefore verifies under whatever cost it was made with,
// and NeedsRehash() says when it should be replaced after a successful
// login because the configured cost has changed.
//
// Thread-safety: every function is thread-safe. Each HashPassword and
// VerifyPassword call holds the Argon2id memory (256 MiB at kModerate) for
// its duration: a server must bound how many run at once, or a burst of
// login attempts exhausts memory.
//
//   KL_RETURN_IF_ERROR(auth::CheckPasswordPolicy(password));
//   KL_ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(password));
//   ...
//   if (!auth::VerifyPassword(hash, attempt)) return UnauthenticatedError(...);
//   if (auth::NeedsRehash(hash)) { /* hash `attempt` again and store it */ }
#ifndef KINLINK_AUTH_PASSWORD_H_
#define KINLINK_AUTH_PASSWORD_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace kinlink::auth {

// Longest password accepted anywhere (policy, hashing, verification), in
// bytes. Generous for passphrases; bounds the work one request can cause.
inline constexpr std::size_t kMaxPasswordBytes = 1024;
// Shortest password the policy accepts, in Unicode code points.
inline constexpr std::size_t kMinPasswordChars = 12;

// Argon2id cost, as libsodium's named limits.
//   kInteractive: 2 passes, 64 MiB (~0.1 s). For tests, and for hosts too
//                 small for kModerate.
//   kModerate:    3 passes, 256 MiB (~0.5-1 s). The default: a login is
//                 rare and may take a moment, and the database of staff
//                 hashes is exactly what a thief of a backup attacks
//                 offline (docs/security.md: "Argon2id with real limits").
// kSensitive (1 GiB) is left out: too much memory per concurrent login.
enum class PasswordStrength { kInteractive, kModerate };

// Hashes `password` with Argon2id and a fresh random salt; returns the
// self-describing crypto_pwhash_str string (ASCII, under 128 bytes).
// Does not apply the policy (call CheckPasswordPolicy first for new
// passwords). INVALID_ARGUMENT for an empty password or one over
// kMaxPasswordBytes; RESOURCE_EXHAUSTED when Argon2id cannot get its
// memory; INTERNAL if libsodium cannot start.
Result<std::string> HashPassword(std::string_view password,
                                 PasswordStrength strength = PasswordStrength::kModerate);

// True when `password` matches `stored_hash` (a HashPassword result; the
// comparison inside libsodium is constant-time). False for a wrong
// password, an empty or oversized password, a malformed hash, or when the
// memory the hash asks for cannot be had. Costs as much as hashing: to give
// no timing hint that an account does not exist, a caller verifies against
// a dummy hash of the same strength in that case.
bool VerifyPassword(std::string_view stored_hash, std::string_view password);

// True when `stored_hash` was not made by Argon2id with exactly the limits
// of `strength` (including a malformed hash): after a successful
// VerifyPassword, hash the password again and store the new hash.
bool NeedsRehash(std::string_view stored_hash,
                 PasswordStrength strength = PasswordStrength::kModerate);

// The policy for a new password. INVALID_ARGUMENT with the first rule
// broken, in this order: empty; longer than kMaxPasswordBytes; not valid
// UTF-8; fewer than kMinPasswordChars code points; one character repeated.
// Messages name the rule, never the password, its length or a position in it.
// No composition rules (NIST SP 800-63B); the caller should also refuse
// passwords from a breach list. Passwords are hashed byte for byte: a
// caller that accepts them from several input methods should normalise
// them (NFC) before both hashing and verifying.
Status CheckPasswordPolicy(std::string_view password);

}  // namespace kinlink::auth

#endif  // KINLINK_AUTH_PASSWORD_H_
