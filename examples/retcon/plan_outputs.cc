#include "examples/retcon/plan_outputs.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"

namespace retcon {
namespace cli {
namespace {

absl::Status Errno(const std::string& path, absl::string_view what) {
  const int error = errno;
  return absl::Status(
      absl::ErrnoToStatusCode(error),
      absl::StrCat(path, ": ", what, ": ", std::strerror(error)));
}

absl::Status WriteAll(int fd, const std::string& path, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(path, "write");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// Completes the interrupted run's file at `path` in place: its complete lines
// must be the run's first rows; the missing rows are appended (a partial last
// line is cut first). False when the file is missing or differs.
absl::StatusOr<bool> CompleteInPlace(Ledger& ledger, bool postings, int64_t run,
                                     const std::string& path,
                                     int64_t* appended) {
  std::vector<std::string> rows;
  absl::Status read = ledger.ForEachLine(
      postings, run,
      [&rows](int64_t, const std::string& doc) { rows.push_back(doc); });
  if (!read.ok()) return read;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream content;
  content << in.rdbuf();
  const std::string text = content.str();
  size_t complete = 0;  // Bytes of complete lines.
  size_t line = 0;
  for (size_t start = 0, end;
       (end = text.find('\n', start)) != std::string::npos;
       start = end + 1, ++line) {
    if (line >= rows.size() ||
        absl::string_view(text).substr(start, end - start) != rows[line]) {
      return false;
    }
    complete = end + 1;
  }
  std::string tail;
  for (size_t i = line; i < rows.size(); ++i)
    absl::StrAppend(&tail, rows[i], "\n");
  const int fd = ::open(path.c_str(), O_WRONLY);
  if (fd < 0) return Errno(path, "open");
  absl::Status status;
  if (::ftruncate(fd, static_cast<off_t>(complete)) != 0 ||
      ::lseek(fd, 0, SEEK_END) < 0) {
    status = Errno(path, "truncate");
  }
  if (status.ok()) status = WriteAll(fd, path, tail);
  if (status.ok() && ::fdatasync(fd) != 0) status = Errno(path, "fdatasync");
  ::close(fd);
  if (!status.ok()) return status;
  *appended = static_cast<int64_t>(rows.size() - line);
  return true;
}

// Moves the rows of run `from` into run `to` and writes them to `file`.
absl::Status Adopt(Ledger& ledger, bool postings, int64_t from, int64_t to,
                   OutputFile& file, int64_t* next_seq, int64_t* adopted) {
  std::string lines;
  int64_t count = 0;
  absl::Status s =
      ledger.ForEachLine(postings, from, [&](int64_t, const std::string& doc) {
        absl::StrAppend(&lines, doc, "\n");
        ++count;
      });
  if (s.ok()) s = ledger.Begin();
  if (s.ok()) s = ledger.AdoptRows(postings, from, to, *next_seq - 1);
  if (s.ok()) s = ledger.Commit();
  // Committed first, then written: a crash here leaves this run unfinished
  // with rows its file lacks, which the next run repairs the same way.
  if (s.ok()) s = file.Append(lines);
  if (!s.ok()) return s;
  *next_seq += count;
  *adopted += count;
  return absl::OkStatus();
}

}  // namespace

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status OutputFile::Open(const std::string& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return Errno(path, "cannot create");
  return absl::OkStatus();
}

absl::Status OutputFile::Append(const std::string& lines) {
  return WriteAll(fd_, path_, lines);
}

absl::Status OutputFile::Close() {
  if (fd_ < 0) return absl::OkStatus();
  absl::Status status;
  if (::fdatasync(fd_) != 0) status = Errno(path_, "fdatasync");
  if (::close(fd_) != 0 && status.ok()) status = Errno(path_, "close");
  fd_ = -1;
  return status;
}

absl::StatusOr<std::string> AbsolutePath(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const std::string name =
      slash == std::string::npos ? path : path.substr(slash + 1);
  char resolved[PATH_MAX];
  if (::realpath(dir.c_str(), resolved) == nullptr) {
    return Errno(dir, "cannot resolve");
  }
  return absl::StrCat(resolved, "/", name);
}

absl::Status RepairRuns(Ledger& ledger, int64_t run_id, OutputFile& postings,
                        OutputFile& exceptions, int64_t* next_posting_seq,
                        int64_t* next_exception_seq, Repair* repair,
                        std::ostream& err) {
  absl::StatusOr<std::vector<UnfinishedRun>> runs =
      ledger.UnfinishedRuns(run_id);
  if (!runs.ok()) return runs.status();
  for (const UnfinishedRun& run : *runs) {
    for (const bool is_postings : {true, false}) {
      const std::string& old_path =
          is_postings ? run.postings_path : run.exceptions_path;
      OutputFile& file = is_postings ? postings : exceptions;
      if (old_path != file.path()) {
        int64_t appended = 0;
        absl::StatusOr<bool> done = CompleteInPlace(
            ledger, is_postings, run.run_id, old_path, &appended);
        if (!done.ok()) return done.status();
        if (*done) {
          err << "retcon plan: interrupted run " << run.run_id << ": "
              << old_path << " completed from the ledger (" << appended
              << " lines added)\n";
          continue;
        }
        err << "retcon plan: interrupted run " << run.run_id << ": " << old_path
            << " is missing or differs from the ledger; its lines are "
               "written again at the top of "
            << file.path() << "\n";
      }
      absl::Status s =
          Adopt(ledger, is_postings, run.run_id, run_id, file,
                is_postings ? next_posting_seq : next_exception_seq,
                is_postings ? &repair->adopted_postings
                            : &repair->adopted_exceptions);
      if (!s.ok()) return s;
    }
    absl::Status s = ledger.FinishRun(run.run_id, "repaired");
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace cli
}  // namespace retcon
