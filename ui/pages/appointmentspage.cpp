// Appointments page: AppointmentQuery feeds the table; changes go through AppointmentService.
#include "pages/appointmentspage.h"

#include "changewatcher.h"
#include "core/clock.h"
#include "csvexporter.h"
#include "db/database.h"
#include "domain/phonenumbers.h"
#include "labels.h"
#include "queries/appointmentquery.h"
#include "queries/directoryquery.h"
#include "recordsmodel.h"
#include "statuscolors.h"
#include "support/appointmentservice.h"
#include "tablestate.h"

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

using namespace Qt::StringLiterals;

namespace askpro {

AppointmentsPage::AppointmentsPage(std::shared_ptr<Database> db, AppointmentService *service, Actor actor, QWidget *parent)
    : QWidget(parent)
    , m_db(std::move(db))
    , m_service(service)
    , m_actor(std::move(actor))
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
    if (auto branches = DirectoryQuery::branches(*m_db)) {
        for (const NamedItem &b : *branches)
            m_branch->addItem(b.active ? b.name : tr("%1 (inactive)").arg(b.name), b.id);
    }
    m_staff = new QComboBox(this);
    m_staff->setObjectName(u"staffFilter"_s);
    m_serviceFilter = new QComboBox(this);
    m_serviceFilter->setObjectName(u"serviceFilter"_s);
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

    using F = RecordsModel::Format;
    m_model = new RecordsModel({{tr("No."), F::Number},
                                {tr("Starts"), F::DateTime},
                                {tr("Time zone"), F::Text},
                                {tr("Branch"), F::Text},
                                {tr("Staff"), F::Text},
                                {tr("Service"), F::Text},
                                {tr("Customer"), F::Text},
                                {tr("Status"), F::AppointmentStatus},
                                {tr("Sync"), F::SyncState},
                                {tr("Call"), F::Number}},
                               AppointmentQuery::TimeZone, this);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(u"appointmentsTable"_s);
    m_table->setModel(m_model);
    TableState::setUpTable(m_table);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->hideColumn(AppointmentQuery::TimeZone);
    m_table->hideColumn(AppointmentQuery::Id);
    m_table->horizontalHeader()->setSortIndicator(AppointmentQuery::StartsAt, Qt::AscendingOrder);
    m_table->setSortingEnabled(true);
    const QFontMetrics metrics = m_table->fontMetrics();
    m_table->setColumnWidth(AppointmentQuery::StartsAt, metrics.horizontalAdvance(u"30 Dec 2026 23:59"_s) + 18);
    m_table->setColumnWidth(AppointmentQuery::Branch, metrics.horizontalAdvance(u"Praxis Hamburg-Eppendorf"_s) + 12);
    m_table->setColumnWidth(AppointmentQuery::Staff, metrics.horizontalAdvance(u"Dr. Henrik Paulsen"_s) + 12);
    m_table->setColumnWidth(AppointmentQuery::Service, metrics.horizontalAdvance(u"Professionelle Zahnreinigung"_s) + 12);
    m_table->setColumnWidth(AppointmentQuery::Customer, metrics.horizontalAdvance(u"Katharina Zimmermann"_s) + 12);
    TableState::track(m_table, u"appointments"_s);

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
        reloadStaff();
        reloadServices();
        reload();
    });
    for (QComboBox *c : {m_staff, m_serviceFilter, m_status})
        connect(c, &QComboBox::currentIndexChanged, this, &AppointmentsPage::reload);
    connect(m_useRange, &QCheckBox::toggled, this, &AppointmentsPage::reload);
    connect(m_from, &QDateEdit::dateChanged, this, &AppointmentsPage::reload);
    connect(m_to, &QDateEdit::dateChanged, this, &AppointmentsPage::reload);
    connect(exportButton, &QToolButton::clicked, this, [this] { CsvExporter::exportWithDialog(m_table, tr("appointments"), this); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AppointmentsPage::showSelected);
    connect(m_model, &QAbstractItemModel::modelReset, this, &AppointmentsPage::showSelected);
    connect(m_openCall, &QPushButton::clicked, this, [this] {
        if (m_detailCallId > 0)
            Q_EMIT openCall(m_detailCallId);
    });
    connect(m_cancel, &QPushButton::clicked, this, &AppointmentsPage::cancelSelected);
    connect(m_reschedule, &QPushButton::clicked, this, &AppointmentsPage::rescheduleSelected);
    connect(m_noShow, &QPushButton::clicked, this, &AppointmentsPage::noShowSelected);
    if (m_service)
        connect(m_service, &AppointmentService::appointmentChanged, this, [this] {
            const qint64 id = selectedId();
            m_model->refresh();
            selectAppointment(id);
        });

    reloadStaff();
    reloadServices();
    reload();

    // New bookings and changed states (Cal.com sync, cancellations) appear by themselves, keeping the selection.
    auto *watcher = new ChangeWatcher(m_db, {ChangeQuery::Table::Appointments}, this);
    connect(watcher, &ChangeWatcher::changed, this,
            [this] { TableState::refreshKeepingPosition(m_table, RecordsModel::IdRole, [this] { (void)m_model->refresh(); }); });
}

