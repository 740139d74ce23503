// Credit notes: one per refund event, valued from the sales order (never
// copied from the returns platform), validated against what the platform
// refunded.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "lib/apportion/internal/fields.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/content_fingerprint.h"
#include "lib/plan/internal/enum_names.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/allocation.h"
#include "retcon/idempotency.h"
#include "retcon/tax.h"

namespace retcon {
namespace plan_internal {

std::string CreditNoteIdentity(const v1::ReturnRequest& ret,
                               const v1::RefundTransaction* refund) {
  absl::InlinedVector<absl::string_view, 3> segments = {ret.source(),
                                                        ret.return_id()};
  if (refund != nullptr) segments.push_back(refund->refund_id());
  return CanonicalIdentity(
      refund != nullptr ? "credit-note" : "credit-note-final", segments);
}

namespace {

// A refund transaction, or the lines a finalised return still owes.
struct CreditEvent {
  const v1::RefundTransaction* refund = nullptr;  // nullptr: finalised
  int refund_index = -1;
  absl::InlinedVector<int, 8> lines;  // Return line indexes, in order.
  bool return_fees = false;           // Carries the fees on the whole return.
  RefundCover* cover = nullptr;       // Of the return's transactions.
  // A transaction every line of which a failed refund's posted note holds:
  // no note of its own, only its amount checked against that note's.
  bool stands_in = false;
};

v1::ExceptionDetail Detail(std::string field, std::string expected,
                           std::string actual) {
  v1::ExceptionDetail d;
  d.set_field(std::move(field));
  d.set_expected(std::move(expected));
  d.set_actual(std::move(actual));
  return d;
}

// Units of a line (or component) not yet credited nor exchanged, per the
// working history; whole bundles count complete sets.
int64_t Remaining(const PlanContext& ctx, int order_line,
                  absl::string_view component) {
  const std::string& line_id = ctx.order.lines(order_line).line_id();
  auto left = [&](const PaidLine& paid, absl::string_view sku) {
    const v1::LineHistory* h = ctx.History(line_id, sku);
    return paid.units -
           (h == nullptr ? 0
                         : h->credited_quantity() + h->exchanged_quantity());
  };
  const PaidLine& line = ctx.figures.lines[order_line];
  if (!component.empty()) {
    const PaidLine* paid = ctx.Paid(order_line, component);
    return paid == nullptr ? 0 : left(*paid, component);
  }
  if (line.component_begin == line.component_end) return left(line, "");
  int64_t sets = line.units;
  for (int c = line.component_begin; c < line.component_end; ++c) {
    const PaidLine& paid = ctx.figures.components[c];
    const int64_t per_bundle = paid.units / line.units;
    sets = std::min(sets, left(paid, paid.sku) / per_bundle);
  }
  return sets;
}

// Whether every unit of every order line is credited or exchanged once
// `returns` are.
bool AllReturnedAfter(const PlanContext& ctx,
                      const std::vector<ReturnQuantity>& returns) {
  for (int l = 0; l < ctx.order.lines_size(); ++l) {
    const PaidLine& line = ctx.figures.lines[l];
    const std::string& id = ctx.order.lines(l).line_id();
    auto now = [&](absl::string_view component, int64_t per_bundle) {
      int64_t n = 0;
      for (const ReturnQuantity& q : returns) {
        if (q.order_line_id != id) continue;
        if (q.component_sku == component) n += q.quantity;
        if (!component.empty() && q.component_sku.empty()) {
          n += q.quantity * per_bundle;
        }
      }
      return n;
    };
    if (line.component_begin == line.component_end) {
      if (Remaining(ctx, l, "") - now("", 1) > 0) return false;
      continue;
    }
    for (int c = line.component_begin; c < line.component_end; ++c) {
      const PaidLine& paid = ctx.figures.components[c];
      if (Remaining(ctx, l, paid.sku) - now(paid.sku, paid.units / line.units) >
          0) {
        return false;
      }
    }
  }
  return true;
}

// The fingerprint of the note's canonical content.
Uuid ContentOf(const PlanContext& ctx, const CreditEvent& event) {
  ContentFingerprint content;
  content.Add("kind",
              event.refund != nullptr ? "credit-note" : "credit-note-final");
  if (event.refund != nullptr) {
    content.Add("refund_id", event.refund->refund_id())
        .Add("amount", event.refund->amount().minor_units())
        .Add("currency", ctx.currency())
        .Add("method", EnumName(event.refund->method()));
  }
  for (int r : event.lines) {
    const v1::ReturnLine& line = ctx.ret.lines(r);
    content.Add("line", line.return_line_id())
        .Add("order_line_id", line.order_line_id())
        .Add("component_sku", line.component_sku())
        .Add("quantity", line.quantity())
        .Add("resolution", EnumName(line.resolution()));
  }
  for (const v1::Fee& fee : ctx.ret.fees()) {
    const bool here =
        fee.return_line_id().empty()
            ? event.return_fees
            : std::any_of(event.lines.begin(), event.lines.end(), [&](int r) {
                return ctx.ret.lines(r).return_line_id() ==
                       fee.return_line_id();
              });
    if (!here) continue;
    content.Add("fee", EnumName(fee.type()))
        .Add("fee_amount", fee.amount().minor_units())
        .Add("fee_line", fee.return_line_id())
        .Add("fee_tax_rate", fee.tax_rate());
  }
  return content.Finish();
}

std::string IdentityOf(const PlanContext& ctx, const CreditEvent& event) {
  return CreditNoteIdentity(ctx.ret, event.refund);
}

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
void Total(const PlanContext& ctx, v1::CreditNote& note) {
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

// What the order has paid and not yet had credited (goods and shipping).
int64_t StillRefundable(const PlanContext& ctx) {
  int64_t credited = 0;
  for (const v1::LineHistory& h : ctx.working.lines()) {
    if (h.has_credited_gross() || h.credited_quantity() == 0) {
      credited += h.credited_gross().minor_units();
      continue;
    }
    // Quantities without amounts were credited by the cumulative rule.
    const int l = ctx.OrderLine(h.order_line_id());
    const PaidLine* paid = l < 0 ? nullptr : ctx.Paid(l, h.component_sku());
    if (paid == nullptr || paid->units <= 0) continue;
    absl::StatusOr<int64_t> share = CumulativeShare(
        paid->paid.gross, std::min(h.credited_quantity(), paid->units),
        paid->units, ctx.config.options.rounding);
    if (share.ok()) credited += *share;
  }
  for (const v1::ShippingHistory& s : ctx.working.shipping()) {
    credited += s.credited_gross().minor_units();
  }
  return ctx.order_paid_minor - credited;
}

std::string SharedReason(const PlanContext& ctx, absl::Span<const int> lines) {
  std::string reason;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& r = ctx.ret.lines(lines[i]).reason_code();
    if (i == 0) {
      reason = r;
    } else if (r != reason) {
      return "MIXED";
    }
  }
  return reason;
}

class EventPlanner {
 public:
  // `record`: whether to add the note to ctx.working for the postings
  // planned after it (none follow the last note: Plan() ends with them).
  EventPlanner(PlanContext& ctx, const CreditEvent& event, bool record)
      : ctx_(ctx), event_(event), record_(record) {}

