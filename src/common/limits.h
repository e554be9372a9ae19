// Named limits on every size Kinlink accepts from outside. Each limit is a
// constant here so that errors can name it ("over kMaxFieldBytes") and an
// operator can find it in one place. Limits are generous for real tracing
// lists and small enough that no input can exhaust memory.
#ifndef KINLINK_COMMON_LIMITS_H_
#define KINLINK_COMMON_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace kinlink::limits {

// A CSV file given to `import`, `link` or `dedupe`.
inline constexpr std::uint64_t kMaxImportFileBytes = 8ULL << 30;  // 8 GiB
// Data rows in one import (one transaction).
inline constexpr std::uint64_t kMaxImportRows = 50'000'000;
// Columns in a CSV header.
inline constexpr std::size_t kMaxColumns = 512;
// Bytes of one CSV field (after unquoting); names and dates are far shorter,
// `notes` may be long.
inline constexpr std::size_t kMaxFieldBytes = 16 * 1024;
// Bytes of one name field (full_name, given_name, ..., alternate_names).
inline constexpr std::size_t kMaxNameBytes = 1024;
// Bytes of one CSV row, all fields together (a row over this is rejected
// without being held in memory).
inline constexpr std::size_t kMaxRowBytes = 256 * 1024;
// Bytes of a mapping file.
inline constexpr std::size_t kMaxMappingFileBytes = 1024 * 1024;
// Bytes of a passphrase (read from a file, the environment or a prompt).
inline constexpr std::size_t kMaxPassphraseBytes = 4096;
// Bytes of a sealed record read back from the store.
inline constexpr std::size_t kMaxSealedRecordBytes = 2 * 1024 * 1024;
// Rejected rows kept in memory for the summary; all of them go to the
// rejects file.
inline constexpr std::size_t kMaxRejectsInSummary = 100;

}  // namespace kinlink::limits

#endif  // KINLINK_COMMON_LIMITS_H_
