// A small Jaro-Winkler for the benchmark only (the production string
// metrics live in src/match). ASCII bytes; strings longer than 64 bytes
// are compared on their first 64.
#ifndef KINLINK_BENCH_CROSSSCRIPT_JARO_WINKLER_H_
#define KINLINK_BENCH_CROSSSCRIPT_JARO_WINKLER_H_

#include <string_view>

namespace kinlink::bench {

// Jaro similarity in [0, 1]; 1 for two empty strings, 0 if one is empty.
double Jaro(std::string_view a, std::string_view b);

// Jaro-Winkler with prefix scale 0.1 and prefix length up to 4.
double JaroWinkler(std::string_view a, std::string_view b);

}  // namespace kinlink::bench

#endif  // KINLINK_BENCH_CROSSSCRIPT_JARO_WINKLER_H_