  absl::Status Run() {
    if (event_.stands_in) return CheckStandIn();
    // Built in place; moved to the parked list, or removed, as it turns out.
    note_ = ctx_.plan.add_credit_notes();
    SetPostingId(IdentityOf(ctx_, event_), ContentOf(ctx_, event_),
                 note_->mutable_id());
    RETCON_ASSIGN_OR_RETURN(
        Replay replay,
        CheckReplay(ctx_, note_->id(), v1::POSTING_KIND_CREDIT_NOTE,
                    "credit note"));
    if (replay != Replay::kNew) {
      ctx_.plan.mutable_credit_notes()->RemoveLast();
      return absl::OkStatus();
    }
    note_->set_order_id(ctx_.order.order_id());
    note_->set_order_number(ctx_.order.order_number());
    note_->set_source(ctx_.ret.source());
    note_->set_return_id(ctx_.ret.return_id());
    if (event_.refund != nullptr) {
      note_->set_refund_id(event_.refund->refund_id());
    }
    note_->set_currency_code(ctx_.currency());

    std::vector<ReturnQuantity> returns = GoodsQuantities();
    RETCON_RETURN_IF_ERROR(Apportion(returns));
    bool owed_on_exchange = false;
    for (int r : event_.lines) {
      // EXCHANGE lines, and lines of no resolution an exchange item names.
      if (!ctx_.exchange_values[r].exchanged) continue;
      RETCON_ASSIGN_OR_RETURN(std::optional<v1::RefundLine> line,
                              DifferenceLine(ctx_, r));
      if (!line) continue;
      *note_->add_lines() = *std::move(line);
      owed_on_exchange = true;
    }
    if (owed_on_exchange && ctx_.exchange_parked) {
      Issue issue;
      issue.code = v1::EXCEPTION_CODE_INCOMPLETE_EXCHANGE;
      issue.message = absl::StrCat(
          "The refund owed on the exchange for order ",
          ctx_.order.order_number(),
          " is held back with its exchange order, which is held back too "
          "(see that exception). Both go through once it is resolved.");
      issue.details.push_back(Detail("exchange_order", "posted", "held back"));
      issues_.push_back(std::move(issue));
    }
    for (const v1::Fee& fee : ctx_.ret.fees()) {
      if (!FeeHere(fee)) continue;
      RETCON_ASSIGN_OR_RETURN(v1::RefundLine line, FeeLine(ctx_, fee));
      *note_->add_lines() = std::move(line);
    }
    Total(ctx_, *note_);
    RETCON_RETURN_IF_ERROR(Validate());
    SetTender();

    RETCON_ASSIGN_OR_RETURN(
        bool parked, RaiseIssues(ctx_, issues_, note_->id().idempotency_key()));
    if (parked) {
      MoveLast(ctx_.plan.mutable_credit_notes(),
               ctx_.plan.mutable_parked_credit_notes());
      return absl::OkStatus();
    }
    if (refund_ && record_) {
      ApportionOptions options = Options();
      RETCON_RETURN_IF_ERROR(apportion_internal::RecordWithFigures(
          ctx_.order, ctx_.figures, *refund_, &ctx_.working, options));
    }
    return absl::OkStatus();
  }

 private:
  // The amount check of a transaction standing in for a held note, on an
  // empty scratch note: blocking issues park nothing (there is no note).
  absl::Status CheckStandIn() {
    note_ = ctx_.plan.add_credit_notes();
    Total(ctx_, *note_);
    const absl::Status status = Validate();
    ctx_.plan.mutable_credit_notes()->RemoveLast();
    note_ = nullptr;
    RETCON_RETURN_IF_ERROR(status);
    return RaiseIssues(ctx_, issues_, "").status();
  }

  ApportionOptions Options() const {
    ApportionOptions options;
    options.rounding = ctx_.config.options.rounding;
    options.catalog = &ctx_.config.catalog;
    options.include_shipping = include_shipping_;
    return options;
  }

