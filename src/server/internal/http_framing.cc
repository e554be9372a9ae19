#include "server/internal/http_framing.h"

namespace kinlink::server::internal {

namespace {

// RFC 9110 5.6.2: tchar.
bool IsTokenChar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// field-vchar / obs-text, SP and HTAB; no other control character, no DEL.
bool IsFieldValueChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HeadRefusal Refuse(int status, std::string message) {
  return HeadRefusal{status, StatusCode::kInvalidArgument, std::move(message)};
}

// The request line's parts, or nullopt when it is not
// METHOD SP TARGET SP VERSION with a token method and a visible-ASCII target.
struct RequestLine {
  std::string_view method;
  std::string_view target;
  std::string_view version;
};

std::optional<RequestLine> ParseRequestLine(std::string_view line) {
  const std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return std::nullopt;
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return std::nullopt;
  RequestLine r{line.substr(0, sp1), line.substr(sp1 + 1, sp2 - sp1 - 1), line.substr(sp2 + 1)};
  if (!IsToken(r.method) || r.target.empty()) return std::nullopt;
  for (char c : r.target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return std::nullopt;
  }
  for (char c : r.version) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return std::nullopt;
  }
  return r;
}

}  // namespace

RequestLineParts SplitRequestLine(std::string_view head) {
  std::size_t end = head.find_first_of("\r\n");
  if (end == std::string_view::npos) end = head.size();
  std::optional<RequestLine> line = ParseRequestLine(head.substr(0, end));
  if (!line) return {};
  return {line->method, line->target};
}

std::optional<HeadRefusal> CheckRequestHead(std::string_view head, std::size_t max_body_bytes,
                                            std::uint64_t* content_length_out,
                                            std::string_view limit_option) {
  // Split into lines, each ending in CRLF; any other CR or LF is refused.
  bool first = true;
  bool http11 = false;
  int hosts = 0;
  int content_lengths = 0;
  std::uint64_t content_length = 0;
  bool transfer_encoding = false;
  bool content_encoding = false;
  bool ended = false;
  std::size_t pos = 0;
  while (pos < head.size()) {
    std::size_t end = pos;
    while (end < head.size() && head[end] != '\r' && head[end] != '\n') ++end;
    if (end == head.size() || head[end] == '\n' || end + 1 >= head.size() ||
        head[end + 1] != '\n') {
      if (end == head.size()) break;  // no line end yet: incomplete
      return Refuse(400, "bare CR or LF in the request head (every line must end in CRLF)");
    }
    const std::string_view line = head.substr(pos, end - pos);
    pos = end + 2;

    if (first) {
      first = false;
      std::optional<RequestLine> rl = ParseRequestLine(line);
      if (!rl) return Refuse(400, "malformed request line");
      if (rl->version == "HTTP/1.1") {
        http11 = true;
      } else if (rl->version != "HTTP/1.0") {
        return Refuse(400, "unsupported HTTP version (HTTP/1.1 or HTTP/1.0)");
      }
      continue;
    }
    if (line.empty()) {
      ended = true;
      break;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      return Refuse(400, "obsolete line folding in a header (RFC 9112 section 5.2)");
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      return Refuse(400, "malformed header line");
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view raw_value = line.substr(colon + 1);
    for (char c : raw_value) {
      if (!IsFieldValueChar(static_cast<unsigned char>(c))) {
        return Refuse(400, "control character in a header value");
      }
    }
    const std::string_view value = TrimOws(raw_value);
    if (EqualsIgnoreCase(name, "Host")) {
      ++hosts;
    } else if (EqualsIgnoreCase(name, "Content-Length")) {
      if (++content_lengths > 1) return Refuse(400, "Content-Length given more than once");
      if (value.empty() || value.size() > 18) {
        return Refuse(400, "Content-Length must be a decimal number");
      }
      for (char c : value) {
        if (c < '0' || c > '9') return Refuse(400, "Content-Length must be a decimal number");
        content_length = content_length * 10 + static_cast<std::uint64_t>(c - '0');
      }
    } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
      transfer_encoding = true;
    } else if (EqualsIgnoreCase(name, "Content-Encoding")) {
      if (!EqualsIgnoreCase(value, "identity")) content_encoding = true;
    }
  }
  if (first || !ended) return Refuse(400, "incomplete request head");
  if (content_lengths > 0 && transfer_encoding) {
    return Refuse(400, "both Content-Length and Transfer-Encoding");
  }
  if (hosts > 1 || (http11 && hosts == 0)) {
    return Refuse(400, "an HTTP/1.1 request needs exactly one Host header");
  }
  if (transfer_encoding) {
    return Refuse(411, "send Content-Length; Transfer-Encoding is not accepted in requests");
  }
  if (content_length > max_body_bytes) {
    return Refuse(413, "request body over " + std::to_string(max_body_bytes) + " bytes (" +
                           std::string(limit_option) + ")");
  }
  if (content_encoding) {
    return Refuse(415, "request bodies must not be compressed (Content-Encoding)");
  }
  if (content_length_out != nullptr) *content_length_out = content_length;
  return std::nullopt;
}

}  // namespace kinlink::server::internal
