// Appointments page: GET /appointments feeds the table, GET /appointments/{id} the side pane; changes are
// POSTs that the server carries out (Cal.com with the server's keys), never done here.
#include "pages/appointmentspage.h"

#include "apiaccount.h"
#include "apirecordsmodel.h"
#include "apiviewstate.h"
#include "changewatcher.h"
#include "csvexporter.h"
#include "labels.h"
#include "statuscolors.h"
#include "tablestate.h"
#include "widgets/apipicker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTabBar>
#include <QTableView>
#include <QTimeZone>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <memory>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

constexpr int followIntervalMs = 500;
constexpr int followAttempts = 120; // a minute: Cal.com's timeout with its retries is shorter
constexpr int maxRowsSearched = 5000; // selectAppointment() reads at most this many rows for one id

QString text(const client::Json &json, const char *field)
{
    const auto it = json.find(field);
    return it != json.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}

qint64 integer(const client::Json &json, const char *field)
{
    const auto it = json.find(field);
    return it != json.end() && it->is_number_integer() ? it->get<qint64>() : 0;
}

QDateTime inZone(qint64 ms, const QTimeZone &zone)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toTimeZone(zone);
}

} // namespace

AppointmentsPage::AppointmentsPage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
{
    auto *layout = new QVBoxLayout(this);
    m_tabs = new QTabBar(this);
    m_tabs->setObjectName(u"appointmentTabs"_s);
    m_tabs->addTab(tr("Upcoming"));
    m_tabs->addTab(tr("Past"));
    m_tabs->addTab(tr("Cancelled"));
    m_tabs->setExpanding(false);
    layout->addWidget(m_tabs);

    auto *filters = new QHBoxLayout;
    m_branch = new QComboBox(this);
    m_branch->setObjectName(u"branchFilter"_s);
    m_branch->addItem(tr("All branches"), qint64(0));
    m_staff = new QComboBox(this);
    m_staff->setObjectName(u"staffFilter"_s);
    m_staff->addItem(tr("All staff"), qint64(0));
    m_serviceFilter = new QComboBox(this);
    m_serviceFilter->setObjectName(u"serviceFilter"_s);
    m_serviceFilter->addItem(tr("All services"), qint64(0));
    m_status = new QComboBox(this);
    m_status->setObjectName(u"statusFilter"_s);
    m_status->addItem(tr("Every status"), QString());
    for (const QString &s : {u"booked"_s, u"completed"_s, u"no_show"_s, u"cancelled"_s, u"rescheduled"_s, u"pending"_s})
        m_status->addItem(Labels::appointmentStatus(s), s);
    m_useRange = new QCheckBox(tr("From"), this);
    m_from = new QDateEdit(QDate::currentDate(), this);
    m_from->setCalendarPopup(true);
    m_to = new QDateEdit(QDate::currentDate().addDays(30), this);
    m_to->setCalendarPopup(true);
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"appointmentSearch"_s);
    m_search->setPlaceholderText(tr("Customer name or phone"));
    m_search->setClearButtonEnabled(true);
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export CSV…"));
    for (QComboBox *c : {m_branch, m_staff, m_serviceFilter, m_status})
        c->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    filters->addWidget(m_branch);
    filters->addWidget(m_staff);
    filters->addWidget(m_serviceFilter);
    filters->addWidget(m_status);
    filters->addWidget(m_useRange);
    filters->addWidget(m_from);
    filters->addWidget(new QLabel(tr("to"), this));
    filters->addWidget(m_to);
    filters->addWidget(m_search, 1);
    filters->addWidget(exportButton);
    layout->addLayout(filters);

    using F = ApiRecordsModel::Format;
    m_model = new ApiRecordsModel(m_account, u"/appointments"_s,
                                  {{tr("No."), "id", F::Number, u"id"_s},
                                   {tr("Starts"), "starts_at", F::DateTime, u"starts_at"_s},
                                   {tr("Time zone"), "time_zone", F::Text, u"time_zone"_s},
                                   {tr("Branch"), "branch", F::Text, u"branch"_s},
                                   {tr("Staff"), "staff", F::Text, u"staff"_s},
                                   {tr("Service"), "service", F::Text, u"service"_s},
                                   {tr("Customer"), "customer", F::Text, u"customer"_s},
                                   {tr("Status"), "status", F::AppointmentStatus, u"status"_s},
                                   {tr("Sync"), "sync_state", F::SyncState, u"sync_state"_s},
                                   {tr("Call"), "call_id", F::Number, u"call_id"_s}},
                                  "time_zone", this);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(u"appointmentsTable"_s);
    m_table->setModel(m_model);
    TableState::setUpTable(m_table);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->hideColumn(TimeZone);
    m_table->hideColumn(Id);
    m_table->horizontalHeader()->setSortIndicator(StartsAt, Qt::AscendingOrder);
    const QFontMetrics metrics = m_table->fontMetrics();
    m_table->setColumnWidth(StartsAt, metrics.horizontalAdvance(u"30 Dec 2026 23:59"_s) + 18);
    m_table->setColumnWidth(Branch, metrics.horizontalAdvance(u"Praxis Hamburg-Eppendorf"_s) + 12);
    m_table->setColumnWidth(Staff, metrics.horizontalAdvance(u"Dr. Henrik Paulsen"_s) + 12);
    m_table->setColumnWidth(Service, metrics.horizontalAdvance(u"Professionelle Zahnreinigung"_s) + 12);
    m_table->setColumnWidth(Customer, metrics.horizontalAdvance(u"Katharina Zimmermann"_s) + 12);
    TableState::track(m_table, u"appointments"_s);
    // Sorting asks the server; the model keeps the order for the filters' requests that follow.
    m_model->sort(m_table->horizontalHeader()->sortIndicatorSection(), m_table->horizontalHeader()->sortIndicatorOrder());
    m_table->setSortingEnabled(true);

    auto *side = new QWidget(splitter);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(6, 0, 0, 0);
    m_detail = new QLabel(side);
    m_detail->setObjectName(u"appointmentDetail"_s);
    m_detail->setWordWrap(true);
    m_detail->setTextFormat(Qt::RichText);
    m_detail->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    sideLayout->addWidget(m_detail, 1);
    m_openCall = new QPushButton(tr("Open the call"), side);
    m_cancel = new QPushButton(tr("Cancel appointment…"), side);
    m_cancel->setObjectName(u"cancelAppointment"_s);
    m_reschedule = new QPushButton(tr("Reschedule…"), side);
    m_reschedule->setObjectName(u"rescheduleAppointment"_s);
    m_noShow = new QPushButton(tr("Mark no-show"), side);
    m_noShow->setObjectName(u"noShowAppointment"_s);
    for (QPushButton *b : {m_openCall, m_reschedule, m_cancel, m_noShow})
        sideLayout->addWidget(b);
    splitter->addWidget(m_table);
    splitter->addWidget(side);
    splitter->setSizes({800, 330});
    layout->addWidget(splitter, 1);

    auto *delay = new QTimer(this);
    delay->setSingleShot(true);
    delay->setInterval(250);
    connect(delay, &QTimer::timeout, this, &AppointmentsPage::reload);
    connect(m_search, &QLineEdit::textChanged, delay, qOverload<>(&QTimer::start));
    connect(m_tabs, &QTabBar::currentChanged, this, &AppointmentsPage::reload);
    connect(m_branch, &QComboBox::currentIndexChanged, this, [this] {
        reloadBranchPickers();
        reload();
    });
    for (QComboBox *c : {m_staff, m_serviceFilter, m_status})
        connect(c, &QComboBox::currentIndexChanged, this, &AppointmentsPage::reload);
    connect(m_useRange, &QCheckBox::toggled, this, &AppointmentsPage::reload);
    connect(m_from, &QDateEdit::dateChanged, this, &AppointmentsPage::reload);
    connect(m_to, &QDateEdit::dateChanged, this, &AppointmentsPage::reload);
    connect(exportButton, &QToolButton::clicked, this, [this] { CsvExporter::exportWithDialog(m_table, tr("appointments"), this); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AppointmentsPage::showSelected);
    connect(m_model, &ApiListModel::loaded, this, &AppointmentsPage::rowsLoaded);
    connect(m_model, &ApiListModel::failed, this, [this](const QString &message) {
        Q_EMIT statusMessage(tr("The appointments cannot be read: %1").arg(message));
        if (m_shownId == 0)
            showSelected();
    });
    connect(m_openCall, &QPushButton::clicked, this, [this] {
        if (m_detailCallId > 0)
            Q_EMIT openCall(m_detailCallId);
    });
    connect(m_cancel, &QPushButton::clicked, this, &AppointmentsPage::cancelSelected);
    connect(m_reschedule, &QPushButton::clicked, this, &AppointmentsPage::rescheduleSelected);
    connect(m_noShow, &QPushButton::clicked, this, &AppointmentsPage::noShowSelected);

    reloadPickers();
    reload();

    // New bookings and changed states (Cal.com sync, cancellations) appear by themselves, keeping the selection.
    auto *watcher = new ChangeWatcher(m_account, {u"appointments"_s}, this);
    connect(watcher, &ChangeWatcher::changed, this, [this] {
        ApiViewState::reloadKeepingSelection(m_table, m_model);
        if (m_shownId > 0)
            showDetail(m_shownId);
    });
}

