// The inputs of `retcon reconcile`, read from files: the returns (retcon.v1
// ReturnRequest JSON or ReturnGo RMAs, told apart as `retcon plan` tells
// them), the ERP documents and the gateway refunds; each file NDJSON or one
// JSON array (feed.h).
//
//   ReconcileInputs inputs(std::cerr);
//   absl::Status s = inputs.ReadReturns("rmas.json", FeedFormat::kAuto, {});
//   if (s.ok()) s = inputs.ReadErp("erp.ndjson");
//   ... Reconcile(inputs.returns(), inputs.erp(), inputs.payouts(), options);
//
// A bad record is reported on the error stream as "retcon reconcile:
// <where>: <field>: <problem> (skipped)" and left out, and so is the rest of
// a JSON array whose element is never closed (the records before it are
// kept); a record kept with a part left out (a refund listed twice) is
// reported as a warning. The Read* calls fail only when the run cannot go
// on: a file that cannot be opened, or a returns file that is not one
// (ReadReturns).
//
// Thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_RECONCILE_INPUTS_H_
#define RETCON_EXAMPLES_RETCON_RECONCILE_INPUTS_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "examples/retcon/feed.h"
#include "retcon/adapters.h"
#include "retcon/v1/reconcile.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace cli {

class ReconcileInputs {
 public:
  explicit ReconcileInputs(std::ostream& err) : err_(err) {}

  // Reads the returns at `path`, all as records of `format`, else of the
  // kind of the first record DetectPayloadKind recognises, as `retcon plan`
  // reads them (DetectReturnsKind); with none recognised, each record is
  // reported. A return given more than once (a feed of webhook re-fetches)
  // is kept in its latest state: the greatest updated_at, then the last in
  // the file; each repeat is noted. A refund listed twice in one return
  // keeps its first entry, as the planner does (a warning). Errors: the file
  // cannot be read; its first recognisable record is of the other kind than
  // an explicit `format`; or it has records and none could be read as a
  // return (a report would show every ERP document as a gap).
  absl::Status ReadReturns(const std::string& path, FeedFormat format,
                           const ReturnGoOptions& returngo);
  // retcon.v1.ErpDocument / GatewayRefund records (proto3 JSON). Errors: the
  // file cannot be opened.
  absl::Status ReadErp(const std::string& path);
  absl::Status ReadPayouts(const std::string& path);

  // A message of Reconcile() naming a record ("returns[7].field: ...") with
  // the record's place instead ("returns.ndjson:9: field: ...").
  std::string Locate(absl::string_view message) const;

  const std::vector<v1::ReturnRequest>& returns() const { return returns_; }
  const std::vector<v1::ErpDocument>& erp() const { return erp_; }
  const std::vector<v1::GatewayRefund>& payouts() const { return payouts_; }
  // Records reported and left out, in all and per input; warnings reported.
  int64_t skipped() const { return skipped_; }
  int64_t returns_skipped() const { return returns_places_.skipped; }
  int64_t erp_skipped() const { return erp_places_.skipped; }
  int64_t payouts_skipped() const { return payout_places_.skipped; }
  int64_t warnings() const { return warnings_; }

 private:
  // Where each record kept from one file was read.
  struct Places {
    absl::string_view name;  // As Reconcile() names the side: "returns"...
    std::vector<std::string> where;
    int64_t skipped = 0;  // Records of this input left out.
  };

  template <typename Record>
  absl::Status ReadRecords(const std::string& path,
                           absl::Status (*validate)(const Record&),
                           std::vector<Record>* out, Places* places);
  // Parses, checks and keeps (or reports and skips) one returns record.
  // False when it is skipped: it could not be read as a return of `kind`,
  // or it was read but fails ValidateReturnForReconcile.
  bool AddReturn(const FeedRecord& record, PayloadKind kind,
                 const ReturnGoOptions& returngo);
  // Keeps the first entry of each refund_id, warning about the others;
  // returns the record's index of each refund kept.
  std::vector<int> DropRepeatedRefunds(const FeedRecord& record,
                                       PayloadKind kind,
                                       v1::ReturnRequest* ret);
  // Adds `ret`, or replaces an earlier copy of it when `ret` is as late.
  void KeepLatest(const FeedRecord& record, v1::ReturnRequest ret);
  // Reports a record of `input` and leaves it out.
  void Skip(absl::string_view message, Places* input);
  void Warn(absl::string_view message);

  std::ostream& err_;
  std::vector<v1::ReturnRequest> returns_;
  std::vector<v1::ErpDocument> erp_;
  std::vector<v1::GatewayRefund> payouts_;
  Places returns_places_{"returns", {}};
  Places erp_places_{"erp", {}};
  Places payout_places_{"gateway", {}};
  absl::flat_hash_map<std::string, size_t> return_index_;  // By return_id.
  int64_t skipped_ = 0;
  int64_t warnings_ = 0;
};

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_RECONCILE_INPUTS_H_
