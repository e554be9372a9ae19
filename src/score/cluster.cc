#include "score/cluster.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace kinlink::score {

UnionFind::UnionFind(std::size_t n) : parent_(n), rank_(n, 0), sets_(n) {
  std::iota(parent_.begin(), parent_.end(), 0U);
}

std::uint32_t UnionFind::Find(std::uint32_t x) {
  while (parent_[x] != x) {
    parent_[x] = parent_[parent_[x]];  // path halving
    x = parent_[x];
  }
  return x;
}

bool UnionFind::Union(std::uint32_t a, std::uint32_t b) {
  a = Find(a);
  b = Find(b);
  if (a == b) return false;
  if (rank_[a] < rank_[b]) std::swap(a, b);
  parent_[b] = a;
  if (rank_[a] == rank_[b]) ++rank_[a];
  --sets_;
  return true;
}

namespace {

Components Label(UnionFind& uf) {
  Components c;
  const std::size_t n = uf.size();
  c.component.resize(n);
  std::vector<std::uint32_t> root_label(n, std::numeric_limits<std::uint32_t>::max());
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t root = uf.Find(static_cast<std::uint32_t>(i));
    if (root_label[root] == std::numeric_limits<std::uint32_t>::max()) {
      root_label[root] = static_cast<std::uint32_t>(c.num_components++);
    }
    c.component[i] = root_label[root];
  }
  return c;
}

Status CheckN(std::size_t n) {
  if (n >= std::numeric_limits<std::uint32_t>::max()) {
    return InvalidArgumentError("clustering: too many records");
  }
  return OkStatus();
}

}  // namespace

Result<Components> ConnectedComponents(std::size_t n, std::span<const ScoredPair> pairs,
                                       double threshold) {
  KL_RETURN_IF_ERROR(CheckN(n));
  UnionFind uf(n);
  for (const ScoredPair& p : pairs) {
    if (p.a >= n || p.b >= n) return InvalidArgumentError("clustering: pair names no record");
    if (p.probability >= threshold) uf.Union(p.a, p.b);
  }
  return Label(uf);
}

Result<Components> ConnectedComponents(std::size_t n, std::span<const RecordPair> pairs) {
  KL_RETURN_IF_ERROR(CheckN(n));
  UnionFind uf(n);
  for (const RecordPair& p : pairs) {
    if (p.a >= n || p.b >= n) return InvalidArgumentError("clustering: pair names no record");
    uf.Union(p.a, p.b);
  }
  return Label(uf);
}

Result<std::vector<std::string>> AssignStableIds(const Components& components,
                                                 std::span<const std::string> record_keys,
                                                 std::span<const std::uint64_t> seniority,
                                                 std::span<const std::string> previous_ids) {
  const std::size_t n = components.component.size();
  if (record_keys.size() != n || (!seniority.empty() && seniority.size() != n) ||
      (!previous_ids.empty() && previous_ids.size() != n)) {
    return InvalidArgumentError("stable ids: keys, seniority and previous ids need one per record");
  }
  {
    std::unordered_set<std::string_view> seen;
    for (std::size_t i = 0; i < n; ++i) {
      if (record_keys[i].empty()) {
        return InvalidArgumentError("stable ids: record " + std::to_string(i) + " has no key");
      }
      if (!seen.insert(record_keys[i]).second) {
        return InvalidArgumentError("stable ids: record " + std::to_string(i) +
                                    " repeats a key");
      }
    }
  }
  for (std::uint32_t c : components.component) {
    if (c >= components.num_components) return InvalidArgumentError("stable ids: bad component");
  }
  // Members by seniority (then input order): every "most senior" below is
  // the first in this order.
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0U);
  if (!seniority.empty()) {
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return seniority[a] < seniority[b];
    });
  }
  const std::size_t nc = components.num_components;
  std::vector<std::vector<std::uint32_t>> members(nc);  // each by seniority
  for (std::uint32_t r : order) members[components.component[r]].push_back(r);

  // Components in order of their most senior member.
  std::vector<std::uint32_t> comp_order;
  comp_order.reserve(nc);
  {
    std::vector<bool> listed(nc, false);
    for (std::uint32_t r : order) {
      const std::uint32_t c = components.component[r];
      if (!listed[c]) {
        listed[c] = true;
        comp_order.push_back(c);
      }
    }
  }
  std::unordered_set<std::string> used;
  std::vector<std::string> comp_id(nc);
  for (std::uint32_t c : comp_order) {
    // Candidates: old ids in order of their most senior holder (members are
    // visited by seniority, so first appearance is that order), then the
    // members' own keys by seniority.
    std::vector<std::string_view> candidates;
    std::unordered_set<std::string_view> listed;
    if (!previous_ids.empty()) {
      for (std::uint32_t r : members[c]) {
        const std::string& old = previous_ids[r];
        if (!old.empty() && listed.insert(old).second) candidates.push_back(old);
      }
    }
    for (std::uint32_t r : members[c]) {
      if (listed.insert(record_keys[r]).second) candidates.push_back(record_keys[r]);
    }
    for (std::string_view cand : candidates) {
      if (used.insert(std::string(cand)).second) {
        comp_id[c] = std::string(cand);
        break;
      }
    }
    if (comp_id[c].empty()) {
      // Every candidate taken (pathological splits): derive a fresh id from
      // the most senior member's key.
      const std::string& base = record_keys[members[c][0]];
      for (std::size_t k = 1;; ++k) {
        std::string id = base + "~" + std::to_string(k);
        if (used.insert(id).second) {
          comp_id[c] = std::move(id);
          break;
        }
      }
    }
  }
  std::vector<std::string> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = comp_id[components.component[i]];
  return out;
}

}  // namespace kinlink::score
