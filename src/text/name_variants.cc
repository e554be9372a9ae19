#include "text/name_variants.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "text/transliterator.h"

namespace kinlink::text {
namespace {

Status LineError(std::size_t line, std::string_view what) {
  return InvalidArgumentError("name variants line " + std::to_string(line) + ": " +
                              std::string(what));
}

}  // namespace

Result<NameVariants> NameVariants::Parse(std::string_view tsv) {
  NameVariants nv;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < tsv.size()) {
    std::size_t end = tsv.find('\n', pos);
    if (end == std::string_view::npos) end = tsv.size();
    std::string_view line = tsv.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos) return LineError(line_no, "missing tab");
    std::string_view name = line.substr(0, tab);
    std::string_view list = line.substr(tab + 1);
    if (name.empty()) return LineError(line_no, "empty name");
    for (char c : name) {
      if (c < 'a' || c > 'z') return LineError(line_no, "name is not lowercase a-z");
    }
    if (list.empty()) return LineError(line_no, "no group ids");
    const auto begin = static_cast<std::uint32_t>(nv.groups_.size());
    std::size_t p = 0;
    while (p <= list.size()) {
      std::size_t comma = list.find(',', p);
      if (comma == std::string_view::npos) comma = list.size();
      std::string_view field = list.substr(p, comma - p);
      std::uint32_t id = 0;
      auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), id);
      if (field.empty() || ec != std::errc() || ptr != field.data() + field.size()) {
        return LineError(line_no, "bad group id");
      }
      if (nv.groups_.size() > begin && nv.groups_.back() >= id) {
        return LineError(line_no, "group ids not strictly increasing");
      }
      nv.groups_.push_back(id);
      p = comma + 1;
    }
    const auto stop = static_cast<std::uint32_t>(nv.groups_.size());
    if (!nv.index_.emplace(std::string(name), Range{begin, stop}).second) {
      return LineError(line_no, "duplicate name");
    }
  }
  return nv;
}

Result<NameVariants> NameVariants::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot open name variants file " + path);
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) return UnavailableError("cannot read name variants file " + path);
  if (static_cast<std::uint64_t>(size) > kMaxFileBytes) {
    return ResourceExhaustedError("name variants file " + path + " is over kMaxFileBytes");
  }
  in.seekg(0, std::ios::beg);
  std::string data(static_cast<std::size_t>(size), '\0');
  if (!in.read(data.data(), size)) {
    return UnavailableError("cannot read name variants file " + path);
  }
  Result<NameVariants> parsed = Parse(data);
  if (!parsed.ok()) return parsed.status().WithContext(path);
  return parsed;
}

std::span<const std::uint32_t> NameVariants::GroupsOf(std::string_view token) const {
  auto it = index_.find(AsciiMatchingForm(token));
  if (it == index_.end()) return {};
  return std::span<const std::uint32_t>(groups_.data() + it->second.begin,
                                        it->second.end - it->second.begin);
}

bool NameVariants::AreVariants(std::string_view a, std::string_view b) const {
  std::span<const std::uint32_t> ga = GroupsOf(a);
  std::span<const std::uint32_t> gb = GroupsOf(b);
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < ga.size() && j < gb.size()) {  // both sorted: merge
    if (ga[i] == gb[j]) return true;
    if (ga[i] < gb[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

}  // namespace kinlink::text
