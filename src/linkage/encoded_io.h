// The encoded parts of Features as one opaque byte string, so that a
// registry can store a record's matching form beside its ciphertext and
// compare it later without decrypting anything.
//
// Only what encoded mode uses is kept: presence flags, keyed tokens, Bloom
// filters, date tokens and the sex code. The plaintext-mode fields (latin
// strings, BirthEvidence) are never written: a blob holds nothing that can
// be read without the registry's token key.
//
// Layout (version 1), little-endian:
//   u8 version (1)
//   3 × name:  u8 present; 5 × key128 (exact, native, skeleton, phonetic,
//              phonetic_alt); u16 n + n × key128 (variant groups); bloom
//   date:      u8 present; u8 kind; u8 mask of the six optional tokens,
//              then those tokens; u8 n + n × token (age-range years)
//   u8 sex
//   5 × text:  u8 present; key128 exact; bloom
//   bloom: u16 byte length (0 = none) + the filter's bytes
//   key128: hi then lo (u64 each); token: its 16 bytes
//
// Thread-safety: pure functions.
#ifndef KINLINK_LINKAGE_ENCODED_IO_H_
#define KINLINK_LINKAGE_ENCODED_IO_H_

#include <string>
#include <string_view>

#include "common/result.h"
#include "linkage/features.h"

namespace kinlink::linkage {

inline constexpr std::uint8_t kEncodedFeaturesVersion = 1;

// Appends the encoded parts of `features` to `out` (cleared first).
void SerializeEncoded(const Features& features, std::string* out);
std::string SerializeEncoded(const Features& features);

// DATA_LOSS for a blob that is truncated, has trailing bytes, an unknown
// version or out-of-range values. The plaintext-mode fields of the result
// are empty.
Result<Features> ParseEncoded(std::string_view blob);

}  // namespace kinlink::linkage

#endif  // KINLINK_LINKAGE_ENCODED_IO_H_
