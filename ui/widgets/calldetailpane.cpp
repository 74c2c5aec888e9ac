// Call detail rendering: all text from CallDetailQuery, formatted here; colours from the palette.
#include "widgets/calldetailpane.h"

#include "core/clock.h"
#include "domain/phonenumbers.h"
#include "labels.h"
#include "queries/calldetailquery.h"
#include "statuscolors.h"
#include "support/payloadtext.h"
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
#include <QTextBrowser>
#include <QTimeZone>
#include <QTreeWidget>
#include <QUrl>
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
    return QLocale().toString(fromMs(ms).toTimeZone(zone), format);
}

} // namespace

CallDetailPane::CallDetailPane(std::shared_ptr<Database> db, QWidget *parent)
    : QWidget(parent)
    , m_db(std::move(db))
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
    connect(m_recording, &QPushButton::clicked, this, [this] { QDesktopServices::openUrl(QUrl(m_recordingUrl)); });
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

    m_payload = new QPlainTextEdit(m_tabs);
    m_payload->setObjectName(u"payload"_s);
    m_payload->setReadOnly(true);
    m_payload->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_payload->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_tabs->addTab(m_payload, tr("Webhook payload"));

    showCall(0);
}

CallDetailPane::~CallDetailPane() = default;

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
        showMessage(tr("Select a call to see its conversation, timeline and payload."));
        return;
    }
    reload();
}

void CallDetailPane::reload()
{
    if (m_callId <= 0)
        return;
    auto detail = CallDetailQuery::load(*m_db, m_callId);
    if (!detail) {
        showMessage(tr("The call cannot be read: %1").arg(detail.error().describe()));
        return;
    }
    if (!*detail) {
        showMessage(tr("Call %1 no longer exists.").arg(m_callId));
        return;
    }
    present(**detail);
}

void CallDetailPane::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange && m_callId > 0)
        reload(); // the transcript's colours come from the palette
    QWidget::changeEvent(event);
}

