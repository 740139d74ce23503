#include "lib/apportion/internal/figures.h"

#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "lib/apportion/internal/fields.h"
#include "lib/internal/status_macros.h"
#include "lib/money/internal/rounding.h"

namespace retcon {
namespace apportion_internal {

void SplitFigures(const Figures& total,
                  absl::FunctionRef<int64_t(size_t c, size_t k)> weight,
                  absl::Span<Figures* const> parts) {
  const size_t n = parts.size();
  absl::InlinedVector<int64_t, 4> weights(n), shares(n);
  for (size_t k = 0; k < AmountCount(total); ++k) {
    bool any = false;
    for (size_t c = 0; c < n; ++c) {
      weights[c] = weight(c, k);
      any |= weights[c] > 0;
    }
    if (!any) continue;
    money_internal::AllocateByWeightsUnchecked(AmountAt(total, k), weights,
                                               absl::MakeSpan(shares));
    for (size_t c = 0; c < n; ++c) AmountAt(*parts[c], k) = shares[c];
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
  return f;
}

}  // namespace apportion_internal
}  // namespace retcon
