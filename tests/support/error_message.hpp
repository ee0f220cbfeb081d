#pragma once
// The one helper the tests use to check an error's message.
#include <functional>
#include <string>

namespace tomoedge::testing {

/// The message of the tomoedge::Error that `f` throws, or "(no error)" when it throws none.
std::string message_of(const std::function<void()>& f);

}  // namespace tomoedge::testing
