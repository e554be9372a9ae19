// Private to store: checks both backends make before writing a match or a
// hub reference, so that they refuse the same rows with the same words.
#ifndef KINLINK_STORE_INTERNAL_MATCH_RULES_H_
#define KINLINK_STORE_INTERNAL_MATCH_RULES_H_

#include "common/status.h"
#include "store/store.h"

namespace kinlink::store::internal {

// A match inside the registry has two positive ids and no partner; a
// partner match has exactly one positive id (the other 0), a partner name
// and a reference.
inline Status CheckMatchRow(const MatchRow& row) {
  if (static_cast<std::uint8_t>(row.status) > kMaxMatchStatus) {
    return InvalidArgumentError("write match: unknown status");
  }
  if (!row.is_partner()) {
    if (!row.partner.empty()) {
      return InvalidArgumentError("write match: a partner match needs its pair reference");
    }
    if (row.request_id <= 0 || row.person_id <= 0) {
      return InvalidArgumentError("write match: the record ids must be positive");
    }
    return OkStatus();
  }
  if (row.partner.empty()) {
    return InvalidArgumentError("write match: a partner match needs the partner's name");
  }
  const bool request_here = row.request_id > 0 && row.person_id == 0;
  const bool person_here = row.person_id > 0 && row.request_id == 0;
  if (!request_here && !person_here) {
    return InvalidArgumentError(
        "write match: a partner match has exactly one record here (the other id 0)");
  }
  return OkStatus();
}

inline Status CheckHubRefRow(const HubRefRow& row) {
  if (row.ref.size() != kHubRefBytes) {
    return InvalidArgumentError("write hub reference: a reference is " +
                                std::to_string(kHubRefBytes) + " bytes");
  }
  if (row.record_id <= 0) return InvalidArgumentError("write hub reference: no record id");
  return OkStatus();
}

}  // namespace kinlink::store::internal

#endif  // KINLINK_STORE_INTERNAL_MATCH_RULES_H_
