// Delivery log page: an ApiRecordsModel over GET /api/v1/messages; the detail asks GET /messages/{id}.
#include "pages/messagespage.h"

#include "apiaccount.h"
#include "apirecordsmodel.h"
#include "csvexporter.h"
#include "jsonfields.h"
#include "labels.h"
#include "tablestate.h"

#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimeZone>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// The columns, in the order of the list's fields.
enum Column { IdColumn, CreatedColumn, ZoneColumn, CompanyColumn, KindColumn, ChannelColumn, RecipientColumn, StateColumn, ReasonColumn };
constexpr int maxExportRows = 200000;

QString when(qint64 ms)
{
    return ms > 0 ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms).toLocalTime(), QLocale::ShortFormat) : QString();
}

} // namespace

MessagesPage::MessagesPage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
{
    auto *layout = new QVBoxLayout(this);
    auto *filters = new QHBoxLayout;
    m_channel = new QComboBox(this);
    m_channel->setObjectName(u"messageChannelFilter"_s);
    m_channel->addItem(tr("Every channel"), QString());
    for (const QString &code : {u"email"_s, u"sms"_s, u"whatsapp"_s})
        m_channel->addItem(Labels::channel(code), code);
    m_state = new QComboBox(this);
    m_state->setObjectName(u"messageStateFilter"_s);
    m_state->addItem(tr("Every state"), QString());
    for (const QString &code : {u"queued"_s, u"sending"_s, u"sent"_s, u"delivered"_s, u"undelivered"_s, u"failed"_s, u"skipped"_s})
        m_state->addItem(Labels::messageState(code), code);
    m_from = new QDateEdit(QDate::currentDate().addDays(-30), this);
    m_from->setObjectName(u"messageFrom"_s);
    m_from->setCalendarPopup(true);
    m_to = new QDateEdit(QDate::currentDate(), this);
    m_to->setObjectName(u"messageTo"_s);
    m_to->setCalendarPopup(true);
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"messageSearch"_s);
    m_search->setPlaceholderText(tr("Search recipient or message id"));
    m_search->setClearButtonEnabled(true);
    m_callFilter = new QLabel(this);
    m_callFilter->setVisible(false);
    m_clearCall = new QToolButton(this);
    m_clearCall->setText(tr("Show every call's"));
    m_clearCall->setVisible(false);
    auto *refresh = new QToolButton(this);
    refresh->setText(tr("Refresh"));
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export CSV…"));
    filters->addWidget(m_channel);
    filters->addWidget(m_state);
    filters->addWidget(new QLabel(tr("From:"), this));
    filters->addWidget(m_from);
    filters->addWidget(new QLabel(tr("To:"), this));
    filters->addWidget(m_to);
    filters->addWidget(m_search, 1);
    filters->addWidget(m_callFilter);
    filters->addWidget(m_clearCall);
    filters->addWidget(refresh);
    filters->addWidget(exportButton);
    layout->addLayout(filters);

    using F = ApiRecordsModel::Format;
    m_model = new ApiRecordsModel(m_account, u"/messages"_s,
                                  {{tr("No."), "id", F::Number, u"id"_s},
                                   {tr("Recorded"), "created_at", F::DateTime, u"created_at"_s},
                                   {tr("Time zone"), "time_zone"},
                                   {tr("Company"), "company", F::Text, u"company"_s},
                                   {tr("Message"), "kind", F::MessageKind, u"kind"_s},
                                   {tr("Channel"), "channel", F::Channel, u"channel"_s},
                                   {tr("Recipient"), "recipient"},
                                   {tr("State"), "state", F::MessageState, u"state"_s},
                                   {tr("Reason"), "reason", F::MessageReason},
                                   {tr("Provider id"), "provider_id"},
                                   {tr("Call"), "call_id", F::Number, u"call_id"_s}},
                                  "time_zone", this);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(u"messagesTable"_s);
    m_table->setModel(m_model);
    TableState::setUpTable(m_table);
    m_table->hideColumn(ZoneColumn);
    m_table->horizontalHeader()->setSortIndicator(CreatedColumn, Qt::DescendingOrder);
    m_table->setSortingEnabled(true);
    const QFontMetrics metrics = m_table->fontMetrics();
    m_table->setColumnWidth(IdColumn, metrics.horizontalAdvance(u"000000"_s) + 16);
    m_table->setColumnWidth(CreatedColumn, metrics.horizontalAdvance(u"30 Dec 2026 23:59"_s) + 18);
    m_table->setColumnWidth(CompanyColumn, metrics.horizontalAdvance(u"Zahnarztpraxis Dr. Weber"_s));
    m_table->setColumnWidth(KindColumn, metrics.horizontalAdvance(tr("Booking confirmation")) + 16);
    m_table->setColumnWidth(RecipientColumn, metrics.horizontalAdvance(u"eva.schulz@example.de"_s) + 16);
    m_table->setColumnWidth(ReasonColumn, metrics.horizontalAdvance(tr("Landline or unreachable carrier (30006)")) + 8);
    TableState::track(m_table, u"messages"_s);

    auto *detail = new QWidget(splitter);
    auto *detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    auto *summaryRow = new QHBoxLayout;
    m_summary = new QLabel(detail);
    m_summary->setObjectName(u"messageSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_openCall = new QPushButton(tr("Open call"), detail);
    m_openCall->setObjectName(u"messageOpenCall"_s);
    m_openCall->setEnabled(false);
    // The server decides (manage_calls, and whether this message may go again); the button only follows it.
    m_resend = new QPushButton(tr("Send again…"), detail);
    m_resend->setObjectName(u"messageResend"_s);
    m_resend->setEnabled(false);
    m_resend->setVisible(m_account.can(u"manage_calls"_s));
    auto *actions = new QVBoxLayout;
    actions->addWidget(m_openCall);
    actions->addWidget(m_resend);
    actions->addStretch(1);
    summaryRow->addWidget(m_summary, 1);
    summaryRow->addLayout(actions);
    m_text = new QPlainTextEdit(detail);
    m_text->setObjectName(u"messageText"_s);
    m_text->setReadOnly(true);
    detailLayout->addLayout(summaryRow);
    detailLayout->addWidget(m_text, 1);
    splitter->addWidget(m_table);
    splitter->addWidget(detail);
    splitter->setSizes({420, 260});
    layout->addWidget(splitter, 1);

    auto *delay = new QTimer(this);
    delay->setSingleShot(true);
    delay->setInterval(250);
    connect(delay, &QTimer::timeout, this, &MessagesPage::reload);
    connect(m_search, &QLineEdit::textChanged, delay, qOverload<>(&QTimer::start));
    for (QComboBox *box : {m_channel, m_state})
        connect(box, &QComboBox::activated, this, &MessagesPage::reload);
    for (QDateEdit *edit : {m_from, m_to})
        connect(edit, &QDateEdit::dateChanged, delay, qOverload<>(&QTimer::start));
    connect(m_clearCall, &QToolButton::clicked, this, [this] { showCall(0); });
    connect(refresh, &QToolButton::clicked, this, &MessagesPage::reload);
    connect(exportButton, &QToolButton::clicked, this, &MessagesPage::exportCsv);
    connect(m_openCall, &QPushButton::clicked, this, [this] {
        if (m_shownCallId > 0)
            Q_EMIT openCall(m_shownCallId);
    });
    connect(m_resend, &QPushButton::clicked, this, &MessagesPage::resendShown);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MessagesPage::showSelected);
    connect(m_model, &ApiListModel::loaded, this, &MessagesPage::showSelected);
    connect(m_model, &ApiListModel::failed, this, [this](const QString &message) {
        Q_EMIT statusMessage(tr("The delivery log cannot be read: %1").arg(message));
    });
    reload();
}

