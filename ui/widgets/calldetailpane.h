// The detail of one call: overview (caller, outcome, summary, request data, recording) with the
// processing timeline, the transcript as a dialogue, and the raw webhook payload with secrets masked.
#pragma once

#include <QWidget>

#include <memory>

class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTextBrowser;
class QTreeWidget;

namespace askpro {

class Database;
struct CallDetail;

class CallDetailPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallDetailPane)
public:
    explicit CallDetailPane(std::shared_ptr<Database> db, QWidget *parent = nullptr);
    ~CallDetailPane() override;

    // Loads and shows the call; 0 clears the pane.
    void showCall(qint64 callId);
    // Reads the shown call again (after a change or a poll).
    void reload();
    [[nodiscard]] qint64 callId() const { return m_callId; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void present(const CallDetail &d);
    void showMessage(const QString &text);

    std::shared_ptr<Database> m_db;
    qint64 m_callId = 0;
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
};

} // namespace askpro
