#include "server/internal/strict_http.h"

#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <optional>
#include <type_traits>
#include <utility>

#include "server/internal/api.h"
#include "server/internal/http_framing.h"

namespace kinlink::server::internal {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 4096;
// After a refusal: how long, and how many bytes, to read and discard what
// the client is still sending, so that our answer is not lost to a reset.
constexpr int kLingerMs = 1000;
constexpr std::size_t kLingerBytes = 256 * 1024;

struct LoopSettings {
  std::size_t keep_alive_max = 100;
  time_t keep_alive_s = 5;
  int read_ms = 10000;
  int write_ms = 10000;
};

int ToMs(time_t sec, time_t usec) {
  const long long ms = static_cast<long long>(sec) * 1000 + static_cast<long long>(usec) / 1000;
  return static_cast<int>(std::clamp<long long>(ms, 1, INT_MAX));
}

// poll() for one event; true when it is there within `ms`.
bool WaitFd(int fd, short events, int ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int r = ::poll(&p, 1, ms);
    if (r < 0 && errno == EINTR) continue;
    return r > 0 && (p.revents & (events | POLLHUP | POLLERR)) != 0;
  }
}

std::string NumericHost(const sockaddr_storage& addr, socklen_t len, int& port) {
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof host, serv,
                    sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    port = -1;
    return "";
  }
  port = std::atoi(serv);
  return host;
}

