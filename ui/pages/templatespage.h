// Message texts page (administrators, onboarding, business owners): every message to callers by kind, channel
// and language, edited with a live preview filled in for a sample appointment, its SMS length in segments, and
// the server's reason when a text cannot be saved. Platform staff word the platform's texts or one company's;
// a business owner its own company's. The server checks and stores; the page only shows.
#pragma once

#include "apiresult.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QTimer;

namespace askpro {

class MessageTemplatesModel;
namespace client {
class ApiAccount;
class ApiCall;
}

class TemplatesPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TemplatesPage)
public:
    enum class Editing {
        PlatformAndCompanies, // platform staff: the platform's texts or, chosen above the list, one company's
        OwnCompany,           // a business account: its own company's
    };
    TemplatesPage(client::ApiAccount &account, Editing editing, QWidget *parent = nullptr);
    ~TemplatesPage() override;

    void reload();
    [[nodiscard]] MessageTemplatesModel *model() const { return m_model; }
    // Shows the row's text in the editor.
    void select(int row);
    // The editor's text saved, or the company's (platform's) text dropped; for the buttons and tests.
    client::ApiCall *save();
    client::ApiCall *reset();

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    void showCurrent();
    void schedulePreview();
    void preview();
    [[nodiscard]] client::Json editedText() const;
    [[nodiscard]] qint64 companyId() const;
    void insertPlaceholder(const QString &placeholder);
    void setDirty(bool dirty);

    client::ApiAccount &m_account;
    MessageTemplatesModel *m_model = nullptr;
    QComboBox *m_company = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_origin = nullptr;
    QLineEdit *m_subject = nullptr;
    QLabel *m_subjectLabel = nullptr;
    QPlainTextEdit *m_body = nullptr;
    QComboBox *m_placeholder = nullptr;
    QLabel *m_required = nullptr;
    QLabel *m_previewSubject = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QLabel *m_length = nullptr;
    QLabel *m_problem = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_reset = nullptr;
    QPushButton *m_revert = nullptr;
    QTimer *m_previewTimer = nullptr;
    bool m_companyPicker = false;
    int m_row = -1;
    quint64 m_previewGeneration = 0;
    bool m_loadingEditor = false;
};

} // namespace askpro
