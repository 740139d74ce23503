// Containment and intersection of normalised cells.
#include "lib/rules/internal/cell_algebra.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "re2/re2.h"

namespace retcon {
namespace rules_internal {
namespace {

template <typename T>
bool Has(const std::vector<T>& values, const T& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// Every listed value of `b` (an in-list) is accepted by `a`.
bool AcceptsAllListed(const NormalCell& a, const NormalCell& b) {
  for (int64_t n : b.numbers) {
    if (!AcceptsPresent(a, n, "", false)) return false;
  }
  for (const std::string& s : b.texts) {
    if (!AcceptsPresent(a, 0, s, true)) return false;
  }
  return true;
}

// Some listed value of `b` (an in-list) is accepted by `a`.
bool AcceptsSomeListed(const NormalCell& a, const NormalCell& b) {
  for (int64_t n : b.numbers) {
    if (AcceptsPresent(a, n, "", false)) return true;
  }
  for (const std::string& s : b.texts) {
    if (AcceptsPresent(a, 0, s, true)) return true;
  }
  return false;
}

bool ListSubset(const NormalCell& small, const NormalCell& big) {
  for (int64_t n : small.numbers) {
    if (!Has(big.numbers, n)) return false;
  }
  for (const std::string& s : small.texts) {
    if (!Has(big.texts, s)) return false;
  }
  return true;
}

// Whether the range [low, high] holds an integer not in `excluded`.
bool RangeEscapes(const NormalCell& range, const NormalCell& excluded) {
  absl::int128 size = absl::int128(range.high) - range.low + 1;
  for (int64_t n : excluded.numbers) {
    if (n >= range.low && n <= range.high) size -= 1;
  }
  return size > 0;
}

// Whether some present value of `input` is in neither list of two not_one_of
// cells: always for strings, integers and open enums (more values than any
// list); for bools and closed enums, checked value by value.
bool SomeValueInNeither(const NormalCell& a, const NormalCell& b,
                        const InputPath& input) {
  std::vector<int64_t> domain;
  if (input.kind == InputKind::kBool) {
    domain = {0, 1};
  } else if (input.kind == InputKind::kEnum && !input.open_enum) {
    for (int i = 0; i < input.enum_type->value_count(); ++i) {
      domain.push_back(input.enum_type->value(i)->number());
    }
  } else {
    return true;
  }
  for (int64_t v : domain) {
    if (!Has(a.numbers, v) && !Has(b.numbers, v)) return true;
  }
  return false;
}

// No value listed in `list` lies in the range `range`.
bool NoneListedIn(const NormalCell& list, const NormalCell& range) {
  for (int64_t n : list.numbers) {
    if (n >= range.low && n <= range.high) return false;
  }
  return true;
}

bool CoversPresent(const NormalCell& a, const NormalCell& b) {
  switch (b.kind) {
    case NormalCell::kIn:
      return AcceptsAllListed(a, b);
    case NormalCell::kNotIn:
      return a.kind == NormalCell::kNotIn && ListSubset(a, b);
    case NormalCell::kRegex:
      return a.kind == NormalCell::kRegex && a.regex == b.regex;
    case NormalCell::kRange:
      if (a.kind == NormalCell::kRange) {
        return a.low <= b.low && b.high <= a.high;
      }
      return a.kind == NormalCell::kNotIn && NoneListedIn(a, b);
    default:  // kPresent
      return false;
  }
}

}  // namespace

bool AcceptsPresent(const NormalCell& a, int64_t number,
                    const std::string& text, bool is_string) {
  switch (a.kind) {
    case NormalCell::kAny:
    case NormalCell::kPresent:
      return true;
    case NormalCell::kIn:
      return is_string ? Has(a.texts, text) : Has(a.numbers, number);
    case NormalCell::kNotIn:
      return is_string ? !Has(a.texts, text) : !Has(a.numbers, number);
    case NormalCell::kRegex:
      return is_string && RE2::PartialMatch(text, *a.re);
    case NormalCell::kRange:
      return !is_string && a.low <= number && number <= a.high;
    default:  // kMissing
      return false;
  }
}

bool Covers(const NormalCell& a, const NormalCell& b) {
  if (a.kind == NormalCell::kAny) return true;
  if (b.kind == NormalCell::kAny) return false;
  if (b.kind == NormalCell::kMissing) return a.kind == NormalCell::kMissing;
  if (a.kind == NormalCell::kMissing) return false;
  if (a.kind == NormalCell::kPresent) return true;
  return CoversPresent(a, b);
}

Overlap Intersect(const NormalCell& a, const NormalCell& b,
                  const InputPath& input) {
  using K = NormalCell::Kind;
  if (a.kind == K::kMissing || b.kind == K::kMissing) {
    bool both_accept_missing = (a.kind == K::kMissing || a.kind == K::kAny) &&
                               (b.kind == K::kMissing || b.kind == K::kAny);
    return both_accept_missing && CanBeMissing(input) ? Overlap::kYes
                                                      : Overlap::kNo;
  }
  if (a.kind == K::kAny || b.kind == K::kAny) return Overlap::kYes;
  if (a.kind == K::kPresent || b.kind == K::kPresent) return Overlap::kYes;
  if (b.kind == K::kIn) {
    return AcceptsSomeListed(a, b) ? Overlap::kYes : Overlap::kNo;
  }
  if (a.kind == K::kIn) {
    return AcceptsSomeListed(b, a) ? Overlap::kYes : Overlap::kNo;
  }
  if (a.kind == K::kRange && b.kind == K::kRange) {
    return a.low <= b.high && b.low <= a.high ? Overlap::kYes : Overlap::kNo;
  }
  if (a.kind == K::kRange || b.kind == K::kRange) {  // with kNotIn
    const NormalCell& range = a.kind == K::kRange ? a : b;
    const NormalCell& not_in = a.kind == K::kRange ? b : a;
    return RangeEscapes(range, not_in) ? Overlap::kYes : Overlap::kNo;
  }
  if (a.kind == K::kRegex && b.kind == K::kRegex && a.regex == b.regex) {
    return Overlap::kYes;
  }
  if (a.kind == K::kNotIn && b.kind == K::kNotIn) {
    return SomeValueInNeither(a, b, input) ? Overlap::kYes : Overlap::kNo;
  }
  return Overlap::kMaybe;  // Two regexes, or a regex and a not_one_of.
}

bool CanBeMissing(const InputPath& input) {
  return input.chain.size() > 1 || input.has_presence;
}

}  // namespace rules_internal
}  // namespace retcon