AppointmentsPage::~AppointmentsPage() = default;

void AppointmentsPage::reloadPickers()
{
    ApiPicker::fill(m_branch, m_account, u"/branches"_s, {}, tr("All branches"), QString());
    reloadBranchPickers();
}

void AppointmentsPage::reloadBranchPickers()
{
    QUrlQuery query;
    if (const qint64 branch = m_branch->currentData().toLongLong(); branch > 0)
        query.addQueryItem(u"branch_id"_s, QString::number(branch));
    // A staff member or service of another branch would match nothing: the choice falls back to "all".
    const auto reloadIfChanged = [this](QComboBox *combo, qint64 before) {
        return [this, combo, before](bool) {
            if (combo->currentData().toLongLong() != before)
                reload();
        };
    };
    ApiPicker::fill(m_staff, m_account, u"/staff"_s, query, tr("All staff"), QString(), reloadIfChanged(m_staff, m_staff->currentData().toLongLong()));
    ApiPicker::fill(m_serviceFilter, m_account, u"/services"_s, query, tr("All services"), QString(),
                    reloadIfChanged(m_serviceFilter, m_serviceFilter->currentData().toLongLong()));
}

void AppointmentsPage::reload()
{
    static const QStringList tabs{u"upcoming"_s, u"past"_s, u"cancelled"_s};
    QUrlQuery filters;
    filters.addQueryItem(u"tab"_s, tabs.value(m_tabs->currentIndex(), u"upcoming"_s));
    const auto addId = [&filters](const QString &name, QComboBox *combo) {
        if (const qint64 id = combo->currentData().toLongLong(); id > 0)
            filters.addQueryItem(name, QString::number(id));
    };
    addId(u"branch_id"_s, m_branch);
    addId(u"staff_id"_s, m_staff);
    addId(u"service_id"_s, m_serviceFilter);
    if (const QString status = m_status->currentData().toString(); !status.isEmpty())
        filters.addQueryItem(u"status"_s, status);
    if (m_useRange->isChecked()) {
        // Whole local days of this desktop, as the date pickers show them.
        filters.addQueryItem(u"from"_s, QString::number(m_from->date().startOfDay().toMSecsSinceEpoch()));
        filters.addQueryItem(u"to"_s, QString::number(m_to->date().addDays(1).startOfDay().toMSecsSinceEpoch()));
    }
    if (const QString text = m_search->text().trimmed(); !text.isEmpty())
        filters.addQueryItem(u"q"_s, text);
    m_from->setEnabled(m_useRange->isChecked());
    m_to->setEnabled(m_useRange->isChecked());
    m_model->setFilters(filters);
}

