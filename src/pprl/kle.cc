#include "pprl/kle.h"

#include <sodium.h>

#include <cstring>
#include <fstream>
#include <utility>

#include "common/little_endian.h"
#include "linkage/encoded_io.h"

namespace kinlink::pprl {

namespace {

constexpr std::size_t kKeyBytesOnDisk = 16;

// The low `bytes` bytes of v, little-endian, in one append.
void PutLe(std::string* out, std::uint64_t v, int bytes) {
  char buffer[8];
  StoreLe64(v, buffer);
  out->append(buffer, static_cast<std::size_t>(bytes));
}

void PutU16(std::string* out, std::uint16_t v) { PutLe(out, v, 2); }
void PutU32(std::string* out, std::uint32_t v) { PutLe(out, v, 4); }
void PutU64(std::string* out, std::uint64_t v) { PutLe(out, v, 8); }

std::uint64_t GetLe(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t{static_cast<std::uint8_t>(p[i])} << (8 * i);
  return v;
}

void PutKey(std::string* out, const score::Key128& k) {
  PutU64(out, k.hi);
  PutU64(out, k.lo);
}

score::Key128 GetKey(const char* p) {
  score::Key128 k;
  k.hi = GetLe(p, 8);
  k.lo = GetLe(p + 8, 8);
  return k;
}

// The schema as ordered (key, value) lines.
using Lines = std::vector<std::pair<std::string, std::string>>;

Result<Lines> SplitLines(std::string_view text) {
  Lines lines;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      return InvalidArgumentError("schema line " + std::to_string(line_no) + " has no newline");
    }
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return InvalidArgumentError("schema line " + std::to_string(line_no) + " is not key=value");
    }
    lines.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return lines;
}

