// The delivery log: every e-mail, SMS and WhatsApp message the server recorded, filtered by channel, state and
// time, with the selected message's text and delivery history and a way to its call.
#pragma once

#include <QPointer>
#include <QWidget>

class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QToolButton;

namespace askpro {

namespace client {
class ApiAccount;
class ApiCall;
}

class ApiRecordsModel;

class MessagesPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessagesPage)
public:
    explicit MessagesPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~MessagesPage() override;

    [[nodiscard]] ApiRecordsModel *model() const { return m_model; }
    [[nodiscard]] QTableView *table() const { return m_table; }
    [[nodiscard]] QString detailText() const;
    void reload();
    // Shows only this call's messages (0: every call's).
    void showCall(qint64 callId);

Q_SIGNALS:
    void statusMessage(const QString &text);
    void openCall(qint64 callId);
    // The selected message's detail is on screen.
    void messageShown(qint64 messageId);
    // The server queued messageId's message again as resentId.
    void messageResent(qint64 messageId, qint64 resentId);

private:
    void showSelected();
    void exportCsv();
    void resendShown();

    client::ApiAccount &m_account;
    QPointer<client::ApiCall> m_detailCall;
    ApiRecordsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QComboBox *m_channel = nullptr;
    QComboBox *m_state = nullptr;
    QDateEdit *m_from = nullptr;
    QDateEdit *m_to = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_callFilter = nullptr;
    QToolButton *m_clearCall = nullptr;
    QLabel *m_summary = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QPushButton *m_openCall = nullptr;
    QPushButton *m_resend = nullptr;
    qint64 m_callId = 0;
    qint64 m_shownCallId = 0;
    qint64 m_shownId = 0;
};

} // namespace askpro
