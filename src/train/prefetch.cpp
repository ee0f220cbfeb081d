#include "train/prefetch.hpp"

namespace tomoedge::train {

Prefetcher::Prefetcher(const BatchSource& source, std::int64_t first, std::size_t capacity)
    : source_(source), next_index_(first), capacity_(std::max<std::size_t>(1, capacity)),
      thread_([this] { produce(); }) {}

Prefetcher::~Prefetcher() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void Prefetcher::produce() {
    try {
        for (;;) {
            std::int64_t index = 0;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return stop_ || ready_.size() < capacity_; });
                if (stop_) return;
                index = next_index_++;
            }
            Batch batch = source_.batch(index);  // outside the lock: this is the work
            {
                std::lock_guard lock(mutex_);
                ready_.push_back(std::move(batch));
            }
            changed_.notify_all();
        }
    } catch (...) {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
        changed_.notify_all();
    }
}

Batch Prefetcher::next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !ready_.empty() || error_ != nullptr; });
    if (ready_.empty()) std::rethrow_exception(error_);
    Batch batch = std::move(ready_.front());
    ready_.pop_front();
    lock.unlock();
    changed_.notify_all();
    return batch;
}

}  // namespace tomoedge::train
