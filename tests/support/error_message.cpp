#include "support/error_message.hpp"

#include "core/error.hpp"

namespace tomoedge::testing {

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace tomoedge::testing
