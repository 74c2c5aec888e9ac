// The "New business" wizard (Qt's licensewizard pattern): company details, phone verification, automatic
// connection with a live checklist, and a test call. Provider work happens in SetupRunner and TestCall.
#pragma once

#include "setup/setupinput.h"

#include <QWizard>

#include <memory>

namespace askpro {

class Database;
class SetupRunner;
class TestCall;

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

    // runner and testCall outlive the wizard (or are its children).
    SetupWizard(std::shared_ptr<Database> db, SetupRunner *runner, TestCall *testCall, QWidget *parent = nullptr);
    ~SetupWizard() override;

    [[nodiscard]] SetupRunner *runner() const { return m_runner; }
    [[nodiscard]] TestCall *testCall() const { return m_testCall; }

    // The input as the pages hold it now.
    [[nodiscard]] SetupInput input() const;
    // Fills the pages from a stored run's input (keys are never stored, so they stay empty).
    void loadInput(const SetupInput &input);

    // The run these pages drive; 0 until the phone is verified the first time.
    [[nodiscard]] qint64 runId() const { return m_runId; }
    void setRunId(qint64 runId) { m_runId = runId; }
    // Creates the run from the current input, or hands an existing run the current input.
    [[nodiscard]] Status prepareRun();
    // The branch the run stored (0 before the first step ran).
    [[nodiscard]] qint64 branchId() const;

    [[nodiscard]] int nextId() const override;

private:
    qint64 m_runId = 0;
    SetupRunner *m_runner;
    TestCall *m_testCall;
};

} // namespace askpro
