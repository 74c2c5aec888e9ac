// Call detail rendering: the facts come from GET /api/v1/calls/{id}, formatted here in the interface
// language and the branch's time zone; colours from the palette.
#include "widgets/calldetailpane.h"

#include "apiaccount.h"
#include "apirecordsmodel.h"
#include "domain/phonenumbers.h"
#include "jsonfields.h"
#include "labels.h"
#include "statuscolors.h"
#include "timelinetext.h"

#include <QDesktopServices>
#include <QEvent>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QTimeZone>
#include <QTreeWidget>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QLabel *valueLabel(QWidget *parent)
{
    auto *l = new QLabel(parent);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return l;
}

QString localTime(qint64 ms, const QTimeZone &zone, QLocale::FormatType format = QLocale::ShortFormat)
{
    if (ms <= 0)
        return {};
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toTimeZone(zone), format);
}

QJsonObject jsonObject(const client::Json &json)
{
    return json.is_object() ? QJsonDocument::fromJson(QByteArray::fromStdString(json.dump())).object() : QJsonObject();
}

} // namespace

CallDetailPane::CallDetailPane(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 0, 0, 0);
    m_header = new QLabel(this);
    m_header->setObjectName(u"callHeader"_s);
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::RichText);
    layout->addWidget(m_header);

    m_placeholder = new QLabel(tr("Select a call to see its conversation, timeline and payload."), this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_placeholder, 1);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"callTabs"_s);
    layout->addWidget(m_tabs, 1);

    // Overview: facts above, timeline below.
    auto *overview = new QSplitter(Qt::Vertical, m_tabs);
    auto *factsArea = new QScrollArea(overview);
    factsArea->setWidgetResizable(true);
    factsArea->setFrameShape(QFrame::NoFrame);
    auto *facts = new QWidget(factsArea);
    auto *form = new QFormLayout(facts);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    m_caller = valueLabel(facts);
    m_outcome = valueLabel(facts);
    m_outcome->setObjectName(u"outcomeValue"_s);
    m_summary = valueLabel(facts);
    m_sentiment = valueLabel(facts);
    m_disconnection = valueLabel(facts);
    m_request = valueLabel(facts);
    m_request->setObjectName(u"requestValue"_s);
    m_request->setTextFormat(Qt::RichText);
    m_appointment = valueLabel(facts);
    m_recording = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Open recording"), facts);
    m_recording->setObjectName(u"recordingButton"_s);
    connect(m_recording, &QPushButton::clicked, this, [this] {
        const QUrl url(m_recordingUrl);
        if (url.scheme() == u"https"_s || url.scheme() == u"http"_s) // a stored link must not start a local program
            QDesktopServices::openUrl(url);
    });
    form->addRow(tr("Caller:"), m_caller);
    form->addRow(tr("Outcome:"), m_outcome);
    form->addRow(tr("Summary:"), m_summary);
    form->addRow(tr("Sentiment:"), m_sentiment);
    form->addRow(tr("Ended by:"), m_disconnection);
    form->addRow(tr("Requested:"), m_request);
    form->addRow(tr("Appointment:"), m_appointment);
    form->addRow(tr("Recording:"), m_recording);
    factsArea->setWidget(facts);

    m_timeline = new QTreeWidget(overview);
    m_timeline->setObjectName(u"timeline"_s);
    m_timeline->setRootIsDecorated(false);
    m_timeline->setAlternatingRowColors(true);
    m_timeline->setHeaderLabels({tr("Time"), tr("Step"), tr("Status"), tr("Message")});
    m_timeline->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_timeline->header()->setStretchLastSection(true);
    m_timeline->setWordWrap(true);
    overview->addWidget(factsArea);
    overview->addWidget(m_timeline);
    overview->setStretchFactor(0, 1);
    overview->setStretchFactor(1, 1);
    m_tabs->addTab(overview, tr("Overview"));

    m_transcript = new QTextBrowser(m_tabs);
    m_transcript->setObjectName(u"transcript"_s);
    m_transcript->setOpenExternalLinks(true);
    m_tabs->addTab(m_transcript, tr("Conversation"));

    using F = ApiRecordsModel::Format;
    m_messages = new ApiRecordsModel(m_account, u"/messages"_s,
                                     {{tr("Recorded"), "created_at", F::DateTime, u"created_at"_s},
                                      {tr("Channel"), "channel", F::Channel},
                                      {tr("Recipient"), "recipient"},
                                      {tr("State"), "state", F::MessageState},
                                      {tr("Reason"), "reason", F::MessageReason}},
                                     "time_zone", this);
    m_messageTable = new QTableView(m_tabs);
    m_messageTable->setObjectName(u"callMessages"_s);
    m_messageTable->setModel(m_messages);
    m_messageTable->verticalHeader()->hide();
    m_messageTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_messageTable->horizontalHeader()->setStretchLastSection(true);
    m_messageTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tabs->addTab(m_messageTable, tr("Messages"));
    connect(m_messages, &ApiListModel::loaded, this, [this] {
        m_tabs->setTabText(m_tabs->indexOf(m_messageTable), tr("Messages (%1)").arg(m_messages->rowCount()));
    });

    m_payload = new QPlainTextEdit(m_tabs);
    m_payload->setObjectName(u"payload"_s);
    m_payload->setReadOnly(true);
    m_payload->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_payload->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // Whoever may not see payloads does not get them from the server either.
    if (m_account.can(u"view_payloads"_s))
        m_tabs->addTab(m_payload, tr("Webhook payload"));
    else
        m_payload->hide();

    showCall(0);
}

