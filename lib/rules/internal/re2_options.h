// RE2 options for rule regexes, in one place: silent (errors are returned,
// not logged) and with a memory cap.
#ifndef RETCON_LIB_RULES_INTERNAL_RE2_OPTIONS_H_
#define RETCON_LIB_RULES_INTERNAL_RE2_OPTIONS_H_

#include <cstdint>

#include "re2/re2.h"

namespace retcon {
namespace rules_internal {

inline RE2::Options RegexOptions(int64_t max_mem) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(max_mem);
  return options;
}

}  // namespace rules_internal
}  // namespace retcon

#endif  // RETCON_LIB_RULES_INTERNAL_RE2_OPTIONS_H_