// The stream httplib reads requests from and writes responses to: a
// non-blocking socket (or a TLS session on one) with a read buffer in
// front, so that a request's head can be read and checked before the
// library sees a byte of it.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int fd, SSL* ssl, const LoopSettings& s)
      : fd_(fd), ssl_(ssl), read_ms_(s.read_ms), write_ms_(s.write_ms) {}

  bool is_readable() const override {
    return off_ < buf_.size() || (ssl_ != nullptr && SSL_has_pending(ssl_) == 1) ||
           WaitFd(fd_, POLLIN, read_ms_);
  }

  bool is_writable() const override { return WaitFd(fd_, POLLOUT, write_ms_); }

  ssize_t read(char* ptr, size_t size) override {
    if (size == 0) return 0;
    if (off_ < buf_.size()) {
      const std::size_t n = std::min(size, buf_.size() - off_);
      std::memcpy(ptr, buf_.data() + off_, n);
      off_ += n;
      consumed_ += n;
      Compact();
      return static_cast<ssize_t>(n);
    }
    if (size >= kReadChunk) {
      const ssize_t n = RawRead(ptr, size);
      if (n > 0) consumed_ += static_cast<std::uint64_t>(n);
      return n;
    }
    char chunk[kReadChunk];
    const ssize_t n = RawRead(chunk, sizeof chunk);
    if (n <= 0) return n;
    const auto got = static_cast<std::size_t>(n);
    const std::size_t take = std::min(size, got);
    std::memcpy(ptr, chunk, take);
    buf_.assign(chunk + take, got - take);
    off_ = 0;
    consumed_ += take;
    return static_cast<ssize_t>(take);
  }

  // Bytes handed out by read() so far.
  std::uint64_t consumed() const { return consumed_; }

  ssize_t write(const char* ptr, size_t size) override {
    if (size == 0) return 0;
    if (ssl_ != nullptr) {
      const int len = static_cast<int>(std::min<std::size_t>(size, INT_MAX));
      for (;;) {
        ERR_clear_error();
        const int r = SSL_write(ssl_, ptr, len);
        if (r > 0) return r;
        const int err = SSL_get_error(ssl_, r);
        if (err == SSL_ERROR_WANT_WRITE && WaitFd(fd_, POLLOUT, write_ms_)) continue;
        if (err == SSL_ERROR_WANT_READ && WaitFd(fd_, POLLIN, write_ms_)) continue;
        return -1;
      }
    }
    for (;;) {
      const ssize_t r = ::send(fd_, ptr, size, MSG_NOSIGNAL);
      if (r >= 0) return r;
      if (errno == EINTR) continue;
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && WaitFd(fd_, POLLOUT, write_ms_)) continue;
      return -1;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ip.clear();
      port = -1;
      return;
    }
    ip = NumericHost(addr, len, port);
  }

  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ip.clear();
      port = -1;
      return;
    }
    ip = NumericHost(addr, len, port);
  }

  socket_t socket() const override { return fd_; }

  // Waits for the first byte of a next request: true when one is buffered
  // or arrives within `seconds`; false on timeout, or once `listening`
  // becomes invalid (the server stops).
  bool WaitForRequest(time_t seconds, const std::atomic<socket_t>& listening) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    for (;;) {
      if (off_ < buf_.size() || (ssl_ != nullptr && SSL_has_pending(ssl_) == 1)) return true;
      if (listening == INVALID_SOCKET) return false;
      if (WaitFd(fd_, POLLIN, 10)) return true;
      if (Clock::now() >= deadline) return false;
    }
  }

  enum class Head { kReady, kClosed, kIncomplete, kTooLarge };

  // Reads until the buffer holds a whole request head (through "\r\n\r\n"),
  // or up to a stray CR or LF that makes it malformed; `head` views it in
  // the buffer, which still holds it for the library to read. Empty lines
  // before the request line are dropped (RFC 9112 2.2). kClosed: the client
  // closed before sending anything; kIncomplete: it closed or stalled
  // mid-head; kTooLarge: no end within `max_bytes`.
  Head ReadHead(std::size_t max_bytes, std::string_view& head) {
    std::size_t skipped = 0;
    std::size_t scan = 0;  // bytes after off_ already scanned
    for (;;) {
      while (buf_.size() - off_ >= 2 && buf_[off_] == '\r' && buf_[off_ + 1] == '\n') {
        off_ += 2;
        skipped += 2;
        scan = 0;
      }
      const std::string_view data(buf_.data() + off_, buf_.size() - off_);
      for (; scan < data.size(); ++scan) {
        const char c = data[scan];
        if (c == '\n') {
          if (scan == 0 || data[scan - 1] != '\r') {  // bare LF
            head = data.substr(0, scan + 1);
            return Head::kReady;
          }
          if (scan >= 3 && data.compare(scan - 3, 4, "\r\n\r\n") == 0) {
            head = data.substr(0, scan + 1);
            return head.size() > max_bytes + 2 ? Head::kTooLarge : Head::kReady;
          }
        } else if (scan > 0 && data[scan - 1] == '\r') {  // bare CR
          head = data.substr(0, scan + 1);
          return Head::kReady;
        }
      }
      if (data.size() + skipped > max_bytes + 2) return Head::kTooLarge;
      char chunk[kReadChunk];
      const ssize_t n = RawRead(chunk, sizeof chunk);
      if (n <= 0) return data.empty() ? Head::kClosed : Head::kIncomplete;
      if (off_ > 0 && off_ == buf_.size()) {
        buf_.clear();
        off_ = 0;
      }
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Writes all of `data`; false when the client stalls or goes away.
  bool WriteAll(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = write(data.data(), data.size());
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Closes our side for writing, then reads and discards what the client
  // still sends (bounded), so that closing does not reset the connection
  // before the client has read the answer.
  void LingeringClose() {
    ::shutdown(fd_, SHUT_WR);
    const auto deadline = Clock::now() + std::chrono::milliseconds(kLingerMs);
    std::size_t drained = 0;
    char sink[kReadChunk];
    while (drained < kLingerBytes) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0 || !WaitFd(fd_, POLLIN, static_cast<int>(left))) return;
      const ssize_t n = ::recv(fd_, sink, sizeof sink, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (n <= 0) return;
      drained += static_cast<std::size_t>(n);
    }
  }

 private:
  // One read from the connection, waiting at most the read timeout for
  // data: > 0 bytes, 0 at the end, < 0 on timeout or error.
  ssize_t RawRead(char* ptr, std::size_t size) {
    if (ssl_ != nullptr) {
      const int len = static_cast<int>(std::min<std::size_t>(size, INT_MAX));
      for (;;) {
        ERR_clear_error();
        const int r = SSL_read(ssl_, ptr, len);
        if (r > 0) return r;
        const int err = SSL_get_error(ssl_, r);
        if (err == SSL_ERROR_WANT_READ && WaitFd(fd_, POLLIN, read_ms_)) continue;
        if (err == SSL_ERROR_WANT_WRITE && WaitFd(fd_, POLLOUT, read_ms_)) continue;
        return err == SSL_ERROR_ZERO_RETURN ? 0 : -1;
      }
    }
    for (;;) {
      const ssize_t r = ::recv(fd_, ptr, size, 0);
      if (r >= 0) return r;
      if (errno == EINTR) continue;
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && WaitFd(fd_, POLLIN, read_ms_)) continue;
      return -1;
    }
  }

  void Compact() {
    if (off_ == buf_.size()) {
      buf_.clear();
      off_ = 0;
    }
  }

  int fd_;
  SSL* ssl_;
  int read_ms_;
  int write_ms_;
  std::string buf_;
  std::size_t off_ = 0;
  std::uint64_t consumed_ = 0;
};

