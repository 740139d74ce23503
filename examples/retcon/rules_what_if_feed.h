// The returns (and orders) `retcon rules what-if` compares outcomes on:
// NDJSON of ReturnGo RMAs or retcon.v1.ReturnRequest, and of Shopify orders
// or retcon.v1.SalesOrder. A bad record is reported and skipped.
//
//   Feed feed;
//   absl::Status s = ReadFeed("returns.ndjson", true, &feed, std::cerr);
//   const v1::SalesOrder* order = feed.OrderOf(feed.returns[0]);
//
// Thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_RULES_WHAT_IF_FEED_H_
#define RETCON_EXAMPLES_RETCON_RULES_WHAT_IF_FEED_H_

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "retcon/v1/order.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace cli {

struct Feed {
  std::vector<v1::ReturnRequest> returns;
  std::vector<std::string> return_where;         // "file:line" of each return.
  std::map<std::string, v1::SalesOrder> orders;  // By order_id.
  int skipped = 0;

  // The order of `ret`: by order_id, else by order_number (as `retcon plan`
  // joins them); nullptr when the feed has none.
  const v1::SalesOrder* OrderOf(const v1::ReturnRequest& ret) const;
};

// Reads NDJSON records (returns when `want_returns`, else orders) into
// `feed`; a bad one is reported on `err` ("retcon rules what-if: file:line:
// problem (skipped)") and counted in `feed->skipped`. NotFound "<path>:
// cannot open".
absl::Status ReadFeed(const std::string& path, bool want_returns, Feed* feed,
                      std::ostream& err);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_RULES_WHAT_IF_FEED_H_
