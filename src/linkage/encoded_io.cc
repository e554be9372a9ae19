#include "linkage/encoded_io.h"

#include <cstring>
#include <optional>
#include <vector>

#include "common/little_endian.h"

namespace kinlink::linkage {

namespace {

void PutU8(std::string* out, std::uint8_t v) { out->push_back(static_cast<char>(v)); }

void PutU16(std::string* out, std::uint16_t v) {
  const char bytes[2] = {static_cast<char>(v & 0xff), static_cast<char>(v >> 8)};
  out->append(bytes, 2);
}

void PutKey(std::string* out, const score::Key128& k) {
  char bytes[16];
  StoreLe64(k.hi, bytes);
  StoreLe64(k.lo, bytes + 8);
  out->append(bytes, 16);
}

void PutToken(std::string* out, const match::Token128& t) {
  out->append(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size());
}

// The filter's length, then its bytes as BloomFilter::ToBytes gives them.
void PutBloom(std::string* out, const match::BloomFilter& bloom) {
  const std::span<const std::uint64_t> words = bloom.words();
  PutU16(out, static_cast<std::uint16_t>(words.size() * 8));
  bloom.AppendBytes(out);
}

void PutName(std::string* out, const NameFeature& n) {
  PutU8(out, n.present ? 1 : 0);
  for (const score::Key128* k : {&n.exact, &n.native, &n.skeleton, &n.phonetic, &n.phonetic_alt}) {
    PutKey(out, *k);
  }
  PutU16(out, static_cast<std::uint16_t>(n.variant_groups.size()));
  for (const score::Key128& k : n.variant_groups) PutKey(out, k);
  PutBloom(out, n.bloom);
}

void PutText(std::string* out, const TextFeature& t) {
  PutU8(out, t.present ? 1 : 0);
  PutKey(out, t.exact);
  PutKey(out, t.skeleton);
  PutBloom(out, t.bloom);
}

// Reads from a blob; every read checks the remaining length.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool U8(std::uint8_t* v) {
    if (data_.empty()) return false;
    *v = static_cast<std::uint8_t>(data_[0]);
    data_.remove_prefix(1);
    return true;
  }
  bool U16(std::uint16_t* v) {
    std::uint8_t lo = 0;
    std::uint8_t hi = 0;
    if (!U8(&lo) || !U8(&hi)) return false;
    *v = static_cast<std::uint16_t>(lo | (hi << 8));
    return true;
  }
  bool U64(std::uint64_t* v) {
    if (data_.size() < 8) return false;
    std::uint64_t x = 0;
    for (int i = 0; i < 8; ++i) x |= std::uint64_t{static_cast<std::uint8_t>(data_[i])} << (8 * i);
    data_.remove_prefix(8);
    *v = x;
    return true;
  }
  bool Key(score::Key128* k) { return U64(&k->hi) && U64(&k->lo); }
  bool Token(match::Token128* t) {
    if (data_.size() < t->bytes.size()) return false;
    std::memcpy(t->bytes.data(), data_.data(), t->bytes.size());
    data_.remove_prefix(t->bytes.size());
    return true;
  }
  bool Bloom(match::BloomFilter* bloom) {
    std::uint16_t n = 0;
    if (!U16(&n)) return false;
    if (n == 0) {
      *bloom = match::BloomFilter();
      return true;
    }
    if (data_.size() < n) return false;
    Result<match::BloomFilter> parsed = match::BloomFilter::FromBytes(data_.substr(0, n));
    if (!parsed.ok()) return false;
    *bloom = std::move(parsed).value();
    data_.remove_prefix(n);
    return true;
  }
  bool Flag(bool* b) {
    std::uint8_t v = 0;
    if (!U8(&v) || v > 1) return false;
    *b = v == 1;
    return true;
  }
  bool Name(NameFeature* n) {
    if (!Flag(&n->present)) return false;
    for (score::Key128* k : {&n->exact, &n->native, &n->skeleton, &n->phonetic, &n->phonetic_alt}) {
      if (!Key(k)) return false;
    }
    std::uint16_t groups = 0;
    if (!U16(&groups) || data_.size() / 16 < groups) return false;
    n->variant_groups.resize(groups);
    for (score::Key128& k : n->variant_groups) {
      if (!Key(&k)) return false;
    }
    if (!Bloom(&n->bloom)) return false;
    n->bloom_ones = static_cast<std::uint32_t>(n->bloom.PopCount());
    return true;
  }
  bool Text(TextFeature* t) {
    if (!(Flag(&t->present) && Key(&t->exact) && Key(&t->skeleton) && Bloom(&t->bloom))) {
      return false;
    }
    t->bloom_ones = static_cast<std::uint32_t>(t->bloom.PopCount());
    return true;
  }
  bool Date(DateFeature* d) {
    std::uint8_t kind = 0;
    std::uint8_t mask = 0;
    if (!Flag(&d->present) || !U8(&kind) || !U8(&mask)) return false;
    if (kind > static_cast<std::uint8_t>(match::BirthEvidence::Kind::kAgeRange) || mask >= 64) {
      return false;
    }
    d->tokens.kind = static_cast<match::BirthEvidence::Kind>(kind);
    std::optional<match::Token128>* slots[] = {&d->tokens.full,  &d->tokens.swapped,
                                               &d->tokens.year_month, &d->tokens.year,
                                               &d->tokens.year_before, &d->tokens.year_after};
    for (int i = 0; i < 6; ++i) {
      if ((mask >> i) & 1U) {
        match::Token128 t;
        if (!Token(&t)) return false;
        *slots[i] = t;
      }
    }
    std::uint8_t years = 0;
    if (!U8(&years) || data_.size() / 16 < years) return false;
    d->tokens.years.resize(years);
    for (match::Token128& t : d->tokens.years) {
      if (!Token(&t)) return false;
    }
    return true;
  }
  bool empty() const { return data_.empty(); }

