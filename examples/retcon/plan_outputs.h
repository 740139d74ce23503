// The output files of `retcon plan` (postings.ndjson, exceptions.ndjson) and
// the repair of an interrupted run's files from the ledger.
//
// The ledger is the truth. A run's file holds exactly the ledger rows of that
// run, in seq order: lines are appended only after the transaction holding
// their rows has committed, so at any moment a file is a prefix of its run's
// rows. A run that died (status 'running' in the ledger) is repaired by the
// next run: its file is completed in place from the ledger, or, when the new
// run writes to the same path (or the old file is gone or differs), its rows
// are adopted by the new run and written at the top of the new file.
//
// Thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_PLAN_OUTPUTS_H_
#define RETCON_EXAMPLES_RETCON_PLAN_OUTPUTS_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "examples/retcon/ledger.h"

namespace retcon {
namespace cli {

// An NDJSON file written with plain write(2) calls: what Append returned OK
// for is in the kernel, and survives the death of the process.
class OutputFile {
 public:
  OutputFile() = default;
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Creates or truncates `path`.
  absl::Status Open(const std::string& path);
  absl::Status Append(const std::string& lines);
  // fdatasync and close.
  absl::Status Close();
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// `path` made absolute (its directory resolved with realpath(3)), as stored
// in the ledger's runs table.
absl::StatusOr<std::string> AbsolutePath(const std::string& path);

// What RepairRuns did.
struct Repair {
  int64_t adopted_postings = 0;  // Written at the top of the new files.
  int64_t adopted_exceptions = 0;
};

// Repairs every unfinished run other than `run_id` (see above). Rows adopted
// by `run_id` are written to `postings` / `exceptions` and counted in
// `repair`; `*next_posting_seq` / `*next_exception_seq` advance past them.
// Notes what it did on `err`.
absl::Status RepairRuns(Ledger& ledger, int64_t run_id, OutputFile& postings,
                        OutputFile& exceptions, int64_t* next_posting_seq,
                        int64_t* next_exception_seq, Repair* repair,
                        std::ostream& err);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_PLAN_OUTPUTS_H_
