// score: Kinlink's matching engine, independent of what the fields are.
//
//  - comparison.h  ComparisonSpec (fields, levels, missing level, tf flag) and
//                  ComparisonMatrix (one byte per field per pair).
//  - model.h       FellegiSunterModel: m, u, λ; weights, probabilities,
//                  Explain (a per-field waterfall), JSON form.
//  - estimate.h    EstimateU (random pairs), EstimateMByEm (unsupervised,
//                  u fixed), TrainSupervised (labelled pairs).
//  - term_frequency.h  TermFrequencyTable keyed by 16-byte keys.
//  - thresholds.h  expected precision/recall at a threshold, histograms.
//  - blocking.h    BlockIndex, streamed dedupe/link candidates with caps,
//                  random pairs for u.
//  - cluster.h     union-find components and stable cluster ids.
//  - evaluate.h    pairwise P/R/F1, pairs completeness, reduction ratio,
//                  recall@k.
//
// Pure: no I/O, no globals, deterministic for given seeds. Never sees
// plaintext values: keys are tokens or hashes, fields are levels.
//
// Thread-safety: value types and pure functions; see each header.
//
//   KL_ASSIGN_OR_RETURN(BlockIndex index, BlockIndex::Build(std::move(keys)));
//   ... compare each candidate pair into a ComparisonMatrix `cands` ...
//   KL_ASSIGN_OR_RETURN(auto pairs, SampleRandomDedupePairs(n, 100000, seed));
//   ... compare them into `randoms` ...
//   KL_ASSIGN_OR_RETURN(FellegiSunterModel model, FellegiSunterModel::Create(spec));
//   KL_RETURN_IF_ERROR(EstimateU(randoms, {}, model).status());
//   KL_RETURN_IF_ERROR(EstimateMByEm(cands, {}, model).status());
//   Explanation why = model.Explain(cands.Row(0));
#ifndef KINLINK_SCORE_SCORE_H_
#define KINLINK_SCORE_SCORE_H_

#include "score/blocking.h"
#include "score/cluster.h"
#include "score/comparison.h"
#include "score/estimate.h"
#include "score/evaluate.h"
#include "score/model.h"
#include "score/term_frequency.h"
#include "score/thresholds.h"
#include "score/types.h"

#endif  // KINLINK_SCORE_SCORE_H_
