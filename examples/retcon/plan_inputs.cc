#include "examples/retcon/plan_inputs.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "examples/retcon/documents.h"
#include "google/protobuf/util/json_util.h"
#include "retcon/adapters.h"
#include "retcon/rules.h"
#include "retcon/rules_book.h"
#include "retcon/v1/catalog.pb.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace cli {

namespace {

absl::Status InFile(const std::string& path, const absl::Status& status) {
  absl::string_view m = status.message();
  return absl::Status(status.code(), absl::StartsWith(m, path)
                                         ? std::string(m)
                                         : absl::StrCat(path, ": ", m));
}

// The rule sets of the file and their periods: one for a RuleSet, one per
// version for a RuleBook (told apart as `retcon rules` does: a RuleSet
// parse that trips on `versions`).
absl::StatusOr<std::vector<DatedPlanners::Version>> CompileVersions(
    const std::string& path, const std::string& text,
    const v1::Catalog& catalog) {
  const bool is_text = FormatOf(path) == DocumentFormat::kText;
  absl::StatusOr<ParsedRuleSet> set =
      is_text ? ParseRuleSetText(text, path) : ParseRuleSetJson(text, path);
  std::shared_ptr<const CompiledRuleBook> book;
  std::vector<std::shared_ptr<const CompiledRuleSet>> sets;
  std::vector<std::pair<std::string, std::string>> periods;
  if (set.ok()) {
    absl::StatusOr<std::unique_ptr<const CompiledRuleSet>> rules =
        CompileRuleSet(*set, CompileOptions{});
    if (!rules.ok()) return InFile(path, rules.status());
    sets.push_back(std::move(*rules));
    periods.emplace_back("", "");
  } else if (absl::StrContains(set.status().message(), "versions")) {
    absl::StatusOr<std::unique_ptr<const CompiledRuleBook>> compiled;
    if (is_text) {
      absl::StatusOr<ParsedRuleBook> parsed = ParseRuleBookText(text, path);
      if (!parsed.ok()) return parsed.status();
      compiled = CompileRuleBook(*parsed, CompileOptions{});
    } else {
      v1::RuleBook raw;
      google::protobuf::util::JsonParseOptions options;
      auto status =
          google::protobuf::util::JsonStringToMessage(text, &raw, options);
      if (!status.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": ",
                         absl::string_view(status.message().data(),
                                           status.message().size())));
      }
      compiled = CompileRuleBook(raw, CompileOptions{});
    }
    if (!compiled.ok()) return InFile(path, compiled.status());
    book = std::move(*compiled);
    for (const CompiledRuleBook::Version& v : book->versions()) {
      // Aliasing: each version lives as long as the book.
      sets.emplace_back(book, v.rules.get());
      periods.emplace_back(v.from, v.until);
    }
  } else {
    return set.status();
  }
  std::vector<DatedPlanners::Version> versions;
  for (size_t i = 0; i < sets.size(); ++i) {
    absl::StatusOr<std::unique_ptr<const Planner>> planner =
        Planner::Create(sets[i], catalog);
    if (!planner.ok()) return planner.status();
    versions.push_back(
        {periods[i].first, periods[i].second, std::move(*planner)});
  }
  return versions;
}

// "YYYY-MM-DD" (UTC) of a Unix time (Howard Hinnant's civil_from_days).
std::string UtcDate(int64_t seconds) {
  int64_t z = (seconds >= 0 ? seconds : seconds - 86399) / 86400 + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char text[64];
  std::snprintf(text, sizeof(text), "%04lld-%02lld-%02lld",
                static_cast<long long>(y), static_cast<long long>(m),
                static_cast<long long>(d));
  return text;
}

}  // namespace

absl::StatusOr<const Planner*> DatedPlanners::For(
    const v1::ReturnRequest& ret, const std::string& as_of) const {
  if (versions_.size() == 1 && versions_[0].from.empty() &&
      versions_[0].until.empty()) {
    return versions_[0].planner.get();
  }
  std::string date = as_of;
  if (date.empty() && ret.has_created_at()) {
    date = UtcDate(ret.created_at().seconds());
  }
  if (date.empty()) return versions_.back().planner.get();
  for (const Version& v : versions_) {
    if ((v.from.empty() || v.from <= date) &&
        (v.until.empty() || date < v.until)) {
      return v.planner.get();
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat(as_of.empty() ? "return.created_at" : "--as-of",
                   ": no version of the rules is in force on ", date));
}

absl::StatusOr<std::unique_ptr<const DatedPlanners>> LoadPlanners(
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
  v1::Catalog catalog;
  absl::Status read = ReadDocument(catalog_path, "catalog", &catalog);
  if (!read.ok()) return read;
  absl::StatusOr<std::vector<DatedPlanners::Version>> versions =
      CompileVersions(rules_path, text.str(), catalog);
  if (!versions.ok()) {
    absl::string_view m = versions.status().message();
    if (absl::StartsWith(m, rules_path)) return versions.status();
    return absl::InvalidArgumentError(absl::StrCat(
        absl::StartsWith(m, "catalog") ? catalog_path : rules_path, ": ", m));
  }
  return std::make_unique<const DatedPlanners>(std::move(*versions));
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
    absl::Status s = kind == PayloadKind::kUnknown
                         ? UnrecognisedOrder(record)
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
