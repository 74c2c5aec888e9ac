// Edits a call's extracted appointment data (service, date, time, name, e-mail, staff, notes)
// before support retries the booking.
#pragma once

#include "flow/appointmentrequest.h"

#include <QDialog>

class QComboBox;
class QDateEdit;
class QLineEdit;
class QTimeEdit;

namespace askpro {

class RequestDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestDialog)
public:
    // services: the company's service names offered in the service field (free text is allowed too).
    RequestDialog(const AppointmentRequest &request, const QStringList &services, QWidget *parent = nullptr);
    ~RequestDialog() override;

    [[nodiscard]] AppointmentRequest request() const;

private:
    AppointmentRequest m_original;
    QComboBox *m_service = nullptr;
    QDateEdit *m_date = nullptr;
    QTimeEdit *m_time = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_email = nullptr;
    QLineEdit *m_staff = nullptr;
    QLineEdit *m_notes = nullptr;
};

} // namespace askpro
