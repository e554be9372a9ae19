// Status: the outcome of an operation that can fail, used at every module
// boundary. A code from abseil's canonical set plus a message that is safe to
// show to an operator: messages never carry record contents (names, dates,
// places, contacts), only positions, field names, counts and limits.
//
// Thread-safety: a Status is a value; distinct objects may be used from
// distinct threads.
//
//   Status s = store.Put(row);
//   if (!s.ok()) return s.WithContext("import line 7");
#ifndef KINLINK_COMMON_STATUS_H_
#define KINLINK_COMMON_STATUS_H_

#include <string>
#include <string_view>
#include <utility>

namespace kinlink {

enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// "INVALID_ARGUMENT", "NOT_FOUND", ...
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "NOT_FOUND: no record with id KL-7"; "OK" for success.
  std::string ToString() const;

  // Returns a copy whose message is "context: message". OK stays OK.
  Status WithContext(std::string_view context) const;

  // Explicitly drops a status (documents that ignoring it is intended).
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
Status CancelledError(std::string message);
Status UnknownError(std::string message);
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status PermissionDeniedError(std::string message);
Status ResourceExhaustedError(std::string message);
Status FailedPreconditionError(std::string message);
Status AbortedError(std::string message);
Status OutOfRangeError(std::string message);
Status UnimplementedError(std::string message);
Status InternalError(std::string message);
Status UnavailableError(std::string message);
Status DataLossError(std::string message);
Status UnauthenticatedError(std::string message);

}  // namespace kinlink

#define KL_STATUS_CONCAT_INNER_(a, b) a##b
#define KL_STATUS_CONCAT_(a, b) KL_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (a Status); returns it from the enclosing function if it
// is not OK. The enclosing function returns Status or Result<T>.
#define KL_RETURN_IF_ERROR(expr)                                  \
  do {                                                            \
    ::kinlink::Status kl_status_tmp_ = (expr);                    \
    if (!kl_status_tmp_.ok()) return kl_status_tmp_;              \
  } while (false)

#endif  // KINLINK_COMMON_STATUS_H_
