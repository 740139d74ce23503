#include "examples/retcon/refund_report.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "examples/retcon/documents.h"
#include "retcon/money.h"
#include "retcon/v1/plan.pb.h"

namespace retcon {
namespace cli {
namespace {

// A plain-text table: the first `text_columns` columns are left-aligned,
// the rest (numbers) right-aligned.
class TextTable {
 public:
  explicit TextTable(size_t text_columns) : text_columns_(text_columns) {}

  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  void Print(std::ostream& out) const {
    std::vector<size_t> widths;
    for (const auto& row : rows_) {
      widths.resize(std::max(widths.size(), row.size()), 0);
      for (size_t c = 0; c < row.size(); ++c) {
        widths[c] = std::max(widths[c], row[c].size());
      }
    }
    for (const auto& row : rows_) {
      std::string line;
      for (size_t c = 0; c < row.size(); ++c) {
        const std::string pad(widths[c] - row[c].size(), ' ');
        line += c < text_columns_ ? absl::StrCat("  ", row[c], pad)
                                  : absl::StrCat("  ", pad, row[c]);
      }
      line.erase(line.find_last_not_of(' ') + 1);
      out << line << "\n";
    }
  }

 private:
  size_t text_columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Every tax rate in the refund, in ascending order: one column each.
std::vector<TaxRate> RatesOf(const Refund& refund) {
  std::vector<TaxRate> rates;
  for (const RefundedLine& line : refund.lines) {
    for (const TaxShare& share : line.refund.taxes) {
      if (std::find(rates.begin(), rates.end(), share.rate) == rates.end()) {
        rates.push_back(share.rate);
      }
    }
  }
  std::sort(rates.begin(), rates.end());
  return rates;
}

int64_t TaxAt(const Figures& figures, TaxRate rate) {
  int64_t sum = 0;
  for (const TaxShare& share : figures.taxes) {
    if (share.rate == rate) sum += share.amount;
  }
  return sum;
}

std::string LineLabel(const RefundedLine& line) {
  if (line.kind == RefundedKind::kShipping) {
    return absl::StrCat("shipping ", line.order_line_id);
  }
  if (line.component_sku.empty()) return line.order_line_id;
  return absl::StrCat(line.order_line_id, "/", line.component_sku);
}

std::vector<std::string> FigureCells(const Refund& refund,
                                     const Figures& figures,
                                     const std::vector<TaxRate>& rates) {
  const auto format = [&](int64_t units) {
    return FormatMinorUnits(units, refund.exponent);
  };
  std::vector<std::string> cells = {
      format(figures.gross), format(figures.discount), format(figures.net)};
  for (TaxRate rate : rates) cells.push_back(format(TaxAt(figures, rate)));
  return cells;
}

void Append(std::vector<std::string>& row, std::vector<std::string> cells) {
  for (std::string& cell : cells) row.push_back(std::move(cell));
}

}  // namespace

std::string FormatAmount(const Refund& refund, int64_t minor_units) {
  return absl::StrCat(refund.currency_code, " ",
                      FormatMinorUnits(minor_units, refund.exponent));
}

void PrintRefundTable(const Refund& refund, std::ostream& out) {
  const std::vector<TaxRate> rates = RatesOf(refund);
  TextTable table(/*text_columns=*/2);
  std::vector<std::string> header = {"line",  "sku",      "qty",
                                     "gross", "discount", "net"};
  for (TaxRate rate : rates) {
    header.push_back(absl::StrCat("tax ", rate.ToString(), "%"));
  }
  table.AddRow(std::move(header));
  for (const RefundedLine& line : refund.lines) {
    std::vector<std::string> row = {LineLabel(line), line.sku,
                                    line.kind == RefundedKind::kShipping
                                        ? "-"
                                        : absl::StrCat(line.quantity)};
    Append(row, FigureCells(refund, line.refund, rates));
    table.AddRow(std::move(row));
  }
  std::vector<std::string> total = {"total", "", ""};
  Append(total, FigureCells(refund, refund.total, rates));
  table.AddRow(std::move(total));
  table.Print(out);
}

std::string CreditNoteJson(const v1::SalesOrder& order, const Refund& refund) {
  v1::CreditNote note;
  note.set_order_id(order.order_id());
  note.set_order_number(order.order_number());
  note.set_source(order.source());
  FillCreditNote(refund, &note);
  return ToJsonLine(note);
}

}  // namespace cli
}  // namespace retcon