MessagesPage::~MessagesPage()
{
    if (m_detailCall)
        m_detailCall->abandon();
}

QString MessagesPage::detailText() const
{
    return m_summary->text() + u'\n' + m_text->toPlainText();
}

void MessagesPage::exportCsv()
{
    // Every message the filters match, not only the rows loaded so far.
    setCursor(Qt::BusyCursor);
    m_model->loadAll(maxExportRows, [this](bool complete) {
        unsetCursor();
        if (!complete && m_model->isTruncated())
            Q_EMIT statusMessage(tr("Only the first %Ln messages are exported.", nullptr, m_model->rowCount()));
        CsvExporter::exportWithDialog(m_table, tr("delivery-log"), this);
    });
}

void MessagesPage::resendShown()
{
    const qint64 id = m_shownId;
    if (id <= 0)
        return;
    if (QMessageBox::question(this, tr("Send again"),
                              tr("Send message %1 again to its recipient? It is recorded as a new message.").arg(id),
                              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes)
        != QMessageBox::Yes)
        return;
    m_resend->setEnabled(false);
    auto *call = m_account.post(u"/messages/%1/resend"_s.arg(id), client::Json::object());
    connect(call, &client::ApiCall::finished, this, [this, id](const client::ApiResult &result) {
        if (!result.ok()) {
            Q_EMIT statusMessage(tr("Message %1 was not sent again: %2").arg(id).arg(result.errorMessage));
            showSelected();
            return;
        }
        const qint64 resent = client::number(result.body, "id");
        Q_EMIT statusMessage(tr("Message %1 is being sent again as message %2.").arg(id).arg(resent));
        Q_EMIT messageResent(id, resent);
        reload();
    });
}

void MessagesPage::showCall(qint64 callId)
{
    m_callId = callId;
    m_callFilter->setVisible(callId > 0);
    m_clearCall->setVisible(callId > 0);
    m_callFilter->setText(tr("Only call %1").arg(callId));
    if (callId > 0)
        m_from->setDate(QDate(2000, 1, 1));
    reload();
}

