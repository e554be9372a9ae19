// Private to engine: associated data of sealed records and wrapped data
// keys, and the record-id counter.
#ifndef KINLINK_ENGINE_INTERNAL_CODEC_H_
#define KINLINK_ENGINE_INTERNAL_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "store/store.h"

namespace kinlink::engine::internal {

// AD of a record's payload: binds it to its row and version, so a
// ciphertext copied to another row or an older version fails to open.
std::string RecordAd(std::int64_t id, std::int64_t version);
// AD of a wrapped data key: binds it to its row.
std::string DataKeyAd(std::int64_t id);

// Registry ids are handed out from a counter in meta (never reused, also
// not after an erase). Call within a write transaction.
Result<std::int64_t> NextRecordId(store::Store& store);
Status SetNextRecordId(store::Store& store, std::int64_t next);

// Meta key of the matching index's position: every stored record with a
// smaller id is indexed (or erased). Create sets it to 1. Registries
// written before indexing left the import transaction lack it; their
// imports indexed every record, so absent means "all indexed".
inline constexpr std::string_view kMetaIndexNext = "index_next";

}  // namespace kinlink::engine::internal

#endif  // KINLINK_ENGINE_INTERNAL_CODEC_H_
