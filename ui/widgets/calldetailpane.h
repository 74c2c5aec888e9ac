// The detail of one call, read from the admin API: overview (caller, outcome, summary, request data,
// recording) with the processing timeline, the transcript as a dialogue, the messages sent about it, and the
// webhook payload as the server masked it (only for those who may see payloads).
#pragma once

#include "apiresult.h"

#include <QPointer>
#include <QWidget>

class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableView;
class QTextBrowser;
class QTreeWidget;

namespace askpro {

namespace client {
class ApiAccount;
class ApiCall;
}

class ApiRecordsModel;

class CallDetailPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallDetailPane)
public:
    explicit CallDetailPane(client::ApiAccount &account, QWidget *parent = nullptr);
    ~CallDetailPane() override;

    // Asks for the call and shows it when the answer comes; 0 clears the pane.
    void showCall(qint64 callId);
    // Reads the shown call again (after a change or a poll); what is shown stays until the answer replaces it.
    void reload();
    [[nodiscard]] qint64 callId() const { return m_callId; }
    // The call whose detail is on screen (0 while none is, or while another is still being read).
    [[nodiscard]] qint64 shownCallId() const { return m_shownId; }
    // The last detail the server sent, as it sent it.
    [[nodiscard]] const client::Json &detail() const { return m_detail; }

Q_SIGNALS:
    // The call's detail is on screen (after showCall() or reload()).
    void shown(qint64 callId);

protected:
    void changeEvent(QEvent *event) override;

private:
    void answered(qint64 callId, const client::ApiResult &result);
    void present();
    void showMessage(const QString &text);

    client::ApiAccount &m_account;
    QPointer<client::ApiCall> m_pending;
    client::Json m_detail;
    qint64 m_callId = 0;
    qint64 m_shownId = 0;
    QLabel *m_header = nullptr;
    QLabel *m_placeholder = nullptr;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_caller = nullptr;
    QLabel *m_outcome = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_sentiment = nullptr;
    QLabel *m_disconnection = nullptr;
    QLabel *m_request = nullptr;
    QLabel *m_appointment = nullptr;
    QPushButton *m_recording = nullptr;
    QString m_recordingUrl;
    QTreeWidget *m_timeline = nullptr;
    QTextBrowser *m_transcript = nullptr;
    QPlainTextEdit *m_payload = nullptr;
    // The call's messages (confirmations by e-mail and SMS) from the delivery log.
    ApiRecordsModel *m_messages = nullptr;
    QTableView *m_messageTable = nullptr;
};

} // namespace askpro
