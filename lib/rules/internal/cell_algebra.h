// Set relations between normalised cells of one column, for analysis.
#ifndef RETCON_LIB_RULES_INTERNAL_CELL_ALGEBRA_H_
#define RETCON_LIB_RULES_INTERNAL_CELL_ALGEBRA_H_

#include "lib/rules/internal/compiled_decision.h"

namespace retcon {
namespace rules_internal {

// Whether cell `a` accepts every input `b` accepts (exact, except that two
// different regexes are never proven to contain one another).
bool Covers(const NormalCell& a, const NormalCell& b);

enum class Overlap { kNo, kYes, kMaybe };
// Whether some value of `input` (or its absence) is accepted by both cells;
// kMaybe only when regexes keep it from being decided.
Overlap Intersect(const NormalCell& a, const NormalCell& b,
                  const InputPath& input);

// Whether `input` can be missing: a message on its path, or a last field
// with presence.
bool CanBeMissing(const InputPath& input);

// Whether cell `a` accepts the present value (number, or text for strings).
bool AcceptsPresent(const NormalCell& a, int64_t number,
                    const std::string& text, bool is_string);

}  // namespace rules_internal
}  // namespace retcon

#endif  // RETCON_LIB_RULES_INTERNAL_CELL_ALGEBRA_H_
