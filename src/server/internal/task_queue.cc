#include "server/internal/task_queue.h"

#include <algorithm>
#include <utility>

namespace kinlink::server::internal {

BoundedTaskQueue::BoundedTaskQueue(std::size_t threads, std::size_t max_waiting)
    : max_waiting_(std::max<std::size_t>(max_waiting, 1)) {
  threads = std::max<std::size_t>(threads, 1);
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

void BoundedTaskQueue::enqueue(std::function<void()> fn) {
  std::unique_lock<std::mutex> lock(mu_);
  has_room_.wait(lock, [&] { return shutdown_ || tasks_.size() < max_waiting_; });
  if (shutdown_) {
    lock.unlock();
    fn();
    return;
  }
  tasks_.push_back(std::move(fn));
  lock.unlock();
  has_task_.notify_one();
}

void BoundedTaskQueue::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_ && threads_.empty()) return;
    shutdown_ = true;
  }
  has_task_.notify_all();
  has_room_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard<std::mutex> lock(mu_);
  threads_.clear();
}

void BoundedTaskQueue::Work() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock(mu_);
      has_task_.wait(lock, [&] { return shutdown_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // shut down and drained
      fn = std::move(tasks_.front());
      tasks_.pop_front();
    }
    has_room_.notify_one();
    // A task is httplib's connection handler: it catches what handlers
    // throw; anything else escaping it would end the process, as it should
    // for a broken invariant.
    fn();
  }
}

}  // namespace kinlink::server::internal
