#include "text/skeleton.h"

#include <array>
#include <utility>

namespace kinlink::text {
namespace {

bool IsVowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

// Longest first, so that "shch" wins over "sh".
constexpr std::array<std::pair<std::string_view, char>, 17> kDigraphs = {{
    {"shch", 's'}, {"dzh", 'g'}, {"sch", 's'}, {"tch", 's'}, {"sh", 's'},
    {"ch", 's'},   {"zh", 'g'},  {"dj", 'g'},  {"ts", 's'},  {"tz", 's'},
    {"cz", 's'},   {"sz", 's'},  {"kh", 'h'},  {"gh", 'g'},  {"ph", 'f'},
    {"th", 't'},   {"dh", 'd'},
}};

}  // namespace

std::string ConsonantSkeleton(std::string_view token) {
  std::string s;
  for (char c : token) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c >= 'a' && c <= 'z') s.push_back(c);
  }
  std::string out;
  if (s.empty()) return out;
  if (IsVowel(s[0]) && s[0] != 'y') out.push_back('a');
  std::size_t i = 0;
  // Appends a consonant unless it repeats the previous one.
  auto emit = [&out](char c) {
    if (out.empty() || out.back() != c) {
      out.push_back(c);
    }
  };
  while (i < s.size()) {
    bool matched = false;
    for (const auto& [from, to] : kDigraphs) {
      // The first letter first: most positions start no digraph.
      if (from[0] != s[i]) continue;
      if (s.compare(i, from.size(), from) == 0) {
        emit(to);
        i += from.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    const char c = s[i++];
    if (IsVowel(c)) continue;
    switch (c) {
      case 'c':  // soft c before e, i, y (Cecilia, Cedenio)
        emit(i < s.size() && (s[i] == 'e' || s[i] == 'i' || s[i] == 'y') ? 's' : 'k');
        break;
      case 'q': emit('k'); break;
      case 'x': emit('k'); emit('s'); break;
      case 'z': emit('s'); break;
      case 'v': case 'w': emit('f'); break;
      case 'p': emit('b'); break;
      case 'j': emit('g'); break;
      case 'h':
        if (i < s.size()) emit('h');  // a final h is dropped
        break;
      default: emit(c); break;
    }
  }
  return out;
}

std::string LooseForm(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    switch (c) {
      case 'o':
      case 'w':
        c = 'u';
        break;
      case 'e':
      case 'y':
        c = 'i';
        break;
      case 'v':
        c = 'f';
        break;
      case 'p':
        c = 'b';
        break;
      case 'c':
      case 'q':
        c = 'k';
        break;
      case 'j':
        c = 'g';
        break;
      case 'z':
        c = 's';
        break;
      default:
        break;
    }
    if (out.empty() || out.back() != c) out.push_back(c);
  }
  return out;
}

}  // namespace kinlink::text
