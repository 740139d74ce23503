#include "examples/retcon/plan_inputs.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "examples/retcon/documents.h"
#include "retcon/adapters.h"
#include "retcon/rules.h"
#include "retcon/v1/catalog.pb.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace cli {

absl::StatusOr<std::unique_ptr<const Planner>> LoadPlanner(
    const std::string& rules_path, const std::string& catalog_path) {
  v1::ReturnItemFact::descriptor();
  v1::RefundFact::descriptor();
  v1::ExchangeFact::descriptor();
  v1::ExceptionFact::descriptor();
  std::ifstream in(rules_path, std::ios::binary);
  if (!in)
    return absl::NotFoundError(absl::StrCat(rules_path, ": cannot open"));
  std::ostringstream text;
  text << in.rdbuf();
  absl::StatusOr<ParsedRuleSet> parsed =
      FormatOf(rules_path) == DocumentFormat::kText
          ? ParseRuleSetText(text.str(), rules_path)
          : ParseRuleSetJson(text.str(), rules_path);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<std::unique_ptr<const CompiledRuleSet>> rules =
      CompileRuleSet(*parsed, CompileOptions{});
  if (!rules.ok()) {
    absl::string_view m = rules.status().message();
    return absl::InvalidArgumentError(absl::StartsWith(m, rules_path)
                                          ? std::string(m)
                                          : absl::StrCat(rules_path, ": ", m));
  }
  v1::Catalog catalog;
  absl::Status read = ReadDocument(catalog_path, "catalog", &catalog);
  if (!read.ok()) return read;
  absl::StatusOr<std::unique_ptr<const Planner>> planner =
      Planner::Create(std::move(*rules), std::move(catalog));
  if (!planner.ok()) {
    absl::string_view m = planner.status().message();
    return absl::InvalidArgumentError(absl::StrCat(
        absl::StartsWith(m, "rules") ? rules_path : catalog_path, ": ", m));
  }
  return planner;
}

absl::Status OrderIndex::Load(const std::string& path, FeedFormat format,
                              PlanCounts* counts, std::ostream& err) {
  path_ = path;
  absl::StatusOr<std::unique_ptr<FeedReader>> feed = FeedReader::Open(path);
  if (!feed.ok()) return feed.status();
  FeedRecord record;
  PayloadKind kind = PayloadKind::kUnknown;
  v1::SalesOrder order;
  while ((*feed)->Next(&record)) {
    ++counts->orders_read;
    if (kind == PayloadKind::kUnknown) {
      kind = OrderKindFor(format, DetectPayloadKind(record.text));
    }
    absl::Status s =
        kind == PayloadKind::kUnknown
            ? absl::InvalidArgumentError(absl::StrCat(
                  record.where,
                  ": not a recognisable order (retcon.v1.SalesOrder or "
                  "Shopify order JSON); see --orders-format"))
            : ParseOrderRecord(record, kind, &order);
    if (s.ok()) s = Add(order, record.where);
    if (!s.ok()) {
      err << "retcon plan: " << s.message() << "\n";
      ++counts->orders_failed;
    }
  }
  return (*feed)->error().ok() ? absl::OkStatus() : (*feed)->error();
}

absl::Status OrderIndex::Find(const v1::ReturnRequest& ret,
                              v1::SalesOrder* order, std::string* where) const {
  auto it = by_id_.find(ret.order_id());
  if (it == by_id_.end() && !ret.order_number().empty()) {
    auto number = id_by_number_.find(ret.order_number());
    if (number != id_by_number_.end()) it = by_id_.find(number->second);
  }
  if (it == by_id_.end()) {
    return absl::NotFoundError(absl::StrCat(
        "return.order_id: order '", ret.order_id(), "'",
        ret.order_number().empty()
            ? ""
            : absl::StrCat(" (order_number '", ret.order_number(), "')"),
        " is not in ", path_));
  }
  order->ParseFromString(it->second.bytes);
  *where = it->second.where;
  return absl::OkStatus();
}

absl::Status OrderIndex::Add(const v1::SalesOrder& order,
                             const std::string& where) {
  if (order.order_id().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": order.order_id: required"));
  }
  auto [it, added] = by_id_.try_emplace(order.order_id());
  if (!added) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": order.order_id: '", order.order_id(),
        "' repeats the order at ", it->second.where, " (the first is used)"));
  }
  it->second.bytes = order.SerializeAsString();
  it->second.where = where;
  if (!order.order_number().empty()) {
    id_by_number_.emplace(order.order_number(), order.order_id());
  }
  return absl::OkStatus();
}

}  // namespace cli
}  // namespace retcon
