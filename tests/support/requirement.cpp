// Missing engines and tools: QTest's own fail and skip, worded so the output says what to install or set.
#include "requirement.h"

#include <QByteArray>
#include <QTest>

namespace askpro::test {

bool everythingRequired()
{
    return qEnvironmentVariableIntValue("ASKPRO_REQUIRE_ALL") != 0;
}

bool requireTool(const char *what, bool available, const char *file, int line)
{
    if (available)
        return true;
    if (everythingRequired()) {
        const QByteArray message = QByteArray(what) + " is required (ASKPRO_REQUIRE_ALL=1) but not available";
        QTest::qFail(message.constData(), file, line);
    } else {
        const QByteArray message = QByteArray(what) + " is not available (skipped; ASKPRO_REQUIRE_ALL=1 fails instead)";
        QTest::qSkip(message.constData(), file, line);
    }
    return false;
}

} // namespace askpro::test
