// The model the apportioning property test checks refunds against: figures
// in a comparable form, and the cumulative shares the spec defines
// (apportion.h, docs/money.md sections 5 and 7), computed independently.
#ifndef RETCON_TESTS_APPORTION_PROPERTY_MODEL_H_
#define RETCON_TESTS_APPORTION_PROPERTY_MODEL_H_

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "retcon/apportion.h"
#include "tests/apportion/random_order.h"

namespace retcon {
namespace testing_internal {

using TaxMap = std::map<std::string, int64_t>;  // Rate -> amount, no zeros.

inline TaxMap Taxes(const Figures& f) {
  TaxMap out;
  for (const TaxShare& share : f.taxes) {
    if (share.amount != 0) out[share.rate.ToString()] += share.amount;
  }
  return out;
}

inline int64_t Sum(const TaxMap& taxes) {
  int64_t sum = 0;
  for (const auto& [rate, amount] : taxes) sum += amount;
  return sum;
}

inline int64_t At(const TaxMap& taxes, const std::string& rate) {
  const auto it = taxes.find(rate);
  return it == taxes.end() ? 0 : it->second;
}

// One set of figures in a comparable form (zero taxes dropped).
struct Amounts {
  int64_t gross = 0;
  int64_t discount = 0;
  int64_t net = 0;
  TaxMap taxes;

  static Amounts Of(const Figures& f) {
    return {f.gross, f.discount, f.net, Taxes(f)};
  }
  void SetTax(const std::string& rate, int64_t amount) {
    if (amount == 0) {
      taxes.erase(rate);
    } else {
      taxes[rate] = amount;
    }
  }
  void Add(const Amounts& a) {
    gross += a.gross;
    discount += a.discount;
    net += a.net;
    for (const auto& [rate, amount] : a.taxes)
      SetTax(rate, At(taxes, rate) + amount);
  }
  friend bool operator==(const Amounts& a, const Amounts& b) {
    return a.gross == b.gross && a.discount == b.discount && a.net == b.net &&
           a.taxes == b.taxes;
  }
  friend bool operator!=(const Amounts& a, const Amounts& b) {
    return !(a == b);
  }
  friend void PrintTo(const Amounts& a, std::ostream* os) {
    *os << a.ToString();
  }
  std::string ToString() const {
    std::string out = absl::StrCat("{gross ", gross, " discount ", discount,
                                   " net ", net, " taxes");
    for (const auto& [rate, amount] : taxes) {
      absl::StrAppend(&out, " ", rate, "%:", amount);
    }
    return out + "}";
  }
};

// b - a per figure (may be negative).
inline Amounts Difference(const Amounts& b, const Amounts& a) {
  Amounts out = b;
  out.gross -= a.gross;
  out.discount -= a.discount;
  out.net -= a.net;
  for (const auto& [rate, amount] : a.taxes) {
    out.SetTax(rate, At(out.taxes, rate) - amount);
  }
  return out;
}

// F(m) = round(T * m / Q) for every figure (apportion.h, docs section 5).
inline Amounts PlainCumulative(const Amounts& paid, int64_t m, int64_t units,
                               RoundingMode mode) {
  Amounts out;
  out.gross = RefCumulative(paid.gross, m, units, mode);
  out.discount = RefCumulative(paid.discount, m, units, mode);
  for (const auto& [rate, amount] : paid.taxes) {
    out.SetTax(rate, RefCumulative(amount, m, units, mode));
  }
  out.net = out.gross - Sum(out.taxes);
  return out;
}

// Whether the plain F of every tax steps no faster than the gross: no
// slice of one unit has more tax than gross. When it holds, the taxes
// follow F exactly; otherwise retcon holds them back (docs section 5).
inline bool PlainTaxStepsFit(const Amounts& paid, int64_t units,
                             RoundingMode mode) {
  if (paid.taxes.empty()) return true;
  Amounts before = PlainCumulative(paid, 0, units, mode);
  for (int64_t m = 1; m <= units; ++m) {
    const Amounts after = PlainCumulative(paid, m, units, mode);
    if (Sum(after.taxes) - Sum(before.taxes) > after.gross - before.gross) {
      return false;
    }
    before = after;
  }
  return true;
}

// Splits `total` over parts by weights, largest remainder; all zero when
// every weight is zero.
inline std::vector<int64_t> SplitByWeights(
    int64_t total, const std::vector<int64_t>& weights) {
  for (int64_t w : weights) {
    if (w != 0) return RefLargestRemainder(total, weights);
  }
  return std::vector<int64_t>(weights.size(), 0);
}

// One figure of a bundle component's cumulative share (docs section 7):
// at whole bundles b, G(b) = component c's part of the line's F(b), the
// line's F split over the components by what each was paid of the figure;
// in between, H(b*q + r) = G(b) + round((G(b+1) - G(b)) * r / q).
// `line_share(b)` is the line's F(b) of the figure.
template <typename LineShare>
int64_t ComponentCumulative(LineShare line_share,
                            const std::vector<int64_t>& component_paid,
                            size_t c, int64_t per_bundle, int64_t m,
                            RoundingMode mode) {
  const auto g = [&](int64_t b) {
    return SplitByWeights(line_share(b), component_paid)[c];
  };
  const int64_t b = m / per_bundle;
  const int64_t r = m % per_bundle;
  const int64_t at = g(b);
  if (r == 0) return at;
  return at + static_cast<int64_t>(
                  RefRound(absl::int128(g(b + 1) - at) * r, per_bundle, mode));
}

}  // namespace testing_internal
}  // namespace retcon

#endif  // RETCON_TESTS_APPORTION_PROPERTY_MODEL_H_
