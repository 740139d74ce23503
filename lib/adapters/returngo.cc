// ReturnGo RMA JSON -> retcon.v1.ReturnRequest. The mapping, and why each
// unit is its own return line by default (grouped by shopLineItemId only
// with ReturnGoOptions::line_per_unit = false), is in
// docs/integration/adapters.md.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/adapters/internal/fields.h"
#include "lib/adapters/internal/json.h"
#include "lib/adapters/internal/returngo_fields.h"
#include "lib/internal/status_macros.h"
#include "retcon/adapters.h"

namespace retcon {
namespace {

using adapters_internal::ExpectType;
using adapters_internal::FieldError;
using adapters_internal::FindCurrency;
using adapters_internal::JsonDocument;
using adapters_internal::JsonType;
using adapters_internal::JsonValue;
using adapters_internal::Member;
using adapters_internal::MissingField;
using adapters_internal::ParseResolution;
using adapters_internal::ParseReturnStatus;
using adapters_internal::ParseTransactionStatus;
using adapters_internal::Path;
using adapters_internal::ReadAmount;
using adapters_internal::ReadBool;
using adapters_internal::ReadId;
using adapters_internal::Reading;
using adapters_internal::ReadInteger;
using adapters_internal::ReadShopifyId;
using adapters_internal::ReadText;
using adapters_internal::ReadTimestamp;
using adapters_internal::RequiredMember;

// One entry of items[]: one unit (or `quantity` units) of an order line.
struct Unit {
  const JsonValue* item = nullptr;
  size_t index = 0;  // In items[].
  std::string order_line_id;
  std::string sku;
  std::string item_id;  // returnedItemId.
  int64_t quantity = 1;
  v1::Resolution resolution = v1::RESOLUTION_UNSPECIFIED;
  std::optional<bool> returned;
  std::optional<bool> restockable;
  std::vector<int> transactions;  // Indices of transactions covering it.
  int line = -1;                  // Index of its ReturnLine.
};

absl::Status ReadInspectionFlags(const JsonValue& item, const Path& path,
                                 Unit& unit) {
  const JsonValue* validation = Member(&item, "itemValidationStatusResponse");
  if (validation == nullptr) return absl::OkStatus();
  const Path vpath = path.Key("itemValidationStatusResponse");
  RETCON_RETURN_IF_ERROR(ExpectType(*validation, JsonType::kObject, vpath));
  if (const JsonValue* v = Member(validation, "isReturned")) {
    RETCON_ASSIGN_OR_RETURN(unit.returned,
                            ReadBool(*v, vpath.Key("isReturned")));
  }
  if (const JsonValue* v = Member(validation, "isRestockable")) {
    RETCON_ASSIGN_OR_RETURN(unit.restockable,
                            ReadBool(*v, vpath.Key("isRestockable")));
  }
  return absl::OkStatus();
}

absl::StatusOr<Unit> ReadUnit(const JsonValue& item, size_t index,
                              const Path& path) {
  RETCON_RETURN_IF_ERROR(ExpectType(item, JsonType::kObject, path));
  Unit unit;
  unit.item = &item;
  unit.index = index;
  RETCON_ASSIGN_OR_RETURN(const JsonValue* line,
                          RequiredMember(item, "shopLineItemId", path));
  RETCON_ASSIGN_OR_RETURN(unit.order_line_id,
                          ReadShopifyId(*line, path.Key("shopLineItemId")));
  RETCON_ASSIGN_OR_RETURN(const JsonValue* id,
                          RequiredMember(item, "returnedItemId", path));
  RETCON_ASSIGN_OR_RETURN(unit.item_id,
                          ReadId(*id, path.Key("returnedItemId")));
  if (const JsonValue* sku = Member(&item, "sku")) {
    RETCON_ASSIGN_OR_RETURN(absl::string_view text,
                            ReadText(*sku, path.Key("sku")));
    unit.sku = std::string(absl::StripAsciiWhitespace(text));
  }
  if (const JsonValue* q = Member(&item, "quantity")) {
    RETCON_ASSIGN_OR_RETURN(unit.quantity,
                            ReadInteger(*q, path.Key("quantity")));
    if (unit.quantity <= 0 || unit.quantity > 1'000'000) {
      return FieldError(path.Key("quantity"),
                        absl::StrCat(unit.quantity,
                                     " is not a unit count "
                                     "(1 to 1000000)"));
    }
  }
  if (const JsonValue* r = Member(&item, "resolutionType")) {
    RETCON_ASSIGN_OR_RETURN(unit.resolution,
                            ParseResolution(*r, path.Key("resolutionType")));
  }
  RETCON_RETURN_IF_ERROR(ReadInspectionFlags(item, path, unit));
  return unit;
}

// What keeps units apart in the return: different order lines or SKUs, but
// also a different resolution, inspection outcome or set of refund
// transactions, so that no unit's facts are lost in its line's.
// With ReturnGoOptions::line_per_unit, each unit is its own group.
std::string GroupKey(const Unit& unit, bool line_per_unit) {
  if (line_per_unit) return absl::StrCat("unit:", unit.item_id);
  const auto flag = [](const std::optional<bool>& b) {
    return !b.has_value() ? "-" : (*b ? "1" : "0");
  };
  return absl::StrCat(unit.order_line_id.size(), ":", unit.order_line_id,
                      unit.sku.size(), ":", unit.sku, "|", unit.resolution,
                      flag(unit.returned), flag(unit.restockable), "|",
                      absl::StrJoin(unit.transactions, ","));
}

absl::Status ReadInspection(const JsonValue& item, const Path& path,
                            const Unit& unit, v1::ReturnLine* line) {
  const JsonValue* validation = Member(&item, "itemValidationStatusResponse");
  if (validation == nullptr) return absl::OkStatus();
  const Path vpath = path.Key("itemValidationStatusResponse");
  v1::Inspection* inspection = line->mutable_inspection();
  if (unit.returned.has_value()) inspection->set_returned(*unit.returned);
  if (unit.restockable.has_value()) {
    inspection->set_restockable(*unit.restockable);
  }
  if (const JsonValue* v = Member(validation, "storeLocationId")) {
    RETCON_ASSIGN_OR_RETURN(*inspection->mutable_return_location(),
                            ReadId(*v, vpath.Key("storeLocationId")));
  }
  if (const JsonValue* v = Member(validation, "nonRestockableReason")) {
    RETCON_ASSIGN_OR_RETURN(absl::string_view text,
                            ReadText(*v, vpath.Key("nonRestockableReason")));
    inspection->set_non_restockable_reason(std::string(text));
  }
  if (const JsonValue* v = Member(validation, "nonReturnedReason")) {
    RETCON_ASSIGN_OR_RETURN(absl::string_view text,
                            ReadText(*v, vpath.Key("nonReturnedReason")));
    inspection->set_non_returned_reason(std::string(text));
  }
  if (const JsonValue* v = Member(validation, "lastValidationDate")) {
    RETCON_ASSIGN_OR_RETURN(*inspection->mutable_inspected_at(),
                            ReadTimestamp(*v, vpath.Key("lastValidationDate")));
  }
  return absl::OkStatus();
}

// The first unit of a group makes its line; later units add to it.
absl::Status StartLine(const Unit& unit, const Path& path,
                       v1::ReturnLine* line) {
  const JsonValue& item = *unit.item;
  line->set_return_line_id(unit.item_id);
  line->set_order_line_id(unit.order_line_id);
  line->set_platform_sku(unit.sku);
  line->set_resolution(unit.resolution);
  if (const JsonValue* v = Member(&item, "returnReason")) {
    RETCON_ASSIGN_OR_RETURN(absl::string_view text,
                            ReadText(*v, path.Key("returnReason")));
    line->set_reason_code(std::string(text));
  }
  if (const JsonValue* v = Member(&item, "extendedReason")) {
    RETCON_ASSIGN_OR_RETURN(absl::string_view text,
                            ReadText(*v, path.Key("extendedReason")));
    line->set_reason_text(std::string(text));
  }
  return ReadInspection(item, path, unit, line);
}

// restockingFee, returnFee and shipmentFee of one unit, added to its line's
// fees (one Fee per line and type; zero fees are left out).
absl::Status AddFees(const Reading& reading, const Unit& unit, const Path& path,
                     const std::string& line_id, v1::ReturnRequest* out) {
  static constexpr std::pair<absl::string_view, v1::FeeType> kFees[] = {
      {"restockingFee", v1::FEE_TYPE_RESTOCKING},
      {"shipmentFee", v1::FEE_TYPE_RETURN_SHIPPING},
      {"returnFee", v1::FEE_TYPE_OTHER}};
  for (const auto& [key, type] : kFees) {
    const JsonValue* value = Member(unit.item, key);
    if (value == nullptr) continue;
    v1::Money amount;
    RETCON_RETURN_IF_ERROR(ReadAmount(reading, *value, path.Key(key), &amount));
    if (amount.minor_units() == 0) continue;
    v1::Fee* fee = nullptr;
    for (v1::Fee& f : *out->mutable_fees()) {
      if (f.type() == type && f.return_line_id() == line_id &&
          f.amount().currency_code() == amount.currency_code()) {
        fee = &f;
      }
    }
    if (fee == nullptr) {
      fee = out->add_fees();
      fee->set_type(type);
      fee->set_return_line_id(line_id);
      *fee->mutable_amount() = amount;
      continue;
    }
    if (fee->amount().minor_units() > INT64_MAX - amount.minor_units()) {
      return FieldError(path.Key(key), "fees of the line overflow int64");
    }
    fee->mutable_amount()->set_minor_units(fee->amount().minor_units() +
                                           amount.minor_units());
  }
  return absl::OkStatus();
}

// exchangeItems of one unit, merged with equal ones of its line.
absl::Status AddExchangeItems(const Reading& reading, const Unit& unit,
                              const Path& path, const std::string& line_id,
                              v1::ReturnRequest* out) {
  const JsonValue* items = Member(unit.item, "exchangeItems");
  if (items == nullptr) return absl::OkStatus();
  const Path items_path = path.Key("exchangeItems");
  RETCON_RETURN_IF_ERROR(ExpectType(*items, JsonType::kArray, items_path));
  for (size_t e = 0; e < items->size(); ++e) {
    const JsonValue& x = items->element(e);
    const Path xp = items_path.Index(e);
    RETCON_RETURN_IF_ERROR(ExpectType(x, JsonType::kObject, xp));
    v1::ExchangeItem item;
    item.set_return_line_id(line_id);
    if (const JsonValue* v = Member(&x, "sku")) {
      RETCON_ASSIGN_OR_RETURN(absl::string_view sku,
                              ReadText(*v, xp.Key("sku")));
      item.set_sku(std::string(absl::StripAsciiWhitespace(sku)));
    }
    if (const JsonValue* v = Member(&x, "variantId")) {
      RETCON_ASSIGN_OR_RETURN(*item.mutable_variant_id(),
                              ReadShopifyId(*v, xp.Key("variantId")));
    }
    if (item.sku().empty() && item.variant_id().empty()) {
      return MissingField(xp.Key("sku"));
    }
    for (absl::string_view key : {"productName", "title", "name"}) {
      if (const JsonValue* v = Member(&x, key)) {
        RETCON_ASSIGN_OR_RETURN(absl::string_view name,
                                ReadText(*v, xp.Key(key)));
        item.set_product_name(std::string(name));
        break;
      }
    }
    int64_t quantity = 1;
    if (const JsonValue* v = Member(&x, "quantity")) {
      RETCON_ASSIGN_OR_RETURN(quantity, ReadInteger(*v, xp.Key("quantity")));
      if (quantity <= 0 || quantity > 1'000'000) {
        return FieldError(xp.Key("quantity"),
                          absl::StrCat(quantity,
                                       " is not a unit count (1 to "
                                       "1000000)"));
      }
    }
    item.set_quantity(quantity);
    for (absl::string_view key : {"effectivePrice", "price"}) {
      if (const JsonValue* v = Member(&x, key)) {
        RETCON_RETURN_IF_ERROR(
            ReadAmount(reading, *v, xp.Key(key), item.mutable_unit_price()));
        break;
      }
    }
    bool merged = false;
    for (v1::ExchangeItem& existing : *out->mutable_exchange_items()) {
      if (existing.return_line_id() == line_id &&
          existing.sku() == item.sku() &&
          existing.variant_id() == item.variant_id() &&
          existing.has_unit_price() == item.has_unit_price() &&
          existing.unit_price().minor_units() ==
              item.unit_price().minor_units() &&
          existing.unit_price().currency_code() ==
              item.unit_price().currency_code()) {
        existing.set_quantity(existing.quantity() + quantity);
        merged = true;
        break;
      }
    }
    if (!merged) *out->add_exchange_items() = std::move(item);
  }
  return absl::OkStatus();
}

// rmaSummary (or the RMA itself) and orderDetails: ids, status, times.
absl::Status ReadHeader(const JsonValue& rma, const Path& path,
                        v1::ReturnRequest* out) {
  const JsonValue* summary = Member(&rma, "rmaSummary");
  const Path summary_path = path.Key("rmaSummary");
  if (summary != nullptr) {
    RETCON_RETURN_IF_ERROR(
        ExpectType(*summary, JsonType::kObject, summary_path));
  }
  const JsonValue* details = Member(&rma, "orderDetails");
  const Path details_path = path.Key("orderDetails");
  if (details != nullptr) {
    RETCON_RETURN_IF_ERROR(
        ExpectType(*details, JsonType::kObject, details_path));
  }
  // A field of rmaSummary, or of the RMA itself in flatter exports.
  const auto summary_field = [&](absl::string_view key, Path* where) {
    if (const JsonValue* v = Member(summary, key)) {
      *where = summary_path.Key(key);
      return v;
    }
    *where = path.Key(key);
    return Member(&rma, key);
  };
  Path where;
  const JsonValue* id = summary_field("rmaId", &where);
  if (id == nullptr) return MissingField(summary_path.Key("rmaId"));
  RETCON_ASSIGN_OR_RETURN(*out->mutable_return_id(), ReadId(*id, where));
  const JsonValue* status = summary_field("status", &where);
  if (status == nullptr) return MissingField(summary_path.Key("status"));
  RETCON_ASSIGN_OR_RETURN(v1::ReturnStatus return_status,
                          ParseReturnStatus(*status, where));
  out->set_status(return_status);
  if (const JsonValue* v = Member(details, "orderId")) {
    RETCON_ASSIGN_OR_RETURN(*out->mutable_order_id(),
                            ReadShopifyId(*v, details_path.Key("orderId")));
  }
  const JsonValue* name = Member(details, "order_name");
  where = details_path.Key("order_name");
  if (name == nullptr) name = summary_field("order_name", &where);
  if (name != nullptr) {
    RETCON_ASSIGN_OR_RETURN(*out->mutable_order_number(), ReadId(*name, where));
  }
  if (out->order_id().empty() && out->order_number().empty()) {
    return FieldError(details_path.Key("orderId"),
                      "required field is missing (and no order_name either)");
  }
  static constexpr std::pair<absl::string_view, int> kTimes[] = {
      {"createdAt", 0}, {"lastUpdated", 1}};
  for (const auto& [key, which] : kTimes) {
    if (const JsonValue* v = summary_field(key, &where)) {
      RETCON_ASSIGN_OR_RETURN(
          *(which == 0 ? out->mutable_created_at() : out->mutable_updated_at()),
          ReadTimestamp(*v, where));
    }
  }
  if (const JsonValue* v = summary_field("isOutOfPolicy", &where)) {
    RETCON_ASSIGN_OR_RETURN(bool out_of_policy, ReadBool(*v, where));
    out->set_out_of_policy(out_of_policy);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Unit>> ReadUnits(const JsonValue& rma,
                                            const Path& path) {
  const Path items_path = path.Key("items");
  const JsonValue* items = Member(&rma, "items");
  if (items == nullptr) return MissingField(items_path);
  RETCON_RETURN_IF_ERROR(ExpectType(*items, JsonType::kArray, items_path));
  if (items->size() == 0) return FieldError(items_path, "must not be empty");
  std::vector<Unit> units;
  units.reserve(items->size());
  absl::flat_hash_map<std::string, size_t> first_with_id;
  for (size_t i = 0; i < items->size(); ++i) {
    RETCON_ASSIGN_OR_RETURN(
        Unit unit, ReadUnit(items->element(i), i, items_path.Index(i)));
    auto [it, added] = first_with_id.emplace(unit.item_id, i);
    if (!added) {
      return FieldError(items_path.Index(i).Key("returnedItemId"),
                        absl::StrCat("\"", unit.item_id,
                                     "\" is also the returnedItemId of items[",
                                     it->second, "]"));
    }
    units.push_back(std::move(unit));
  }
  return units;
}

// A transaction's fields other than its items.
absl::Status ReadTransaction(const Reading& reading, const JsonValue& t,
                             const Path& path, v1::RefundTransaction* out) {
  RETCON_RETURN_IF_ERROR(ExpectType(t, JsonType::kObject, path));
  RETCON_ASSIGN_OR_RETURN(const JsonValue* id,
                          adapters_internal::RequiredMember(t, "id", path));
  RETCON_ASSIGN_OR_RETURN(*out->mutable_refund_id(),
                          ReadId(*id, path.Key("id")));
  RETCON_ASSIGN_OR_RETURN(const JsonValue* status,
                          adapters_internal::RequiredMember(t, "status", path));
  RETCON_ASSIGN_OR_RETURN(v1::TransactionStatus transaction_status,
                          ParseTransactionStatus(*status, path.Key("status")));
  out->set_status(transaction_status);
  if (const JsonValue* v = Member(&t, "type")) {
    RETCON_ASSIGN_OR_RETURN(v1::Resolution method,
                            ParseResolution(*v, path.Key("type")));
    out->set_method(method);
  }
  // amount: a money object, or a bare amount beside currency/shopAmount.
  const JsonValue* amount = Member(&t, "amount");
  if (amount != nullptr && amount->is_object()) {
    RETCON_RETURN_IF_ERROR(ReadAmount(reading, *amount, path.Key("amount"),
                                      out->mutable_amount()));
  } else {
    RETCON_RETURN_IF_ERROR(ReadAmount(reading, t, path, out->mutable_amount()));
  }
  if (const JsonValue* v = Member(&t, "externalReferenceId")) {
    RETCON_ASSIGN_OR_RETURN(*out->mutable_external_reference_id(),
                            ReadId(*v, path.Key("externalReferenceId")));
  }
  if (const JsonValue* v = Member(&t, "createdAt")) {
    RETCON_ASSIGN_OR_RETURN(*out->mutable_created_at(),
                            ReadTimestamp(*v, path.Key("createdAt")));
  }
  return absl::OkStatus();
}

// transactions[]: each read, and the units its returnItemIds name marked.
absl::Status ReadTransactions(const Reading& reading, const JsonValue& rma,
                              const Path& path, std::vector<Unit>& units,
                              v1::ReturnRequest* out) {
  const JsonValue* transactions = Member(&rma, "transactions");
  if (transactions == nullptr) return absl::OkStatus();
  const Path tpath = path.Key("transactions");
  RETCON_RETURN_IF_ERROR(ExpectType(*transactions, JsonType::kArray, tpath));
  absl::flat_hash_map<absl::string_view, int> unit_of_item;
  for (size_t u = 0; u < units.size(); ++u) {
    unit_of_item.emplace(units[u].item_id, u);
  }
  for (size_t t = 0; t < transactions->size(); ++t) {
    const JsonValue& json = transactions->element(t);
    const Path path_t = tpath.Index(t);
    RETCON_RETURN_IF_ERROR(
        ReadTransaction(reading, json, path_t, out->add_refunds()));
    const JsonValue* ids = Member(&json, "returnItemIds");
    if (ids == nullptr) continue;
    const Path ids_path = path_t.Key("returnItemIds");
    RETCON_RETURN_IF_ERROR(ExpectType(*ids, JsonType::kArray, ids_path));
    for (size_t k = 0; k < ids->size(); ++k) {
      RETCON_ASSIGN_OR_RETURN(std::string id,
                              ReadId(ids->element(k), ids_path.Index(k)));
      auto it = unit_of_item.find(id);
      if (it == unit_of_item.end()) {
        return FieldError(ids_path.Index(k),
                          absl::StrCat("\"", id,
                                       "\" is not the returnedItemId "
                                       "of any of items[]"));
      }
      std::vector<int>& covering = units[it->second].transactions;
      if (covering.empty() || covering.back() != static_cast<int>(t)) {
        covering.push_back(static_cast<int>(t));
      }
    }
  }
  return absl::OkStatus();
}

// Groups the units into lines and adds each line's fees and exchange items;
// then points each refund at the lines of the units it covers.
absl::Status BuildLines(const Reading& reading, const JsonValue& rma,
                        const Path& path, std::vector<Unit>& units,
                        v1::ReturnRequest* out) {
  const Path items_path = path.Key("items");
  absl::flat_hash_map<std::string, int> line_of_group;
  for (Unit& unit : units) {
    const Path unit_path = items_path.Index(unit.index);
    auto [it, added] = line_of_group.emplace(
        GroupKey(unit, reading.options.line_per_unit), out->lines_size());
    unit.line = it->second;
    if (added) {
      RETCON_RETURN_IF_ERROR(StartLine(unit, unit_path, out->add_lines()));
    }
    v1::ReturnLine* line = out->mutable_lines(unit.line);
    line->set_quantity(line->quantity() + unit.quantity);
    line->add_item_ids(unit.item_id);
    RETCON_RETURN_IF_ERROR(
        AddFees(reading, unit, unit_path, line->return_line_id(), out));
    RETCON_RETURN_IF_ERROR(AddExchangeItems(reading, unit, unit_path,
                                            line->return_line_id(), out));
  }
  std::vector<std::vector<int>> lines_of_refund(out->refunds_size());
  for (const Unit& unit : units) {
    for (int t : unit.transactions) {
      std::vector<int>& lines = lines_of_refund[t];
      if (std::find(lines.begin(), lines.end(), unit.line) == lines.end()) {
        lines.push_back(unit.line);
      }
    }
  }
  for (int t = 0; t < out->refunds_size(); ++t) {
    std::sort(lines_of_refund[t].begin(), lines_of_refund[t].end());
    for (int l : lines_of_refund[t]) {
      out->mutable_refunds(t)->add_return_line_ids(
          out->lines(l).return_line_id());
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::ReturnRequest> ReturnRequestFromReturnGo(
    absl::string_view rma_json, const ReturnGoOptions& options) {
  RETCON_ASSIGN_OR_RETURN(JsonDocument doc, JsonDocument::Parse(rma_json));
  const Path root;
  RETCON_RETURN_IF_ERROR(ExpectType(doc.root(), JsonType::kObject, root));
  const JsonValue* rma = &doc.root();
  const Path wrapped_path = root.Key("rma");
  const Path* path = &root;
  if (const JsonValue* inner = Member(rma, "rma");
      inner != nullptr && Member(rma, "rmaSummary") == nullptr &&
      Member(rma, "items") == nullptr) {
    RETCON_RETURN_IF_ERROR(ExpectType(*inner, JsonType::kObject, wrapped_path));
    rma = inner;
    path = &wrapped_path;
  }
  v1::ReturnRequest out;
  out.set_source(options.source);
  RETCON_RETURN_IF_ERROR(ReadHeader(*rma, *path, &out));
  RETCON_ASSIGN_OR_RETURN(std::vector<Unit> units, ReadUnits(*rma, *path));
  RETCON_ASSIGN_OR_RETURN(std::string currency,
                          FindCurrency(options, Member(rma, "items"),
                                       Member(rma, "transactions"), *path));
  Reading reading{options, std::move(currency)};
  out.set_currency_code(reading.currency);
  RETCON_RETURN_IF_ERROR(ReadTransactions(reading, *rma, *path, units, &out));
  RETCON_RETURN_IF_ERROR(BuildLines(reading, *rma, *path, units, &out));
  return out;
}

}  // namespace retcon
