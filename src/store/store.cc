#include "store/store.h"

#include <utility>

namespace kinlink::store {

Result<Transaction> Transaction::Begin(Store& store) {
  KL_RETURN_IF_ERROR(store.Begin());
  return Transaction(&store);
}

Transaction::Transaction(Transaction&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)) {}

Transaction::~Transaction() {
  // A destructor cannot report failure; a failed rollback leaves the backend
  // to discard the transaction when the connection closes.
  if (store_ != nullptr) store_->Rollback().IgnoreError();
}

Status Transaction::Commit() {
  if (store_ == nullptr) {
    return FailedPreconditionError("commit: the transaction is already finished");
  }
  Status status = store_->Commit();
  // On failure the transaction stays open so that the destructor rolls it
  // back (a commit can fail while the transaction is still alive, e.g. busy).
  if (status.ok()) store_ = nullptr;
  return status;
}

}  // namespace kinlink::store
