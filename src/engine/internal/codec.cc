#include "engine/internal/codec.h"

#include <charconv>

namespace kinlink::engine::internal {

namespace {

constexpr std::string_view kMetaNextId = "next_record_id";

void AppendLe64(std::string& out, std::int64_t v) {
  auto u = static_cast<std::uint64_t>(v);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((u >> (8 * i)) & 0xFF));
}

}  // namespace

std::string RecordAd(std::int64_t id, std::int64_t version) {
  std::string ad = "kinlink/record/v1";
  AppendLe64(ad, id);
  AppendLe64(ad, version);
  return ad;
}

std::string DataKeyAd(std::int64_t id) {
  std::string ad = "kinlink/data-key/v1";
  AppendLe64(ad, id);
  return ad;
}

Result<std::int64_t> NextRecordId(store::Store& store) {
  KL_ASSIGN_OR_RETURN(std::optional<std::string> value, store.GetMeta(kMetaNextId));
  if (!value) return DataLossError("the registry has no record-id counter");
  std::int64_t next = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), next);
  if (ec != std::errc() || end != value->data() + value->size() || next < 1) {
    return DataLossError("the registry's record-id counter is damaged");
  }
  return next;
}

Status SetNextRecordId(store::Store& store, std::int64_t next) {
  return store.SetMeta(kMetaNextId, std::to_string(next));
}

}  // namespace kinlink::engine::internal