void AppointmentsPage::rowsLoaded()
{
    if (m_wanted > 0) {
        if (const int row = m_model->rowOfId(m_wanted); row >= 0) {
            m_wanted = 0;
            m_table->selectRow(row);
            m_table->scrollTo(m_model->index(row, StartsAt));
            return;
        }
        if (m_model->canFetchMore(QModelIndex()) && m_model->rowCount() < maxRowsSearched) {
            m_model->fetchMore(QModelIndex());
            return;
        }
        m_wanted = 0; // not under this tab and these filters: the side pane still shows it
        return;
    }
    // New filters: the first row is selected, as after the page opened; no rows: the pane says so.
    if (!m_table->selectionModel()->currentIndex().isValid()) {
        if (m_model->rowCount() > 0)
            m_table->selectRow(0);
        else
            showSelected();
    }
}

qint64 AppointmentsPage::selectedId() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    return current.isValid() ? m_model->idAt(current.row()) : 0;
}

bool AppointmentsPage::selectAppointment(qint64 appointmentId)
{
    if (appointmentId <= 0)
        return false;
    showDetail(appointmentId);
    if (const int row = m_model->rowOfId(appointmentId); row >= 0) {
        m_wanted = 0;
        m_table->selectRow(row);
        m_table->scrollTo(m_model->index(row, StartsAt));
        return true;
    }
    m_wanted = appointmentId;
    if (!m_model->isLoading() && m_model->canFetchMore(QModelIndex()))
        m_model->fetchMore(QModelIndex());
    return false;
}

