// Wizard wiring: the pages, the branch after the resume page, and the run shared by pages 2 to 4.
#include "wizard/setupwizard.h"

#include "setup/setuprunner.h"
#include "wizard/companypage.h"
#include "wizard/connectpage.h"
#include "wizard/phonepage.h"
#include "wizard/resumepage.h"
#include "wizard/testcallpage.h"

using namespace Qt::StringLiterals;

namespace askpro {

SetupWizard::SetupWizard(std::shared_ptr<Database> db, SetupRunner *runner, TestCall *testCall, QWidget *parent)
    : QWizard(parent)
    , m_runner(runner)
    , m_testCall(testCall)
{
    Q_UNUSED(db)
    setObjectName(u"setupWizard"_s);
    setWindowTitle(tr("New business"));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnLastPage, true);
    setOption(QWizard::NoCancelButtonOnLastPage, true);
    auto unfinished = runner->unfinishedRuns();
    if (unfinished && !unfinished->isEmpty())
        setPage(Page_Resume, new ResumePage(*unfinished, this));
    setPage(Page_Company, new CompanyPage(this));
    setPage(Page_Phone, new PhonePage(this));
    setPage(Page_Connect, new ConnectPage(this));
    setPage(Page_TestCall, new TestCallPage(this));
    setStartId(unfinished && !unfinished->isEmpty() ? Page_Resume : Page_Company);
    resize(1060, 760);
}

SetupWizard::~SetupWizard() = default;

SetupInput SetupWizard::input() const
{
    SetupInput in = static_cast<CompanyPage *>(page(Page_Company))->input();
    in.phone = field(u"branch.phone"_s).toString();
    return in;
}

void SetupWizard::loadInput(const SetupInput &input)
{
    static_cast<CompanyPage *>(page(Page_Company))->load(input);
    setField(u"branch.phone"_s, input.phone);
}

Status SetupWizard::prepareRun()
{
    const SetupInput in = input();
    if (m_runId == 0) {
        auto created = m_runner->create(in);
        if (!created)
            return created.error();
        m_runId = *created;
        return {};
    }
    return m_runner->updateInput(m_runId, in);
}

qint64 SetupWizard::branchId() const
{
    auto run = m_runId > 0 ? m_runner->info(m_runId) : Result<SetupRunInfo>(Error {});
    return run ? run->branchId : 0;
}

int SetupWizard::nextId() const
{
    switch (currentId()) {
    case Page_Resume: {
        // A run whose number is verified continues with the checklist; an earlier one shows its details.
        if (m_runId == 0)
            return Page_Company;
        auto run = m_runner->info(m_runId);
        const qsizetype step = run ? SetupRunner::steps().indexOf(run->step) : 0;
        return step > SetupRunner::steps().indexOf(u"credentials"_s) || (run && run->status == u"live"_s) ? Page_Connect
                                                                                                          : Page_Company;
    }
    case Page_Company:
        return Page_Phone;
    case Page_Phone:
        return Page_Connect;
    case Page_Connect:
        return Page_TestCall;
    default:
        return -1;
    }
}

} // namespace askpro