void MessagesPage::reload()
{
    QUrlQuery filters;
    const auto add = [&filters](const QString &name, const QString &value) {
        if (!value.isEmpty())
            filters.addQueryItem(name, value);
    };
    add(u"channel"_s, m_channel->currentData().toString());
    add(u"state"_s, m_state->currentData().toString());
    if (m_callId > 0)
        add(u"call_id"_s, QString::number(m_callId));
    add(u"q"_s, m_search->text().trimmed());
    add(u"from"_s, QString::number(QDateTime(m_from->date(), QTime(0, 0), QTimeZone::systemTimeZone()).toMSecsSinceEpoch()));
    add(u"to"_s, QString::number(QDateTime(m_to->date().addDays(1), QTime(0, 0), QTimeZone::systemTimeZone()).toMSecsSinceEpoch()));
    add(u"zone"_s, QString::fromUtf8(QTimeZone::systemTimeZoneId())); // times shown in this desktop's zone
    m_model->sort(m_table->horizontalHeader()->sortIndicatorSection(), m_table->horizontalHeader()->sortIndicatorOrder());
    m_model->setFilters(filters);
}

void MessagesPage::showSelected()
{
    const qint64 id = m_model->idAt(m_table->currentIndex().row());
    if (id <= 0) {
        m_summary->setText(m_model->rowCount() == 0 ? tr("No messages match the filter.") : tr("Select a message to see its text and delivery."));
        m_text->clear();
        m_openCall->setEnabled(false);
        m_resend->setEnabled(false);
        m_shownCallId = 0;
        m_shownId = 0;
        return;
    }
    if (m_detailCall)
        m_detailCall->abandon();
    m_detailCall = m_account.get(u"/messages/%1"_s.arg(id));
    connect(m_detailCall, &client::ApiCall::finished, this, [this, id](const client::ApiResult &result) {
        if (!result.ok()) {
            m_summary->setText(result.errorMessage);
            return;
        }
        const client::Json &m = result.body;
        const QString state = client::text(m, "provider_status").isEmpty() ? client::text(m, "status") : client::text(m, "provider_status");
        QStringList lines;
        lines << tr("%1 by %2 to %3, recorded %4.")
                     .arg(Labels::messageKind(client::text(m, "kind")), Labels::channel(client::text(m, "channel")), client::text(m, "recipient"),
                          when(client::number(m, "created_at")));
        QString delivery = tr("State: %1 after %Ln attempt(s).", nullptr, int(client::number(m, "attempts"))).arg(Labels::messageState(state));
        if (client::number(m, "sent_at") > 0)
            delivery += u' ' + tr("Sent %1.").arg(when(client::number(m, "sent_at")));
        if (client::number(m, "status_at") > 0)
            delivery += u' ' + tr("Last reported %1.").arg(when(client::number(m, "status_at")));
        lines << delivery;
        QStringList reasons;
        for (const char *field : {"skip_reason", "error_code"}) {
            if (!client::text(m, field).isEmpty())
                reasons << Labels::messageReason(client::text(m, field));
        }
        for (const QString &reason : std::as_const(reasons))
            lines << tr("Reason: %1").arg(reason);
        // Twilio's error is both the reason and the last error ("21610", "twilio.21610"): said once.
        if (const QString lastError = Labels::messageReason(client::text(m, "last_error")); !lastError.isEmpty() && !reasons.contains(lastError))
            lines << tr("Last error: %1").arg(lastError);
        if (!client::text(m, "provider_id").isEmpty())
            lines << tr("Provider's message id: %1").arg(client::text(m, "provider_id"));
        if (client::number(m, "resend_of") > 0)
            lines << tr("Sent again from message %1.").arg(client::number(m, "resend_of"));
        m_summary->setText(lines.join(u'\n'));
        const QString subject = client::text(m, "subject");
        const QString body = client::text(m, "body");
        m_text->setPlainText(body.isEmpty() ? tr("(the text is shown to roles with access to customers)")
                                            : (subject.isEmpty() ? body : subject + u"\n\n"_s + body));
        m_shownCallId = client::number(m, "call_id");
        m_openCall->setEnabled(m_shownCallId > 0);
        m_shownId = id;
        // What the server would refuse at once is not offered: a message still on its way, or left unsent on purpose.
        const QString status = client::text(m, "status");
        const QString skipped = client::text(m, "skip_reason");
        m_resend->setEnabled(status != u"queued"_s && status != u"sending"_s && client::text(m, "channel") != u"whatsapp"_s
                             && (status != u"skipped"_s || skipped == u"standby"_s || skipped == u"no_credentials"_s));
        Q_EMIT messageShown(id);
    });
}

} // namespace askpro