  bool FeeHere(const v1::Fee& fee) const {
    if (fee.return_line_id().empty()) return event_.return_fees;
    return std::any_of(event_.lines.begin(), event_.lines.end(), [&](int r) {
      return ctx_.ret.lines(r).return_line_id() == fee.return_line_id();
    });
  }

  // Units of a line or component this event has taken so far, per order
  // line and SKU (components of bundle lines; the line's own SKU otherwise).
  struct Taken {
    int order_line;
    absl::string_view sku;
    int64_t units;
  };

  int64_t TakenOf(int l, absl::string_view sku) const {
    for (const Taken& t : taken_) {
      if (t.order_line == l && t.sku == sku) return t.units;
    }
    return 0;
  }
  void Take(int l, absl::string_view sku, int64_t units) {
    for (Taken& t : taken_) {
      if (t.order_line == l && t.sku == sku) {
        t.units += units;
        return;
      }
    }
    taken_.push_back(Taken{l, sku, units});
  }

  // What is still refundable of a line, component or whole bundles once
  // this event's earlier lines are taken: whole bundles and single
  // components of one line draw on the same component units.
  int64_t Left(int l, absl::string_view component) const {
    const PaidLine& line = ctx_.figures.lines[l];
    if (!component.empty() || line.component_begin == line.component_end) {
      return Remaining(ctx_, l, component) - TakenOf(l, component);
    }
    int64_t sets = line.units;
    for (int c = line.component_begin; c < line.component_end; ++c) {
      const PaidLine& paid = ctx_.figures.components[c];
      const int64_t per_bundle = paid.units / line.units;
      sets =
          std::min(sets, (Remaining(ctx_, l, paid.sku) - TakenOf(l, paid.sku)) /
                             per_bundle);
    }
    return sets;
  }
  void Consume(int l, absl::string_view component, int64_t quantity) {
    const PaidLine& line = ctx_.figures.lines[l];
    if (!component.empty() || line.component_begin == line.component_end) {
      Take(l, component, quantity);
      return;
    }
    for (int c = line.component_begin; c < line.component_end; ++c) {
      const PaidLine& paid = ctx_.figures.components[c];
      Take(l, paid.sku, quantity * (paid.units / line.units));
    }
  }

  // The goods units of the event, merged per line and component, capped at
  // what remains refundable (an OVER_REFUND issue for the excess).
  std::vector<ReturnQuantity> GoodsQuantities() {
    std::vector<ReturnQuantity> returns;
    returns.reserve(event_.lines.size());
    for (int r : event_.lines) {
      const v1::ReturnLine& line = ctx_.ret.lines(r);
      // Exchanged units are not refunded: only a difference owed on them is
      // (DifferenceLine), whatever the line's resolution.
      if (ctx_.exchange_values[r].exchanged) continue;
      auto field = [r](absl::string_view name) {
        return absl::StrCat("return.lines[", r, "].", name);
      };
      const int l = ctx_.OrderLine(line.order_line_id());
      if (!line.component_sku().empty() &&
          ctx_.Paid(l, line.component_sku()) == nullptr) {
        const UnknownComponent why =
            DescribeUnknownComponent(ctx_, l, line.component_sku());
        Issue issue;
        issue.code = v1::EXCEPTION_CODE_UNKNOWN_BUNDLE;
        issue.message = absl::StrCat(
            "Line '", line.return_line_id(), "' returns component ",
            line.component_sku(), " of order line '", line.order_line_id(),
            "', but ", why.reason,
            ", so its refund cannot be valued. The credit note is held back. ",
            why.action);
        issue.details.push_back(Detail(field("component_sku"),
                                       "a component with a known price share",
                                       line.component_sku()));
        issues_.push_back(std::move(issue));
        continue;
      }
      auto same = [&](const ReturnQuantity& q) {
        return q.order_line_id == line.order_line_id() &&
               q.component_sku == line.component_sku();
      };
      auto it = std::find_if(returns.begin(), returns.end(), same);
      const int64_t left = Left(l, line.component_sku());
      const int64_t quantity =
          std::min(line.quantity(), std::max<int64_t>(left, 0));
      if (quantity < line.quantity()) {
        Issue issue;
        issue.code = v1::EXCEPTION_CODE_OVER_REFUND;
        if (const PaidLine* paid = ctx_.Paid(l, line.component_sku());
            paid != nullptr && paid->units > 0) {
          // Roughly what the excess units paid, for the routing rules.
          issue.amount_minor =
              paid->paid.gross / paid->units * (line.quantity() - quantity);
        }
        issue.message = absl::StrCat(
            "Line '", line.return_line_id(), "' refunds ", line.quantity(),
            " x ",
            line.component_sku().empty() ? line.platform_sku()
                                         : line.component_sku(),
            " of order ", ctx_.order.order_number(), ", but ",
            left <= 0   ? "none of those units is"
            : left == 1 ? "only 1 of those units is"
                        : absl::StrCat("only ", left, " of those units are"),
            " still refundable (the rest were already credited or "
            "exchanged). The credit note is held back: check for a refund "
            "made twice.");
        issue.details.push_back(Detail(
            field("quantity"), absl::StrCat("<= ", std::max<int64_t>(left, 0)),
            absl::StrCat(line.quantity())));
        issues_.push_back(std::move(issue));
      }
      if (quantity == 0) continue;
      Consume(l, line.component_sku(), quantity);
      if (it != returns.end()) {
        it->quantity += quantity;
      } else {
        returns.push_back(ReturnQuantity{line.order_line_id(),
                                         line.component_sku(), quantity});
      }
    }
    return returns;
  }

