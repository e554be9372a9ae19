// text: everything Kinlink does to a name before comparing it — Unicode
// normalisation, script detection, transliteration to a Latin matching
// form (ICU), name parsing (articles, bin/ibn, abd-compounds, patronymics),
// phonetic keys (Double Metaphone), consonant skeletons, and the shipped
// name-variant table.
//
// Pure: no I/O except NameVariants::LoadFile, no mutable globals,
// deterministic. Thread-safety: free functions are pure; a Transliterator
// is used by one thread at a time (one per thread); a loaded NameVariants
// is immutable and shareable.
//
//   KL_ASSIGN_OR_RETURN(auto tr, text::Transliterator::Create());
//   std::string latin = tr->ToLatin("محمد الحسن");        // "mhmd alhsn"
//   text::ParsedName name = text::NameTokens(latin);       // mhmd, hsn (article)
//   std::string key = text::ConsonantSkeleton("mohamed");  // "mhmd"
//   text::MetaphoneCodes dm = text::DoubleMetaphone("schmidt");  // XMT / SMT
#ifndef KINLINK_TEXT_TEXT_H_
#define KINLINK_TEXT_TEXT_H_

#include "text/name_parse.h"
#include "text/name_variants.h"
#include "text/normalize.h"
#include "text/phonetic.h"
#include "text/skeleton.h"
#include "text/transliterator.h"

#endif  // KINLINK_TEXT_TEXT_H_
