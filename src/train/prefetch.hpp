#pragma once
// Makes the next batches on a background thread while the networks train on the current one.
#include "train/patches.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace tomoedge::train {

class Prefetcher {
public:
    /// Produces source.batch(first), batch(first + 1), ... keeping up to `capacity` ready.
    /// `source` must outlive the prefetcher.
    Prefetcher(const BatchSource& source, std::int64_t first, std::size_t capacity = 4);
    ~Prefetcher();  // stops and joins the thread
    Prefetcher(const Prefetcher&) = delete;
    Prefetcher& operator=(const Prefetcher&) = delete;

    /// The next batch in index order (waits for it). Rethrows an error of the producer.
    Batch next();

private:
    void produce();
    const BatchSource& source_;
    std::int64_t next_index_;
    std::size_t capacity_;
    std::deque<Batch> ready_;
    std::exception_ptr error_;
    bool stop_ = false;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::thread thread_;  // last: starts after everything above exists
};

}  // namespace tomoedge::train