  void FillFact(v1::RefundFact& fact, int64_t computed) const {
    FillCommonFacts(ctx_, fact.mutable_source(), fact.mutable_currency_code(),
                    fact.mutable_country_code(), fact.mutable_channel());
    fact.set_reason_code(SharedReason(ctx_, event_.lines));
    fact.set_method(Method());
    fact.set_out_of_policy(ctx_.ret.out_of_policy());
    if (ctx_.days_since_order)
      fact.set_days_since_order(*ctx_.days_since_order);
    if (event_.refund != nullptr) {
      fact.set_refunded_minor(event_.refund->amount().minor_units());
    }
    fact.set_computed_minor(computed);
  }

  // Goods (and shipping, per refund_policy) from the apportioning core.
  absl::Status Apportion(const std::vector<ReturnQuantity>& returns) {
    all_returned_ = AllReturnedAfter(ctx_, returns);
    // Goods first: the policy decision sees their value.
    absl::StatusOr<Refund> refund = apportion_internal::ApportionWithFigures(
        ctx_.order, ctx_.figures, ctx_.working, returns, Options());
    if (!refund.ok()) return refund.status();
    auto& fact = *ctx_.Scratch<v1::RefundFact>();
    FillFact(fact, refund->total.gross);
    fact.set_all_items_returned(all_returned_);
    RETCON_ASSIGN_OR_RETURN(
        const v1::Value* shipping,
        DecideOne(ctx_, ctx_.config.refund_policy, 0, fact));
    v1::ShippingRefund policy = v1::SHIPPING_REFUND_NEVER;
    if (shipping != nullptr && !ParseEnum(shipping->enum_value(), &policy)) {
      policy = v1::SHIPPING_REFUND_NEVER;
    }
    include_shipping_ =
        policy == v1::SHIPPING_REFUND_ALWAYS ||
        (policy == v1::SHIPPING_REFUND_WHEN_ALL_RETURNED && all_returned_);
    if (returns.empty() && !include_shipping_) return absl::OkStatus();
    if (include_shipping_) {  // The goods as they are, plus shipping.
      RETCON_RETURN_IF_ERROR(apportion_internal::AddShippingWithFigures(
          ctx_.order, ctx_.figures, ctx_.working, *refund));
    }
    FillCreditNote(*refund, note_);
    for (v1::RefundLine& line : *note_->mutable_lines()) {
      if (line.kind() != v1::CREDIT_LINE_KIND_GOODS) continue;
      for (int r : event_.lines) {
        const v1::ReturnLine& rl = ctx_.ret.lines(r);
        if (rl.order_line_id() == line.order_line_id() &&
            (rl.component_sku() == line.component_sku() ||
             rl.component_sku().empty())) {
          line.set_return_line_id(rl.return_line_id());
          break;
        }
      }
    }
    refund_ = *std::move(refund);
    return absl::OkStatus();
  }

  v1::Resolution Method() const {
    if (event_.refund != nullptr &&
        event_.refund->method() != v1::RESOLUTION_UNSPECIFIED) {
      return event_.refund->method();
    }
    for (int r : event_.lines) {
      v1::Resolution res = ctx_.ret.lines(r).resolution();
      if (IsRefundResolution(res)) return res;
    }
    return v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD;
  }

  void SetTender() {
    v1::Tender* tender = note_->add_tenders();
    tender->set_method(Method());
    ctx_.SetMoney(event_.refund != nullptr
                      ? event_.refund->amount().minor_units()
                      : note_->total_gross().minor_units(),
                  tender->mutable_amount());
    if (event_.refund != nullptr) {
      tender->set_refund_id(event_.refund->refund_id());
    }
  }

