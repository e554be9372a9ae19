// match: comparing person records, on plaintext features or on keyed
// encodings, so that a registry and the hub never need plaintext.
//
// Headers (each documents its scorer fully):
//   match/string_metrics.h  Levenshtein, Jaro, Jaro–Winkler, token-set
//                           alignment on code points; cached one-vs-many
//                           forms; DecodeUtf8.
//   match/bloom.h           keyed field-level Bloom filters (SipHash-128
//                           positions, salting, XOR-folding) and Dice with
//                           run-time SIMD dispatch (scalar/POPCNT/AVX2/
//                           AVX-512 VPOPCNTDQ), one-vs-many over a set.
//   match/tokens.h          Token128: keyed 128-bit tokens for exact
//                           comparisons and blocking keys.
//   match/dates.h           birth-date comparison levels on plaintext dates
//                           and age ranges, and the same levels on keyed
//                           date tokens.
// Naive references of every kernel live in match/internal/reference.h and
// the fast kernels are tested against them.
//
// Purity: no I/O, no logging, no mutable globals; every function is
// deterministic. The one exception is reading the CPU's features once (a
// function-local constant) to choose the popcount kernel. All functions are
// thread-safe; objects are immutable after construction unless a
// non-const method says otherwise.
//
//   CachedJaroWinkler q(DecodeUtf8(query_given_name));
//   double s = q.Similarity(DecodeUtf8(candidate_given_name), 0.8);
#ifndef KINLINK_MATCH_MATCH_H_
#define KINLINK_MATCH_MATCH_H_

#include "match/bloom.h"
#include "match/dates.h"
#include "match/string_metrics.h"
#include "match/tokens.h"

#endif  // KINLINK_MATCH_MATCH_H_
