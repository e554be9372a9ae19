#include "text/skeleton.h"

#include <cstddef>

namespace kinlink::text {
namespace {

bool IsVowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

// The digraphs (and longer), by first letter, longest first so that "shch"
// wins over "sh". Returns the length matched at s[i] (0: none) and sets
// *to to the consonant it stands for.
std::size_t Digraph(std::string_view s, std::size_t i, char* to) {
  const std::string_view rest = s.substr(i);
  auto is = [&](std::string_view d, char c) {
    if (!rest.starts_with(d)) return false;
    *to = c;
    return true;
  };
  switch (rest[0]) {
    case 's':
      if (is("shch", 's')) return 4;
      if (is("sch", 's')) return 3;
      if (is("sh", 's') || is("sz", 's')) return 2;
      return 0;
    case 'd':
      if (is("dzh", 'g')) return 3;
      if (is("dj", 'g') || is("dh", 'd')) return 2;
      return 0;
    case 't':
      if (is("tch", 's')) return 3;
      if (is("ts", 's') || is("tz", 's') || is("th", 't')) return 2;
      return 0;
    case 'c':
      return is("ch", 's') || is("cz", 's') ? 2 : 0;
    case 'z':
      return is("zh", 'g') ? 2 : 0;
    case 'k':
      return is("kh", 'h') ? 2 : 0;
    case 'g':
      return is("gh", 'g') ? 2 : 0;
    case 'p':
      return is("ph", 'f') ? 2 : 0;
    default:
      return 0;
  }
}

}  // namespace

std::string ConsonantSkeleton(std::string_view token) {
  std::string s;
  for (char c : token) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c >= 'a' && c <= 'z') s.push_back(c);
  }
  std::string out;
  if (s.empty()) return out;
  out.reserve(s.size() + 1);
  if (IsVowel(s[0]) && s[0] != 'y') out.push_back('a');
  std::size_t i = 0;
  // Appends a consonant unless it repeats the previous one.
  auto emit = [&out](char c) {
    if (out.empty() || out.back() != c) {
      out.push_back(c);
    }
  };
  while (i < s.size()) {
    char to = 0;
    if (const std::size_t len = Digraph(s, i, &to); len != 0) {
      emit(to);
      i += len;
      continue;
    }
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
