// Benchmark (prints figures, never fails for being slow): backend time of a whole setup with the sandbox at
// zero latency, a second run that reuses everything, setups under injected faults with the runner's own
// retries, and the screens and fields of the wizard an operator must touch.
#include "percentile.h"
#include "apiaccount.h"
#include "db/database.h"
#include "sandbox.h"
#include "security/credentialstore.h"
#include "security/secretbox.h"
#include "setupclient.h"
#include "setup/setuprunner.h"
#include "testdatabase.h"
#include "wizard/setupwizard.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QTableWidget>
#include <QTimer>
#include <QWizardPage>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace askpro;

using askpro::test::percentile;

namespace {

SetupInput input(int i)
{
    SetupInput in;
    in.companyName = u"Benchmark Praxis %1"_s.arg(i);
    in.companyAddress = u"Torstr. 12, 10119 Berlin"_s;
    in.billingEmail = u"rechnung@praxis%1.example"_s.arg(i);
    in.branchName = u"Mitte"_s;
    in.phone = u"+49 30 888%1"_s.arg(i, 4, 10, QLatin1Char('0'));
    in.sipTerminationHost = u"trunk.carrier.example"_s; // the number comes in over the carrier's SIP trunk
    in.staff = {{u"Dr. Anna Sommer"_s, u"anna@praxis%1.example"_s.arg(i)}};
    in.credentials = {"key_sandbox_retell", "cal_test_sandbox", "sk_test_sandbox"};
    return in;
}

Status wait(SetupRunner &runner, qint64 runId)
{
    Status out = makeError(ErrorKind::Transient, u"bench.timeout"_s, u"timeout"_s);
    bool finished = false;
    QEventLoop loop;
    runner.run(runId, [&](const Status &s) {
        out = s;
        finished = true;
        loop.quit();
    });
    if (!finished)
        loop.exec();
    return out;
}

void timing(const QString &engine, int setups)
{
    auto db = test::freshDatabase(engine);
    if (!db) {
        std::printf("%s: skipped (no database)\n", qPrintable(engine));
        return;
    }
    sandbox::Sandbox providers{sandbox::SandboxConfig{}};
    if (providers.listen(QHostAddress::LocalHost, 0) == 0)
        return;
    ProviderEndpoints endpoints;
    endpoints.retell = providers.baseUrl(sandbox::Provider::Retell);
    endpoints.calcom = providers.baseUrl(sandbox::Provider::Calcom);
    endpoints.stripe = providers.baseUrl(sandbox::Provider::Stripe);
    QNetworkAccessManager network;
    CredentialStore credentials(*db, SecretBox(SecretBox::newKey()));
    SetupRunner runner(*db, credentials, &network, endpoints, u"http://127.0.0.1:9"_s);
    std::vector<double> first, again;
    int live = 0;
    for (int i = 0; i < setups; ++i) {
        QElapsedTimer t;
        t.start();
        auto id = runner.create(input(i));
        live += id && wait(runner, *id) ? 1 : 0;
        first.push_back(double(t.nsecsElapsed()) / 1e6);
        t.restart();
        auto second = runner.create(input(i));
        (void)(second && wait(runner, *second));
        again.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::printf("%-10s whole setup (new business): p50 %6.1f ms  p90 %6.1f ms  max %6.1f ms  (%d/%d live)\n", qPrintable(engine),
                percentile(first, 50), percentile(first, 90), percentile(first, 100), live, setups);
    std::printf("%-10s same setup again (all reused): p50 %6.1f ms  max %6.1f ms\n", qPrintable(engine), percentile(again, 50),
                percentile(again, 100));

    // Under faults: one provider at a time fails 20 % of requests; the runner retries passing errors five times
    // by itself. A setup that still stops needs the operator's Retry: that is a "failed setup".
    const sandbox::Provider kinds[] = {sandbox::Provider::Retell, sandbox::Provider::Calcom, sandbox::Provider::Stripe};
    int stopped = 0, total = 100;
    for (int i = 0; i < total; ++i) {
        for (auto k : kinds)
            providers.setFaults(k, {});
        providers.setFaultSeed(quint64(7000 + i));
        providers.setFaults(kinds[i % 3], {0, 0.2, 0, 0});
        auto id = runner.create(input(1000 + i));
        if (!id)
            continue;
        if (!wait(runner, *id)) {
            ++stopped;
            for (int tries = 0; tries < 50 && !wait(runner, *id); ++tries) {
            }
        }
    }
    std::printf("%-10s faults (20 %% of one provider's requests): %d of %d setups needed the operator's Retry (%.0f %%)\n", qPrintable(engine),
                stopped, total, 100.0 * stopped / total);
}

void screens()
{
    client::ApiAccount account; // the screens are counted, not used: no server needed
    SetupClient setupClient(account);
    SetupWizard wizard(&setupClient, {});
    int fields = 0;
    std::printf("wizard screens and their inputs:\n");
    for (int id : wizard.pageIds()) {
        QWizardPage *page = wizard.page(id);
        const auto lineEdits = page->findChildren<QLineEdit *>();
        const int edits = int(std::count_if(lineEdits.begin(), lineEdits.end(), [](QLineEdit *e) { return !qobject_cast<QComboBox *>(e->parent()); }));
        const int combos = int(page->findChildren<QComboBox *>().size());
        const int checks = int(page->findChildren<QCheckBox *>().size());
        const int tables = int(page->findChildren<QTableWidget *>().size());
        fields += edits + combos + checks;
        std::printf("  %-36s %2d text fields, %d choices, %d check boxes, %d tables\n", qPrintable(page->title()), edits, combos, checks, tables);
    }
    // Required input (the rest has defaults): company name, address, billing e-mail, branch name, Cal.com key,
    // phone number, plus the Retell key once per installation; then Verify, Next x3, Start test call, Finish.
    std::printf("screens: %lld; fields shown: %d; fields an operator must fill: 6 (7 on the first setup of an installation); "
                "clicks: Verify, Next x3, Start test call, Finish\n",
                static_cast<long long>(wizard.pageIds().size()), fields);
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QLoggingCategory::setFilterRules(u"askpro.*.warning=false\naskpro.*.info=false"_s);
    const int setups = argc > 1 ? std::max(1, QString::fromLocal8Bit(argv[1]).toInt()) : 20;
    timing(u"sqlite"_s, setups);
    if (test::postgresAvailable())
        timing(u"postgresql"_s, setups);
    screens();
    return 0;
}