void AppointmentsPage::showSelected()
{
    const qint64 id = selectedId();
    if (id > 0) {
        showDetail(id);
        return;
    }
    ++m_detailAsked;
    m_shownId = 0;
    m_shown = client::Json();
    m_detailCallId = 0;
    for (QPushButton *b : {m_openCall, m_reschedule, m_cancel, m_noShow})
        b->setEnabled(false);
    m_detail->setText(m_model->lastError().isEmpty()
                          ? (m_model->rowCount() == 0 ? tr("No appointments match these filters.") : tr("Select an appointment."))
                          : tr("The appointments cannot be read: %1").arg(m_model->lastError()).toHtmlEscaped());
}

void AppointmentsPage::showDetail(qint64 id)
{
    const quint64 asked = ++m_detailAsked;
    client::ApiCall *call = m_account.get(u"/appointments/%1"_s.arg(id));
    connect(call, &client::ApiCall::finished, this, [this, asked, id](const client::ApiResult &result) {
        if (asked != m_detailAsked)
            return; // another appointment was selected meanwhile
        if (result.ok()) {
            render(result.body);
            return;
        }
        if (result.unreachable() && m_shownId == id)
            return; // keep what is shown; the status bar says the server cannot be reached
        m_shownId = 0;
        m_shown = client::Json();
        for (QPushButton *b : {m_openCall, m_reschedule, m_cancel, m_noShow})
            b->setEnabled(false);
        m_detail->setText(result.status == 404 ? tr("The appointment no longer exists.") : result.errorMessage.toHtmlEscaped());
    });
}

