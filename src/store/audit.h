// The audit log: append-only, hash-chained and MAC'd with the audit key.
// Entry n's MAC = MAC(audit key, mac(n-1) || seq || time || actor || action
// || target || detail), each part length-prefixed; entry 1 chains to a
// fixed genesis value. The head (last seq and MAC) is kept in the store's
// meta, MAC'd too, so that deleting the newest entries is detected.
// Verify names the first bad entry: edited, deleted, reordered, inserted or
// truncated rows all break the chain or the head.
//
// Thread-safety: one AuditLog per Store, used under the store's thread rule.
#ifndef KINLINK_STORE_AUDIT_H_
#define KINLINK_STORE_AUDIT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/crypto.h"
#include "store/store.h"

namespace kinlink::store {

// Bytes of each of actor, action, target and detail.
inline constexpr std::size_t kMaxAuditFieldBytes = 4096;

struct AuditVerifyReport {
  bool ok = false;
  std::int64_t entries = 0;        // entries checked
  std::int64_t first_bad_seq = 0;  // 0 when ok
  std::string problem;             // "" when ok
};

class AuditLog {
 public:
  // `store` and `audit_key` must outlive this object.
  AuditLog(Store& store, const crypto::SecretBytes& audit_key) : store_(store), key_(audit_key) {}

  // Appends one entry (within the caller's transaction, if any) and moves
  // the head. `time` 0 = now. When the caller has no transaction open, the
  // append runs in one of its own (Store::InTransaction), so the entry and
  // the head always move together.
  // Fails closed: DATA_LOSS when the stored head does not verify or does not
  // match the last entry (the log was tampered with; run Verify), rather
  // than chaining new entries onto a damaged log. INVALID_ARGUMENT when a
  // field is over kMaxAuditFieldBytes.
  Status Append(std::string_view actor, std::string_view action, std::string_view target,
                std::string_view detail, std::int64_t time = 0);

  // Append for a target that may be a long list of ids ("1-5,9,12-13"):
  // when it is over kMaxAuditFieldBytes it is cut at commas into pieces
  // that fit, and each piece is one entry whose detail (a JSON object, or
  // "") gains "part":"k/n". Every id is recorded; all the entries go in
  // one transaction. INVALID_ARGUMENT when one item of the list is itself
  // too long, or the detail is not an object when parts are needed.
  Status AppendIdList(std::string_view actor, std::string_view action, std::string_view target,
                      std::string_view detail, std::int64_t time = 0);

  // Walks the whole chain. Fails only on a store error; tampering is
  // reported in the report. Runs in a transaction of its own when none is
  // open, so that the entries and the head are read from one snapshot
  // (writers wait while it runs).
  Result<AuditVerifyReport> Verify();

 private:
  Store& store_;
  const crypto::SecretBytes& key_;
};

}  // namespace kinlink::store

#endif  // KINLINK_STORE_AUDIT_H_
