// Helpers shared by the apportioning tests: readable protos, lookups in a
// Refund, and feeding a refund back into the order's history.
#ifndef RETCON_TESTS_APPORTION_APPORTION_TEST_UTIL_H_
#define RETCON_TESTS_APPORTION_APPORTION_TEST_UTIL_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "retcon/apportion.h"
#include "retcon/v1/history.pb.h"
#include "retcon/v1/order.pb.h"

namespace retcon {
namespace testing_internal {

// Parses a text-format proto; a parse error fails the current test.
template <typename Message>
Message ParseText(absl::string_view text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(std::string(text),
                                                            &message))
      << text;
  return message;
}

inline v1::SalesOrder ParseOrder(absl::string_view text) {
  return ParseText<v1::SalesOrder>(text);
}

// The tax at `rate` ("20") in `figures`, 0 when there is none.
inline int64_t TaxAt(const Figures& figures, absl::string_view rate) {
  for (const TaxShare& share : figures.taxes) {
    if (share.rate.ToString() == rate) return share.amount;
  }
  return 0;
}

inline std::string DebugString(const Figures& f) {
  std::string taxes;
  for (const TaxShare& share : f.taxes) {
    absl::StrAppend(&taxes, " ", share.rate.ToString(), "%:", share.amount);
  }
  return absl::StrCat("{gross ", f.gross, " discount ", f.discount, " net ",
                      f.net, " taxes", taxes, "}");
}

inline std::string DebugString(const Refund& refund) {
  std::string out = absl::StrCat("refund ", refund.currency_code, " total ",
                                 DebugString(refund.total));
  for (const RefundedLine& line : refund.lines) {
    absl::StrAppend(
        &out, "\n  ", line.kind == RefundedKind::kShipping ? "shipping " : "",
        line.order_line_id, "/", line.component_sku, " sku ", line.sku, " x",
        line.quantity, " ", DebugString(line.refund));
  }
  return out;
}

// The refunded goods line for a line (and component), or null.
inline const RefundedLine* FindGoods(const Refund& refund,
                                     absl::string_view line_id,
                                     absl::string_view component_sku = "") {
  for (const RefundedLine& line : refund.lines) {
    if (line.kind == RefundedKind::kGoods && line.order_line_id == line_id &&
        line.component_sku == component_sku) {
      return &line;
    }
  }
  return nullptr;
}

// Sum of the shipping lines of a refund (gross), 0 when none.
inline int64_t ShippingGross(const Refund& refund) {
  int64_t gross = 0;
  for (const RefundedLine& line : refund.lines) {
    if (line.kind == RefundedKind::kShipping) gross += line.refund.gross;
  }
  return gross;
}

inline void AddMoney(int64_t minor_units, absl::string_view currency,
                     v1::Money* money) {
  money->set_currency_code(std::string(currency));
  money->set_minor_units(money->minor_units() + minor_units);
}

inline void AddTaxes(const TaxShares& taxes, absl::string_view currency,
                     google::protobuf::RepeatedPtrField<v1::TaxAmount>* out) {
  for (const TaxShare& share : taxes) {
    v1::TaxAmount* entry = nullptr;
    for (v1::TaxAmount& existing : *out) {
      if (existing.rate() == share.rate.ToString()) entry = &existing;
    }
    if (entry == nullptr) {
      entry = out->Add();
      entry->set_rate(share.rate.ToString());
    }
    AddMoney(share.amount, currency, entry->mutable_amount());
  }
}

// Adds what `refund` credited to `history`, as a host would after posting
// it: quantities and amounts per line, component and shipping line.
inline void AddToHistory(const Refund& refund, v1::OrderHistory* history) {
  const std::string& currency = refund.currency_code;
  for (const RefundedLine& line : refund.lines) {
    if (line.kind == RefundedKind::kShipping) {
      v1::ShippingHistory* entry = nullptr;
      for (v1::ShippingHistory& s : *history->mutable_shipping()) {
        if (s.shipping_id() == line.order_line_id) entry = &s;
      }
      if (entry == nullptr) {
        entry = history->add_shipping();
        entry->set_shipping_id(line.order_line_id);
      }
      AddMoney(line.refund.gross, currency, entry->mutable_credited_gross());
      AddMoney(line.refund.discount, currency,
               entry->mutable_credited_discount());
      AddTaxes(line.refund.taxes, currency, entry->mutable_credited_taxes());
      continue;
    }
    v1::LineHistory* entry = nullptr;
    for (v1::LineHistory& h : *history->mutable_lines()) {
      if (h.order_line_id() == line.order_line_id &&
          h.component_sku() == line.component_sku) {
        entry = &h;
      }
    }
    if (entry == nullptr) {
      entry = history->add_lines();
      entry->set_order_line_id(line.order_line_id);
      entry->set_component_sku(line.component_sku);
    }
    entry->set_credited_quantity(entry->credited_quantity() + line.quantity);
    AddMoney(line.refund.gross, currency, entry->mutable_credited_gross());
    AddMoney(line.refund.discount, currency,
             entry->mutable_credited_discount());
    AddTaxes(line.refund.taxes, currency, entry->mutable_credited_taxes());
  }
}

}  // namespace testing_internal
}  // namespace retcon

#endif  // RETCON_TESTS_APPORTION_APPORTION_TEST_UTIL_H_