  absl::Status Validate() {
    const int64_t total = note_->total_gross().minor_units();
    ctx_.SetMoney(0, note_->mutable_variance());
    if (event_.refund == nullptr) return absl::OkStatus();
    const int64_t refunded = event_.refund->amount().minor_units();
    ctx_.SetMoney(refunded - total, note_->mutable_variance());
    if (ctx_.ret.status() == v1::RETURN_STATUS_REJECTED ||
        ctx_.ret.status() == v1::RETURN_STATUS_CANCELED) {
      Issue issue;
      issue.code = v1::EXCEPTION_CODE_REFUND_OUTSIDE_PLATFORM;
      issue.amount_minor = refunded;
      issue.message = absl::StrCat(
          "Refund ", event_.refund->refund_id(), " of ", ctx_.Format(refunded),
          " was paid on return ", ctx_.ret.return_id(), ", which is ",
          ctx_.ret.status() == v1::RETURN_STATUS_REJECTED ? "rejected"
                                                          : "cancelled",
          ": money went back outside the returns process. The credit note is "
          "held back; find out who authorised the refund.");
      issue.details.push_back(Detail("return.status",
                                     "an open or finalised return",
                                     v1::ReturnStatus_Name(ctx_.ret.status())));
      issues_.push_back(std::move(issue));
    }
    // Units beyond what remains refundable are already an OVER_REFUND: a
    // variance against the capped value would say the same thing twice.
    const bool over =
        std::any_of(issues_.begin(), issues_.end(), [](const Issue& i) {
          return i.code == v1::EXCEPTION_CODE_OVER_REFUND;
        });
    // Lines a failed refund's posted note still credits are not "left to
    // refund" by the history's count: what that note credits for them
    // counts as paid for by this transaction too, when it says so.
    RefundCover::Transaction& self = event_.cover->refunds[event_.refund_index];
    const std::string held =
        DescribeHeldLines(ctx_, *event_.cover, event_.refund_index);
    // Held lines an earlier transaction pays for count for nothing here:
    // each held line is paid for once.
    std::vector<int> payers;
    int64_t held_value = 0;
    if (!held.empty()) {
      RETCON_ASSIGN_OR_RETURN(
          held_value,
          HeldValueLeft(ctx_, *event_.cover, event_.refund_index, &payers));
    }
    std::string counted;  // What the message says of the held lines.
    if (!held.empty()) {
      counted = absl::StrCat(" (counting ", ctx_.Format(held_value),
                             " for its items already credited: ", held);
      if (!payers.empty()) {
        std::vector<std::string> ids;
        for (int j : payers) ids.push_back(ctx_.ret.refunds(j).refund_id());
        const std::string last = ids.back();
        ids.pop_back();
        absl::StrAppend(&counted, "; refund", ids.empty() ? " " : "s ",
                        absl::StrJoin(ids, ", "), ids.empty() ? "" : " and ",
                        last, ", listed before it, already paid for ",
                        held_value == 0 ? "them" : "some of them");
      }
      absl::StrAppend(&counted, ")");
    }
    self.own_value = total;
    if (!held.empty()) self.paid = RefundCover::Transaction::Paid::kNeither;
    const int64_t refundable = StillRefundable(ctx_) + held_value;
    if (!over && refunded > refundable) {
      Issue issue;
      issue.code = v1::EXCEPTION_CODE_OVER_REFUND;
      issue.amount_minor = refunded - refundable;
      issue.message = absl::StrCat(
          "Refund ", event_.refund->refund_id(), " paid ",
          ctx_.Format(refunded), ", but order ", ctx_.order.order_number(),
          " has only ", ctx_.Format(refundable),
          " left that was paid and not yet credited", counted,
          event_.stands_in
              ? absl::StrCat(". ", event_.refund->refund_id(),
                             " gets no credit note of its own, so nothing is "
                             "held back: recover the excess or record why it "
                             "was paid.")
              : ". The credit note is held back; recover the excess or "
                "record why it was paid.");
      issue.details.push_back(
          Detail(AmountField(), absl::StrCat("<= ", ctx_.Format(refundable)),
                 ctx_.Format(refunded)));
      issues_.push_back(std::move(issue));
      return absl::OkStatus();
    }
    if (over) return absl::OkStatus();
    if (!held.empty()) return ValidateHeld(held, held_value);
    const int64_t variance = refunded - total;
    // An exact refund is within any tolerance: the decision is consulted
    // only when the amounts differ.
    if (variance == 0) return absl::OkStatus();
    RETCON_ASSIGN_OR_RETURN(const int64_t allowed, Allowed(total));
    if (variance <= allowed && -variance <= allowed) return absl::OkStatus();
    Issue issue;
    issue.code = v1::EXCEPTION_CODE_REFUND_VARIANCE;
    issue.amount_minor = variance;
    issue.message = absl::StrCat(
        "The returns platform refunded ", ctx_.Format(refunded), " (refund ",
        event_.refund->refund_id(),
        "), but the order's prices, discounts, fees and tax make the "
        "returned items worth ",
        ctx_.Format(total), ": a difference of ",
        ctx_.Format(variance < 0 ? -variance : variance), ", more than the ",
        ctx_.Format(allowed),
        " allowed. The credit note is held back. Check the refund in the "
        "returns platform; post the credit note once the figures agree or the "
        "difference is approved.");
    issue.details.push_back(
        Detail(AmountField(), ctx_.Format(total), ctx_.Format(refunded)));
    issues_.push_back(std::move(issue));
    return absl::OkStatus();
  }

  // The most a refund may differ from `computed`, per refund_tolerance.
  absl::StatusOr<int64_t> Allowed(int64_t computed) const {
    auto& fact = *ctx_.Scratch<v1::RefundFact>();
    FillFact(fact, computed);
    fact.set_all_items_returned(all_returned_);
    const v1::Value* limits[2] = {nullptr, nullptr};
    RETCON_RETURN_IF_ERROR(
        Decide(ctx_, ctx_.config.refund_tolerance, fact, limits));
    const int64_t absolute =
        limits[0] == nullptr ? 0 : std::max<int64_t>(limits[0]->int_value(), 0);
    const int64_t basis_points =
        limits[1] == nullptr ? 0 : std::max<int64_t>(limits[1]->int_value(), 0);
    RETCON_ASSIGN_OR_RETURN(
        int64_t relative,
        DivideRounded(
            absl::int128(computed < 0 ? -computed : computed) * basis_points,
            10000, ctx_.config.options.rounding));
    return std::max(absolute, relative);
  }

