// auth/lockout: how long an account stays locked after failed logins.
//
// A pure policy: the caller keeps, per account, the number of consecutive
// failed attempts and the time of the last one (reset both on success), and
// refuses any attempt while now < LockedUntil(...), without checking the
// password, so that a locked account gives no oracle.
//
// Up to max_failures - 1 consecutive failures cost nothing (typos); the
// max_failures-th locks for base_delay, and each further failure doubles
// the delay up to max_delay: with the defaults, failures 1-4 → 0 s, 5 → 30 s,
// 6 → 60 s, 7 → 120 s, ... 12 → 3600 s (capped from 3840 s), 13+ → 3600 s.
// The cap bounds how long an attacker who knows a user name can lock its
// owner out; per-address rate limits belong to the server.
//
// Thread-safety: pure functions of their arguments; thread-safe.
//
//   if (now < auth::LockedUntil(row.failures, row.last_failure)) {
//     return ResourceExhaustedError("too many failed logins; try again later");
//   }
#ifndef KINLINK_AUTH_LOCKOUT_H_
#define KINLINK_AUTH_LOCKOUT_H_

#include <cstdint>

namespace kinlink::auth {

struct LockoutPolicy {
  int max_failures = 5;                   // consecutive failures before a lock (>= 1)
  std::int64_t base_delay_seconds = 30;   // first lock (>= 0)
  std::int64_t max_delay_seconds = 3600;  // cap on any lock (>= 0)
};

// The lock after `consecutive_failures` failures, in seconds: 0 below
// policy.max_failures, else base_delay_seconds * 2^(failures - max_failures),
// capped at max_delay_seconds. Never overflows. Out-of-range policy fields
// are read as their nearest valid value (max_failures < 1 as 1, negative
// delays as 0); negative failure counts as 0.
std::int64_t LockoutDelaySeconds(int consecutive_failures,
                                 const LockoutPolicy& policy = LockoutPolicy());

// The Unix time until which the account is locked: last_failure_time +
// LockoutDelaySeconds(...), saturating at INT64_MAX. Locked while
// now < the result; with no lock the result is last_failure_time itself.
std::int64_t LockedUntil(int consecutive_failures, std::int64_t last_failure_time,
                         const LockoutPolicy& policy = LockoutPolicy());

}  // namespace kinlink::auth

#endif  // KINLINK_AUTH_LOCKOUT_H_
