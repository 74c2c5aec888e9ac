// Reading fields of the server's JSON answers: a field may be missing or null (an optional column), and
// nlohmann's value() throws on null, so the desktop reads every field through these.
#pragma once

#include "apiresult.h"

#include <QString>

namespace askpro::client {

// The field's text; empty when missing, null or not a string.
[[nodiscard]] inline QString text(const Json &object, const char *field)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(field);
    return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}

// The field's whole number; fallback when missing, null or not a number.
[[nodiscard]] inline qint64 number(const Json &object, const char *field, qint64 fallback = 0)
{
    if (!object.is_object())
        return fallback;
    const auto it = object.find(field);
    if (it == object.end())
        return fallback;
    if (it->is_number_integer())
        return it->get<qint64>();
    if (it->is_number())
        return qint64(it->get<double>());
    return fallback;
}

// The field as a flag; false when missing or null (a number counts as true when not 0).
[[nodiscard]] inline bool flag(const Json &object, const char *field)
{
    if (!object.is_object())
        return false;
    const auto it = object.find(field);
    if (it == object.end())
        return false;
    return it->is_boolean() ? it->get<bool>() : (it->is_number() && it->get<double>() != 0);
}

// The field's value when present and not null, else an empty object or array as asked.
[[nodiscard]] inline const Json &child(const Json &object, const char *field, const Json &fallback)
{
    if (!object.is_object())
        return fallback;
    const auto it = object.find(field);
    return it != object.end() && !it->is_null() ? *it : fallback;
}

} // namespace askpro::client