  // The amount check of a transaction some (`held` describes which) or all
  // of whose lines a failed refund's posted note credits, for `held_value`.
  // It paid for those items too when its amount is (within tolerance) that
  // note's value plus its own note's; it paid only for its other items when
  // its amount is its own note's alone. Otherwise its note is held back.
  absl::Status ValidateHeld(const std::string& held, int64_t held_value) {
    using Paid = RefundCover::Transaction::Paid;
    RefundCover::Transaction& self = event_.cover->refunds[event_.refund_index];
    const int64_t own = note_->total_gross().minor_units();
    const int64_t refunded = event_.refund->amount().minor_units();
    const int64_t all = own + held_value;
    auto off = [refunded](int64_t v) {
      return refunded < v ? v - refunded : refunded - v;
    };
    RETCON_ASSIGN_OR_RETURN(const int64_t allowed, Allowed(all));
    if (off(all) <= allowed) {
      self.paid = Paid::kHeldToo;
      return absl::OkStatus();
    }
    const std::string& id = event_.refund->refund_id();
    Issue issue;
    issue.code = v1::EXCEPTION_CODE_REFUND_VARIANCE;
    issue.amount_minor = refunded - all;
    if (event_.stands_in) {
      issue.message = absl::StrCat(
          "The returns platform refunded ", ctx_.Format(refunded), " (refund ",
          id, "), but ", held, "; that credit note credits ",
          ctx_.Format(held_value), " for those items: a difference of ",
          ctx_.Format(off(all)), ", more than the ", ctx_.Format(allowed),
          " allowed. ", id,
          " gets no credit note of its own (that credit note stands for it), "
          "so nothing is held back. Check the refund in the returns platform; "
          "book any difference that is approved in the ERP by hand.");
      issue.details.push_back(
          Detail(AmountField(), ctx_.Format(all), ctx_.Format(refunded)));
      issues_.push_back(std::move(issue));
      return absl::OkStatus();
    }
    RETCON_ASSIGN_OR_RETURN(const int64_t allowed_own, Allowed(own));
    if (off(own) <= allowed_own) {
      self.paid = Paid::kOthersOnly;
      return absl::OkStatus();
    }
    issue.message = absl::StrCat(
        "The returns platform refunded ", ctx_.Format(refunded), " (refund ",
        id, "), but ", held, "; that credit note credits ",
        ctx_.Format(held_value),
        " for those items, and the order's prices, discounts, fees and tax "
        "make its other items worth ",
        ctx_.Format(own), ". So ", id, " should be for ", ctx_.Format(all),
        " if it paid for all its items, or ", ctx_.Format(own),
        " if it paid only for the others: it is ", ctx_.Format(off(all)),
        " off the first and ", ctx_.Format(off(own)),
        " off the second, more than the ",
        ctx_.Format(std::max(allowed, allowed_own)),
        " allowed. This credit note, for the other items only, is held back. "
        "Check the refund in the returns platform; post the credit note once "
        "the figures agree or the difference is approved.");
    issue.details.push_back(
        Detail(AmountField(),
               absl::StrCat(ctx_.Format(all), " (all its items) or ",
                            ctx_.Format(own), " (its other items only)"),
               ctx_.Format(refunded)));
    issues_.push_back(std::move(issue));
    return absl::OkStatus();
  }

  std::string AmountField() const {
    return absl::StrCat("return.refunds[", event_.refund_index, "].amount");
  }

  PlanContext& ctx_;
  const CreditEvent& event_;
  const bool record_;
  v1::CreditNote* note_ = nullptr;  // In ctx_.plan.credit_notes.
  std::optional<Refund> refund_;
  bool include_shipping_ = false;
  bool all_returned_ = false;  // After this event, every unit credited.
  absl::InlinedVector<Taken, 8> taken_;
  std::vector<Issue> issues_;
};

}  // namespace

absl::StatusOr<int64_t> FeesOf(const PlanContext& ctx,
                               absl::Span<const int> lines, bool return_fees) {
  int64_t deducted = 0;
  for (const v1::Fee& fee : ctx.ret.fees()) {
    const bool here = fee.return_line_id().empty()
                          ? return_fees
                          : std::any_of(lines.begin(), lines.end(), [&](int r) {
                              return ctx.ret.lines(r).return_line_id() ==
                                     fee.return_line_id();
                            });
    if (!here) continue;
    RETCON_ASSIGN_OR_RETURN(v1::RefundLine line, FeeLine(ctx, fee));
    deducted -= line.gross().minor_units();
  }
  return deducted;
}

bool PostedNoteOf(const PlanContext& ctx, int index,
                  absl::Span<const int> lines, bool* return_fees) {
  CreditEvent note;
  note.refund = &ctx.ret.refunds(index);
  note.refund_index = index;
  note.lines.assign(lines.begin(), lines.end());
  auto it = ctx.posted.find(RetconUuid(IdentityOf(ctx, note)));
  if (it == ctx.posted.end()) return false;
  for (const bool fees : {false, true}) {
    note.return_fees = fees;
    if (FormatUuid(ContentOf(ctx, note)) == it->second->fingerprint()) {
      *return_fees = fees;
      return true;
    }
  }
  return false;
}

namespace {

// Which of `events` carries the fees on the whole return (-1: none of
// them). The choice must not move once a note is posted: its content (and
// fingerprint) says whether it deducted them.
//  1. A credit note of the return already posted with the fees keeps them;
//     no other note deducts them again.
//  2. Else, while a posted note matches neither its content with the fees
//     nor without (a REPLAY_CONFLICT, or a transaction changed since), or
//     the finalised note is posted but not planned now, it may have
//     deducted them: no note deducts them until that is settled.
//  3. Else the first live refund transaction in payload order (live: not
//     FAILED or CANCELED, whatever else its state) whose note is not posted
//     yet: it carries them once its state triggers a note, and until then
//     no note does (the platform usually deducts a fee from its first
//     refund). With none, the finalised note, if this plan has one. A
//     transaction whose lines a failed transaction's posted note holds
//     has no note of its own, so it is passed over.
// So a transaction that fails hands the fees on to the next one not yet
// posted, and a note posted without them is never changed to carry them.
int ReturnFeeHolder(const PlanContext& ctx, const RefundCover& cover,
                    absl::Span<const CreditEvent> events) {
  if (std::none_of(
          ctx.ret.fees().begin(), ctx.ret.fees().end(),
          [](const v1::Fee& f) { return f.return_line_id().empty(); })) {
    return -1;
  }
  const CreditEvent* final_event = nullptr;
  for (const CreditEvent& event : events) {
    if (event.refund == nullptr) final_event = &event;
  }
  // Every distinct transaction as a note, then the finalised note.
  std::vector<CreditEvent> notes;
  for (int i = 0; i < ctx.ret.refunds_size(); ++i) {
    if (cover.refunds[i].repeated) continue;
    CreditEvent note;
    note.refund = &ctx.ret.refunds(i);
    note.refund_index = i;
    note.lines = cover.refunds[i].credited;
    notes.push_back(std::move(note));
  }
  if (final_event != nullptr) notes.push_back(*final_event);
  std::vector<bool> posted(notes.size(), false);
  int holder = -1;  // Into `notes`.
  bool unknown = false;
  for (size_t n = 0; n < notes.size() && holder < 0; ++n) {
    auto it = ctx.posted.find(RetconUuid(IdentityOf(ctx, notes[n])));
    if (it == ctx.posted.end()) continue;
    posted[n] = true;
    const std::string& fingerprint = it->second->fingerprint();
    notes[n].return_fees = true;
    if (FormatUuid(ContentOf(ctx, notes[n])) == fingerprint) {
      holder = static_cast<int>(n);
      continue;
    }
    notes[n].return_fees = false;
    unknown = unknown || FormatUuid(ContentOf(ctx, notes[n])) != fingerprint;
  }
  if (final_event == nullptr && holder < 0) {
    // A finalised note posted earlier that this plan does not plan (its
    // lines are covered by a transaction now): it may hold the fees.
    CreditEvent final_note;
    unknown =
        unknown || ctx.posted.contains(RetconUuid(IdentityOf(ctx, final_note)));
  }
  if (holder < 0 && unknown) return -1;
  for (size_t n = 0; n < notes.size() && holder < 0; ++n) {
    if (posted[n]) continue;
    if (notes[n].refund == nullptr) {
      holder = static_cast<int>(n);
      continue;
    }
    const RefundCover::Transaction& t = cover.refunds[notes[n].refund_index];
    if (t.live && !t.StandsIn()) holder = static_cast<int>(n);
  }
  if (holder < 0) return -1;
  for (size_t e = 0; e < events.size(); ++e) {
    if (notes[holder].refund == nullptr
            ? events[e].refund == nullptr
            : events[e].refund_index == notes[holder].refund_index) {
      return static_cast<int>(e);
    }
  }
  return -1;  // Its transaction does not trigger a note yet.
}

}  // namespace

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
  explicit ExchangeTaken(const PlanContext& ctx) : ctx_(ctx) {}

