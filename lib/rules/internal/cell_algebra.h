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
// Whether some input value is accepted by both cells of a column of `kind`.
Overlap Intersect(const NormalCell& a, const NormalCell& b, InputKind kind);

// Whether cell `a` accepts the present value (number, or text for strings).
bool AcceptsPresent(const NormalCell& a, int64_t number,
                    const std::string& text, bool is_string);

}  // namespace rules_internal
}  // namespace retcon

#endif  // RETCON_LIB_RULES_INTERNAL_CELL_ALGEBRA_H_