 private:
  std::string_view data_;
};

}  // namespace

void SerializeEncoded(const Features& f, std::string* out) {
  out->clear();
  out->reserve(1024);
  PutU8(out, kEncodedFeaturesVersion);
  PutName(out, f.given);
  PutName(out, f.family);
  PutName(out, f.father);
  PutU8(out, f.birth.present ? 1 : 0);
  PutU8(out, static_cast<std::uint8_t>(f.birth.tokens.kind));
  const std::optional<match::Token128>* slots[] = {&f.birth.tokens.full,  &f.birth.tokens.swapped,
                                                   &f.birth.tokens.year_month, &f.birth.tokens.year,
                                                   &f.birth.tokens.year_before,
                                                   &f.birth.tokens.year_after};
  std::uint8_t mask = 0;
  for (int i = 0; i < 6; ++i) {
    if (slots[i]->has_value()) mask = static_cast<std::uint8_t>(mask | (1U << i));
  }
  PutU8(out, mask);
  for (const auto* slot : slots) {
    if (slot->has_value()) PutToken(out, **slot);
  }
  // EncodeDate gives at most kMaxAgeIntervalYears + 1 years: fits a byte.
  const std::size_t years = std::min<std::size_t>(f.birth.tokens.years.size(), 255);
  PutU8(out, static_cast<std::uint8_t>(years));
  for (std::size_t i = 0; i < years; ++i) PutToken(out, f.birth.tokens.years[i]);
  PutU8(out, static_cast<std::uint8_t>(f.sex));
  PutText(out, f.birth_place);
  PutText(out, f.locality);
  PutText(out, f.postcode);
  PutText(out, f.address);
  PutText(out, f.region);
}

std::string SerializeEncoded(const Features& features) {
  std::string out;
  SerializeEncoded(features, &out);
  return out;
}

Result<Features> ParseEncoded(std::string_view blob) {
  Reader in(blob);
  Features f;
  std::uint8_t version = 0;
  if (!in.U8(&version)) return DataLossError("encoded features: empty");
  if (version != kEncodedFeaturesVersion) {
    return DataLossError("encoded features: unknown version " + std::to_string(version));
  }
  std::uint8_t sex = 0;
  bool ok = in.Name(&f.given) && in.Name(&f.family) && in.Name(&f.father) && in.Date(&f.birth) &&
            in.U8(&sex) && sex <= static_cast<std::uint8_t>(SexValue::kOther) &&
            in.Text(&f.birth_place) && in.Text(&f.locality) && in.Text(&f.postcode) &&
            in.Text(&f.address) && in.Text(&f.region);
  if (!ok) return DataLossError("encoded features: truncated or malformed");
  if (!in.empty()) return DataLossError("encoded features: trailing bytes");
  f.sex = static_cast<SexValue>(sex);
  return f;
}

}  // namespace kinlink::linkage
