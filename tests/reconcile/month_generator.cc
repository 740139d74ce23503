#include "tests/reconcile/month_generator.h"

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "retcon/idempotency.h"

namespace retcon {
namespace testing {
namespace {

constexpr int32_t kNov1 = 20758;  // 2026-11-01 in days since 1970-01-01.
constexpr const char* kCurrencies[] = {"GBP", "EUR", "JPY"};

std::string DateOf(int32_t days) {
  // Hinnant's civil_from_days.
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  return absl::StrFormat("%04d-%02d-%02d", y, m, d);
}

void SetDay(google::protobuf::Timestamp* t, int32_t day) {
  t->set_seconds(int64_t{day} * 86400 + 43200);
}

// How a return's credit note and stock movement name it in the ERP.
enum class Posting { kKey, kReference, kOrderOnly };

Posting PostingOf(int64_t i) {
  const int64_t r = (i / 2) % 10;
  return r < 4   ? Posting::kKey
         : r < 8 ? Posting::kReference
                 : Posting::kOrderOnly;
}

struct Clean {
  v1::ReturnRequest ret;
  v1::ErpDocument credit;
  v1::ErpDocument stock;
  v1::GatewayRefund gateway;
};

Clean MakeFinalised(int64_t i, std::mt19937_64& rng) {
  Clean c;
  const int32_t day = kNov1 + static_cast<int32_t>(i % 27);
  const std::string id = absl::StrCat("R", i);
  const std::string order = absl::StrCat("#", 100000 + i);
  const std::string currency = kCurrencies[i % 3];
  const std::string sku = absl::StrCat("SKU-", i % 5000);
  const int64_t amount = 100 + static_cast<int64_t>(rng() % 20000);
  const int64_t quantity = 1 + i % 3;
  v1::ReturnRequest& r = c.ret;
  r.set_source("returngo");
  r.set_return_id(id);
  r.set_order_number(order);
  r.set_status(v1::RETURN_STATUS_DONE);
  r.set_currency_code(currency);
  v1::ReturnLine* line = r.add_lines();
  line->set_return_line_id("L1");
  line->set_platform_sku(sku);
  line->set_quantity(quantity);
  line->set_resolution(v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
  line->mutable_inspection()->set_returned(true);
  SetDay(line->mutable_inspection()->mutable_inspected_at(), day);
  v1::RefundTransaction* refund = r.add_refunds();
  refund->set_refund_id(absl::StrCat("F", i));
  refund->mutable_amount()->set_currency_code(currency);
  refund->mutable_amount()->set_minor_units(amount);
  refund->set_status(v1::TRANSACTION_STATUS_SUCCESS);
  refund->set_method(v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
  refund->set_external_reference_id(absl::StrCat("re_", i));
  SetDay(refund->mutable_created_at(), day + 1);

  const Posting posting = PostingOf(i);
  v1::ErpDocument& cn = c.credit;
  cn.set_kind(v1::ERP_DOCUMENT_KIND_CREDIT_NOTE);
  cn.set_document_id(absl::StrCat("CN", i));
  cn.set_order_number(order);
  *cn.mutable_amount() = refund->amount();
  cn.set_posted_date(DateOf(day + 1));
  v1::ErpDocument& sm = c.stock;
  sm.set_kind(v1::ERP_DOCUMENT_KIND_STOCK_MOVEMENT);
  sm.set_document_id(absl::StrCat("SM", i));
  sm.set_order_number(order);
  sm.set_sku(sku);
  sm.set_quantity(quantity);
  sm.set_posted_date(DateOf(day));
  sm.set_depot("LEEDS");
  if (posting == Posting::kKey) {
    cn.set_idempotency_key(RetconUuid(CanonicalIdentity(
        "credit-note", {"returngo", id, refund->refund_id()})));
    sm.set_idempotency_key(RetconUuid(
        CanonicalIdentity("stock-movement", {"returngo", id, "L1", ""})));
  } else if (posting == Posting::kReference) {
    cn.set_source("returngo");
    cn.set_return_id(id);
    cn.set_refund_id(refund->refund_id());
    sm.set_return_id(id);
    sm.set_return_line_id("L1");
  }
  v1::GatewayRefund& g = c.gateway;
  g.set_gateway_refund_id(absl::StrCat("GW", i));
  *g.mutable_amount() = refund->amount();
  g.set_refund_date(DateOf(day + 1 + static_cast<int32_t>(i % 2)));
  g.set_order_number(order);
  if (i % 5 != 0) g.set_refund_reference(refund->external_reference_id());
  return c;
}

v1::ReturnRequest MakeInFlight(int64_t i) {
  v1::ReturnRequest r;
  r.set_source("returngo");
  r.set_return_id(absl::StrCat("R", i));
  r.set_order_number(absl::StrCat("#", 100000 + i));
  r.set_status(v1::RETURN_STATUS_APPROVED);
  r.set_currency_code(kCurrencies[i % 3]);
  v1::ReturnLine* line = r.add_lines();
  line->set_return_line_id("L1");
  line->set_platform_sku(absl::StrCat("SKU-", i % 5000));
  line->set_quantity(1);
  line->set_resolution(v1::RESOLUTION_REFUND_TO_PAYMENT_METHOD);
  return r;
}

enum Fault {
  kNone,
  kMissingCredit,
  kAmount,
  kMissingStock,
  kDuplicateStock,
  kDuplicateCredit,
  kSku,
  kCurrency,
  kFailedRefund,
};

}  // namespace

Month GenerateMonth(const MonthConfig& config) {
  Month month;
  month.as_of = DateOf(kNov1 + 29);
  std::mt19937_64 rng(config.seed);
  // Faults go to finalised returns posted by key or reference, spread by a
  // seeded Fisher-Yates over their indices.
  std::vector<int64_t> eligible;
  for (int64_t i = 0; i < config.returns; ++i) {
    const bool in_flight =
        config.in_flight_every > 0 && i % config.in_flight_every == 1;
    if (!in_flight && PostingOf(i) != Posting::kOrderOnly)
      eligible.push_back(i);
  }
  for (size_t k = eligible.size(); k > 1; --k) {
    std::swap(eligible[k - 1], eligible[rng() % k]);
  }
  std::vector<Fault> fault(config.returns, kNone);
  size_t next = 0;
  auto assign = [&](int64_t count, Fault f) {
    for (int64_t n = 0; n < count; ++n) fault[eligible.at(next++)] = f;
  };
  assign(config.missing_credit_notes, kMissingCredit);
  assign(config.amount_disagreements, kAmount);
  assign(config.missing_stock_movements, kMissingStock);
  assign(config.duplicate_postings / 2, kDuplicateStock);
  assign(config.duplicate_postings - config.duplicate_postings / 2,
         kDuplicateCredit);
  assign(config.sku_mismatches, kSku);
  assign(config.currency_mismatches, kCurrency);
  assign(config.credit_notes_for_failed_refunds, kFailedRefund);

  month.returns.reserve(config.returns);
  month.erp.reserve(config.returns + config.duplicate_postings + 16);
  month.gateway.reserve(config.returns / 2 + 16);
  for (int64_t i = 0; i < config.returns; ++i) {
    if (config.in_flight_every > 0 && i % config.in_flight_every == 1) {
      month.returns.push_back(MakeInFlight(i));
      continue;
    }
    Clean c = MakeFinalised(i, rng);
    const Fault f = fault[i];
    if (f != kNone) month.faulty_ids.insert(c.ret.return_id());
    if (f == kAmount) {
      c.credit.mutable_amount()->set_minor_units(
          c.credit.amount().minor_units() + 7);
    } else if (f == kSku) {
      c.stock.set_sku(absl::StrCat("WRONG-", i));
    } else if (f == kCurrency) {
      c.credit.mutable_amount()->set_currency_code(
          c.ret.currency_code() == "GBP" ? "EUR" : "GBP");
    } else if (f == kFailedRefund) {
      c.ret.mutable_refunds(0)->set_status(
          i % 2 == 0 ? v1::TRANSACTION_STATUS_FAILED
                     : v1::TRANSACTION_STATUS_CANCELED);
    }
    month.returns.push_back(std::move(c.ret));
    if (f != kMissingCredit) month.erp.push_back(c.credit);
    if (f == kDuplicateCredit) {
      month.erp.push_back(c.credit);
      month.erp.back().set_document_id(absl::StrCat("CN", i, "-again"));
      month.faulty_ids.insert(month.erp.back().document_id());
    }
    if (f != kMissingStock) month.erp.push_back(c.stock);
    if (f == kDuplicateStock) {
      month.erp.push_back(c.stock);
      month.erp.back().set_document_id(absl::StrCat("SM", i, "-again"));
      month.faulty_ids.insert(month.erp.back().document_id());
    }
    if (config.with_gateway && f != kFailedRefund) {
      month.gateway.push_back(std::move(c.gateway));
    }
  }
  for (int64_t k = 0; k < config.credit_notes_without_return; ++k) {
    v1::ErpDocument& cn = *month.erp.insert(
        month.erp.begin() + k * 7 % (month.erp.size() + 1), v1::ErpDocument());
    cn.set_kind(v1::ERP_DOCUMENT_KIND_CREDIT_NOTE);
    cn.set_document_id(absl::StrCat("CN-OUTSIDE-", k));
    cn.set_order_number(absl::StrCat("#OUT", k));
    cn.mutable_amount()->set_currency_code("GBP");
    cn.mutable_amount()->set_minor_units(1000 + k);
    cn.set_posted_date(DateOf(kNov1 + static_cast<int32_t>(k % 29)));
    month.faulty_ids.insert(cn.document_id());
  }
  for (int64_t k = 0; k < config.stock_movements_without_return; ++k) {
    v1::ErpDocument& sm = month.erp.emplace_back();
    sm.set_kind(v1::ERP_DOCUMENT_KIND_STOCK_MOVEMENT);
    sm.set_document_id(absl::StrCat("SM-STRAY-", k));
    sm.set_return_id(absl::StrCat("RX", k));
    sm.set_return_line_id("L1");
    sm.set_sku("SKU-1");
    sm.set_quantity(1);
    sm.set_posted_date(DateOf(kNov1 + 3));
    month.faulty_ids.insert(sm.document_id());
  }
  for (int64_t k = 0; k < config.gateway_refunds_without_return; ++k) {
    v1::GatewayRefund& g = month.gateway.emplace_back();
    g.set_gateway_refund_id(absl::StrCat("GW-OUTSIDE-", k));
    g.mutable_amount()->set_currency_code("EUR");
    g.mutable_amount()->set_minor_units(500 + k);
    g.set_refund_date(DateOf(kNov1 + 10));
    g.set_order_number(absl::StrCat("#GOUT", k));
    month.faulty_ids.insert(g.gateway_refund_id());
  }
  auto expect = [&](v1::GapType type, int64_t n) {
    if (n > 0) month.expected_gaps[type] += n;
  };
  expect(v1::GAP_TYPE_RETURN_WITHOUT_CREDIT_NOTE, config.missing_credit_notes);
  expect(v1::GAP_TYPE_CREDIT_NOTE_WITHOUT_RETURN,
         config.credit_notes_without_return);
  expect(v1::GAP_TYPE_AMOUNT_DISAGREEMENT, config.amount_disagreements);
  expect(v1::GAP_TYPE_RETURN_WITHOUT_STOCK_MOVEMENT,
         config.missing_stock_movements);
  expect(v1::GAP_TYPE_STOCK_MOVEMENT_WITHOUT_RETURN,
         config.stock_movements_without_return);
  expect(v1::GAP_TYPE_DUPLICATE_POSTING, config.duplicate_postings);
  expect(v1::GAP_TYPE_SKU_MISMATCH, config.sku_mismatches);
  expect(v1::GAP_TYPE_CURRENCY_MISMATCH, config.currency_mismatches);
  expect(v1::GAP_TYPE_GATEWAY_REFUND_WITHOUT_RETURN,
         config.gateway_refunds_without_return);
  expect(v1::GAP_TYPE_CREDIT_NOTE_FOR_FAILED_REFUND,
         config.credit_notes_for_failed_refunds);
  return month;
}

}  // namespace testing
}  // namespace retcon
