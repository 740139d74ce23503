// The lines of a credit note other than the goods (fees, and refunds owed
// on exchanges), and its totals.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/credit_note.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/allocation.h"
#include "retcon/tax.h"

namespace retcon {
namespace plan_internal {

namespace {

void SetTaxes(const PlanContext& ctx, const TaxShares& taxes,
              v1::RefundLine* out) {
  int64_t sum = 0;
  for (const TaxShare& share : taxes) {
    v1::TaxAmount* t = out->add_taxes();
    t->set_rate(share.rate.ToString());
    ctx.SetMoney(share.amount, t->mutable_amount());
    sum += share.amount;
  }
  ctx.SetMoney(sum, out->mutable_tax());
}

}  // namespace

// A fee as a negative credit line.
absl::StatusOr<v1::RefundLine> FeeLine(const PlanContext& ctx,
                                       const v1::Fee& fee) {
  v1::RefundLine out;
  out.set_kind(v1::CREDIT_LINE_KIND_FEE);
  out.set_fee_type(fee.type());
  out.set_return_line_id(fee.return_line_id());
  for (const v1::ReturnLine& line : ctx.ret.lines()) {
    if (!fee.return_line_id().empty() &&
        line.return_line_id() == fee.return_line_id()) {
      out.set_order_line_id(line.order_line_id());
      out.set_component_sku(line.component_sku());
    }
  }
  const int64_t amount = fee.amount().minor_units();
  int64_t gross = amount;
  int64_t tax = 0;
  TaxShares taxes;
  if (!fee.tax_rate().empty()) {
    RETCON_ASSIGN_OR_RETURN(TaxRate rate, TaxRate::Parse(fee.tax_rate()));
    if (ctx.order.prices_include_tax()) {
      tax = ExtractTax(amount, rate, ctx.config.options.rounding).tax;
    } else {
      RETCON_ASSIGN_OR_RETURN(
          tax, TaxOnNet(amount, rate, ctx.config.options.rounding));
      gross = amount + tax;
    }
    taxes.push_back(TaxShare{rate, -tax});
  }
  ctx.SetMoney(-gross, out.mutable_gross());
  ctx.SetMoney(-(gross - tax), out.mutable_net());
  ctx.SetMoney(0, out.mutable_discount());
  SetTaxes(ctx, taxes, &out);
  return out;
}

absl::StatusOr<int64_t> FeesOf(const PlanContext& ctx,
                               absl::Span<const int> lines, bool return_fees) {
  int64_t deducted = 0;
  for (const v1::Fee& fee : ctx.ret.fees()) {
    if (!FeeOnNote(ctx, fee, lines, return_fees)) continue;
    RETCON_ASSIGN_OR_RETURN(v1::RefundLine line, FeeLine(ctx, fee));
    deducted -= line.gross().minor_units();
  }
  return deducted;
}

// The refund owed on exchange line `r` (new items cheaper than the returned
// units) as a credit line; nullopt when nothing is owed.
absl::StatusOr<std::optional<v1::RefundLine>> DifferenceLine(
    const PlanContext& ctx, int r) {
  const Figures& returned = ctx.exchange_values[r].returned;
  const int64_t difference = ctx.exchange_values[r].difference;
  if (difference >= 0 || returned.gross <= 0) return std::nullopt;
  const int64_t owed = -difference;
  // Split like the returned units: net and each rate in proportion.
  std::vector<int64_t> weights = {returned.net};
  for (const TaxShare& share : returned.taxes) weights.push_back(share.amount);
  RETCON_ASSIGN_OR_RETURN(std::vector<int64_t> shares,
                          AllocateByWeights(owed, weights));
  const v1::ReturnLine& line = ctx.ret.lines(r);
  v1::RefundLine out;
  out.set_kind(v1::CREDIT_LINE_KIND_EXCHANGE_DIFFERENCE);
  out.set_order_line_id(line.order_line_id());
  out.set_component_sku(line.component_sku());
  out.set_sku(line.component_sku().empty()
                  ? ctx.order.lines(ctx.OrderLine(line.order_line_id())).sku()
                  : line.component_sku());
  out.set_return_line_id(line.return_line_id());
  ctx.SetMoney(owed, out.mutable_gross());
  ctx.SetMoney(0, out.mutable_discount());
  ctx.SetMoney(shares[0], out.mutable_net());
  TaxShares taxes;
  for (size_t i = 0; i < returned.taxes.size(); ++i) {
    taxes.push_back(TaxShare{returned.taxes[i].rate, shares[i + 1]});
  }
  SetTaxes(ctx, taxes, &out);
  return out;
}

// Totals and tax summary of `note` from its lines.
void SetNoteTotals(const PlanContext& ctx, v1::CreditNote& note) {
  int64_t gross = 0;
  int64_t tax = 0;
  absl::InlinedVector<std::pair<TaxRate, int64_t>, 4> rates;
  for (const v1::RefundLine& line : note.lines()) {
    gross += line.gross().minor_units();
    tax += line.tax().minor_units();
    for (const v1::TaxAmount& t : line.taxes()) {
      TaxRate rate = TaxRate::Parse(t.rate()).value_or(TaxRate());
      auto it = std::find_if(rates.begin(), rates.end(),
                             [&](const auto& r) { return r.first == rate; });
      if (it == rates.end()) {
        rates.emplace_back(rate, t.amount().minor_units());
      } else {
        it->second += t.amount().minor_units();
      }
    }
  }
  std::sort(rates.begin(), rates.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  ctx.SetMoney(gross, note.mutable_total_gross());
  ctx.SetMoney(tax, note.mutable_total_tax());
  ctx.SetMoney(gross - tax, note.mutable_total_net());
  note.clear_tax_summary();
  for (const auto& [rate, amount] : rates) {
    v1::TaxAmount* t = note.add_tax_summary();
    t->set_rate(rate.ToString());
    ctx.SetMoney(amount, t->mutable_amount());
  }
}

}  // namespace plan_internal
}  // namespace retcon
