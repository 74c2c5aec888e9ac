// Errors as values: Result<T> carries either a value or an Error with a kind that decides retrying.
// C++20 has no std::expected and Debian 12 packages no tl-expected, so this is our own small one.
#pragma once

#include <QString>

#include <chrono>
#include <utility>
#include <variant>

namespace askpro {

enum class ErrorKind {
    Configuration, // missing credentials, unknown branch, no mapping: retrying cannot help
    Transient,     // timeouts, 5xx, 429: retry with backoff
    Rejected,      // the other side refused this request for good (4xx, slot taken)
    Invalid,       // bad input from a caller
    NotFound,
    Conflict,      // a unique or foreign-key rule refused the change
    Unauthorized,
    Internal,
};

struct Error
{
    ErrorKind kind = ErrorKind::Internal;
    QString code;         // stable machine-readable code, e.g. "calcom.slot_taken"
    QString message;      // for users, already translated where it is shown
    QString providerText; // the provider's or driver's own words, kept verbatim
    int httpStatus = 0;
    std::chrono::milliseconds retryAfter{0};

    [[nodiscard]] bool isTransient() const { return kind == ErrorKind::Transient; }
    [[nodiscard]] QString describe() const
    {
        return providerText.isEmpty() ? message : message + QStringLiteral(" (") + providerText + QLatin1Char(')');
    }
};

[[nodiscard]] inline Error makeError(ErrorKind kind, QString code, QString message, QString providerText = {})
{
    return Error{kind, std::move(code), std::move(message), std::move(providerText)};
}

template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_data(std::in_place_index<1>, std::move(error)) {}

    [[nodiscard]] bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }
    [[nodiscard]] const T &value() const & { return std::get<0>(m_data); }
    [[nodiscard]] T &value() & { return std::get<0>(m_data); }
    [[nodiscard]] T &&value() && { return std::get<0>(std::move(m_data)); }
    [[nodiscard]] const T &operator*() const & { return value(); }
    [[nodiscard]] T &operator*() & { return value(); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }
    [[nodiscard]] const Error &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_ok(false) {}

    [[nodiscard]] bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    [[nodiscard]] const Error &error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

using Status = Result<void>;

} // namespace askpro
