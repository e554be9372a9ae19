#include "server/internal/access_log.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <vector>

#include "server/internal/json_body.h"

namespace kinlink::server::internal {

namespace {

// Path segments that may appear in a logged path as they are: the API's
// own words. Anything else a client puts in a path could be text a person
// typed (a name), so it is not logged.
constexpr std::array<std::string_view, 22> kApiWords = {
    "api",        "v1",      "healthz",       "login",      "logout",  "me",
    "users",      "records", "search",        "matches",    "propose", "decision",
    "disclosure", "cases",   "enquirer-view", "state",      "audit",   "verify",
    "retention",  "run",     "openapi.yaml",  "favicon.ico"};

bool IsIdSegment(std::string_view s) {
  if (s.size() > 3 && (s[0] == 'K' || s[0] == 'k') && (s[1] == 'L' || s[1] == 'l') && s[2] == '-') {
    s.remove_prefix(3);
  }
  return !s.empty() && s.size() <= 20 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string IsoTime(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string_view SafeMethod(std::string_view method) {
  if (method.empty() || method.size() > 10) return "OTHER";
  for (char c : method) {
    if (c < 'A' || c > 'Z') return "OTHER";
  }
  return method;
}

std::string RoutePatternOf(std::string_view path) {
  path = path.substr(0, path.find('?'));
  std::vector<std::string_view> parts;
  bool truncated = false;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view seg = path.substr(pos, end - pos);
    pos = end;
    if (parts.size() == 12) {
      truncated = true;
      break;
    }
    if (IsIdSegment(seg)) {
      parts.push_back("{id}");
    } else if (std::find(kApiWords.begin(), kApiWords.end(), seg) != kApiWords.end()) {
      parts.push_back(seg);
    } else {
      parts.push_back("{x}");
    }
  }
  if (truncated) parts.push_back("...");
  if (parts.empty()) return "/";
  std::string out;
  for (std::string_view p : parts) {
    out.push_back('/');
    out.append(p.data(), p.size());
  }
  // Every part is at most 20 bytes (a word of the API or a placeholder).
  return out;
}

std::string FormatAccessLine(const AccessEntry& e) {
  Json line = Json::object();
  line["time"] = IsoTime(e.time);
  line["method"] = std::string(SafeMethod(e.method));
  line["path"] = std::string(e.path);
  line["status"] = e.status;
  line["ms"] = static_cast<double>(static_cast<std::int64_t>(e.ms * 10 + 0.5)) / 10;
  if (e.user_id > 0) {
    line["user"] = e.user_id;
  } else {
    line["user"] = "-";
  }
  if (!e.error.empty()) line["error"] = std::string(e.error);
  return Dump(line);
}

}  // namespace kinlink::server::internal
