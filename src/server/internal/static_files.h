// The web UI's files (web/), compiled into the server by
// cmake/embed_files.cmake, and the routes that serve them: "/" is
// web/index.html, "/x.js" is web/x.js. Nothing is read from disk at run
// time, so the UI always matches the API of the binary that serves it.
//
// Each response carries a strong ETag (a hash of the bytes) and
// "Cache-Control: no-cache", so a browser on a slow link revalidates with
// one small request (304) instead of downloading again; the HTML page gets
// a Content-Security-Policy that allows only this origin's scripts, styles
// and API (no inline script, no other host).
#ifndef KINLINK_SERVER_INTERNAL_STATIC_FILES_H_
#define KINLINK_SERVER_INTERNAL_STATIC_FILES_H_

#include <span>
#include <string>
#include <string_view>

namespace httplib {
class Server;
}  // namespace httplib

namespace kinlink::server::internal {

struct EmbeddedFile {
  std::string_view path;          // "/app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view data;
};

// Every embedded file (generated).
std::span<const EmbeddedFile> EmbeddedFiles();

// The file served for a request path ("/" is "/index.html"); null if none.
const EmbeddedFile* FindEmbeddedFile(std::string_view path);

// The ETag of a file: a quoted hex hash of its bytes.
std::string ETagOf(const EmbeddedFile& file);

// The Content-Security-Policy of the UI's HTML page.
inline constexpr std::string_view kUiContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

// GET routes for "/" and every embedded file. Sets the access log's route
// to the file's path.
void RegisterStaticRoutes(httplib::Server& http);

}  // namespace kinlink::server::internal

#endif  // KINLINK_SERVER_INTERNAL_STATIC_FILES_H_