void CallDetailPane::present(const CallDetail &d)
{
    m_placeholder->hide();
    m_tabs->show();
    QTimeZone zone(d.timeZone.toUtf8());
    if (!zone.isValid())
        zone = QTimeZone::utc();
    const QString where = d.branchName.isEmpty() ? tr("no branch (called %1)").arg(PhoneNumbers::display(d.toNumber))
                                                 : d.companyName + u" · "_s + d.branchName;
    m_header->setText(u"<b>%1</b> &nbsp;·&nbsp; %2 &nbsp;·&nbsp; %3"_s.arg(tr("Call %1").arg(d.id).toHtmlEscaped(),
                                                                          localTime(d.startedAt, zone, QLocale::LongFormat).toHtmlEscaped(),
                                                                          where.toHtmlEscaped()));
    const qint64 seconds = d.durationMs / 1000;
    m_caller->setText(tr("%1 %2, %3:%4 min")
                          .arg(d.fromNumber.isEmpty() ? tr("unknown number") : PhoneNumbers::display(d.fromNumber),
                               d.customerName.isEmpty() ? QString() : u"(%1)"_s.arg(d.customerName))
                          .arg(seconds / 60)
                          .arg(seconds % 60, 2, 10, QLatin1Char('0')));
    QString outcome = Labels::outcome(d.outcome);
    if (!d.failureReason.isEmpty())
        outcome += u" · "_s + (d.failureKind.isEmpty() ? QString() : Labels::triageCategory(d.failureKind) + u": "_s) + d.failureReason;
    if (d.resolvedAt > 0)
        outcome += u"\n"_s + tr("Resolved %1%2").arg(localTime(d.resolvedAt, zone),
                                                     d.resolutionComment.isEmpty() ? QString() : u": "_s + d.resolutionComment);
    m_outcome->setText(outcome);
    QPalette outcomePalette = m_outcome->palette();
    const QColor tone = StatusColors::text(StatusColors::forOutcome(d.outcome));
    outcomePalette.setColor(QPalette::WindowText, tone.isValid() ? tone : palette().color(QPalette::WindowText));
    m_outcome->setPalette(outcomePalette);
    m_summary->setText(d.summary.isEmpty() ? tr("(no summary)") : d.summary);
    m_sentiment->setText(d.sentiment.isEmpty() ? tr("(unknown)") : d.sentiment);
    m_disconnection->setText(d.disconnectionReason.isEmpty() ? tr("(unknown)") : d.disconnectionReason);

    // The extracted appointment data.
    if (!d.appointmentRequested || d.requestJson.isEmpty()) {
        m_request->setText(tr("No appointment requested"));
    } else {
        const QJsonObject r = QJsonDocument::fromJson(d.requestJson.toUtf8()).object();
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
        const QJsonArray alternatives = QJsonDocument::fromJson(d.alternativesJson.toUtf8()).array();
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
    m_appointment->setText(d.appointmentId > 0 ? tr("%1 (%2)").arg(localTime(d.appointmentStart, zone, QLocale::LongFormat),
                                                                  Labels::appointmentStatus(d.appointmentStatus))
                                               : tr("none"));
    m_recordingUrl = d.recordingUrl;
    m_recording->setEnabled(!d.recordingUrl.isEmpty());
    m_recording->setToolTip(d.recordingUrl);

    // Timeline.
    m_timeline->clear();
    for (const CallEvent &e : d.events) {
        auto *item = new QTreeWidgetItem(m_timeline);
        item->setText(0, QLocale().toString(fromMs(e.at).toTimeZone(zone).time(), u"HH:mm:ss"_s));
        item->setToolTip(0, localTime(e.at, zone, QLocale::LongFormat));
        item->setText(1, Labels::eventStep(e.step));
        QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
        QString status = tr("Info");
        if (e.status == u"ok"_s) {
            icon = QStyle::SP_DialogApplyButton;
            status = tr("OK");
        } else if (e.status == u"error"_s) {
            icon = QStyle::SP_MessageBoxCritical;
            status = tr("Error");
        } else if (e.status == u"retry"_s) {
            icon = QStyle::SP_BrowserReload;
            status = tr("Retry");
        }
        item->setIcon(2, style()->standardIcon(icon));
        item->setText(2, status);
        item->setData(2, Qt::UserRole, e.status);
        const QColor c = StatusColors::text(StatusColors::forEventStatus(e.status));
        if (c.isValid())
            item->setForeground(2, c);
        const QString text = TimelineText::text(e, zone);
        item->setText(3, text);
        item->setData(3, Qt::UserRole, e.code);
        item->setToolTip(3, e.detail.isEmpty() ? text : text + u"\n\n"_s + e.detail);
    }
    if (d.events.isEmpty()) {
        auto *item = new QTreeWidgetItem(m_timeline);
        item->setText(3, tr("No processing steps recorded yet"));
    }

    // Transcript as a dialogue; colours from the palette so dark mode stays readable.
    const QList<TranscriptTurn> turns = PayloadText::transcriptTurns(d.transcriptJson, d.transcript);
    const QString agentColor = palette().color(QPalette::Link).name();
    const QString userColor = StatusColors::text(StatusColors::Tone::Good).name();
    QString html = u"<table width='100%' cellspacing=0 cellpadding=4>"_s;
    for (const TranscriptTurn &t : turns) {
        const bool agent = t.speaker == TranscriptTurn::Speaker::Agent;
        const QString who = agent ? tr("Agent") : t.speaker == TranscriptTurn::Speaker::User ? tr("Caller") : t.label;
        html += u"<tr><td valign=top width=70><b style='color:%1'>%2</b></td><td>%3</td></tr>"_s.arg(
            agent ? agentColor : userColor, who.toHtmlEscaped(), t.text.toHtmlEscaped().replace(u"\n"_s, u"<br>"_s));
    }
    html += u"</table>"_s;
    m_transcript->setHtml(turns.isEmpty() ? u"<p><i>%1</i></p>"_s.arg(tr("No transcript stored for this call.").toHtmlEscaped()) : html);

    const QString payload = PayloadText::maskedPrettyJson(d.rawPayload);
    m_payload->setPlainText(payload.isEmpty() ? tr("No webhook payload stored for this call.") : payload);
}

} // namespace askpro