CallDetailPane::~CallDetailPane()
{
    if (m_pending)
        m_pending->abandon();
}

void CallDetailPane::showMessage(const QString &text)
{
    m_header->clear();
    m_placeholder->setText(text);
    m_placeholder->show();
    m_tabs->hide();
}

void CallDetailPane::showCall(qint64 callId)
{
    m_callId = callId;
    if (callId <= 0) {
        if (m_pending)
            m_pending->abandon();
        m_shownId = 0;
        m_detail = client::Json();
        showMessage(tr("Select a call to see its conversation, timeline and payload."));
        return;
    }
    if (callId != m_shownId)
        m_shownId = 0; // the pane shows the previous call until this one arrives
    reload();
}

void CallDetailPane::reload()
{
    if (m_callId <= 0)
        return;
    if (m_pending)
        m_pending->abandon(); // only the answer for the call asked last is shown
    const qint64 callId = m_callId;
    m_pending = m_account.get(u"/calls/%1"_s.arg(callId));
    connect(m_pending, &client::ApiCall::finished, this, [this, callId](const client::ApiResult &result) { answered(callId, result); });
}

void CallDetailPane::answered(qint64 callId, const client::ApiResult &result)
{
    if (callId != m_callId)
        return;
    if (result.status == 404) {
        m_shownId = 0;
        showMessage(tr("Call %1 no longer exists.").arg(callId));
        return;
    }
    if (!result.ok()) {
        // A server out of reach for a moment leaves the shown call on screen.
        if (m_shownId != callId)
            showMessage(tr("The call cannot be read: %1").arg(result.errorMessage));
        return;
    }
    m_detail = result.body;
    m_shownId = callId;
    present();
    Q_EMIT shown(callId);
}

void CallDetailPane::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange && m_shownId > 0)
        present(); // the transcript's colours come from the palette
    QWidget::changeEvent(event);
}