AppointmentsPage::~AppointmentsPage() = default;

void AppointmentsPage::reloadStaff()
{
    const QSignalBlocker blocker(m_staff);
    m_staff->clear();
    m_staff->addItem(tr("All staff"), qint64(0));
    if (auto staff = DirectoryQuery::staff(*m_db, m_branch->currentData().toLongLong())) {
        for (const NamedItem &s : *staff)
            m_staff->addItem(s.name, s.id);
    }
}

void AppointmentsPage::reloadServices()
{
    const QSignalBlocker blocker(m_serviceFilter);
    m_serviceFilter->clear();
    m_serviceFilter->addItem(tr("All services"), qint64(0));
    qint64 companyId = 0;
    if (const qint64 branchId = m_branch->currentData().toLongLong(); branchId > 0) {
        if (auto branches = DirectoryQuery::branches(*m_db)) {
            for (const NamedItem &b : *branches)
                if (b.id == branchId)
                    companyId = b.parentId;
        }
    }
    if (auto services = DirectoryQuery::services(*m_db, companyId)) {
        for (const NamedItem &s : *services)
            m_serviceFilter->addItem(s.name, s.id);
    }
}

void AppointmentsPage::reload()
{
    AppointmentFilter filter;
    filter.tab = m_tabs->currentIndex() == 1   ? AppointmentFilter::Tab::Past
        : m_tabs->currentIndex() == 2          ? AppointmentFilter::Tab::Cancelled
                                               : AppointmentFilter::Tab::Upcoming;
    filter.branchId = m_branch->currentData().toLongLong();
    filter.staffId = m_staff->currentData().toLongLong();
    filter.serviceId = m_serviceFilter->currentData().toLongLong();
    filter.status = m_status->currentData().toString();
    if (m_useRange->isChecked()) {
        filter.fromMs = m_from->date().startOfDay().toMSecsSinceEpoch();
        filter.toMs = m_to->date().addDays(1).startOfDay().toMSecsSinceEpoch();
    }
    filter.text = m_search->text();
    m_from->setEnabled(m_useRange->isChecked());
    m_to->setEnabled(m_useRange->isChecked());
    // Past appointments read newest first, upcoming ones soonest first, unless the user sorted otherwise.
    auto db = m_db;
    m_model->setLoader([db, filter](int column, Qt::SortOrder order) { return AppointmentQuery::browse(*db, filter, column, order); },
                       m_table->horizontalHeader()->sortIndicatorSection(), m_table->horizontalHeader()->sortIndicatorOrder());
    if (m_model->rowCount() > 0)
        m_table->selectRow(0);
    showSelected();
}

qint64 AppointmentsPage::selectedId() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    return current.isValid() ? m_model->idAt(current.row()) : 0;
}

