#include "examples/retcon/return_spec.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace retcon {
namespace cli {
namespace {

absl::Status Malformed(absl::string_view item, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "'", item, "' is not LINE:QTY or LINE/COMPONENT_SKU:QTY (", why, ")"));
}

absl::StatusOr<ReturnQuantity> ParseItem(absl::string_view item) {
  const size_t colon = item.rfind(':');
  if (colon == absl::string_view::npos) return Malformed(item, "no ':QTY'");
  ReturnQuantity quantity;
  if (!absl::SimpleAtoi(item.substr(colon + 1), &quantity.quantity)) {
    return Malformed(item, "QTY must be an integer");
  }
  absl::string_view line = item.substr(0, colon);
  const size_t slash = line.find('/');
  if (slash != absl::string_view::npos) {
    quantity.component_sku = std::string(line.substr(slash + 1));
    line = line.substr(0, slash);
    if (quantity.component_sku.empty()) {
      return Malformed(item, "empty COMPONENT_SKU");
    }
  }
  if (line.empty()) return Malformed(item, "empty LINE");
  quantity.order_line_id = std::string(line);
  return quantity;
}

}  // namespace

absl::StatusOr<std::vector<ReturnQuantity>> ParseReturnSpec(
    absl::string_view spec) {
  std::vector<ReturnQuantity> returns;
  for (absl::string_view item : absl::StrSplit(spec, ',')) {
    if (item.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", spec, "' has an empty item"));
    }
    absl::StatusOr<ReturnQuantity> quantity = ParseItem(item);
    if (!quantity.ok()) return quantity.status();
    returns.push_back(*std::move(quantity));
  }
  return returns;
}

}  // namespace cli
}  // namespace retcon
