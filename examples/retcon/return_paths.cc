#include "examples/retcon/return_paths.h"

#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"
#include "google/protobuf/descriptor.h"

namespace retcon {
namespace cli {
namespace {

// A field of a ReturnRequest message and where the ReturnGo adapter reads
// it, as docs/integration/adapters.md maps them.
struct FieldSource {
  absl::string_view field;
  absl::string_view returngo;
};

constexpr FieldSource kReturnSources[] = {
    {"return_id", "rmaSummary.rmaId"},
    {"status", "rmaSummary.status"},
    {"order_id", "orderDetails.orderId"},
    {"order_number", "orderDetails.order_name"},
    {"created_at", "createdAt"},
    {"updated_at", "lastUpdated"},
    {"out_of_policy", "isOutOfPolicy"},
    {"lines", "items"},
    {"refunds", "transactions"},
    {"exchange_items", "items[].exchangeItems"},
    {"currency_code",
     "the RMA's currency (its first paidPrice's, else its first "
     "transaction's)"},
};
constexpr FieldSource kRefundSources[] = {
    {"refund_id", "id"},
    {"status", "status"},
    {"method", "type"},
    {"amount", "amount"},
    {"external_reference_id", "externalReferenceId"},
    {"return_line_ids", "returnItemIds"},
    {"created_at", "createdAt"},
};
constexpr FieldSource kLineSources[] = {
    {"return_line_id", "returnedItemId"},
    {"item_ids", "returnedItemId"},
    {"order_line_id", "shopLineItemId"},
    {"platform_sku", "sku"},
    {"reason_code", "returnReason"},
    {"reason_text", "extendedReason"},
    {"resolution", "resolutionType"},
    {"inspection", "itemValidationStatusResponse"},
};
constexpr FieldSource kInspectionSources[] = {
    {"returned", "isReturned"},
    {"restockable", "isRestockable"},
    {"return_location", "storeLocationId"},
    {"non_restockable_reason", "nonRestockableReason"},
    {"non_returned_reason", "nonReturnedReason"},
    {"inspected_at", "lastValidationDate"},
};

absl::string_view SourceIn(absl::Span<const FieldSource> table,
                           absl::string_view field) {
  for (const FieldSource& f : table) {
    if (f.field == field) return f.returngo;
  }
  return {};
}

// The first step of a field path: "lines[3].quantity" is name "lines",
// index 3 (-1 without a valid one), rest "quantity".
struct Step {
  absl::string_view name;
  int64_t index = -1;
  absl::string_view rest;
};

Step FirstStep(absl::string_view path) {
  Step step;
  const size_t end = path.find_first_of(".[");
  step.name = path.substr(0, end);
  if (end == absl::string_view::npos) return step;
  path.remove_prefix(end);
  if (absl::ConsumePrefix(&path, "[")) {
    const size_t close = path.find(']');
    if (close == absl::string_view::npos ||
        !absl::SimpleAtoi(path.substr(0, close), &step.index)) {
      step.index = -1;
      return step;
    }
    path.remove_prefix(close + 1);
  }
  absl::ConsumePrefix(&path, ".");
  step.rest = path;
  return step;
}

// `path` (with or without "return.") names a field of a ReturnRequest.
bool IsReturnPath(absl::string_view path) {
  absl::ConsumePrefix(&path, "return.");
  if (path.empty() || absl::StrContains(path, ' ')) return false;
  return v1::ReturnRequest::descriptor()->FindFieldByName(
             std::string(FirstStep(path).name)) != nullptr;
}

// The RMA's items a line was read from: `the item with returnedItemId "7"`.
std::string ItemsOf(const v1::ReturnLine& line) {
  const auto& ids = line.item_ids();
  const std::string quoted = absl::StrJoin(
      ids.empty() ? std::vector<std::string>{line.return_line_id()}
                  : std::vector<std::string>(ids.begin(), ids.end()),
      ", ", [](std::string* out, const std::string& id) {
        absl::StrAppend(out, "\"", id, "\"");
      });
  return absl::StrCat(ids.size() > 1 ? "the items" : "the item",
                      " with returnedItemId ", quoted);
}

const v1::ReturnLine* LineById(const v1::ReturnRequest& ret,
                               absl::string_view id) {
  for (const v1::ReturnLine& line : ret.lines()) {
    if (line.return_line_id() == id) return &line;
  }
  return nullptr;
}

std::string LineSource(const v1::ReturnLine& line, absl::string_view rest) {
  const Step field = FirstStep(rest);
  std::string source(SourceIn(kLineSources, field.name));
  if (field.name == "inspection") {
    absl::string_view sub =
        SourceIn(kInspectionSources, FirstStep(field.rest).name);
    if (!sub.empty()) absl::StrAppend(&source, ".", sub);
  }
  return source.empty() ? ItemsOf(line)
                        : absl::StrCat(source, " of ", ItemsOf(line));
}

absl::string_view FeeField(v1::FeeType type) {
  switch (type) {
    case v1::FEE_TYPE_RESTOCKING:
      return "restockingFee";
    case v1::FEE_TYPE_RETURN_SHIPPING:
      return "shipmentFee";
    default:
      return "returnFee";
  }
}

// Fees and exchange items are read from the items of their line.
std::string OfLineItems(const v1::ReturnRequest& ret,
                        absl::string_view return_line_id,
                        absl::string_view field) {
  const v1::ReturnLine* line = LineById(ret, return_line_id);
  if (line == nullptr) return "";
  return absl::StrCat(field, " of ", ItemsOf(*line));
}

// The ReturnGo source of a path under refunds[index].
std::string RefundSource(int64_t index, absl::string_view rest) {
  const std::string transaction = absl::StrCat("transactions[", index, "]");
  absl::string_view field = SourceIn(kRefundSources, FirstStep(rest).name);
  return field.empty() ? transaction : absl::StrCat(transaction, ".", field);
}

}  // namespace

std::string ReturnGoSourceOf(const v1::ReturnRequest& ret,
                             absl::string_view path) {
  absl::ConsumePrefix(&path, "return.");
  const Step step = FirstStep(path);
  if (step.index < 0) return std::string(SourceIn(kReturnSources, step.name));
  if (step.name == "refunds") return RefundSource(step.index, step.rest);
  if (step.name == "lines" && step.index < ret.lines_size()) {
    return LineSource(ret.lines(static_cast<int>(step.index)), step.rest);
  }
  if (step.name == "fees" && step.index < ret.fees_size()) {
    const v1::Fee& fee = ret.fees(static_cast<int>(step.index));
    return OfLineItems(ret, fee.return_line_id(), FeeField(fee.type()));
  }
  if (step.name == "exchange_items" && step.index < ret.exchange_items_size()) {
    return OfLineItems(
        ret, ret.exchange_items(static_cast<int>(step.index)).return_line_id(),
        "exchangeItems");
  }
  return "";
}

absl::Status AboutReturn(absl::string_view where, PayloadKind kind,
                         const v1::ReturnRequest& ret,
                         const absl::Status& status) {
  const absl::string_view message = status.message();
  const size_t colon = message.find(": ");
  if (kind != PayloadKind::kReturnGoRma || colon == absl::string_view::npos ||
      !IsReturnPath(message.substr(0, colon))) {
    return absl::Status(status.code(), absl::StrCat(where, ": ", message));
  }
  const absl::string_view path = message.substr(0, colon);
  const std::string source = ReturnGoSourceOf(ret, path);
  return absl::Status(
      status.code(),
      absl::StrCat(where, ": RMA '", ret.return_id(),
                   "' (as retcon.v1.ReturnRequest): ", path,
                   source.empty() ? "" : absl::StrCat(" (from ", source, ")"),
                   message.substr(colon)));
}

}  // namespace cli
}  // namespace retcon
