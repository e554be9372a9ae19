// Term frequencies of field values, keyed by a 16-byte key (a keyed token
// or a hash computed by the caller: the table never sees plaintext). Used
// for term-frequency adjustment: agreeing on a common name is weaker
// evidence than agreeing on a rare one.
//
// Thread-safety: const methods may be called concurrently; Add needs
// exclusive access.
//
//   TermFrequencyTable tf;
//   for (const Key128& k : given_name_tokens) tf.Add(k);
//   double f = tf.PairFrequency(left_key, right_key);  // pass to the model
#ifndef KINLINK_SCORE_TERM_FREQUENCY_H_
#define KINLINK_SCORE_TERM_FREQUENCY_H_

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "score/types.h"

namespace kinlink::score {

class TermFrequencyTable {
 public:
  // Counts `count` more occurrences of `key`. Empty keys are ignored.
  void Add(const Key128& key, std::uint64_t count = 1);

  std::uint64_t Count(const Key128& key) const;
  std::uint64_t total() const { return total_; }
  std::size_t size() const { return counts_.size(); }

  // count / total; 0 when the key is empty, unknown or the table is empty
  // (0 means "no adjustment" to the model).
  double Frequency(const Key128& key) const;
  // The frequency to use for a pair that agrees at a tf-adjustable level:
  // the larger of the two values' frequencies (when two values agree only
  // as variants, the more common spelling is the conservative choice).
  double PairFrequency(const Key128& a, const Key128& b) const;

 private:
  std::unordered_map<Key128, std::uint64_t, Key128Hash> counts_;
  std::uint64_t total_ = 0;
};

}  // namespace kinlink::score

#endif  // KINLINK_SCORE_TERM_FREQUENCY_H_
