// Wizard wiring: the pages, the branch after the resume page, and the run shared by pages 2 to 4.
#include "wizard/setupwizard.h"

#include "setupclient.h"
#include "wizard/companypage.h"
#include "wizard/connectpage.h"
#include "wizard/phonepage.h"
#include "wizard/resumepage.h"
#include "wizard/testcallpage.h"

using namespace Qt::StringLiterals;

namespace askpro {

SetupWizard::SetupWizard(SetupClient *client, QList<SetupRunInfo> unfinished, QWidget *parent)
    : QWizard(parent)
    , m_client(client)
{
    setObjectName(u"setupWizard"_s);
    setWindowTitle(tr("New business"));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnLastPage, true);
    setOption(QWizard::NoCancelButtonOnLastPage, true);
    const bool offerResume = !unfinished.isEmpty();
    if (offerResume)
        setPage(Page_Resume, new ResumePage(std::move(unfinished), this));
    setPage(Page_Company, new CompanyPage(this));
    setPage(Page_Phone, new PhonePage(this));
    setPage(Page_Connect, new ConnectPage(this));
    setPage(Page_TestCall, new TestCallPage(this));
    setStartId(offerResume ? Page_Resume : Page_Company);
    resize(1060, 760);
}

SetupWizard::~SetupWizard() = default;

SetupInput SetupWizard::input() const
{
    SetupInput in = static_cast<CompanyPage *>(page(Page_Company))->input();
    in.phone = field(u"branch.phone"_s).toString();
    in.sipTerminationHost = field(u"branch.sip.host"_s).toString().trimmed();
    in.sipUser = field(u"branch.sip.user"_s).toString().trimmed();
    in.credentials.sipPassword = field(u"branch.sip.password"_s).toString().toUtf8();
    in.buyNumber = field(u"branch.buy"_s).toBool();
    in.areaCode = field(u"branch.buy.area_code"_s).toString().trimmed();
    in.countryCode = field(u"branch.buy.country"_s).toString();
    return in;
}

void SetupWizard::loadInput(const SetupInput &input)
{
    static_cast<CompanyPage *>(page(Page_Company))->load(input);
    setField(u"branch.phone"_s, input.phone);
    setField(u"branch.sip.host"_s, input.sipTerminationHost);
    setField(u"branch.sip.user"_s, input.sipUser);
    setField(u"branch.buy"_s, input.buyNumber);
    setField(u"branch.buy.area_code"_s, input.areaCode);
    setField(u"branch.buy.country"_s, input.countryCode);
}

void SetupWizard::prepareRun(std::function<void(const Status &)> done)
{
    const SetupInput in = input();
    if (m_runId == 0) {
        m_client->create(in, [this, done](const Result<qint64> &created) {
            if (created)
                m_runId = *created;
            done(created ? Status() : Status(created.error()));
        });
        return;
    }
    m_client->updateInput(m_runId, in, std::move(done));
}

SetupRunInfo SetupWizard::currentRun() const
{
    if (m_runId > 0 && m_client->lastRun().id == m_runId)
        return m_client->lastRun();
    if (m_runId > 0 && m_resumed.id == m_runId)
        return m_resumed;
    return {};
}

QString SetupWizard::businessNumber() const
{
    const SetupInput in = input();
    auto e164 = in.phoneE164();
    return e164 ? *e164 : in.phone;
}

int SetupWizard::nextId() const
{
    switch (currentId()) {
    case Page_Resume: {
        // A run whose number is verified continues with the checklist; an earlier one shows its details.
        if (m_runId == 0)
            return Page_Company;
        return SetupSteps::pastCredentials(currentRun()) ? Page_Connect : Page_Company;
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
