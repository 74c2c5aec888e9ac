// A plain form; validation of the content happens in SupportService::correctRequest.
#include "dialogs/requestdialog.h"

#include <QComboBox>
#include <QDateEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QTimeEdit>

using namespace Qt::StringLiterals;

namespace askpro {

RequestDialog::RequestDialog(const AppointmentRequest &request, const QStringList &services, QWidget *parent)
    : QDialog(parent)
    , m_original(request)
{
    setWindowTitle(tr("Edit appointment data"));
    auto *form = new QFormLayout(this);
    m_service = new QComboBox(this);
    m_service->setObjectName(u"serviceField"_s);
    m_service->setEditable(true);
    m_service->addItems(services);
    m_service->setCurrentText(request.service);
    m_date = new QDateEdit(request.date.isValid() ? request.date : QDate::currentDate().addDays(1), this);
    m_date->setObjectName(u"dateField"_s);
    m_date->setCalendarPopup(true);
    m_time = new QTimeEdit(request.time.isValid() ? request.time : QTime(10, 0), this);
    m_time->setObjectName(u"timeField"_s);
    m_name = new QLineEdit(request.customerName, this);
    m_email = new QLineEdit(request.customerEmail, this);
    m_staff = new QLineEdit(request.staffPreference, this);
    m_notes = new QLineEdit(request.notes, this);
    form->addRow(tr("Service:"), m_service);
    form->addRow(tr("Date:"), m_date);
    form->addRow(tr("Time:"), m_time);
    form->addRow(tr("Customer name:"), m_name);
    form->addRow(tr("E-mail:"), m_email);
    form->addRow(tr("Staff preference:"), m_staff);
    form->addRow(tr("Notes:"), m_notes);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

RequestDialog::~RequestDialog() = default;

AppointmentRequest RequestDialog::request() const
{
    AppointmentRequest r = m_original;
    r.service = m_service->currentText().trimmed();
    r.date = m_date->date();
    r.time = m_time->time();
    r.customerName = m_name->text().trimmed();
    r.customerEmail = m_email->text().trimmed();
    r.staffPreference = m_staff->text().trimmed();
    r.notes = m_notes->text().trimmed();
    return r;
}

} // namespace askpro