const char* ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 431:
      return "Request Header Fields Too Large";
    default:
      return "Error";
  }
}

void Refuse(ConnectionStream& strm, std::string_view head, const HeadRefusal& refusal,
            const ConnectionPolicy& policy, Clock::time_point start) {
  httplib::Response res;
  WriteError(res, refusal.http_status, refusal.code, refusal.message);
  const RequestLineParts line = SplitRequestLine(head);
  std::string out = "HTTP/1.1 " + std::to_string(refusal.http_status) + " " +
                    ReasonPhrase(refusal.http_status) + "\r\n";
  for (const auto& [name, value] : policy.headers) out += name + ": " + value + "\r\n";
  out += "Connection: close\r\nContent-Type: " + res.get_header_value("Content-Type") +
         "\r\nContent-Length: " + std::to_string(res.body.size()) + "\r\n\r\n";
  if (line.method != "HEAD") out += res.body;
  strm.WriteAll(out);
  if (policy.log_refusal) {
    policy.log_refusal(line.method, line.target, refusal.http_status,
                       std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
}

// The body limit of the request whose head is `head`, and the option that
// sets it (for the 413 message).
std::pair<std::size_t, std::string_view> BodyLimitOf(std::string_view head,
                                                     const ConnectionPolicy& policy) {
  const RequestLineParts line = SplitRequestLine(head);
  const std::string_view path = line.target.substr(0, line.target.find('?'));
  if (!policy.upload_path.empty() && line.method == "POST" && path == policy.upload_path) {
    return {policy.max_upload_bytes, "--max-upload"};
  }
  return {policy.max_body_bytes, "--max-body"};
}

// The TLS handshake on a non-blocking socket, each step waiting at most
// `ms`.
bool AcceptTls(SSL* ssl, int fd, int ms) {
  for (;;) {
    ERR_clear_error();
    const int r = SSL_accept(ssl);
    if (r == 1) return true;
    const int err = SSL_get_error(ssl, r);
    if (err == SSL_ERROR_WANT_READ && WaitFd(fd, POLLIN, ms)) continue;
    if (err == SSL_ERROR_WANT_WRITE && WaitFd(fd, POLLOUT, ms)) continue;
    return false;
  }
}

using ProcessRequest =
    std::function<bool(httplib::Stream& strm, bool close_connection, bool& connection_closed,
                       const std::function<void(httplib::Request&)>& setup)>;

// Serves one accepted connection, then closes it.
bool ServeConnection(int fd, SSL_CTX* tls, const LoopSettings& settings,
                     const std::atomic<socket_t>& listening, const ConnectionPolicy& policy,
                     const ProcessRequest& process) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  SSL* ssl = nullptr;
  if (tls != nullptr) {
    ssl = SSL_new(tls);
    if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1 || !AcceptTls(ssl, fd, settings.read_ms)) {
      if (ssl != nullptr) SSL_free(ssl);
      ::shutdown(fd, SHUT_RDWR);
      ::close(fd);
      return false;
    }
  }

  ConnectionStream strm(fd, ssl, settings);
  bool ret = false;
  bool linger = false;
  for (std::size_t left = settings.keep_alive_max; left > 0; --left) {
    if (!strm.WaitForRequest(settings.keep_alive_s, listening)) break;
    const Clock::time_point start = Clock::now();
    std::string_view head;
    std::optional<HeadRefusal> refusal;
    std::uint64_t content_length = 0;
    switch (strm.ReadHead(policy.max_header_bytes, head)) {
      case ConnectionStream::Head::kClosed:
        break;
      case ConnectionStream::Head::kIncomplete:
        refusal = HeadRefusal{400, StatusCode::kInvalidArgument, "incomplete request head"};
        break;
      case ConnectionStream::Head::kTooLarge:
        refusal = HeadRefusal{
            431, StatusCode::kInvalidArgument,
            "request headers over " + std::to_string(policy.max_header_bytes) + " bytes"};
        break;
      case ConnectionStream::Head::kReady: {
        const auto [limit, option] = BodyLimitOf(head, policy);
        refusal = CheckRequestHead(head, limit, &content_length, option);
        break;
      }
    }
    if (head.empty() && !refusal) break;  // closed before a request
    if (refusal) {
      Refuse(strm, head, *refusal, policy, start);
      ret = true;
      linger = true;
      break;
    }
    // Where this request ends. The library does not read the body of a GET
    // (or of a request it refused early); what it left unread must not be
    // taken for the next request.
    const std::uint64_t request_end = strm.consumed() + head.size() + content_length;
    CloseAfterResponse() = false;
    bool connection_closed = false;
    ret = process(strm, left == 1, connection_closed,
                  [ssl](httplib::Request& req) { req.ssl = ssl; });
    if (CloseAfterResponse() || strm.consumed() != request_end) linger = true;
    if (!ret || connection_closed || linger) break;
  }

  if (ssl != nullptr) {
    if (ret) SSL_shutdown(ssl);
  }
  if (linger) strm.LingeringClose();
  if (ssl != nullptr) SSL_free(ssl);
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
  return ret;
}

