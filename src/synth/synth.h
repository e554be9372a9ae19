// synth: a deterministic generator of synthetic, valid records for tests and
// benchmarks. No real person's data: names and places come from embedded
// lists of common names and name parts (roots, endings, compounds),
// combined at random. The lists are large enough that different people
// rarely share given name, family name and birth year, as in real
// registries.
//
// Records mix four scripts (Latin transliterations, Arabic, Cyrillic,
// Ethiopic), three naming customs (Arabic given-father-family, East Slavic
// patronymics, Ethiopian given-father-grandfather), partial dates and ages,
// and families: consecutive records are sometimes siblings (same father
// and family name). With a duplicate rate, some records are noisy copies of
// an earlier entity (a dropped or swapped letter, a year off by one, given
// and family name swapped), and entity_of_last() says which entity a record
// describes, so that benchmarks know the true matches.
//
// The output depends only on Options: the generator uses its own PRNG and
// integer arithmetic, so it is identical across runs, compilers and
// platforms.
//
// Thread-safety: a Generator is not thread-safe; use one per thread.
//
//   synth::Generator gen({.seed = 7, .duplicate_rate = 0.1});
//   for (int i = 0; i < 1000; ++i) {
//     record::Record r = gen.Next();
//     Use(r, gen.entity_of_last());
//   }
#ifndef KINLINK_SYNTH_SYNTH_H_
#define KINLINK_SYNTH_SYNTH_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "record/record.h"

namespace kinlink::synth {

struct Options {
  std::uint64_t seed = 20261128;
  record::Kind kind = record::Kind::kPerson;
  // Share of records (0..1) that re-describe an earlier entity with noise.
  double duplicate_rate = 0.0;
};

// The script a record's names are written in.
enum class Script : std::uint8_t { kLatin = 0, kArabic, kCyrillic, kEthiopic };
inline constexpr std::size_t kScriptCount = 4;
std::string_view ScriptName(Script script);  // "latin", "arabic", ...

// Implementation details shared by the generator's parts.
namespace internal {

// xoshiro256** seeded by splitmix64: fast, small, and fully specified, so
// the stream is the same everywhere (unlike std:: distributions).
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t Next();
  // Uniform in [0, n); n > 0. Multiply-shift: no division, bias < 2^-32.
  std::uint32_t Below(std::uint32_t n);
  // True with probability percent/100.
  bool Percent(std::uint32_t percent) { return Below(100) < percent; }
  // Uniform in [0, 1) with 53 bits.
  double Unit();

 private:
  std::uint64_t s_[4];
};

// One person as the generator knows them, before rendering to fields: small
// indices into the embedded lists, so copies (for duplicates) are cheap.
struct Entity {
  std::int64_t id = 0;
  std::uint8_t origin = 0;  // naming custom: 0 Arabic, 1 East Slavic, 2 Ethiopian
  Script script = Script::kLatin;
  bool female = false;
  std::uint8_t name_style = 0;  // order and parts of full_name
  std::uint16_t given = 0;
  std::uint16_t father = 0;
  std::uint16_t grandfather = 0;
  std::uint16_t family = 0;
  std::uint16_t mother = 0;
  std::uint16_t mother_family = 0;
  bool has_mother = false;
  bool has_grandfather = false;
  bool has_alternate = false;
  std::uint16_t birth_place = 0;
  std::uint16_t locality = 0;
  std::uint8_t date_form = 0;  // 0 full, 1 year-month, 2 year, 3 age
  std::int16_t birth_year = 0;
  std::uint8_t birth_month = 0;
  std::uint8_t birth_day = 0;
  std::int16_t as_of_year = 0;
  std::uint8_t as_of_month = 0;
  std::uint8_t as_of_day = 0;  // 0: age_as_of is year-month
  std::uint8_t age_below = 0;  // age range: age - below .. age + above
  std::uint8_t age_above = 0;
  std::uint32_t contact = 0;  // phone digits and e-mail number
};

}  // namespace internal

class Generator {
 public:
  explicit Generator(Options options);

  // The next record: valid (record::Validate finds nothing), with id
  // "S<n>", n counting from 1.
  record::Record Next();

  // The entity the last record describes: new entities are numbered from
  // 1; a noisy duplicate repeats the number of the entity it copies.
  std::int64_t entity_of_last() const { return entity_of_last_; }
  // Whether the last record was a noisy copy of an earlier entity.
  bool last_was_duplicate() const { return last_was_duplicate_; }
  Script script_of_last() const { return script_of_last_; }
  // Records generated so far.
  std::int64_t count() const { return count_; }

 private:
  internal::Entity FreshEntity();
  internal::Entity SiblingOf(const internal::Entity& elder);
  void PickBirth(internal::Entity& e, int year);
  std::uint32_t PickNoise();
  record::Record Render(const internal::Entity& e, std::uint32_t noise);

  Options options_;
  internal::Rng rng_;
  std::int64_t count_ = 0;
  std::int64_t entities_ = 0;
  std::int64_t entity_of_last_ = 0;
  bool last_was_duplicate_ = false;
  Script script_of_last_ = Script::kLatin;
  bool have_previous_ = false;
  internal::Entity previous_;  // the last new entity, for siblings
  // Recent new entities, from which duplicates are drawn (a bounded ring).
  std::vector<internal::Entity> history_;
  std::size_t history_next_ = 0;
};

// `n` records from a fresh Generator(options).
std::vector<record::Record> Generate(const Options& options, std::size_t n);

}  // namespace kinlink::synth

#endif  // KINLINK_SYNTH_SYNTH_H_