  // Units of the line, component or whole bundles still refundable once the
  // earlier lines' units are taken.
  int64_t Left(int l, absl::string_view component) const {
    const PaidLine& line = ctx_.figures.lines[l];
    if (!component.empty() || line.component_begin == line.component_end) {
      return Remaining(ctx_, l, component) - Of(l, component);
    }
    int64_t sets = line.units;
    for (int c = line.component_begin; c < line.component_end; ++c) {
      const PaidLine& paid = ctx_.figures.components[c];
      sets = std::min(sets, (Remaining(ctx_, l, paid.sku) - Of(l, paid.sku)) /
                                (paid.units / line.units));
    }
    return sets;
  }
  void Take(int l, absl::string_view component, int64_t quantity,
            const ReturnQuantity& as_returned) {
    const PaidLine& line = ctx_.figures.lines[l];
    if (!component.empty() || line.component_begin == line.component_end) {
      Add(l, component, quantity);
    } else {
      for (int c = line.component_begin; c < line.component_end; ++c) {
        const PaidLine& paid = ctx_.figures.components[c];
        Add(l, paid.sku, quantity * (paid.units / line.units));
      }
    }
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
  struct Units {
    int l;
    absl::string_view sku;
    int64_t units;
  };
  int64_t Of(int l, absl::string_view sku) const {
    for (const Units& u : units_) {
      if (u.l == l && u.sku == sku) return u.units;
    }
    return 0;
  }
  void Add(int l, absl::string_view sku, int64_t n) {
    for (Units& u : units_) {
      if (u.l == l && u.sku == sku) {
        u.units += n;
        return;
      }
    }
    units_.push_back(Units{l, sku, n});
  }

  const PlanContext& ctx_;
  std::vector<Units> units_;
  std::vector<ReturnQuantity> taken_;
};

}  // namespace

absl::Status ValueExchanges(PlanContext& ctx) {
  ctx.exchange_values.assign(ctx.ret.lines_size(),
                             PlanContext::ExchangeValue{});
  ApportionOptions options;
  options.rounding = ctx.config.options.rounding;
  options.catalog = &ctx.config.catalog;
  ExchangeTaken taken(ctx);
  for (int r = 0; r < ctx.ret.lines_size(); ++r) {
    const v1::ReturnLine& line = ctx.ret.lines(r);
    PlanContext::ExchangeValue& value = ctx.exchange_values[r];
    value.exchanged = line.resolution() == v1::RESOLUTION_EXCHANGE;
    int64_t new_value = 0;
    for (const v1::ExchangeItem& item : ctx.ret.exchange_items()) {
      if (item.return_line_id() != line.return_line_id()) continue;
      value.exchanged = true;
      value.has_items = true;
      new_value += item.unit_price().minor_units() * item.quantity();
    }
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
    // The units after those earlier lines of the return took: the refund
    // of both less the refund of theirs.
    std::vector<ReturnQuantity> before = taken.Before(line.order_line_id());
    std::vector<ReturnQuantity> with = before;
    with.push_back(q);
    RETCON_ASSIGN_OR_RETURN(
        Refund refund, apportion_internal::ApportionWithFigures(
                           ctx.order, ctx.figures, ctx.working, with, options));
    value.returned = refund.total;
    if (!before.empty()) {
      RETCON_ASSIGN_OR_RETURN(
          Refund earlier,
          apportion_internal::ApportionWithFigures(
              ctx.order, ctx.figures, ctx.working, before, options));
      value.returned = Minus(refund.total, earlier.total);
    }
    value.difference = new_value - value.returned.gross;
    taken.Take(l, line.component_sku(), quantity, q);
  }
  return absl::OkStatus();
}

namespace {

absl::Status ReportRepeatedRefund(PlanContext& ctx, int index) {
  const v1::RefundTransaction& refund = ctx.ret.refunds(index);
  std::vector<Issue> issues(1);
  issues[0].code = v1::EXCEPTION_CODE_DUPLICATE_SIGNAL;
  issues[0].message = absl::StrCat(
      "Refund ", refund.refund_id(), " appears more than once in return ",
      ctx.ret.return_id(),
      "; only its first entry was used. Nothing to do unless the entries "
      "differ.");
  issues[0].details.push_back(
      Detail(absl::StrCat("return.refunds[", index, "].refund_id"), "unique",
             refund.refund_id()));
  return RaiseIssues(ctx, issues, "").status();
}

// The finalised return's event: the lines owed money that neither a live
// transaction nor a failed one's posted note covers.
CreditEvent FinalEvent(const PlanContext& ctx, RefundCover& cover) {
  absl::InlinedVector<bool, 8> covered = {cover.held.begin(), cover.held.end()};
  for (const RefundCover::Transaction& t : cover.refunds) {
    if (t.repeated || !t.live) continue;
    for (int r : t.lines) covered[r] = true;
  }
  CreditEvent final_event;
  final_event.cover = &cover;
  for (int r = 0; r < ctx.ret.lines_size(); ++r) {
    if (covered[r]) continue;
    const v1::ReturnLine& line = ctx.ret.lines(r);
    bool owed = IsRefundResolution(line.resolution());
    // An exchanged line (EXCHANGE, or no resolution and named by an
    // exchange item) is owed the difference when the new items cost less.
    if (ctx.exchange_values[r].exchanged) {
      owed = ctx.exchange_values[r].difference < 0;
    }
    if (owed) final_event.lines.push_back(r);
  }
  return final_event;
}

}  // namespace

absl::Status PlanCreditNotes(PlanContext& ctx) {
  const Triggers& triggers = ctx.config.options.triggers;
  RETCON_ASSIGN_OR_RETURN(RefundCover cover, CoverOf(ctx));
  absl::InlinedVector<CreditEvent, 2> events;
  for (int i = 0; i < ctx.ret.refunds_size(); ++i) {
    const v1::RefundTransaction& refund = ctx.ret.refunds(i);
    const RefundCover::Transaction& t = cover.refunds[i];
    // A transaction whose every line a posted note holds, and with a note
    // of its own posted too, is reported with the held note (credited
    // twice).
    if (t.repeated || (t.StandsIn() && t.posted) ||
        std::find(triggers.refund_statuses.begin(),
                  triggers.refund_statuses.end(),
                  refund.status()) == triggers.refund_statuses.end()) {
      continue;
    }
    CreditEvent event;
    event.refund = &refund;
    event.refund_index = i;
    event.cover = &cover;
    // A transaction whose every line a posted note holds has that note:
    // only its amount is checked (its lines give the rules' facts).
    event.stands_in = t.StandsIn();
    event.lines = event.stands_in ? t.lines : t.credited;
    events.push_back(std::move(event));
  }
  if (InStatuses(ctx.ret.status(), triggers.finalised_statuses)) {
    CreditEvent final_event = FinalEvent(ctx, cover);
    if (!final_event.lines.empty()) events.push_back(std::move(final_event));
  }
  if (const int holder = ReturnFeeHolder(ctx, cover, events); holder >= 0) {
    events[holder].return_fees = true;
  }
  const int first = ctx.plan.exceptions_size();
  // The last note is not recorded into ctx.working: nothing planned after
  // it reads that (the reports below read only `cover`).
  for (size_t e = 0; e < events.size(); ++e) {
    const bool last = e + 1 == events.size();
    RETCON_RETURN_IF_ERROR(EventPlanner(ctx, events[e], !last).Run());
  }
  // What a failed refund's posted note stands for depends on what its
  // replacements' checks found, so it is reported after them, and placed
  // before their exceptions, in the order of the transactions.
  const int planned = ctx.plan.exceptions_size();
  for (int i = 0; i < ctx.ret.refunds_size(); ++i) {
    const RefundCover::Transaction& t = cover.refunds[i];
    if (t.repeated) {
      RETCON_RETURN_IF_ERROR(ReportRepeatedRefund(ctx, i));
    } else if (!t.live && t.posted) {
      RETCON_RETURN_IF_ERROR(ReportNoteOfFailedRefund(ctx, cover, i));
    }
  }
  auto* exceptions = ctx.plan.mutable_exceptions();
  std::rotate(exceptions->pointer_begin() + first,
              exceptions->pointer_begin() + planned, exceptions->pointer_end());
  return absl::OkStatus();
}

}  // namespace plan_internal
}  // namespace retcon
