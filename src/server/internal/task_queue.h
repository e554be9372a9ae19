// server/internal/task_queue: the server's worker pool. httplib's own
// ThreadPool queues accepted connections without bound; this one holds at
// most `threads` waiting connections and then blocks the accept loop, so
// that further clients wait in the kernel's accept queue instead of
// holding a file descriptor and memory each.
//
// Thread-safety: enqueue and shutdown may be called from any thread
// (httplib calls enqueue from the accept thread, shutdown once at the end).
#ifndef KINLINK_SERVER_INTERNAL_TASK_QUEUE_H_
#define KINLINK_SERVER_INTERNAL_TASK_QUEUE_H_

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kinlink::server::internal {

class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  // Starts `threads` workers (>= 1); at most `max_waiting` tasks wait.
  BoundedTaskQueue(std::size_t threads, std::size_t max_waiting);
  ~BoundedTaskQueue() override;
  BoundedTaskQueue(const BoundedTaskQueue&) = delete;
  BoundedTaskQueue& operator=(const BoundedTaskQueue&) = delete;

  // Blocks while max_waiting tasks are waiting. After shutdown the task
  // runs on the calling thread (so that the socket it owns is closed).
  void enqueue(std::function<void()> fn) override;
  // Runs the waiting tasks, then joins the workers. Idempotent.
  void shutdown() override;

 private:
  void Work();

  const std::size_t max_waiting_;
  std::mutex mu_;
  std::condition_variable has_task_;
  std::condition_variable has_room_;
  std::deque<std::function<void()>> tasks_;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace kinlink::server::internal

#endif  // KINLINK_SERVER_INTERNAL_TASK_QUEUE_H_
