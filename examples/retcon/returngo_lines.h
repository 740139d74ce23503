// Keeping a `retcon plan` ledger to one --returngo-lines setting.
//
// ReturnGo RMAs read one line per unit and read grouped give the same units
// different return line ids, and so different idempotency keys: a ledger
// planned one way and then the other would hand the same stock movement
// over twice. The first run that plans an RMA on a ledger records its
// setting; a later run with the other setting is refused before it writes
// anything. A ledger upgraded with ReturnGo postings made before the
// setting was recorded ("unknown") takes the setting the next run states
// with --returngo-lines, and refuses a run that states none. retcon.v1
// feeds are not concerned.
//
//   absl::StatusOr<bool> unrecorded =
//       CheckReturnGoLines(*ledger, path, options, flags->Has(...));
//   if (!unrecorded.ok()) return fail(unrecorded.status());
//   ... once the run has planned an RMA, in its transaction:
//   if (*unrecorded) RecordReturnGoLines(*ledger, options, run_id);
#ifndef RETCON_EXAMPLES_RETCON_RETURNGO_LINES_H_
#define RETCON_EXAMPLES_RETCON_RETURNGO_LINES_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "examples/retcon/ledger.h"
#include "retcon/adapters.h"

namespace retcon {
namespace cli {

// Checks `requested` against the setting the ledger at `ledger_path`
// recorded. True when it has none yet, or "unknown" and `flag_given`
// (whether --returngo-lines was on the command line): the run is to record
// it; false when it is the same. FailedPrecondition when it is the other
// one (the message names the ledger, both settings and the flag to use), or
// "unknown" and no flag was given (the message asks for it, saying how many
// ReturnGo stock movements are of several units, a sign of grouped lines).
absl::StatusOr<bool> CheckReturnGoLines(Ledger& ledger,
                                        absl::string_view ledger_path,
                                        const ReturnGoOptions& requested,
                                        bool flag_given);

// Records the setting of `options` as run `run_id`'s.
absl::Status RecordReturnGoLines(Ledger& ledger, const ReturnGoOptions& options,
                                 int64_t run_id);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_RETURNGO_LINES_H_
