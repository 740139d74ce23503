// Platform SKU -> ERP SKU.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/plan/internal/plan_context.h"

namespace retcon {
namespace plan_internal {

absl::StatusOr<SkuMap> SkuMap::Create(const v1::Catalog& catalog) {
  SkuMap map;
  for (int i = 0; i < catalog.sku_aliases_size(); ++i) {
    const v1::SkuAlias& alias = catalog.sku_aliases(i);
    const std::string path = absl::StrCat("catalog.sku_aliases[", i, "]");
    if (alias.platform_sku().empty() || alias.erp_sku().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": platform_sku and erp_sku must both be set"));
    }
    auto [it, added] =
        map.aliases_.emplace(alias.platform_sku(), alias.erp_sku());
    if (!added && it->second != alias.erp_sku()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".platform_sku: '", alias.platform_sku(),
                       "' is already mapped to '", it->second, "', not '",
                       alias.erp_sku(), "'"));
    }
  }
  for (const auto& [platform_sku, erp_sku] : map.aliases_) {
    map.erp_skus_.insert(erp_sku);
  }
  for (const v1::BundleDefinition& bundle : catalog.bundles()) {
    if (bundle.stocked_as_kit()) map.erp_skus_.insert(bundle.bundle_sku());
    for (const v1::BundleComponentDefinition& component : bundle.components()) {
      map.erp_skus_.insert(component.sku());
    }
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(1 << 20);
  for (int i = 0; i < catalog.sku_rewrites_size(); ++i) {
    const v1::SkuRewrite& rw = catalog.sku_rewrites(i);
    const std::string path = absl::StrCat("catalog.sku_rewrites[", i, "]");
    Rewrite rewrite;
    // Anchored, so that the rewrite applies to the whole SKU.
    rewrite.pattern = std::make_unique<RE2>(
        absl::StrCat("^(?:", rw.pattern(), ")$"), options);
    if (!rewrite.pattern->ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".pattern: ", rewrite.pattern->error()));
    }
    std::string error;
    if (!rewrite.pattern->CheckRewriteString(rw.rewrite(), &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".rewrite: ", error));
    }
    rewrite.rewrite = rw.rewrite();
    map.rewrites_.push_back(std::move(rewrite));
  }
  return map;
}

std::string SkuMap::Map(absl::string_view platform_sku) const {
  auto it = aliases_.find(platform_sku);
  if (it != aliases_.end()) return it->second;
  if (erp_skus_.contains(platform_sku)) return std::string(platform_sku);
  for (const Rewrite& rw : rewrites_) {
    std::string out;
    re2::StringPiece text(platform_sku.data(), platform_sku.size());
    if (!RE2::Extract(text, *rw.pattern, rw.rewrite, &out)) continue;
    auto alias = aliases_.find(out);
    return alias != aliases_.end() ? alias->second : out;
  }
  return std::string(platform_sku);
}

}  // namespace plan_internal
}  // namespace retcon
