// The one rule for an engine or tool a test needs and cannot find: under CTest (ASKPRO_REQUIRE_ALL=1) the test
// fails, because a skip would let the suite pass without testing; run by hand without it, the test is skipped.
#pragma once

namespace askpro::test {

// Whether every engine and tool is required (ASKPRO_REQUIRE_ALL=1, which CTest sets for every test).
[[nodiscard]] bool everythingRequired();
// Reports `what` as missing when !available: a failure when everything is required, else a skip. Returns
// available; call through ASKPRO_REQUIRE so the test function returns at once.
[[nodiscard]] bool requireTool(const char *what, bool available, const char *file, int line);

} // namespace askpro::test

// In a test function (returns void): returns from it, failed or skipped, when `available` is false.
#define ASKPRO_REQUIRE(available, what)                                                                                \
    do {                                                                                                               \
        if (!askpro::test::requireTool(what, available, __FILE__, __LINE__))                                           \
            return;                                                                                                    \
    } while (false)
