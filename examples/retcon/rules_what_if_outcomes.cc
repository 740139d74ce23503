#include "examples/retcon/rules_what_if_outcomes.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "retcon/money.h"
#include "retcon/v1/plan.pb.h"

namespace retcon {
namespace cli {
namespace {

constexpr char kReturnLevel[] = "(return)";

std::string Short(absl::string_view enum_name, absl::string_view prefix) {
  absl::ConsumePrefix(&enum_name, prefix);
  return std::string(enum_name);
}

std::string Amount(const v1::Money& money) {
  absl::StatusOr<int> exponent = CurrencyExponent(money.currency_code());
  return absl::StrCat(
      money.currency_code(), " ",
      FormatMinorUnits(money.minor_units(), exponent.ok() ? *exponent : 2));
}

// What one plan did, as text per return line (and kReturnLevel).
class LineOutcomes {
 public:
  LineOutcomes(const v1::ReturnRequest& ret, const v1::PostingPlan& plan) {
    for (const v1::ReturnLine& line : ret.lines())
      lines_[line.return_line_id()];
    lines_[kReturnLevel];
    for (const auto& m : plan.stock_movements()) AddMovement(m, false);
    for (const auto& m : plan.parked_stock_movements()) AddMovement(m, true);
    for (const auto& o : plan.exchange_orders()) AddExchange(o, false);
    for (const auto& o : plan.parked_exchange_orders()) AddExchange(o, true);
    for (const auto& n : plan.credit_notes()) AddCredit(n, false);
    for (const auto& n : plan.parked_credit_notes()) AddCredit(n, true);
    for (const v1::Exception& e : plan.exceptions()) AddException(e);
  }

  std::map<std::string, std::string> Texts() const {
    std::map<std::string, std::string> texts;
    for (const auto& [id, o] : lines_) {
      const std::string exceptions =
          o.exceptions.empty() ? "-" : absl::StrJoin(o.exceptions, ",");
      if (id == kReturnLevel) {
        texts[id] = absl::StrCat(
            "shipping=",
            o.shipping.empty() ? "-" : absl::StrJoin(o.shipping, "+"),
            " exceptions=", exceptions);
        continue;
      }
      texts[id] = absl::StrCat(
          "stock=", Join(o.stock), " credit=", Join(o.credit),
          " exchange=", Join(o.exchange), " exceptions=", exceptions);
    }
    return texts;
  }

 private:
  struct Outcome {
    std::set<std::string> stock, credit, exchange, exceptions;
    std::vector<std::string> shipping;
  };

  static std::string Join(const std::set<std::string>& parts) {
    return parts.empty() ? "-" : absl::StrJoin(parts, ",");
  }

  Outcome& Line(const std::string& id) {
    auto it = lines_.find(id);
    return it == lines_.end() ? lines_[kReturnLevel] : it->second;
  }

  void AddMovement(const v1::StockMovement& m, bool held) {
    std::string text =
        held ? "held"
             : absl::StrCat(m.depot(), "/",
                            Short(v1::Disposition_Name(m.disposition()),
                                  "DISPOSITION_"));
    Line(m.return_line_id()).stock.insert(text);
    keys_[m.id().idempotency_key()].insert(m.return_line_id());
  }

  void AddExchange(const v1::ExchangeOrder& o, bool held) {
    for (const v1::ExchangeOrderLine& l : o.lines()) {
      if (l.return_line_id().empty()) continue;
      Line(l.return_line_id()).exchange.insert(held ? "held" : o.order_type());
      keys_[o.id().idempotency_key()].insert(l.return_line_id());
    }
  }

  void AddCredit(const v1::CreditNote& n, bool held) {
    for (const v1::RefundLine& l : n.lines()) {
      if (l.kind() == v1::CREDIT_LINE_KIND_SHIPPING) {
        Line(kReturnLevel)
            .shipping.push_back(
                absl::StrCat(Amount(l.gross()), held ? " held" : ""));
        continue;
      }
      if (l.return_line_id().empty()) continue;
      Line(l.return_line_id()).credit.insert(held ? "held" : "ready");
      keys_[n.id().idempotency_key()].insert(l.return_line_id());
    }
  }

  void AddException(const v1::Exception& e) {
    const std::string code =
        Short(v1::ExceptionCode_Name(e.code()), "EXCEPTION_CODE_");
    bool placed = false;
    for (const std::string& key : e.parked_keys()) {
      auto it = keys_.find(key);
      if (it == keys_.end()) continue;
      for (const std::string& line : it->second) {
        Line(line).exceptions.insert(code);
        placed = true;
      }
    }
    if (!placed) Line(kReturnLevel).exceptions.insert(code);
  }

  std::map<std::string, Outcome> lines_;
  std::map<std::string, std::set<std::string>> keys_;  // Key -> lines.
};

}  // namespace

std::map<std::string, std::string> WhatIfSide::Outcomes(
    const v1::SalesOrder& order, const v1::ReturnRequest& ret) {
  v1::OrderHistory& history = histories_[order.order_id()];
  if (history.order_id().empty()) history.set_order_id(order.order_id());
  absl::StatusOr<v1::PostingPlan> plan = planner_->Plan(order, ret, history);
  if (!plan.ok()) {
    return {
        {kReturnLevel, absl::StrCat("<error: ", plan.status().message(), ">")}};
  }
  (void)planner_->RecordPlan(order, *plan, &history);
  for (const v1::Exception& e : plan->exceptions()) {
    ++exceptions_[Short(v1::ExceptionCode_Name(e.code()), "EXCEPTION_CODE_")];
  }
  return LineOutcomes(ret, *plan).Texts();
}

std::string WhatIfSide::ExceptionCounts() const {
  if (exceptions_.empty()) return "none";
  std::vector<std::string> parts;
  for (const auto& [code, count] : exceptions_) {
    parts.push_back(absl::StrCat(code, " ", count));
  }
  return absl::StrJoin(parts, ", ");
}

void OutcomeTally::Add(const std::string& return_id,
                       const std::map<std::string, std::string>& before,
                       std::map<std::string, std::string> after) {
  for (const auto& entry : before) after.emplace(entry.first, "-");
  for (const auto& [line, new_text] : after) {
    ++outcomes_;
    const auto it = before.find(line);
    const std::string old_text = it == before.end() ? "-" : it->second;
    if (old_text == new_text) continue;
    ++changed_;
    changed_returns_.insert(return_id);
    ChangeGroup& group = groups_[{old_text, new_text}];
    ++group.count;
    if (static_cast<int>(group.examples.size()) < max_examples_) {
      group.examples.push_back(line == kReturnLevel
                                   ? return_id
                                   : absl::StrCat(return_id, "/", line));
    }
  }
}

}  // namespace cli
}  // namespace retcon
