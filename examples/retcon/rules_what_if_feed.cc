#include "examples/retcon/rules_what_if_feed.h"

#include <fstream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "retcon/adapters.h"

namespace retcon {
namespace cli {
namespace {

absl::Status JsonTo(const std::string& line, google::protobuf::Message* m) {
  google::protobuf::util::JsonParseOptions options;
  auto status = google::protobuf::util::JsonStringToMessage(line, m, options);
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      std::string(status.message().data(), status.message().size()));
}

// A return of the feed, `kind` as DetectPayloadKind tells it.
absl::Status AddReturn(const std::string& line, PayloadKind kind,
                       const std::string& where, Feed* feed) {
  absl::StatusOr<v1::ReturnRequest> ret;
  if (kind == PayloadKind::kReturnGoRma) {
    ret = ReturnRequestFromReturnGo(line);
  } else if (kind == PayloadKind::kRetconReturn) {
    v1::ReturnRequest r;
    absl::Status s = JsonTo(line, &r);
    ret = s.ok() ? absl::StatusOr<v1::ReturnRequest>(r) : s;
  } else {
    return absl::InvalidArgumentError(
        "neither a ReturnGo RMA nor a retcon.v1.ReturnRequest (or not JSON)");
  }
  if (!ret.ok()) return ret.status();
  feed->returns.push_back(*std::move(ret));
  feed->return_where.push_back(where);
  return absl::OkStatus();
}

// An order of the feed, `kind` as DetectPayloadKind tells it.
absl::Status AddOrder(const std::string& line, PayloadKind kind, Feed* feed) {
  absl::StatusOr<v1::SalesOrder> order;
  if (kind == PayloadKind::kShopifyOrder) {
    order = SalesOrderFromShopify(line);
  } else if (kind == PayloadKind::kRetconSalesOrder) {
    v1::SalesOrder o;
    absl::Status s = JsonTo(line, &o);
    order = s.ok() ? absl::StatusOr<v1::SalesOrder>(o) : s;
  } else {
    return absl::InvalidArgumentError(
        "neither a Shopify order nor a retcon.v1.SalesOrder (or not JSON)");
  }
  if (!order.ok()) return order.status();
  feed->orders[order->order_id()] = *std::move(order);
  return absl::OkStatus();
}

absl::Status ReadRecord(const std::string& line, bool want_return, Feed* feed,
                        const std::string& where) {
  const PayloadKind kind = DetectPayloadKind(line);
  if (kind == PayloadKind::kUnknown) {
    // The adapter's parser says where JSON breaks ("a.b: not valid JSON...").
    absl::Status json = ReturnRequestFromReturnGo(line).status();
    if (absl::StrContains(json.message(), ": not valid JSON at offset")) {
      return json;
    }
  }
  return want_return ? AddReturn(line, kind, where, feed)
                     : AddOrder(line, kind, feed);
}

}  // namespace

const v1::SalesOrder* Feed::OrderOf(const v1::ReturnRequest& ret) const {
  auto it = orders.find(ret.order_id());
  if (it != orders.end()) return &it->second;
  if (ret.order_number().empty()) return nullptr;
  for (const auto& [id, order] : orders) {
    if (order.order_number() == ret.order_number()) return &order;
  }
  return nullptr;
}

absl::Status ReadFeed(const std::string& path, bool want_returns, Feed* feed,
                      std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    const std::string where = absl::StrCat(path, ":", number);
    if (absl::Status s = ReadRecord(line, want_returns, feed, where); !s.ok()) {
      err << "retcon rules what-if: " << where << ": " << s.message()
          << " (skipped)\n";
      ++feed->skipped;
    }
  }
  return absl::OkStatus();
}

}  // namespace cli
}  // namespace retcon