template <class Base>
class StrictServer final : public Base {
 public:
  template <class... Args>
  explicit StrictServer(ConnectionPolicy policy, Args&&... args)
      : Base(std::forward<Args>(args)...), policy_(std::move(policy)) {}

 private:
  bool process_and_close_socket(socket_t sock) override {
    SSL_CTX* tls = nullptr;
    if constexpr (std::is_same_v<Base, httplib::SSLServer>) tls = this->ssl_context();
    LoopSettings s;
    s.keep_alive_max = std::max<std::size_t>(this->keep_alive_max_count_, 1);
    s.keep_alive_s = this->keep_alive_timeout_sec_;
    s.read_ms = ToMs(this->read_timeout_sec_, this->read_timeout_usec_);
    s.write_ms = ToMs(this->write_timeout_sec_, this->write_timeout_usec_);
    return ServeConnection(
        sock, tls, s, this->svr_sock_, policy_,
        [this](httplib::Stream& strm, bool close_connection, bool& connection_closed,
               const std::function<void(httplib::Request&)>& setup) {
          return this->process_request(strm, close_connection, connection_closed, setup);
        });
  }

  const ConnectionPolicy policy_;
};

}  // namespace

std::unique_ptr<httplib::Server> MakeStrictServer(ConnectionPolicy policy) {
  return std::make_unique<StrictServer<httplib::Server>>(std::move(policy));
}

std::unique_ptr<httplib::Server> MakeStrictSslServer(ConnectionPolicy policy,
                                                     const std::string& cert_path,
                                                     const std::string& key_path) {
  return std::make_unique<StrictServer<httplib::SSLServer>>(std::move(policy), cert_path.c_str(),
                                                            key_path.c_str());
}

bool& CloseAfterResponse() {
  thread_local bool close = false;
  return close;
}

}  // namespace kinlink::server::internal
