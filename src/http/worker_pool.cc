#include "http/worker_pool.h"

namespace ctis::http::detail {

WorkerPool::WorkerPool(std::size_t threads) {
  if (threads == 0) threads = 1;
  workers_.reserve(threads);
  idle_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
  for (auto& worker : workers_) threads_.emplace_back([this, w = worker.get()] { loop(*w); });
}

WorkerPool::~WorkerPool() { join(); }

void WorkerPool::join() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    for (Worker* w : idle_) {
      w->woken = true;
      w->cv.notify_one();
    }
    idle_.clear();
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mu_);
  threads_.clear();
}

void WorkerPool::push(std::unique_ptr<TaskBase> task) {
  Worker* wake = nullptr;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(task));
    if (!idle_.empty()) {
      wake = idle_.back();
      idle_.pop_back();
      wake->woken = true;
    }
  }
  // Workers live as long as the pool, so notifying outside the lock is safe.
  if (wake) wake->cv.notify_one();
}

void WorkerPool::loop(Worker& self) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!queue_.empty()) {
      auto task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task->run();
      task.reset();
      lock.lock();
      continue;
    }
    if (stopping_) return;
    self.woken = false;
    idle_.push_back(&self);
    self.cv.wait(lock, [&] { return self.woken; });
  }
}

}  // namespace ctis::http::detail
