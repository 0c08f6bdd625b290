// SPDX-License-Identifier: GPL-2.0
/*
 * A value or the reason there is none.  GCC 12 has no std::expected under
 * C++20, and the tools report every failure as one line, so the reason is
 * a message plus what kind of failure it was (which picks the exit status).
 */
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace atcp_tools {

struct Error {
    enum class Kind {
        failed,     // the request failed: exit 1
        not_loaded, // the genl family "atcp" is not registered: exit 1, say how to load it
        usage,      // bad arguments: exit 2
    };
    Kind kind = Kind::failed;
    std::string message;
    int err = 0; // the errno behind it, when there is one
};

inline Error failure(std::string message, int err = 0)
{
    return Error{Error::Kind::failed, std::move(message), err};
}

template <class T> class Result {
  public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;

} // namespace atcp_tools
