// Reading `retcon plan` input feeds: NDJSON (one JSON object a line) or one
// JSON array of objects, told apart by the first non-blank character. Each
// record is retcon.v1 JSON, a ReturnGo RMA or a Shopify order, read through
// the adapters (include/retcon/adapters.h).
//
//   absl::StatusOr<std::unique_ptr<FeedReader>> feed = FeedReader::Open(p);
//   FeedRecord record;
//   while ((*feed)->Next(&record)) {
//     absl::Status s = ParseReturn(record, kind, &ret);   // "p:7: lines[0]..."
//   }
//
// NDJSON is streamed; an array is read whole. Thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_FEED_H_
#define RETCON_EXAMPLES_RETCON_FEED_H_

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "retcon/adapters.h"
#include "retcon/v1/order.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace cli {

// One record of a feed and where it is.
struct FeedRecord {
  std::string text;
  int64_t line = 0;    // 1-based line where the record starts.
  int64_t index = -1;  // Element index in a JSON array; -1 in NDJSON.
  // For messages: "path:line" (NDJSON), "path:line (element [index])" (an
  // array: the line where the element starts, its 0-based index, as in
  // jq's .[index]; several elements may share a line).
  std::string where;
};

class FeedReader {
 public:
  static absl::StatusOr<std::unique_ptr<FeedReader>> Open(
      const std::string& path);

  // The next record; false at the end. A broken array (unterminated string
  // or element) ends the feed with `error()` set.
  bool Next(FeedRecord* record);
  const absl::Status& error() const { return error_; }
  // Bytes consumed so far and the file's size, for progress.
  int64_t bytes_read() const { return bytes_read_; }
  int64_t size() const { return size_; }

 private:
  FeedReader() = default;
  bool NextLine(FeedRecord* record);
  bool NextElement(FeedRecord* record);

  std::string path_;
  std::ifstream in_;
  bool array_ = false;
  std::string whole_;  // Array mode: the file.
  size_t pos_ = 0;     // Array mode: scan position in whole_.
  int64_t line_ = 0;   // Lines consumed (NDJSON) / current line (array).
  int64_t index_ = 0;
  int64_t bytes_read_ = 0;
  int64_t size_ = 0;
  absl::Status error_;
};

// What the records of a feed are. kUnknown: detect from the first record
// DetectPayloadKind recognises.
enum class FeedFormat { kAuto, kRetcon, kReturnGo, kShopify };

// Parses "auto", "retcon", "returngo", "shopify".
bool ParseFeedFormat(absl::string_view text, FeedFormat* format);

// Parses --returngo-lines: "unit" (one ReturnLine per unit, the default) or
// "grouped" (ReturnGoOptions::line_per_unit = false).
bool ParseReturnGoLines(absl::string_view text, ReturnGoOptions* options);
// The --returngo-lines value of `options`: "unit" or "grouped".
absl::string_view ReturnGoLinesName(const ReturnGoOptions& options);

// Record parsers. Errors: InvalidArgument "<where>: <field path>: <problem>".
// `kind` is what the file holds (kRetconReturn or kReturnGoRma for returns,
// kRetconSalesOrder or kShopifyOrder for orders); a record of another
// recognisable shape is an error naming both.
// `returngo` says how ReturnGo RMAs are read (one line per unit by default).
absl::Status ParseReturnRecord(const FeedRecord& record, PayloadKind kind,
                               v1::ReturnRequest* ret,
                               const ReturnGoOptions& returngo = {});
absl::Status ParseOrderRecord(const FeedRecord& record, PayloadKind kind,
                              v1::SalesOrder* order);

// A record that DetectPayloadKind cannot tell, in a feed whose kind is not
// known yet: InvalidArgument "<where>: not a recognisable return: <why>"
// (of another kind, not valid JSON, not an object, or of no known shape).
absl::Status UnrecognisedReturn(const FeedRecord& record);
absl::Status UnrecognisedOrder(const FeedRecord& record);

// Parses `record` as proto3 JSON into `message` (unknown fields refused).
// Errors: InvalidArgument "<where>: <root>.<path>: <problem>" on one line
// ("<where>: <path>: ..." when `root` is empty; "malformed JSON: ..." when
// the text is not JSON).
absl::Status ParseJsonRecord(const FeedRecord& record, absl::string_view root,
                             google::protobuf::Message* message);

// The kind of records a feed of returns (orders) holds under `format`, given
// one record's detected kind; kUnknown when it cannot be told.
PayloadKind ReturnKindFor(FeedFormat format, PayloadKind detected);
PayloadKind OrderKindFor(FeedFormat format, PayloadKind detected);

// What the records of a returns feed are, told as `retcon plan` tells it:
// from `format`, else from the first record DetectPayloadKind recognises
// (reading `feed` up to it); kUnknown when no record is recognised.
PayloadKind DetectReturnsKind(FeedReader& feed, FeedFormat format);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_FEED_H_