bool AppointmentsPage::selectAppointment(qint64 appointmentId)
{
    for (int row = 0; appointmentId > 0; ++row) {
        if (row >= m_model->rowCount()) {
            if (!m_model->canFetchMore() || row > 5000)
                break;
            m_model->fetchMore();
            if (row >= m_model->rowCount())
                break;
        }
        if (m_model->idAt(row) == appointmentId) {
            m_table->selectRow(row);
            m_table->scrollTo(m_model->index(row, AppointmentQuery::StartsAt));
            showSelected();
            return true;
        }
    }
    showSelected();
    return false;
}

void AppointmentsPage::showSelected()
{
    const qint64 id = selectedId();
    m_detailCallId = 0;
    for (QPushButton *b : {m_openCall, m_reschedule, m_cancel, m_noShow})
        b->setEnabled(false);
    if (id <= 0) {
        m_detail->setText(m_model->lastError().isEmpty()
                              ? (m_model->rowCount() == 0 ? tr("No appointments match these filters.") : tr("Select an appointment."))
                              : tr("The appointments cannot be read: %1").arg(m_model->lastError()).toHtmlEscaped());
        return;
    }
    auto detail = AppointmentQuery::detail(*m_db, id);
    if (!detail || !*detail) {
        m_detail->setText(detail ? tr("The appointment no longer exists.") : detail.error().describe().toHtmlEscaped());
        return;
    }
    const AppointmentDetail &d = **detail;
    QTimeZone zone(d.timeZone.toUtf8());
    if (!zone.isValid())
        zone = QTimeZone::utc();
    const auto row = [](const QString &label, const QString &value) {
        return u"<tr><td valign=top><b>%1</b>&nbsp;&nbsp;</td><td>%2</td></tr>"_s.arg(label.toHtmlEscaped(), value);
    };
    const auto colored = [](const QString &text, StatusColors::Tone tone) {
        const QColor c = StatusColors::text(tone);
        return c.isValid() ? u"<span style='color:%1'>%2</span>"_s.arg(c.name(), text.toHtmlEscaped()) : text.toHtmlEscaped();
    };
    QString html = u"<h3>%1</h3><table cellspacing=0 cellpadding=2>"_s.arg(tr("Appointment %1").arg(d.id).toHtmlEscaped());
    html += row(tr("When"), QString(QLocale().toString(fromMs(d.startsAt).toTimeZone(zone), QLocale::LongFormat) + u" – "_s
                                    + QLocale().toString(fromMs(d.endsAt).toTimeZone(zone).time(), QLocale::ShortFormat))
                                .toHtmlEscaped());
    html += row(tr("Branch"), d.branchName.toHtmlEscaped());
    html += row(tr("Service"), d.serviceName.toHtmlEscaped());
    html += row(tr("Staff"), (d.staffName.isEmpty() ? tr("anyone") : d.staffName).toHtmlEscaped());
    html += row(tr("Status"), colored(Labels::appointmentStatus(d.status), StatusColors::forAppointmentStatus(d.status))
                                  + (d.cancellationReason.isEmpty() ? QString() : u" ("_s + d.cancellationReason.toHtmlEscaped() + u")"_s));
    html += row(tr("Cal.com"), colored(Labels::syncState(d.syncState), StatusColors::forSyncState(d.syncState))
                                   + (d.syncError.isEmpty() ? QString() : u"<br>"_s + d.syncError.toHtmlEscaped())
                                   + (d.bookingUid.isEmpty() ? QString() : u"<br><small>%1</small>"_s.arg(d.bookingUid.toHtmlEscaped())));
    html += row(tr("Customer"), (d.customerName.isEmpty() ? tr("(no name)") : d.customerName).toHtmlEscaped() + u"<br>"_s
                                    + PhoneNumbers::display(d.customerPhone).toHtmlEscaped()
                                    + (d.customerEmail.isEmpty() ? QString() : u"<br>"_s + d.customerEmail.toHtmlEscaped()));
    if (d.callId > 0)
        html += row(tr("Booked by call"), tr("Call %1 on %2 (%3)")
                                              .arg(d.callId)
                                              .arg(QLocale().toString(fromMs(d.callStartedAt).toTimeZone(zone), QLocale::ShortFormat),
                                                   Labels::outcome(d.callOutcome))
                                              .toHtmlEscaped());
    if (!d.notes.isEmpty())
        html += row(tr("Notes"), d.notes.toHtmlEscaped());
    html += u"</table>"_s;
    m_detail->setText(html);
    m_detailCallId = d.callId;
    const bool open = d.status != u"cancelled"_s && d.status != u"rescheduled"_s;
    m_openCall->setEnabled(d.callId > 0);
    const bool mayChange = m_service && m_actor.can(Permission::ManageAppointments);
    m_cancel->setEnabled(mayChange && open && d.startsAt > nowMs());
    m_reschedule->setEnabled(mayChange && open && d.startsAt > nowMs());
    m_noShow->setEnabled(mayChange && open && d.status != u"no_show"_s && d.startsAt <= nowMs());
}

