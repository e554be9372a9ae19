// Name-variant groups (data/name_variants/name_variants.tsv, built from
// Wikidata "said to be the same as" statements by
// scripts/build_name_variants.py). Aliases are not transitive (Robin ~ Rob
// ~ Robert does not make Robin ~ Robert), so each name keeps the set of
// groups (Wikidata name items) it appears in; two names are variants when
// their sets intersect.
//
// File format: UTF-8 text, one name per line:
//   name<TAB>group,group,...
// name is lowercase [a-z] (the table's fold), groups are decimal uint32
// (Wikidata QIDs without the Q), strictly increasing. Lines starting with
// '#' and empty lines are ignored. Each name appears once.
//
// Thread-safety: a loaded NameVariants is immutable; const methods may be
// called from any number of threads.
//
//   KL_ASSIGN_OR_RETURN(NameVariants nv, NameVariants::LoadFile(path));
//   if (nv.AreVariants("jon", "john")) ...
#ifndef KINLINK_TEXT_NAME_VARIANTS_H_
#define KINLINK_TEXT_NAME_VARIANTS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"

namespace kinlink::text {

class NameVariants {
 public:
  // Largest table file accepted.
  static constexpr std::size_t kMaxFileBytes = 64 << 20;

  NameVariants() = default;  // empty table

  // Reads and parses a table file. Errors: NOT_FOUND / UNAVAILABLE when the
  // file cannot be read, RESOURCE_EXHAUSTED over kMaxFileBytes, and the
  // errors of Parse (with "<path>:" context).
  static Result<NameVariants> LoadFile(const std::string& path);

  // Parses table text. Errors: INVALID_ARGUMENT naming the 1-based line and
  // the problem (missing tab, bad name character, bad or unordered group
  // id, duplicate name); never quotes the line.
  static Result<NameVariants> Parse(std::string_view tsv);

  // True when both names are in the table and share a group. Names are
  // looked up after AsciiMatchingForm (so "John" finds "john"). A name is
  // a variant of itself only when it is in the table.
  bool AreVariants(std::string_view a, std::string_view b) const;

  // The sorted group ids of `token` (after AsciiMatchingForm); empty when
  // it is not in the table. The span stays valid while *this lives.
  std::span<const std::uint32_t> GroupsOf(std::string_view token) const;

  std::size_t name_count() const { return index_.size(); }

 private:
  struct Range {
    std::uint32_t begin;
    std::uint32_t end;
  };
  std::unordered_map<std::string, Range> index_;
  std::vector<std::uint32_t> groups_;
};

}  // namespace kinlink::text

#endif  // KINLINK_TEXT_NAME_VARIANTS_H_
