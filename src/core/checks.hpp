#pragma once
// Input validation shared by every reader: pixels must be finite.
#include <span>
#include <string_view>

namespace tomoedge {

/// Throws Error "<what>: N non-finite pixel(s) (NaN or Inf), first at index I" if any value is
/// NaN or Inf. `what` names the file and dataset.
void require_finite(std::span<const float> values, std::string_view what);

}  // namespace tomoedge
