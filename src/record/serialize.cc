// The sealed binary form. It is the plaintext inside the registry's AEAD,
// so Deserialize only ever sees bytes that were authenticated — but it is
// still written as if the bytes were hostile (a bug elsewhere, an old
// format, a fuzzer): every length is checked before use and the encoding
// is canonical, so equal records always seal to equal plaintexts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "record/record.h"

namespace kinlink::record {
namespace {

constexpr std::uint8_t kFormatVersion = 1;
// Far above any field limit (kMaxFieldBytes); a larger length can only be
// corruption, and refusing it keeps a bad length from becoming a huge
// allocation.
constexpr std::uint64_t kMaxSerializedFieldBytes = 16ULL << 20;
// LEB128 digits needed for kMaxSerializedFieldBytes (25 bits).
constexpr int kMaxVarintBytes = 4;

void AppendVarint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

Status Corrupt(std::string what, std::size_t offset) {
  return DataLossError("sealed record: " + what + " at byte " + std::to_string(offset));
}

}  // namespace

std::string Serialize(const Record& record) {
  std::size_t total = 2;
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    const std::size_t n = record.Get(static_cast<Field>(i)).size();
    if (n > 0) total += 1 + 5 + n;
  }
  std::string out;
  out.reserve(total);
  out.push_back(static_cast<char>(kFormatVersion));
  out.push_back(static_cast<char>(record.kind()));
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    const std::string& value = record.Get(static_cast<Field>(i));
    if (value.empty()) continue;
    out.push_back(static_cast<char>(i));
    AppendVarint(out, value.size());
    out.append(value);
  }
  return out;
}

Result<Record> Deserialize(std::string_view bytes) {
  if (bytes.empty()) return DataLossError("sealed record: empty");
  const auto byte_at = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
  if (byte_at(0) != kFormatVersion) {
    return DataLossError("sealed record: unknown format version " + std::to_string(byte_at(0)));
  }
  if (bytes.size() < 2) return Corrupt("truncated before the kind", 1);
  const std::uint8_t kind = byte_at(1);
  if (kind != static_cast<std::uint8_t>(Kind::kRequest) &&
      kind != static_cast<std::uint8_t>(Kind::kPerson)) {
    return Corrupt("bad kind " + std::to_string(kind), 1);
  }
  Record record(static_cast<Kind>(kind));

  std::size_t pos = 2;
  int last_field = -1;
  while (pos < bytes.size()) {
    const std::size_t field_pos = pos;
    const std::uint8_t id = byte_at(pos++);
    if (id >= kFieldCount) return Corrupt("unknown field id " + std::to_string(id), field_pos);
    if (static_cast<int>(id) <= last_field) {
      return Corrupt("field id " + std::to_string(id) + " repeated or out of order", field_pos);
    }
    last_field = id;

    const std::size_t length_pos = pos;
    std::uint64_t length = 0;
    int shift = 0;
    for (int digits = 0;; ++digits) {
      if (pos >= bytes.size()) return Corrupt("truncated length", length_pos);
      if (digits == kMaxVarintBytes) return Corrupt("length over 16 MiB", length_pos);
      const std::uint8_t b = byte_at(pos++);
      length |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      shift += 7;
      if ((b & 0x80) == 0) {
        // A zero top digit means a longer encoding than needed; Serialize
        // never writes one, so it is not ours.
        if (b == 0 && digits > 0) return Corrupt("non-minimal length", length_pos);
        break;
      }
    }
    if (length > kMaxSerializedFieldBytes) return Corrupt("length over 16 MiB", length_pos);
    if (length == 0) return Corrupt("empty field", length_pos);
    if (length > bytes.size() - pos) return Corrupt("truncated field value", pos);
    record.Set(static_cast<Field>(id), std::string(bytes.substr(pos, length)));
    pos += length;
  }
  return record;
}

}  // namespace kinlink::record
