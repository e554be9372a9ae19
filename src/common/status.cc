#include "common/status.h"

namespace kinlink {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kCancelled: return "CANCELLED";
    case StatusCode::kUnknown: return "UNKNOWN";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case StatusCode::kAborted: return "ABORTED";
    case StatusCode::kOutOfRange: return "OUT_OF_RANGE";
    case StatusCode::kUnimplemented: return "UNIMPLEMENTED";
    case StatusCode::kInternal: return "INTERNAL";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kDataLoss: return "DATA_LOSS";
    case StatusCode::kUnauthenticated: return "UNAUTHENTICATED";
  }
  return "UNKNOWN";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string message(context);
  if (!message_.empty()) {
    message += ": ";
    message += message_;
  }
  return Status(code_, std::move(message));
}

#define KL_DEFINE_ERROR_(Name, Code) \
  Status Name(std::string message) { return Status(StatusCode::Code, std::move(message)); }

KL_DEFINE_ERROR_(CancelledError, kCancelled)
KL_DEFINE_ERROR_(UnknownError, kUnknown)
KL_DEFINE_ERROR_(InvalidArgumentError, kInvalidArgument)
KL_DEFINE_ERROR_(NotFoundError, kNotFound)
KL_DEFINE_ERROR_(AlreadyExistsError, kAlreadyExists)
KL_DEFINE_ERROR_(PermissionDeniedError, kPermissionDenied)
KL_DEFINE_ERROR_(ResourceExhaustedError, kResourceExhausted)
KL_DEFINE_ERROR_(FailedPreconditionError, kFailedPrecondition)
KL_DEFINE_ERROR_(AbortedError, kAborted)
KL_DEFINE_ERROR_(OutOfRangeError, kOutOfRange)
KL_DEFINE_ERROR_(UnimplementedError, kUnimplemented)
KL_DEFINE_ERROR_(InternalError, kInternal)
KL_DEFINE_ERROR_(UnavailableError, kUnavailable)
KL_DEFINE_ERROR_(DataLossError, kDataLoss)
KL_DEFINE_ERROR_(UnauthenticatedError, kUnauthenticated)

#undef KL_DEFINE_ERROR_

}  // namespace kinlink
