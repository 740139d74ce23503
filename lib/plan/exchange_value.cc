// The exchanged return lines valued once per plan: the new items less the
// returned units, so that credit notes and the exchange order agree.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/apportion/internal/fields.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/credit_note.h"
#include "lib/plan/internal/plan_context.h"
#include "lib/plan/internal/units_taken.h"
#include "retcon/apportion.h"

namespace retcon {
namespace plan_internal {
namespace {

// a - b, amount by amount (taxes matched by rate).
Figures Minus(Figures a, const Figures& b) {
  a.gross -= b.gross;
  a.discount -= b.discount;
  a.net -= b.net;
  for (const TaxShare& t : b.taxes) {
    auto it = std::find_if(a.taxes.begin(), a.taxes.end(),
                           [&](const TaxShare& s) { return s.rate == t.rate; });
    if (it == a.taxes.end()) {
      a.taxes.push_back(TaxShare{t.rate, -t.amount});
    } else {
      it->amount -= t.amount;
    }
  }
  return a;
}

// Units that earlier exchange lines of the return take, per order line and
// SKU (a component, or the line's own), so that several lines exchanging
// units of one order line draw on the same units, valued cumulatively.
class ExchangeTaken {
 public:
  explicit ExchangeTaken(const PlanContext& ctx) : units_(ctx) {}

  // Units of the line, component or whole bundles still refundable once the
  // earlier lines' units are taken.
  int64_t Left(int l, absl::string_view component) const {
    return units_.Left(l, component);
  }
  void Take(int l, absl::string_view component, int64_t quantity,
            const ReturnQuantity& as_returned) {
    units_.Take(l, component, quantity);
    taken_.push_back(as_returned);
  }
  // What earlier lines took of order line `line_id`, as returns.
  std::vector<ReturnQuantity> Before(absl::string_view line_id) const {
    std::vector<ReturnQuantity> out;
    for (const ReturnQuantity& q : taken_) {
      if (q.order_line_id == line_id) out.push_back(q);
    }
    return out;
  }

 private:
  UnitsTaken units_;
  std::vector<ReturnQuantity> taken_;
};

// The value of the exchange items replacing `line`; marks `value`
// exchanged, with items, when there are any.
int64_t NewItemsValue(const PlanContext& ctx, const v1::ReturnLine& line,
                      PlanContext::ExchangeValue& value) {
  int64_t new_value = 0;
  for (const v1::ExchangeItem& item : ctx.ret.exchange_items()) {
    if (item.return_line_id() != line.return_line_id()) continue;
    value.exchanged = true;
    value.has_items = true;
    new_value += item.unit_price().minor_units() * item.quantity();
  }
  return new_value;
}

// The figures of returned units `q` after those earlier lines of the
// return took: the refund of both less the refund of theirs.
absl::StatusOr<Figures> ReturnedValue(const PlanContext& ctx,
                                      const ExchangeTaken& taken,
                                      const ReturnQuantity& q,
                                      const ApportionOptions& options) {
  std::vector<ReturnQuantity> before = taken.Before(q.order_line_id);
  std::vector<ReturnQuantity> with = before;
  with.push_back(q);
  RETCON_ASSIGN_OR_RETURN(
      Refund refund, apportion_internal::ApportionWithFigures(
                         ctx.order, ctx.figures, ctx.working, with, options));
  if (before.empty()) return refund.total;
  RETCON_ASSIGN_OR_RETURN(
      Refund earlier,
      apportion_internal::ApportionWithFigures(ctx.order, ctx.figures,
                                               ctx.working, before, options));
  return Minus(refund.total, earlier.total);
}

}  // namespace

absl::Status ValueExchanges(PlanContext& ctx) {
  ctx.exchange_values.assign(ctx.ret.lines_size(),
                             PlanContext::ExchangeValue{});
  const ApportionOptions options = ctx.config.Apportioning();
  ExchangeTaken taken(ctx);
  for (int r = 0; r < ctx.ret.lines_size(); ++r) {
    const v1::ReturnLine& line = ctx.ret.lines(r);
    PlanContext::ExchangeValue& value = ctx.exchange_values[r];
    value.exchanged = line.resolution() == v1::RESOLUTION_EXCHANGE;
    const int64_t new_value = NewItemsValue(ctx, line, value);
    // Without items nothing is known of what is sent, so no refund is owed
    // yet (the exchange order is parked as incomplete).
    if (!value.exchanged || !value.has_items) continue;
    value.difference = new_value;
    const int l = ctx.OrderLine(line.order_line_id());
    if (!line.component_sku().empty() &&
        ctx.Paid(l, line.component_sku()) == nullptr) {
      value.unvalued = true;  // The exchange order is parked for it.
      continue;
    }
    const int64_t quantity = std::max<int64_t>(
        0, std::min(line.quantity(), taken.Left(l, line.component_sku())));
    value.excess = line.quantity() - quantity;
    if (quantity <= 0) continue;
    const ReturnQuantity q{line.order_line_id(), line.component_sku(),
                           quantity};
    RETCON_ASSIGN_OR_RETURN(value.returned,
                            ReturnedValue(ctx, taken, q, options));
    value.difference = new_value - value.returned.gross;
    taken.Take(l, line.component_sku(), quantity, q);
  }
  return absl::OkStatus();
}

}  // namespace plan_internal
}  // namespace retcon