void AppointmentsPage::render(const client::Json &d)
{
    m_shown = d;
    m_shownId = integer(d, "id");
    QTimeZone zone(text(d, "time_zone").toUtf8());
    if (!zone.isValid())
        zone = QTimeZone::utc();
    const auto row = [](const QString &label, const QString &value) {
        return u"<tr><td valign=top><b>%1</b>&nbsp;&nbsp;</td><td>%2</td></tr>"_s.arg(label.toHtmlEscaped(), value);
    };
    const auto colored = [](const QString &words, StatusColors::Tone tone) {
        const QColor c = StatusColors::text(tone);
        return c.isValid() ? u"<span style='color:%1'>%2</span>"_s.arg(c.name(), words.toHtmlEscaped()) : words.toHtmlEscaped();
    };
    const QString status = text(d, "status");
    const QString syncState = text(d, "sync_state");
    const QString reason = text(d, "cancellation_reason");
    const QString syncError = text(d, "sync_error");
    const QString uid = text(d, "booking_uid");
    const QString staff = text(d, "staff");
    const QString customer = text(d, "customer");
    const QString email = text(d, "customer_email");
    const QString notes = text(d, "notes");
    const qint64 startsAt = integer(d, "starts_at");
    const qint64 callId = integer(d, "call_id");
    QString html = u"<h3>%1</h3><table cellspacing=0 cellpadding=2>"_s.arg(tr("Appointment %1").arg(m_shownId).toHtmlEscaped());
    html += row(tr("When"), QString(QLocale().toString(inZone(startsAt, zone), QLocale::LongFormat) + u" – "_s
                                    + QLocale().toString(inZone(integer(d, "ends_at"), zone).time(), QLocale::ShortFormat))
                                .toHtmlEscaped());
    html += row(tr("Branch"), text(d, "branch").toHtmlEscaped());
    html += row(tr("Service"), text(d, "service").toHtmlEscaped());
    html += row(tr("Staff"), (staff.isEmpty() ? tr("anyone") : staff).toHtmlEscaped());
    html += row(tr("Status"), colored(Labels::appointmentStatus(status), StatusColors::forAppointmentStatus(status))
                                  + (reason.isEmpty() ? QString() : u" ("_s + reason.toHtmlEscaped() + u")"_s));
    html += row(tr("Cal.com"), colored(Labels::syncState(syncState), StatusColors::forSyncState(syncState))
                                   + (syncError.isEmpty() ? QString() : u"<br>"_s + syncError.toHtmlEscaped())
                                   + (uid.isEmpty() ? QString() : u"<br><small>%1</small>"_s.arg(uid.toHtmlEscaped())));
    html += row(tr("Customer"), (customer.isEmpty() ? tr("(no name)") : customer).toHtmlEscaped() + u"<br>"_s
                                    + text(d, "customer_phone_display").toHtmlEscaped()
                                    + (email.isEmpty() ? QString() : u"<br>"_s + email.toHtmlEscaped()));
    if (callId > 0)
        html += row(tr("Booked by call"), tr("Call %1 on %2 (%3)")
                                              .arg(callId)
                                              .arg(QLocale().toString(inZone(integer(d, "call_started_at"), zone), QLocale::ShortFormat),
                                                   Labels::outcome(text(d, "call_outcome")))
                                              .toHtmlEscaped());
    if (!notes.isEmpty())
        html += row(tr("Notes"), notes.toHtmlEscaped());
    html += u"</table>"_s;
    m_detail->setText(html);
    m_detailCallId = callId;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const bool open = status != u"cancelled"_s && status != u"rescheduled"_s;
    const bool waiting = syncState == u"pending"_s && !uid.isEmpty(); // Cal.com is being asked right now
    m_openCall->setEnabled(callId > 0);
    const bool mayChange = m_account.can(u"manage_appointments"_s);
    m_cancel->setEnabled(mayChange && open && !waiting && startsAt > now);
    m_reschedule->setEnabled(mayChange && open && !waiting && startsAt > now);
    m_noShow->setEnabled(mayChange && open && status != u"no_show"_s && startsAt <= now);
    Q_EMIT detailShown(m_shownId);
}

bool AppointmentsPage::refuseWhileUnreachable(const QString &title)
{
    if (m_account.isReachable())
        return false;
    // Never queued: the person decides again once the server answers.
    QMessageBox::warning(this, title, tr("The server cannot be reached, so nothing was changed. Try again when it answers."));
    return true;
}

void AppointmentsPage::cancelSelected()
{
    const qint64 id = m_shownId;
    if (id <= 0 || refuseWhileUnreachable(tr("Cancel appointment")))
        return;
    bool ok = false;
    const QString reason = QInputDialog::getText(this, tr("Cancel appointment"), tr("Reason (sent to Cal.com):"), QLineEdit::Normal,
                                                 tr("Cancelled by phone"), &ok);
    if (!ok)
        return;
    m_cancel->setEnabled(false);
    Q_EMIT statusMessage(tr("Cancelling appointment %1 at Cal.com…").arg(id));
    client::ApiCall *call = m_account.post(u"/appointments/%1/cancel"_s.arg(id), client::Json{{"reason", reason.toStdString()}});
    connect(call, &client::ApiCall::finished, this, [this, id](const client::ApiResult &result) {
        followOutcome(result, id, tr("Cancel appointment"), tr("Appointment %1 cancelled.").arg(id), tr("Cal.com did not cancel the appointment:\n%1"));
    });
}

