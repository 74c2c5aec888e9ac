// The webhook inbox, read through the admin API: every delivery with its signature result, processing state,
// delivery count and linked call; the selected delivery's body as the server masked it; and a replay action.
#pragma once

#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace askpro {

namespace client {
class ApiAccount;
class ApiCall;
}

class ApiRecordsModel;

class InboxPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InboxPage)
public:
    explicit InboxPage(client::ApiAccount &account, QWidget *parent = nullptr);
    ~InboxPage() override;

    [[nodiscard]] ApiRecordsModel *model() const { return m_model; }
    [[nodiscard]] QTableView *table() const { return m_table; }
    // Asks for the first page again with the filters shown.
    void reload();
    // Shows what a replay of the selected delivery would change (the server's preview), then replays it when
    // the user agrees.
    void replaySelected();
    // The delivery whose body is on screen (0: none yet).
    [[nodiscard]] qint64 shownDeliveryId() const { return m_shownId; }
    // Asks the server for its refused requests again (counts above the table).
    void reloadRefused();
    // Shows the server's sample of refused bodies in the detail pane instead of a delivery.
    void showRefusedSample();

Q_SIGNALS:
    void statusMessage(const QString &text);
    // The selected delivery's body arrived and is shown.
    void bodyShown(qint64 deliveryId);
    // A replay was answered (queued or refused).
    void replayFinished();
    // The refused requests' counts (and, after showRefusedSample, their sample) are on screen.
    void refusedShown();

private:
    void showSelected();
    void replay(qint64 deliveryId);
    [[nodiscard]] qint64 selectedId() const;
    // "Retell: signature wrong" and the like, for one count or sample of refused requests.
    [[nodiscard]] static QString refusedKind(const QString &provider, const QString &reason);

    client::ApiAccount &m_account;
    ApiRecordsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QComboBox *m_provider = nullptr;
    QComboBox *m_status = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_info = nullptr;
    QPlainTextEdit *m_body = nullptr;
    QPushButton *m_replay = nullptr;
    QLabel *m_refusedSummary = nullptr;
    QPointer<client::ApiCall> m_refusedCall;
    QPointer<client::ApiCall> m_bodyCall;
    qint64 m_shownId = 0;
};

} // namespace askpro
