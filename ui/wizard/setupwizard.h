// The "New business" wizard (Qt's licensewizard pattern): company details, phone verification, automatic
// connection with a live checklist, and a test call. The work happens on askpro-server; the pages follow it
// through SetupClient.
#pragma once

#include "core/result.h"
#include "setup/setupprogress.h"

#include <QWizard>

#include <functional>

namespace askpro {

class SetupClient;

class SetupWizard final : public QWizard
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetupWizard)
public:
    enum PageId {
        Page_Resume,  // shown only when unfinished setups exist
        Page_Company,
        Page_Phone,
        Page_Connect,
        Page_TestCall,
    };

    // client outlives the wizard (or is its child); unfinished: the runs to offer on the resume page.
    SetupWizard(SetupClient *client, QList<SetupRunInfo> unfinished, QWidget *parent = nullptr);
    ~SetupWizard() override;

    [[nodiscard]] SetupClient *client() const { return m_client; }

    // The input as the pages hold it now.
    [[nodiscard]] SetupInput input() const;
    // Fills the pages from a stored run's input (keys are never stored, so they stay empty).
    void loadInput(const SetupInput &input);

    // The run these pages drive; 0 until the phone is verified the first time.
    [[nodiscard]] qint64 runId() const { return m_runId; }
    void setRunId(qint64 runId) { m_runId = runId; }
    // A run continued from the resume page, as the server listed it.
    void setResumedRun(const SetupRunInfo &run) { m_resumed = run; }
    // Creates the run on the server from the current input, or hands an existing run the current input.
    void prepareRun(std::function<void(const Status &)> done);
    // The run as last heard from the server (the resumed one before any step ran here).
    [[nodiscard]] SetupRunInfo currentRun() const;
    // The branch the run stored (0 before the first step ran).
    [[nodiscard]] qint64 branchId() const { return currentRun().branchId; }
    // The business number as the operator entered it on the phone page (E.164 when it parses).
    [[nodiscard]] QString businessNumber() const;

    [[nodiscard]] int nextId() const override;

private:
    qint64 m_runId = 0;
    SetupClient *m_client;
    SetupRunInfo m_resumed;
};

} // namespace askpro