void AppointmentsPage::cancelSelected()
{
    const qint64 id = selectedId();
    if (id <= 0 || !m_service)
        return;
    bool ok = false;
    const QString reason = QInputDialog::getText(this, tr("Cancel appointment"), tr("Reason (sent to Cal.com):"), QLineEdit::Normal,
                                                 tr("Cancelled by phone"), &ok);
    if (!ok)
        return;
    JsonReply *reply = m_service->cancel(id, reason, m_actor);
    m_cancel->setEnabled(false);
    Q_EMIT statusMessage(tr("Cancelling appointment %1 at Cal.com…").arg(id));
    connect(reply, &JsonReply::finished, this, [this, id](const JsonResult &result) {
        if (!result) {
            QMessageBox::warning(this, tr("Cancel appointment"), tr("Cal.com did not cancel the appointment:\n%1").arg(result.error().describe()));
            Q_EMIT statusMessage(tr("Cancelling appointment %1 failed.").arg(id));
        } else {
            Q_EMIT statusMessage(tr("Appointment %1 cancelled.").arg(id));
        }
        showSelected();
    });
}

void AppointmentsPage::rescheduleSelected()
{
    const qint64 id = selectedId();
    if (id <= 0 || !m_service)
        return;
    auto detail = AppointmentQuery::detail(*m_db, id);
    if (!detail || !*detail)
        return;
    QTimeZone zone((*detail)->timeZone.toUtf8());
    if (!zone.isValid())
        zone = QTimeZone::utc();
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Reschedule appointment"));
    auto *form = new QFormLayout(&dialog);
    // The editor shows the branch's wall-clock time; it is read back as date and time in that zone.
    const QDateTime current = fromMs((*detail)->startsAt).toTimeZone(zone);
    auto *when = new QDateTimeEdit(QDateTime(current.date(), current.time()), &dialog);
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
    JsonReply *reply = m_service->reschedule(id, start, reason->text(), m_actor);
    Q_EMIT statusMessage(tr("Rescheduling appointment %1 at Cal.com…").arg(id));
    connect(reply, &JsonReply::finished, this, [this, id](const JsonResult &result) {
        if (!result) {
            QMessageBox::warning(this, tr("Reschedule appointment"),
                                 tr("Cal.com did not move the appointment:\n%1").arg(result.error().describe()));
            Q_EMIT statusMessage(tr("Rescheduling appointment %1 failed.").arg(id));
        } else {
            Q_EMIT statusMessage(tr("Appointment %1 moved.").arg(id));
        }
        showSelected();
    });
}

void AppointmentsPage::noShowSelected()
{
    const qint64 id = selectedId();
    if (id <= 0 || !m_service)
        return;
    auto marked = m_service->markNoShow(id, m_actor);
    if (!marked) {
        QMessageBox::warning(this, tr("Mark no-show"), marked.error().describe());
        return;
    }
    Q_EMIT statusMessage(tr("Appointment %1 marked as no-show.").arg(id));
}

} // namespace askpro
