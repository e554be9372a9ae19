// server/internal/http_framing: the strict check of a request's head (the
// request line and the header lines) that the server applies before the
// HTTP library parses it.
//
// Why: cpp-httplib 0.11 parses leniently. It skips a header line that ends
// in a bare LF or has no colon (so "X-A: a\nContent-Length: 9" reaches it
// as a Content-Length that a stricter front end never saw), keeps bare CRs
// and NULs inside values, drops obs-fold continuation lines, takes the
// first of two differing Content-Lengths, reads "2x" or "-1" as a length,
// decodes %XX inside every header value, and inflates gzip or brotli
// request bodies without a size limit. Each of these is a request-smuggling
// or resource-exhaustion risk; a request whose head is not plainly
// well-formed (RFC 9112) is refused here with a JSON error and the
// connection is closed.
//
// Thread-safety: pure functions.
#ifndef KINLINK_SERVER_INTERNAL_HTTP_FRAMING_H_
#define KINLINK_SERVER_INTERNAL_HTTP_FRAMING_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace kinlink::server::internal {

// Why a request was refused before the library parsed it. The message is
// fixed text: it never quotes the request.
struct HeadRefusal {
  int http_status = 400;
  StatusCode code = StatusCode::kInvalidArgument;
  std::string message;
};

// Checks `head`: the bytes of one request from its request line through the
// empty line that ends the headers ("\r\n\r\n"), or a prefix of them that
// ends at the first stray CR or LF. Refuses (RFC 9112 / RFC 9110):
//   400  a request line that is not METHOD SP TARGET SP HTTP/1.x, a control
//        character, space or non-ASCII byte in the target, a version other
//        than HTTP/1.0 and HTTP/1.1;
//   400  a bare CR or LF anywhere (every line must end in CRLF), a header
//        line that starts with whitespace (obs-fold), a field name that is
//        not a token or is followed by whitespace before the colon, a
//        control character (other than HT) or DEL in a field value;
//   400  Content-Length twice, or not a plain decimal number; Content-Length
//        together with Transfer-Encoding; no Host, or two, in HTTP/1.1;
//   411  Transfer-Encoding (chunked request bodies are not accepted: send
//        Content-Length);
//   413  a Content-Length over `max_body_bytes` (the message names the
//        option that sets the limit, `limit_option`);
//   415  a Content-Encoding other than identity (compressed bodies would be
//        inflated past the body limit).
// nullopt when the head is acceptable; then `*content_length` (when given)
// is its Content-Length, 0 without one.
std::optional<HeadRefusal> CheckRequestHead(std::string_view head, std::size_t max_body_bytes,
                                            std::uint64_t* content_length = nullptr,
                                            std::string_view limit_option = "--max-body");

// The method and target of the head's request line, for the access log;
// empty views when the line is not well-formed.
struct RequestLineParts {
  std::string_view method;
  std::string_view target;
};
RequestLineParts SplitRequestLine(std::string_view head);

}  // namespace kinlink::server::internal

#endif  // KINLINK_SERVER_INTERNAL_HTTP_FRAMING_H_