std::string ValueOf(const Lines& lines, std::string_view key) {
  for (const auto& [k, v] : lines) {
    if (k == key) return v;
  }
  return "(absent)";
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

std::string_view SaltName(linkage::BloomSalt salt) {
  return salt == linkage::BloomSalt::kBirthYear ? "birth-year" : "none";
}

Result<linkage::BloomSalt> ParseSalt(std::string_view name) {
  if (name == "none") return linkage::BloomSalt::kNone;
  if (name == "birth-year") return linkage::BloomSalt::kBirthYear;
  return InvalidArgumentError("unknown salt '" + Printable(name) + "' (none or birth-year)");
}

std::string Schema::ToText() const {
  auto filter = [](std::size_t bits, std::size_t k) {
    return "bits:" + std::to_string(bits) + ",k:" + std::to_string(k);
  };
  std::string t;
  t += "format=kinlink-kle\n";
  t += "features=kinlink-encoded-features/" + std::to_string(linkage::kEncodedFeaturesVersion) +
       "\n";
  t += "fields=given,family,father,birth,sex,birth_place,locality,postcode,address,region\n";
  t += "qgram=2,padded\n";
  t += "name_filter=" + filter(linkage::kNameBloomBits, linkage::kNameBloomK) + "\n";
  t += "text_filter=" + filter(linkage::kTextBloomBits, linkage::kTextBloomK) + "\n";
  t += "record_filter=" + filter(linkage::kRecordBloomBits, linkage::kRecordBloomK) + "\n";
  t += "hashing=siphash-2-4-128-prf,field-keys:keyed-blake2b\n";
  t += "tokens=keyed-blake2b-128\n";
  t += "blocking_rules=" + std::to_string(linkage::kBlockingRules) + "\n";
  t += "salt=" + std::string(SaltName(hardening.salt)) + "\n";
  t += std::string("xor_fold=") + (hardening.xor_fold ? "on" : "off") + "\n";
  t += "balancing=off\n";
  t += "name_variants=" + name_variants + "\n";
  return t;
}

Result<Schema> Schema::FromText(std::string_view text) {
  if (text.size() > kMaxSchemaBytes) return InvalidArgumentError("schema over the size limit");
  KL_ASSIGN_OR_RETURN(Lines lines, SplitLines(text));
  Schema s;
  KL_ASSIGN_OR_RETURN(s.hardening.salt, ParseSalt(ValueOf(lines, "salt")));
  const std::string fold = ValueOf(lines, "xor_fold");
  if (fold != "on" && fold != "off") {
    return InvalidArgumentError("schema: xor_fold must be on or off, not '" + Printable(fold) +
                                "'");
  }
  s.hardening.xor_fold = fold == "on";
  s.name_variants = ValueOf(lines, "name_variants");
  if (s.name_variants.size() > kMaxNameVariantsIdBytes) {
    return InvalidArgumentError("schema: name_variants too long");
  }
  // Everything else must be exactly what this build writes.
  KL_ASSIGN_OR_RETURN(Lines expected, SplitLines(s.ToText()));
  for (std::size_t i = 0; i < std::max(lines.size(), expected.size()); ++i) {
    if (i < lines.size() && i < expected.size() && lines[i] == expected[i]) continue;
    if (i >= lines.size()) {
      return InvalidArgumentError("schema lacks '" + expected[i].first + "'");
    }
    if (i >= expected.size() || lines[i].first != expected[i].first) {
      return InvalidArgumentError("schema has unexpected line '" + Printable(lines[i].first) + "'");
    }
    return InvalidArgumentError("schema: " + lines[i].first + " is '" + Printable(lines[i].second) +
                                "' but this build encodes '" + expected[i].second + "'");
  }
  return s;
}

std::string KeyCheck(const crypto::SecretBytes& linkage_key) {
  return crypto::Mac(linkage_key, kKeyCheckLabel);
}

crypto::SecretBytes ExtractionKey(const crypto::SecretBytes& linkage_key) {
  return crypto::SecretBytes::CopyOf(crypto::Token(linkage_key, "kinlink.pprl.extract/v1", "a") +
                                     crypto::Token(linkage_key, "kinlink.pprl.extract/v1", "b"));
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

struct KleWriter::Hasher {
  crypto_generichash_state state;
};

KleWriter::KleWriter(std::ostream& out, const Schema& schema, std::string_view key_check,
                     std::uint64_t count)
    : out_(out),
      hash_(std::make_unique<Hasher>()),
      record_filter_bytes_(schema.RecordFilterBytes()),
      count_(count) {
  crypto_generichash_init(&hash_->state, nullptr, 0, kKleTrailerBytes);
  pending_.reserve(kFlushBytes + kKleRefBytes + 4 + kMaxFeatureBytes +
                   linkage::kBlockingRules * kKeyBytesOnDisk + record_filter_bytes_);
  std::string head(kKleMagic);
  PutU16(&head, kKleVersion);
  const std::string text = schema.ToText();
  PutU32(&head, static_cast<std::uint32_t>(text.size()));
  head += text;
  head += key_check;
  PutU64(&head, count);
  Put(head);
}

KleWriter::~KleWriter() = default;

void KleWriter::Put(std::string_view bytes) {
  pending_.append(bytes);
  FlushIfFull();
}

void KleWriter::FlushIfFull() {
  if (pending_.size() >= kFlushBytes) Flush();
}

void KleWriter::Flush() {
  crypto_generichash_update(&hash_->state, reinterpret_cast<const unsigned char*>(pending_.data()),
                            pending_.size());
  out_.write(pending_.data(), static_cast<std::streamsize>(pending_.size()));
  pending_.clear();
}

Status KleWriter::Add(const RecordRef& ref, const linkage::Features& features,
                      const linkage::BlockingKeyRow& keys,
                      const match::BloomFilter& record_filter) {
  std::string blob;
  linkage::SerializeEncoded(features, &blob);
  return AddSerialized(ref, blob, keys, record_filter);
}

Status KleWriter::AddSerialized(const RecordRef& ref, std::string_view features,
                                const linkage::BlockingKeyRow& keys,
                                const match::BloomFilter& record_filter) {
  if (added_ >= count_) return InvalidArgumentError("more records than the header's count");
  if (features.size() > kMaxFeatureBytes) {
    return InvalidArgumentError("a record's encodings exceed " + std::to_string(kMaxFeatureBytes) +
                                " bytes");
  }
  if (record_filter.bits() / 8 != record_filter_bytes_) {
    return InvalidArgumentError("record filter length does not match the schema");
  }
  pending_.append(reinterpret_cast<const char*>(ref.data()), ref.size());
  PutU32(&pending_, static_cast<std::uint32_t>(features.size()));
  pending_.append(features);
  for (const score::Key128& k : keys) PutKey(&pending_, k);
  record_filter.AppendBytes(&pending_);
  ++added_;
  FlushIfFull();
  if (!out_) return InternalError("writing the encodings file failed");
  return OkStatus();
}

Status KleWriter::Finish() {
  if (added_ != count_) {
    return FailedPreconditionError("wrote " + std::to_string(added_) + " records, header says " +
                                   std::to_string(count_));
  }
  Flush();
  unsigned char digest[kKleTrailerBytes];
  crypto_generichash_final(&hash_->state, digest, sizeof digest);
  out_.write(reinterpret_cast<const char*>(digest), sizeof digest);
  out_.flush();
  if (!out_) return InternalError("writing the encodings file failed");
  return OkStatus();
}

Status WriteKle(const KleFile& file, std::ostream& out) {
  if (file.features.size() != file.size() || file.keys.size() != file.size() ||
      file.record_filters.size() != file.size()) {
    return InvalidArgumentError("encodings file parts differ in length");
  }
  KleWriter writer(out, file.schema, file.key_check, file.size());
  for (std::size_t i = 0; i < file.size(); ++i) {
    KL_RETURN_IF_ERROR(
        writer.Add(file.refs[i], file.features[i], file.keys[i], file.record_filters[i]));
  }
  return writer.Finish();
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

namespace {

// Reads exact byte counts from a stream, hashing what it reads.
class HashingReader {
 public:
  explicit HashingReader(std::istream& in) : in_(in) {
    crypto_generichash_init(&state_, nullptr, 0, kKleTrailerBytes);
  }
  // DATA_LOSS "truncated" when fewer than n bytes remain.
  Status Read(std::size_t n, std::string* out, std::string_view what) {
    out->resize(n);
    in_.read(out->data(), static_cast<std::streamsize>(n));
    if (static_cast<std::size_t>(in_.gcount()) != n) {
      return DataLossError("encodings file is truncated (in " + std::string(what) + ")");
    }
    crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(out->data()), n);
    return OkStatus();
  }
  Result<std::uint64_t> Le(int bytes, std::string_view what) {
    KL_RETURN_IF_ERROR(Read(static_cast<std::size_t>(bytes), &buf_, what));
    return GetLe(buf_.data(), bytes);
  }
  std::string Digest() {
    unsigned char d[kKleTrailerBytes];
    crypto_generichash_final(&state_, d, sizeof d);
    return std::string(reinterpret_cast<const char*>(d), sizeof d);
  }
  std::istream& stream() { return in_; }

 private:
  std::istream& in_;
  crypto_generichash_state state_;
  std::string buf_;
};

}  // namespace

Result<KleFile> ReadKle(std::istream& in) {
  HashingReader r(in);
  std::string buf;
  KL_RETURN_IF_ERROR(r.Read(kKleMagic.size(), &buf, "magic"));
  if (buf != kKleMagic) return DataLossError("not a Kinlink encodings (.kle) file");
  KL_ASSIGN_OR_RETURN(std::uint64_t version, r.Le(2, "version"));
  if (version != kKleVersion) {
    return DataLossError("encodings file version " + std::to_string(version) +
                         " is not supported (this build reads version " +
                         std::to_string(kKleVersion) + ")");
  }
  KL_ASSIGN_OR_RETURN(std::uint64_t schema_len, r.Le(4, "schema length"));
  if (schema_len > kMaxSchemaBytes) return DataLossError("schema over the size limit");
  KL_RETURN_IF_ERROR(r.Read(static_cast<std::size_t>(schema_len), &buf, "schema"));
  KleFile file;
  Result<Schema> schema = Schema::FromText(buf);
  if (!schema.ok()) return schema.status();
  file.schema = *schema;
  KL_RETURN_IF_ERROR(r.Read(kKeyCheckBytes, &file.key_check, "key check"));
  KL_ASSIGN_OR_RETURN(std::uint64_t count, r.Le(8, "record count"));
  if (count > kMaxKleRecords) {
    return DataLossError("record count " + std::to_string(count) + " over the limit of " +
                         std::to_string(kMaxKleRecords));
  }
  const std::size_t filter_bytes = file.schema.RecordFilterBytes();
  // Reserve a little, not what the count claims (a short file may claim
  // millions of records); the vectors grow as records are actually read.
  const std::size_t reserve = static_cast<std::size_t>(std::min<std::uint64_t>(count, 1 << 14));
  file.refs.reserve(reserve);
  file.features.reserve(reserve);
  file.keys.reserve(reserve);
  file.record_filters.reserve(reserve);
  std::string ref, blob;
  for (std::uint64_t i = 0; i < count; ++i) {
    KL_RETURN_IF_ERROR(r.Read(kKleRefBytes, &ref, "record reference"));
    RecordRef rr;
    std::memcpy(rr.data(), ref.data(), kKleRefBytes);
    KL_ASSIGN_OR_RETURN(std::uint64_t len, r.Le(4, "record"));
    if (len > kMaxFeatureBytes) {
      return DataLossError("record " + std::to_string(i + 1) + ": encodings over the size limit");
    }
    KL_RETURN_IF_ERROR(r.Read(static_cast<std::size_t>(len), &blob, "record"));
    Result<linkage::Features> f = linkage::ParseEncoded(blob);
    if (!f.ok()) {
      return DataLossError("record " + std::to_string(i + 1) + ": " + f.status().message());
    }
    KL_RETURN_IF_ERROR(r.Read(linkage::kBlockingRules * kKeyBytesOnDisk, &buf, "record"));
    linkage::BlockingKeyRow keys;
    for (std::size_t k = 0; k < keys.size(); ++k)
      keys[k] = GetKey(buf.data() + k * kKeyBytesOnDisk);
    KL_RETURN_IF_ERROR(r.Read(filter_bytes, &buf, "record"));
    Result<match::BloomFilter> filter = match::BloomFilter::FromBytes(buf);
    if (!filter.ok()) return DataLossError("record " + std::to_string(i + 1) + ": bad filter");
    file.refs.push_back(rr);
    file.features.push_back(std::move(*f));
    file.keys.push_back(keys);
    file.record_filters.push_back(std::move(*filter));
  }
  const std::string digest = r.Digest();
  std::string trailer(kKleTrailerBytes, '\0');
  in.read(trailer.data(), static_cast<std::streamsize>(trailer.size()));
  if (static_cast<std::size_t>(in.gcount()) != kKleTrailerBytes) {
    return DataLossError("encodings file is truncated (in the checksum)");
  }
  if (sodium_memcmp(trailer.data(), digest.data(), kKleTrailerBytes) != 0) {
    return DataLossError("encodings file is corrupted (checksum mismatch)");
  }
  if (in.peek() != std::char_traits<char>::eof()) {
    return DataLossError("encodings file has bytes after its checksum");
  }
  return file;
}

Result<KleFile> ReadKleFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot open");
  std::vector<char> buffer(1 << 20);
  in.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  Result<KleFile> file = ReadKle(in);
  if (!file.ok()) return file.status().WithContext(path);
  return file;
}

Status CheckKey(const KleFile& file, const crypto::SecretBytes& linkage_key) {
  if (!crypto::VerifyMac(linkage_key, kKeyCheckLabel, file.key_check)) {
    return UnauthenticatedError("wrong linkage key: the file was encoded under another key");
  }
  return OkStatus();
}

Status CheckComparable(const KleFile& a, const KleFile& b, std::string_view name_a,
                       std::string_view name_b) {
  if (!(a.schema == b.schema)) {
    KL_ASSIGN_OR_RETURN(Lines la, SplitLines(a.schema.ToText()));
    KL_ASSIGN_OR_RETURN(Lines lb, SplitLines(b.schema.ToText()));
    for (const auto& [k, v] : la) {
      const std::string vb = ValueOf(lb, k);
      if (v != vb) {
        return FailedPreconditionError(
            "encoding schemas differ: " + k + " is " + v + " in " + std::string(name_a) + " but " +
            vb + " in " + std::string(name_b) + " (encode both with the same options)");
      }
    }
    return FailedPreconditionError("encoding schemas differ");
  }
  if (a.key_check.size() != b.key_check.size() ||
      sodium_memcmp(a.key_check.data(), b.key_check.data(), a.key_check.size()) != 0) {
    return FailedPreconditionError(std::string(name_a) + " and " + std::string(name_b) +
                                   " were encoded under different linkage keys (their key-check "
                                   "values differ)");
  }
  return OkStatus();
}

}  // namespace kinlink::pprl
