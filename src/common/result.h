// Result<T>: either a value of T or a non-OK Status (g++ 12 has no
// std::expected in C++20). Use KL_ASSIGN_OR_RETURN to unwrap and propagate.
//
//   Result<Mapping> LoadMapping(const std::string& path);
//   KL_ASSIGN_OR_RETURN(Mapping m, LoadMapping(path));
//
// Thread-safety: a value type, like T.
#ifndef KINLINK_COMMON_RESULT_H_
#define KINLINK_COMMON_RESULT_H_

#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/status.h"

namespace kinlink {

template <typename T>
class [[nodiscard]] Result {
 public:
  // A value. Implicit so that `return value;` works.
  Result(const T& value) : data_(value) {}            // NOLINT
  Result(T&& value) : data_(std::move(value)) {}      // NOLINT
  // An error. An OK status here is a programming error and becomes INTERNAL.
  Result(Status status) : data_(std::move(status)) {  // NOLINT
    if (std::get<Status>(data_).ok()) {
      data_ = Status(StatusCode::kInternal, "Result built from an OK status");
    }
  }
  template <typename U>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Status>)
  Result(U&& value) : data_(T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(data_); }

  // The error, or OK when a value is held.
  Status status() const& { return ok() ? Status() : std::get<Status>(data_); }
  Status status() && { return ok() ? Status() : std::move(std::get<Status>(data_)); }

  // Precondition: ok(). Aborts otherwise (a programming error, never input).
  T& value() & { CheckOk(); return std::get<T>(data_); }
  const T& value() const& { CheckOk(); return std::get<T>(data_); }
  T&& value() && { CheckOk(); return std::get<T>(std::move(data_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The value, or `fallback` when an error is held.
  T value_or(T fallback) const& { return ok() ? std::get<T>(data_) : fallback; }

 private:
  void CheckOk() const {
    if (!ok()) std::abort();
  }
  std::variant<Status, T> data_;
};

}  // namespace kinlink

#define KL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                              \
  if (!tmp.ok()) return std::move(tmp).status();   \
  lhs = std::move(tmp).value()

// Evaluates `rexpr` (a Result<T>); on error returns its status from the
// enclosing function, otherwise assigns or declares `lhs` with the value.
#define KL_ASSIGN_OR_RETURN(lhs, rexpr) \
  KL_ASSIGN_OR_RETURN_IMPL_(KL_STATUS_CONCAT_(kl_result_tmp_, __LINE__), lhs, rexpr)

#endif  // KINLINK_COMMON_RESULT_H_