void AppointmentsPage::rescheduleSelected()
{
    const qint64 id = m_shownId;
    if (id <= 0 || refuseWhileUnreachable(tr("Reschedule appointment")))
        return;
    QTimeZone zone(text(m_shown, "time_zone").toUtf8());
    if (!zone.isValid())
        zone = QTimeZone::utc();
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Reschedule appointment"));
    auto *form = new QFormLayout(&dialog);
    // The editor shows the branch's wall-clock time; it is read back as date and time in that zone.
    const QDateTime current = inZone(integer(m_shown, "starts_at"), zone);
    auto *when = new QDateTimeEdit(QDateTime(current.date(), current.time()), &dialog);
    when->setObjectName(u"newStart"_s);
    when->setCalendarPopup(true);
    auto *reason = new QLineEdit(tr("Rescheduled by phone"), &dialog);
    form->addRow(tr("New start (%1):").arg(QString::fromUtf8(zone.id())), when);
    form->addRow(tr("Reason:"), reason);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QDateTime start(when->date(), when->time(), zone);
    m_reschedule->setEnabled(false);
    Q_EMIT statusMessage(tr("Rescheduling appointment %1 at Cal.com…").arg(id));
    client::ApiCall *call = m_account.post(u"/appointments/%1/reschedule"_s.arg(id),
                                           client::Json{{"starts_at", start.toMSecsSinceEpoch()}, {"reason", reason->text().toStdString()}});
    connect(call, &client::ApiCall::finished, this, [this, id](const client::ApiResult &result) {
        followOutcome(result, id, tr("Reschedule appointment"), tr("Appointment %1 moved.").arg(id), tr("Cal.com did not move the appointment:\n%1"));
    });
}

void AppointmentsPage::followOutcome(const client::ApiResult &result, qint64 id, const QString &title, const QString &doneText,
                                     const QString &failedText)
{
    if (!result.ok()) {
        QMessageBox::warning(this, title, result.unreachable() ? tr("The server cannot be reached, so nothing was changed: %1").arg(result.errorMessage)
                                                               : result.errorMessage);
        Q_EMIT statusMessage(tr("%1: not done.").arg(title));
        refreshAfterChange(id);
        return;
    }
    const QString state = text(result.body, "sync_state");
    if (state == u"failed"_s) {
        QMessageBox::warning(this, title, failedText.arg(text(result.body, "sync_error")));
        Q_EMIT statusMessage(tr("%1: not done.").arg(title));
        refreshAfterChange(id);
        return;
    }
    if (state != u"pending"_s) {
        Q_EMIT statusMessage(doneText);
        refreshAfterChange(id);
        return;
    }
    // Cal.com is being asked by the server; its answer is written to the appointment.
    auto attempts = std::make_shared<int>(0);
    auto *timer = new QTimer(this);
    timer->setInterval(followIntervalMs);
    connect(timer, &QTimer::timeout, this, [this, timer, attempts, id, title, doneText, failedText] {
        if (++*attempts > followAttempts) {
            timer->deleteLater();
            Q_EMIT statusMessage(tr("%1: Cal.com has not answered yet; the list shows the outcome when it does.").arg(title));
            return;
        }
        timer->stop();
        client::ApiCall *call = m_account.get(u"/appointments/%1"_s.arg(id));
        connect(call, &client::ApiCall::finished, this, [this, timer, id, title, doneText, failedText](const client::ApiResult &now) {
            const QString state = now.ok() ? text(now.body, "sync_state") : QString();
            if (!now.ok() || state == u"pending"_s) {
                timer->start(); // not yet, or the server is away for a moment
                return;
            }
            timer->deleteLater();
            if (state == u"failed"_s) {
                QMessageBox::warning(this, title, failedText.arg(text(now.body, "sync_error")));
                Q_EMIT statusMessage(tr("%1: not done.").arg(title));
            } else {
                Q_EMIT statusMessage(doneText);
            }
            refreshAfterChange(id);
        });
    });
    timer->start();
}

void AppointmentsPage::refreshAfterChange(qint64 id)
{
    ApiViewState::reloadKeepingSelection(m_table, m_model);
    if (m_shownId == id)
        showDetail(id);
}

void AppointmentsPage::noShowSelected()
{
    const qint64 id = m_shownId;
    if (id <= 0 || refuseWhileUnreachable(tr("Mark no-show")))
        return;
    m_noShow->setEnabled(false);
    client::ApiCall *call = m_account.post(u"/appointments/%1/no-show"_s.arg(id));
    connect(call, &client::ApiCall::finished, this, [this, id](const client::ApiResult &result) {
        if (!result.ok()) {
            QMessageBox::warning(this, tr("Mark no-show"), result.errorMessage);
            refreshAfterChange(id);
            return;
        }
        Q_EMIT statusMessage(tr("Appointment %1 marked as no-show.").arg(id));
        refreshAfterChange(id);
    });
}

} // namespace askpro
