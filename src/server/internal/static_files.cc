#include "server/internal/static_files.h"

#include <httplib.h>

#include <cstdint>
#include <cstdio>
#include <regex>
#include <string>

#include "server/internal/api.h"

namespace kinlink::server::internal {

const EmbeddedFile* FindEmbeddedFile(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

std::string ETagOf(const EmbeddedFile& file) {
  // FNV-1a over the bytes and the type: a cache key, not a security check.
  std::uint64_t h = 14695981039346656037ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
  };
  mix(file.data);
  mix(file.content_type);
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

// True when an If-None-Match header lists `etag` (or is "*").
bool Matches(const std::string& header, const std::string& etag) {
  if (header.empty()) return false;
  if (header == "*") return true;
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(',', pos);
    if (end == std::string::npos) end = header.size();
    std::string_view tag(header.data() + pos, end - pos);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
    if (tag == etag) return true;
    pos = end + 1;
  }
  return false;
}

void Serve(const EmbeddedFile& file, const std::string& etag, const httplib::Request& req,
           httplib::Response& res) {
  CurrentRequest().route = std::string(file.path);
  res.headers.erase("Cache-Control");
  res.set_header("Cache-Control", "no-cache");
  res.set_header("ETag", etag);
  if (file.path == "/index.html") {
    res.headers.erase("Content-Security-Policy");
    res.set_header("Content-Security-Policy", std::string(kUiContentSecurityPolicy));
  }
  if (Matches(req.get_header_value("If-None-Match"), etag)) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(file.data.data(), file.data.size(), std::string(file.content_type).c_str());
}

}  // namespace

void RegisterStaticRoutes(httplib::Server& http) {
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    const std::string etag = ETagOf(f);
    const EmbeddedFile* file = &f;
    auto handler = [file, etag](const httplib::Request& req, httplib::Response& res) {
      Serve(*file, etag, req, res);
    };
    // The path is a literal: escape what a regex would read otherwise.
    std::string pattern;
    const std::string_view path = f.path == "/index.html" ? std::string_view("/") : f.path;
    for (char c : path) {
      if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) pattern += '\\';
      pattern += c;
    }
    http.Get(pattern, handler);
  }
}

}  // namespace kinlink::server::internal
