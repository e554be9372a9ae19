// pprl: cross-organisation linkage without sharing data (docs/pprl.md).
// Two organisations encode their own records under a shared linkage key
// into `.kle` files; a hub that never holds the key compares the files.
//
// This header: the `.kle` encodings file. Version 1, little-endian:
//
//   magic       8 bytes  89 'K' 'L' 'E' 0D 0A 1A 0A
//   version     u16      1
//   schema      u32 n + n bytes of "key=value\n" lines (Schema::ToText)
//   key check   32 bytes BLAKE2b-256 MAC of kKeyCheckLabel under the
//               linkage key
//   count       u64      number of records (≤ kMaxKleRecords)
//   record × count:
//     ref         16 bytes  random record reference (the owner keeps the
//                           ref → source id mapping in a side file)
//     features    u32 n + n bytes (linkage::SerializeEncoded; ≤
//                 kMaxFeatureBytes): keyed tokens and field filters
//     blocking    12 × 16 bytes keyed blocking keys (zero = none)
//     record      the whole-record filter, Schema::RecordFilterBytes()
//   trailer     32 bytes BLAKE2b-256 of every byte before it
//
// Reading verifies everything: magic, version, a schema this build
// encodes, every length against its limit, every record, and the trailer;
// a truncated, extended or corrupted file is refused (DATA_LOSS).
//
// Thread-safety: functions are independent; a KleFile is a value.
//
//   KL_ASSIGN_OR_RETURN(pprl::KleFile a, pprl::ReadKleFile("a.kle"));
//   KL_ASSIGN_OR_RETURN(pprl::KleFile b, pprl::ReadKleFile("b.kle"));
//   KL_RETURN_IF_ERROR(pprl::CheckComparable(a, b, "a.kle", "b.kle"));
#ifndef KINLINK_PPRL_KLE_H_
#define KINLINK_PPRL_KLE_H_

#include <array>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/crypto.h"
#include "linkage/features.h"
#include "match/bloom.h"

namespace kinlink::pprl {

inline constexpr std::string_view kKleMagic{"\x89KLE\r\n\x1a\n", 8};
inline constexpr std::uint16_t kKleVersion = 1;
inline constexpr std::size_t kKleRefBytes = 16;
inline constexpr std::size_t kKeyCheckBytes = 32;
inline constexpr std::size_t kKleTrailerBytes = 32;
// Limits: every size read from a file is checked against one of these.
inline constexpr std::uint64_t kMaxKleRecords = 50'000'000;
inline constexpr std::size_t kMaxSchemaBytes = 4096;
inline constexpr std::size_t kMaxFeatureBytes = 16384;
// The schema's name_variants value ("none" or "blake2b:" + 32 hex digits).
inline constexpr std::size_t kMaxNameVariantsIdBytes = 80;
inline constexpr std::string_view kKeyCheckLabel = "kinlink.pprl.key-check.v1";

// What both sides of a comparison must share besides the key. Serialised
// as text lines "key=value", in a fixed order; fixed parameters of this
// build (filter lengths, k, q, hashing) are written too, so a file from a
// build that encodes differently is recognised.
struct Schema {
  linkage::BloomHardening hardening;
  // "none", or "blake2b:<hex>" of the name-variant table's bytes (its
  // groups feed keyed tokens: both sides need the same table).
  std::string name_variants = "none";

  // The schema's lines, each "key=value\n".
  std::string ToText() const;
  // INVALID_ARGUMENT (naming the line) for text this build does not encode
  // exactly: unknown or missing keys, or a fixed parameter that differs.
  static Result<Schema> FromText(std::string_view text);
  std::size_t RecordFilterBits() const {
    return hardening.xor_fold ? linkage::kRecordBloomBits / 2 : linkage::kRecordBloomBits;
  }
  std::size_t RecordFilterBytes() const { return RecordFilterBits() / 8; }
  friend bool operator==(const Schema&, const Schema&) = default;
};

// "none", "birth-year"; and back (INVALID_ARGUMENT otherwise).
std::string_view SaltName(linkage::BloomSalt salt);
Result<linkage::BloomSalt> ParseSalt(std::string_view name);

using RecordRef = std::array<std::uint8_t, kKleRefBytes>;

struct KleFile {
  Schema schema;
  std::string key_check;  // kKeyCheckBytes
  std::vector<RecordRef> refs;
  std::vector<linkage::Features> features;
  std::vector<linkage::BlockingKeyRow> keys;
  std::vector<match::BloomFilter> record_filters;  // schema.RecordFilterBits() each
  std::size_t size() const { return refs.size(); }
};

// The key-check value of `linkage_key` (precondition: kKeyBytes long).
std::string KeyCheck(const crypto::SecretBytes& linkage_key);
// Derives the key FeatureExtractor uses from the linkage key (keyed
// BLAKE2b; every per-field key is derived from it in turn).
crypto::SecretBytes ExtractionKey(const crypto::SecretBytes& linkage_key);

// Writes a file incrementally: header, then records in any number of
// calls, then Finish (the trailer). The count is fixed up front.
class KleWriter {
 public:
  // `out` must outlive the writer.
  KleWriter(std::ostream& out, const Schema& schema, std::string_view key_check,
            std::uint64_t count);
  ~KleWriter();
  KleWriter(const KleWriter&) = delete;
  KleWriter& operator=(const KleWriter&) = delete;
  // INVALID_ARGUMENT for a record that does not fit the schema or a limit,
  // or one more than the count; INTERNAL when the stream fails.
  Status Add(const RecordRef& ref, const linkage::Features& features,
             const linkage::BlockingKeyRow& keys, const match::BloomFilter& record_filter);
  // The same with the features already serialised.
  Status AddSerialized(const RecordRef& ref, std::string_view features,
                       const linkage::BlockingKeyRow& keys,
                       const match::BloomFilter& record_filter);
  // FAILED_PRECONDITION unless exactly `count` records were added. Until
  // it returns, part of what was added may not yet be in `out`.
  Status Finish();

 private:
  // Records are gathered in pending_ and hashed and written a block at a
  // time (one call each per ~kFlushBytes, not per record).
  static constexpr std::size_t kFlushBytes = std::size_t{1} << 20;
  void Put(std::string_view bytes);
  void FlushIfFull();
  void Flush();
  struct Hasher;
  std::ostream& out_;
  std::string pending_;
  std::unique_ptr<Hasher> hash_;
  std::size_t record_filter_bytes_;
  std::uint64_t count_;
  std::uint64_t added_ = 0;
};

// Writes a whole file to `out`.
Status WriteKle(const KleFile& file, std::ostream& out);
// DATA_LOSS for anything but a complete, intact version-1 file (naming
// what is wrong); INVALID_ARGUMENT for a schema this build does not use.
Result<KleFile> ReadKle(std::istream& in);
// As ReadKle, with the path in messages; NOT_FOUND when it cannot be opened.
Result<KleFile> ReadKleFile(const std::string& path);

// UNAUTHENTICATED ("wrong linkage key") unless `file` was made with
// `linkage_key`. Constant-time.
Status CheckKey(const KleFile& file, const crypto::SecretBytes& linkage_key);
// FAILED_PRECONDITION naming the first difference of the schemas (with the
// two names), or different linkage keys (by the key-check values).
Status CheckComparable(const KleFile& a, const KleFile& b, std::string_view name_a,
                       std::string_view name_b);

}  // namespace kinlink::pprl

#endif  // KINLINK_PPRL_KLE_H_
