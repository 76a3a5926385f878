#include "release_tokens.h"

#include <v8.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

namespace graft {

namespace {

struct Queue {
  std::mutex mutex;
  std::vector<double> ids;
};

struct Token {
  std::shared_ptr<Queue> queue;
  double id;
  unsigned char byte;
};

// One queue per JS thread (each worker has its own isolate and its own ids).
std::shared_ptr<Queue> &ThreadQueue() {
  thread_local std::shared_ptr<Queue> q = std::make_shared<Queue>();
  return q;
}

void Collected(void *data, size_t, void *deleter_data) {
  Token *t = static_cast<Token *>(deleter_data);
  {
    std::lock_guard<std::mutex> lock(t->queue->mutex);
    t->queue->ids.push_back(t->id);
  }
  delete t;
}

}  // namespace

Napi::Value NewReleaseToken(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "graft native: newReleaseToken(id: number)");
  double id = info[0].As<Napi::Number>().DoubleValue();
  Token *t = new Token{ThreadQueue(), id, 0};
  v8::Isolate *isolate = v8::Isolate::GetCurrent();
  std::unique_ptr<v8::BackingStore> store = v8::SharedArrayBuffer::NewBackingStore(&t->byte, 1, Collected, t);
  v8::Local<v8::SharedArrayBuffer> ab = v8::SharedArrayBuffer::New(isolate, std::move(store));
  return Napi::Value(env, reinterpret_cast<napi_value>(*ab));
}

Napi::Value DrainReleased(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::vector<double> ids;
  {
    std::shared_ptr<Queue> &q = ThreadQueue();
    std::lock_guard<std::mutex> lock(q->mutex);
    ids.swap(q->ids);
  }
  Napi::Array out = Napi::Array::New(env, ids.size());
  for (size_t i = 0; i < ids.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, ids[i]));
  return out;
}

}  // namespace graft
