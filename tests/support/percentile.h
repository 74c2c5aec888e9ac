// The figures every benchmark prints: the value below which p percent of the samples lie.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace askpro::test {

// Nearest rank of a sorted copy; 0 without samples. p from 0 to 100 (100: the maximum).
[[nodiscard]] inline double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, std::size_t(p / 100.0 * double(values.size())))];
}

} // namespace askpro::test
