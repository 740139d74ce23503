#include "lib/apportion/internal/figures.h"

#include <algorithm>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "lib/apportion/internal/fields.h"
#include "lib/internal/status_macros.h"
#include "lib/money/internal/rounding.h"

namespace retcon {
namespace apportion_internal {

void SplitFigures(const Figures& total, absl::Span<const int64_t> weights,
                  absl::Span<Figures* const> parts) {
  absl::InlinedVector<int64_t, 4> shares(parts.size());
  for (size_t k = 0; k < AmountCount(total); ++k) {
    money_internal::AllocateByWeightsUnchecked(AmountAt(total, k), weights,
                                               absl::MakeSpan(shares));
    for (size_t c = 0; c < parts.size(); ++c)
      AmountAt(*parts[c], k) = shares[c];
  }
  for (Figures* part : parts) part->net = part->gross - part->tax();
}

const PaidLine* FindLine(const v1::SalesOrder& order,
                         const OrderFigures& figures, absl::string_view id) {
  for (int i = 0; i < order.lines_size(); ++i) {
    if (SameText(order.lines(i).line_id(), id)) {
      return &figures.lines[i];
    }
  }
  return nullptr;
}

const PaidLine* FindComponent(const OrderFigures& figures, const PaidLine& line,
                              absl::string_view sku) {
  for (int c = line.component_begin; c < line.component_end; ++c) {
    if (figures.components[c].sku == sku) return &figures.components[c];
  }
  return nullptr;
}

std::string Units(int64_t n) {
  return absl::StrCat(n, n == 1 ? " unit" : " units");
}

std::string Describe(const v1::SalesOrder& order, const PaidLine& paid) {
  const std::string& line_id = order.lines(paid.line_index).line_id();
  if (paid.component_index < 0) return absl::StrCat("line '", line_id, "'");
  return absl::StrCat("component '", paid.sku, "' of line '", line_id, "'");
}

absl::StatusOr<const PaidLine*> Resolve(const v1::SalesOrder& order,
                                        const OrderFigures& figures,
                                        absl::string_view line_id,
                                        absl::string_view component_sku,
                                        PathFn path, bool whole_bundle_ok) {
  const PaidLine* line = FindLine(order, figures, line_id);
  if (line == nullptr) {
    return FieldError(absl::StrCat(path(), ".order_line_id"),
                      absl::StrCat("no line '", line_id, "' in order '",
                                   order.order_id(), "'"));
  }
  if (component_sku.empty()) {
    if (IsBundle(*line) && !whole_bundle_ok) {
      return FieldError(absl::StrCat(path(), ".component_sku"),
                        absl::StrCat("line '", line_id,
                                     "' is a bundle: record it per component"));
    }
    return line;
  }
  if (!IsBundle(*line)) {
    return FieldError(absl::StrCat(path(), ".component_sku"),
                      absl::StrCat("line '", line_id, "' is not a bundle"));
  }
  const PaidLine* component = FindComponent(figures, *line, component_sku);
  if (component == nullptr) {
    return FieldError(absl::StrCat(path(), ".component_sku"),
                      absl::StrCat("bundle line '", line_id,
                                   "' has no component '", component_sku, "'"));
  }
  return component;
}

namespace {

// True when no unit's tax can outrun its gross under the plain rule: the
// smallest gross step floor(G/Q) covers the largest steps of every tax
// together. Then each tax's cumulative share is simply round(T * m / Q).
// Only lines selling units for a few minor units each fail this.
bool TaxStepsFitGross(const Figures& total, int64_t units) {
  int64_t room = total.gross / units;
  for (const TaxShare& tax : total.taxes) {
    room -= tax.amount / units + (tax.amount % units != 0 ? 1 : 0);
    if (room < 0) return false;
  }
  return true;
}

// Cumulative taxes when a plain round(T * m / Q) could credit a unit more
// tax than gross. Each tax follows its plain share but is held back just
// enough that what remains after it (the budget of the next tax, and net
// after the last) never goes down from one unit to the next:
//   n_i(m) = min(B_i(Q) - T_i, max over j <= m of (B_i(j) - F_i(j)))
//   t_i(m) = B_i(m) - n_i(m),   B_1 = gross,  B_{i+1} = n_i.
// So every slice has 0 <= tax <= gross, whatever the grouping, and every
// tax still ends at exactly T_i. O(m): only for sub-penny units.
void HeldBackTaxes(const Figures& total, int64_t m, int64_t units,
                   RoundingMode mode, Figures& f) {
  const size_t rates = total.taxes.size();
  absl::InlinedVector<int64_t, 2> running_max(rates, 0), end_budget(rates);
  int64_t budget_at_end = total.gross;
  for (size_t i = 0; i < rates; ++i) {
    budget_at_end -= total.taxes[i].amount;
    end_budget[i] = budget_at_end;  // B_i(Q) - T_i
  }
  for (int64_t j = 0; j <= m; ++j) {
    int64_t budget =
        money_internal::CumulativeShareUnchecked(total.gross, j, units, mode);
    for (size_t i = 0; i < rates; ++i) {
      const int64_t plain = money_internal::CumulativeShareUnchecked(
          total.taxes[i].amount, j, units, mode);
      running_max[i] = std::max(running_max[i], budget - plain);
      const int64_t rest = std::min(end_budget[i], running_max[i]);
      if (j == m) f.taxes[i].amount = budget - rest;
      budget = rest;
    }
  }
}

}  // namespace

Figures Cumulative(const Figures& total, int64_t m, int64_t units,
                   RoundingMode mode) {
  const auto share = [&](int64_t amount) {
    return money_internal::CumulativeShareUnchecked(amount, m, units, mode);
  };
  Figures f;
  f.gross = share(total.gross);
  f.discount = share(total.discount);
  for (const TaxShare& tax : total.taxes) {
    f.taxes.push_back(TaxShare{tax.rate, share(tax.amount)});
  }
  if (!f.taxes.empty() && !TaxStepsFitGross(total, units)) {
    HeldBackTaxes(total, m, units, mode, f);
  }
  return f;
}

namespace {

// True when splitting the line's cumulative share of amount k by largest
// remainder can only rise from one bundle to the next for every component:
// each component's exact part of the smallest step, floor(X/B) * X_c / X,
// is at least one minor unit. (Largest remainder is not monotone in the
// total in general: the Alabama paradox.) Taxes held back for sub-penny
// lines do not step evenly, so they never qualify.
bool SplitRisesWithBundles(const OrderFigures& figures, const PaidLine& line,
                           size_t k) {
  const int64_t total = AmountAt(line.paid, k);
  if (total == 0) return true;
  if (k >= 2 && !TaxStepsFitGross(line.paid, line.units)) return false;
  const absl::int128 smallest_step = total / line.units;
  for (int c = line.component_begin; c < line.component_end; ++c) {
    const int64_t part = AmountAt(figures.components[c].paid, k);
    if (part > 0 && smallest_step * part < total) return false;
  }
  return true;
}

// G(m): component c's cumulative share at m whole bundles. Where it can do
// so and still rise with m, it is c's part of the bundle line's own share
// (the line's F(m) split over the components in proportion to what each was
// paid), so whole bundles refund exactly what the line would; otherwise,
// for amounts worth less than a minor unit per bundle to some component,
// it is c's own round(X_c * m / B).
Figures ComponentAtWholeBundles(const OrderFigures& figures,
                                const PaidLine& line, size_t c, int64_t m,
                                RoundingMode mode) {
  const size_t n = line.component_end - line.component_begin;
  // Starts as the line's share; each amount is then replaced by c's part.
  Figures f = Cumulative(line.paid, m, line.units, mode);
  const Figures& own = figures.components[line.component_begin + c].paid;
  absl::InlinedVector<int64_t, 4> weights(n), shares(n);
  for (size_t k = 0; k < AmountCount(f); ++k) {
    if (!SplitRisesWithBundles(figures, line, k)) {
      AmountAt(f, k) = money_internal::CumulativeShareUnchecked(
          AmountAt(own, k), m, line.units, mode);
      continue;
    }
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
      weights[i] =
          AmountAt(figures.components[line.component_begin + i].paid, k);
      any |= weights[i] > 0;
    }
    if (!any) {
      AmountAt(f, k) = 0;
      continue;
    }
    money_internal::AllocateByWeightsUnchecked(AmountAt(f, k), weights,
                                               absl::MakeSpan(shares));
    AmountAt(f, k) = shares[c];
  }
  f.net = f.gross - f.tax();
  return f;
}

}  // namespace

Figures CumulativeOf(const OrderFigures& figures, const PaidLine& paid,
                     int64_t m, RoundingMode mode) {
  if (m == 0) {
    // F(0) = 0 for every figure (paid tax never exceeds gross, so no tax is
    // held back), without the work below: the planner's working history
    // has entries for lines with nothing credited yet.
    Figures f;
    f.taxes = paid.paid.taxes;  // the rates
    for (TaxShare& tax : f.taxes) tax.amount = 0;
    return f;
  }
  if (paid.component_index < 0) {
    return Cumulative(paid.paid, m, paid.units, mode);
  }
  // A component's cumulative share is pinned at every whole number of
  // bundles to its part of the bundle line's own share (so whole bundles
  // refund exactly what the line would) and interpolated by the same
  // rounding within a bundle. It depends on the component's own units only,
  // so any mix of whole-bundle and component returns adds up the same.
  const PaidLine& line = figures.lines[paid.line_index];
  const size_t c = &paid - &figures.components[line.component_begin];
  const int64_t per_bundle = paid.units / line.units;
  const int64_t bundles = m / per_bundle;
  const int64_t within = m % per_bundle;
  Figures f = ComponentAtWholeBundles(figures, line, c, bundles, mode);
  if (within == 0) return f;
  // Within the bundle, the step to the next whole bundle is shared out by
  // the same cumulative rule as a line's (tax held back where it could
  // outrun gross).
  Figures step = ComponentAtWholeBundles(figures, line, c, bundles + 1, mode);
  bool rising = true;
  for (size_t k = 0; k < AmountCount(f); ++k) {
    AmountAt(step, k) -= AmountAt(f, k);
    rising &= AmountAt(step, k) >= 0;
  }
  if (rising) {
    const Figures part = Cumulative(step, within, per_bundle, mode);
    for (size_t k = 0; k < AmountCount(f); ++k) {
      AmountAt(f, k) += AmountAt(part, k);
    }
  } else {
    // A figure worth less than a minor unit per bundle can dip between
    // bundles (largest remainder is not monotone); interpolate plainly.
    for (size_t k = 0; k < AmountCount(f); ++k) {
      AmountAt(f, k) +=
          static_cast<int64_t>(money_internal::DivideRoundedUnchecked(
              absl::int128(AmountAt(step, k)) * within, per_bundle, mode));
    }
  }
  f.net = f.gross - f.tax();
  return f;
}

}  // namespace apportion_internal
}  // namespace retcon