void CallDetailPane::present()
{
    using client::flag;
    using client::number;
    using client::text;
    const client::Json &d = m_detail;
    m_placeholder->hide();
    m_tabs->show();
    QTimeZone zone(text(d, "time_zone").toUtf8());
    if (!zone.isValid())
        zone = QTimeZone::utc();
    QUrlQuery messageFilter;
    messageFilter.addQueryItem(u"call_id"_s, QString::number(number(d, "id")));
    messageFilter.addQueryItem(u"zone"_s, QString::fromUtf8(zone.id()));
    m_messages->sort(0, Qt::AscendingOrder);
    m_messages->setFilters(messageFilter);
    const QString where = text(d, "branch").isEmpty() ? tr("no branch (called %1)").arg(PhoneNumbers::display(text(d, "to_number")))
                                                      : text(d, "company") + u" · "_s + text(d, "branch");
    m_header->setText(u"<b>%1</b> &nbsp;·&nbsp; %2 &nbsp;·&nbsp; %3"_s.arg(tr("Call %1").arg(number(d, "id")).toHtmlEscaped(),
                                                                          localTime(number(d, "started_at"), zone, QLocale::LongFormat).toHtmlEscaped(),
                                                                          where.toHtmlEscaped()));
    const qint64 seconds = number(d, "duration_ms") / 1000;
    const QString fromNumber = text(d, "from_number");
    const QString customer = text(d, "customer");
    m_caller->setText(tr("%1 %2, %3:%4 min")
                          .arg(fromNumber.isEmpty() ? tr("unknown number") : PhoneNumbers::display(fromNumber), customer.isEmpty() ? QString() : u"(%1)"_s.arg(customer))
                          .arg(seconds / 60)
                          .arg(seconds % 60, 2, 10, QLatin1Char('0')));
    const QString outcomeCode = text(d, "outcome");
    const QString failureReason = text(d, "failure_reason");
    const QString failureKind = text(d, "failure_kind");
    const QString comment = text(d, "resolution_comment");
    QString outcome = Labels::outcome(outcomeCode);
    if (!failureReason.isEmpty())
        outcome += u" · "_s + (failureKind.isEmpty() ? QString() : Labels::triageCategory(failureKind) + u": "_s) + failureReason;
    if (number(d, "resolved_at") > 0)
        outcome += u"\n"_s + tr("Resolved %1%2").arg(localTime(number(d, "resolved_at"), zone), comment.isEmpty() ? QString() : u": "_s + comment);
    m_outcome->setText(outcome);
    QPalette outcomePalette = m_outcome->palette();
    const QColor tone = StatusColors::text(StatusColors::forOutcome(outcomeCode));
    outcomePalette.setColor(QPalette::WindowText, tone.isValid() ? tone : palette().color(QPalette::WindowText));
    m_outcome->setPalette(outcomePalette);
    const auto orUnknown = [](const QString &value, const QString &unknown) { return value.isEmpty() ? unknown : value; };
    m_summary->setText(orUnknown(text(d, "summary"), tr("(no summary)")));
    m_sentiment->setText(orUnknown(text(d, "sentiment"), tr("(unknown)")));
    m_disconnection->setText(orUnknown(text(d, "disconnection_reason"), tr("(unknown)")));

    // The extracted appointment data.
    const QString requestJson = text(d, "request");
    if (!flag(d, "appointment_requested") || requestJson.isEmpty()) {
        m_request->setText(tr("No appointment requested"));
    } else {
        const QJsonObject r = QJsonDocument::fromJson(requestJson.toUtf8()).object();
        QStringList rows;
        const QList<std::pair<QString, QString>> fields = {{u"service"_s, tr("Service")},          {u"date"_s, tr("Date")},
                                                           {u"time"_s, tr("Time")},                {u"customer_name"_s, tr("Name")},
                                                           {u"customer_email"_s, tr("E-mail")},    {u"staff_preference"_s, tr("Staff")},
                                                           {u"notes"_s, tr("Notes")}};
        for (const auto &[key, label] : fields) {
            QString value = r.value(key).toString();
            if (key == u"date"_s && !value.isEmpty())
                value = QLocale().toString(QDate::fromString(value, Qt::ISODate), QLocale::LongFormat);
            if (!value.isEmpty())
                rows << u"<tr><td>%1:&nbsp;</td><td>%2</td></tr>"_s.arg(label.toHtmlEscaped(), value.toHtmlEscaped());
        }
        const QJsonArray alternatives = QJsonDocument::fromJson(text(d, "alternatives").toUtf8()).array();
        if (!alternatives.isEmpty()) {
            QStringList offered;
            for (const QJsonValue &v : alternatives) {
                const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODate);
                offered << (t.isValid() ? QLocale().toString(t.toTimeZone(zone), QLocale::ShortFormat) : v.toString());
            }
            rows << u"<tr><td>%1:&nbsp;</td><td>%2</td></tr>"_s.arg(tr("Offered").toHtmlEscaped(), offered.join(u", "_s).toHtmlEscaped());
        }
        m_request->setText(u"<table cellspacing=0 cellpadding=0>"_s + rows.join(QString()) + u"</table>"_s);
    }
    m_appointment->setText(number(d, "appointment_id") > 0
                               ? tr("%1 (%2)").arg(localTime(number(d, "appointment_start"), zone, QLocale::LongFormat),
                                                   Labels::appointmentStatus(text(d, "appointment_status")))
                               : tr("none"));
    m_recordingUrl = text(d, "recording_url");
    m_recording->setEnabled(!m_recordingUrl.isEmpty());
    m_recording->setToolTip(m_recordingUrl);

    // Timeline.
    m_timeline->clear();
    static const client::Json none = client::Json::array();
    const client::Json &events = client::child(d, "events", none);
    for (const client::Json &e : events) {
        const qint64 at = number(e, "at");
        const QString status = text(e, "status");
        auto *item = new QTreeWidgetItem(m_timeline);
        item->setText(0, QLocale().toString(QDateTime::fromMSecsSinceEpoch(at, QTimeZone::utc()).toTimeZone(zone).time(), u"HH:mm:ss"_s));
        item->setToolTip(0, localTime(at, zone, QLocale::LongFormat));
        item->setText(1, Labels::eventStep(text(e, "step")));
        QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
        QString statusText = tr("Info");
        if (status == u"ok"_s) {
            icon = QStyle::SP_DialogApplyButton;
            statusText = tr("OK");
        } else if (status == u"error"_s) {
            icon = QStyle::SP_MessageBoxCritical;
            statusText = tr("Error");
        } else if (status == u"retry"_s) {
            icon = QStyle::SP_BrowserReload;
            statusText = tr("Retry");
        }
        item->setIcon(2, style()->standardIcon(icon));
        item->setText(2, statusText);
        item->setData(2, Qt::UserRole, status);
        const QColor c = StatusColors::text(StatusColors::forEventStatus(status));
        if (c.isValid())
            item->setForeground(2, c);
        const QString worded = TimelineText::text(text(e, "code"), jsonObject(client::child(e, "args", client::Json::object())), text(e, "message"), zone);
        const QString detail = text(e, "detail");
        item->setText(3, worded);
        item->setData(3, Qt::UserRole, text(e, "code"));
        item->setToolTip(3, detail.isEmpty() ? worded : worded + u"\n\n"_s + detail);
    }
    if (events.empty()) {
        auto *item = new QTreeWidgetItem(m_timeline);
        item->setText(3, tr("No processing steps recorded yet"));
    }

    // Transcript as a dialogue; colours from the palette so dark mode stays readable.
    const client::Json &turns = client::child(d, "turns", none);
    const QString agentColor = palette().color(QPalette::Link).name();
    const QString userColor = StatusColors::text(StatusColors::Tone::Good).name();
    QString html = u"<table width='100%' cellspacing=0 cellpadding=4>"_s;
    for (const client::Json &t : turns) {
        const QString speaker = text(t, "speaker");
        const bool agent = speaker == u"agent"_s;
        const QString who = agent ? tr("Agent") : speaker == u"user"_s ? tr("Caller") : text(t, "label");
        html += u"<tr><td valign=top width=70><b style='color:%1'>%2</b></td><td>%3</td></tr>"_s.arg(
            agent ? agentColor : userColor, who.toHtmlEscaped(), text(t, "text").toHtmlEscaped().replace(u"\n"_s, u"<br>"_s));
    }
    html += u"</table>"_s;
    m_transcript->setHtml(turns.empty() ? u"<p><i>%1</i></p>"_s.arg(tr("No transcript stored for this call.").toHtmlEscaped()) : html);

    const QString payload = text(d, "payload");
    m_payload->setPlainText(payload.isEmpty() ? tr("No webhook payload stored for this call.") : payload);
}

} // namespace askpro
