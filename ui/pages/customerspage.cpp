// Customers page: three API list models (GET /customers, /customers/{id}/calls, /customers/{id}/appointments);
// double-click opens a call or appointment.
#include "pages/customerspage.h"

#include "apiaccount.h"
#include "apirecordsmodel.h"
#include "apiviewstate.h"
#include "changewatcher.h"
#include "csvexporter.h"
#include "dialogs/customerdialog.h"
#include "tablestate.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

CustomersPage::CustomersPage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"customerSearch"_s);
    m_search->setPlaceholderText(tr("Search name, phone or e-mail"));
    m_search->setClearButtonEnabled(true);
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export CSV…"));
    bar->addWidget(m_search, 1);
    bar->addWidget(exportButton);
    layout->addLayout(bar);

    using F = ApiRecordsModel::Format;
    m_customers = new ApiRecordsModel(m_account, u"/customers"_s,
                                      {{tr("No."), "id", F::Number, u"id"_s},
                                       {tr("Name"), "name", F::Text, u"name"_s},
                                       {tr("Phone"), "phone_display", F::Text, u"phone"_s},
                                       {tr("E-mail"), "email", F::Text, u"email"_s},
                                       {tr("Company"), "company", F::Text, u"company"_s},
                                       {tr("Calls"), "calls", F::Number, u"calls"_s},
                                       {tr("Appointments"), "appointments", F::Number, u"appointments"_s},
                                       {tr("Last call"), "last_call_at", F::DateTime, u"last_call_at"_s}},
                                      nullptr, this);
    // A customer's history comes whole (no paging); its tables keep the server's order, newest first.
    m_calls = new ApiRecordsModel(m_account, QString(),
                                  {{tr("No."), "id", F::Number}, {tr("Time"), "started_at", F::DateTime}, {tr("Time zone"), "time_zone", F::Text},
                                   {tr("Branch"), "branch", F::Text}, {tr("Outcome"), "outcome", F::Outcome}, {tr("Duration"), "duration_ms", F::Duration}},
                                  "time_zone", this);
    m_appointments = new ApiRecordsModel(m_account, QString(),
                                         {{tr("No."), "id", F::Number}, {tr("Starts"), "starts_at", F::DateTime}, {tr("Time zone"), "time_zone", F::Text},
                                          {tr("Branch"), "branch", F::Text}, {tr("Service"), "service", F::Text}, {tr("Staff"), "staff", F::Text},
                                          {tr("Status"), "status", F::AppointmentStatus}},
                                         "time_zone", this);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(u"customersTable"_s);
    m_table->setModel(m_customers);
    TableState::setUpTable(m_table);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->hideColumn(Id);
    m_table->horizontalHeader()->setSortIndicator(Name, Qt::AscendingOrder);
    const QFontMetrics metrics = m_table->fontMetrics();
    m_table->setColumnWidth(Name, metrics.horizontalAdvance(u"Katharina Zimmermann"_s) + 12);
    m_table->setColumnWidth(Phone, metrics.horizontalAdvance(u"+49 176 12345678"_s) + 12);
    m_table->setColumnWidth(Email, metrics.horizontalAdvance(u"katharina.zimmermann@t-online.de"_s) + 12);
    m_table->setColumnWidth(Company, metrics.horizontalAdvance(u"Zahnarztpraxis Dr. Weber"_s) + 12);
    TableState::track(m_table, u"customers"_s);
    m_customers->sort(m_table->horizontalHeader()->sortIndicatorSection(), m_table->horizontalHeader()->sortIndicatorOrder());
    m_table->setSortingEnabled(true);

    auto *right = new QWidget(splitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(6, 0, 0, 0);
    m_title = new QLabel(right);
    m_title->setObjectName(u"customerTitle"_s);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_choices = new QLabel(right);
    m_choices->setObjectName(u"customerChoices"_s);
    m_choices->setWordWrap(true);
    m_choices->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // The server decides (edit_customers, within the company); the button only follows it.
    m_edit = new QPushButton(tr("Edit…"), right);
    m_edit->setObjectName(u"customerEdit"_s);
    m_edit->setVisible(m_account.can(u"edit_customers"_s));
    m_edit->setEnabled(false);
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(m_title, 1);
    titleRow->addWidget(m_edit, 0, Qt::AlignTop);
    rightLayout->addLayout(titleRow);
    rightLayout->addWidget(m_choices);
    const auto smallTable = [right](ApiRecordsModel *model, const QString &name) {
        auto *view = new QTableView(right);
        view->setObjectName(name);
        view->setModel(model);
        TableState::setUpTable(view);
        view->hideColumn(0);
        view->hideColumn(2);
        view->setColumnWidth(1, view->fontMetrics().horizontalAdvance(u"30 Dec 2026 23:59"_s) + 18);
        view->setColumnWidth(3, view->fontMetrics().horizontalAdvance(u"Praxis Hamburg-Eppendorf"_s) + 8);
        return view;
    };
    rightLayout->addWidget(new QLabel(tr("Calls"), right));
    auto *calls = smallTable(m_calls, u"customerCalls"_s);
    rightLayout->addWidget(calls, 1);
    rightLayout->addWidget(new QLabel(tr("Appointments"), right));
    auto *appointments = smallTable(m_appointments, u"customerAppointments"_s);
    rightLayout->addWidget(appointments, 1);
    splitter->addWidget(m_table);
    splitter->addWidget(right);
    splitter->setSizes({640, 500});
    layout->addWidget(splitter, 1);

    auto *delay = new QTimer(this);
    delay->setSingleShot(true);
    delay->setInterval(250);
    connect(delay, &QTimer::timeout, this, &CustomersPage::reload);
    connect(m_search, &QLineEdit::textChanged, delay, qOverload<>(&QTimer::start));
    connect(exportButton, &QToolButton::clicked, this, [this] { CsvExporter::exportWithDialog(m_table, tr("customers"), this); });
    connect(m_edit, &QPushButton::clicked, this, &CustomersPage::editSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &CustomersPage::showSelected);
    connect(m_customers, &ApiListModel::loaded, this, [this] {
        if (!m_table->selectionModel()->currentIndex().isValid() && m_customers->rowCount() > 0)
            m_table->selectRow(0);
        else
            showSelected();
    });
    for (ApiRecordsModel *model : {m_customers, m_calls, m_appointments})
        connect(model, &ApiListModel::failed, this, [this](const QString &message) { Q_EMIT statusMessage(tr("The customers cannot be read: %1").arg(message)); });
    connect(calls, &QTableView::doubleClicked, this, [this](const QModelIndex &i) { Q_EMIT openCall(m_calls->idAt(i.row())); });
    connect(appointments, &QTableView::doubleClicked, this,
            [this](const QModelIndex &i) { Q_EMIT openAppointment(m_appointments->idAt(i.row())); });
    reload();
    showSelected();

    // New callers, and new calls and appointments of the listed customers (their counts), appear by themselves,
    // with the selected customer's calls and appointments read again.
    auto *watcher = new ChangeWatcher(m_account, {u"customers"_s, u"calls"_s, u"appointments"_s}, this);
    connect(watcher, &ChangeWatcher::changed, this, [this] {
        ApiViewState::reloadKeepingSelection(m_table, m_customers);
        if (m_shownCustomer > 0) {
            m_calls->reload();
            m_appointments->reload();
        }
    });
}

CustomersPage::~CustomersPage() = default;

void CustomersPage::reload()
{
    QUrlQuery filters;
    if (const QString text = m_search->text().trimmed(); !text.isEmpty())
        filters.addQueryItem(u"q"_s, text);
    m_customers->setFilters(filters);
}

void CustomersPage::showSelected()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const qint64 id = current.isValid() ? m_customers->idAt(current.row()) : 0;
    if (id != m_shownCustomer) {
        m_shownCustomer = id;
        // A customer's lists are routes of their own; none selected: empty lists (a path that answers nothing
        // is never asked for).
        m_calls->setPath(id > 0 ? u"/customers/%1/calls"_s.arg(id) : QString());
        m_appointments->setPath(id > 0 ? u"/customers/%1/appointments"_s.arg(id) : QString());
        m_calls->setFilters({});
        m_appointments->setFilters({});
        readProfile(id);
    }
    if (id <= 0) {
        m_title->setText(m_customers->rowCount() == 0 ? tr("No customers yet: callers become customers with their first call.")
                                                      : tr("Select a customer."));
        return;
    }
    const QString name = m_customers->index(current.row(), Name).data().toString();
    const QString phone = m_customers->index(current.row(), Phone).data().toString();
    m_title->setText(name.isEmpty() ? phone : name + u" · "_s + phone);
}

QString CustomersPage::choicesText() const
{
    return m_choices->text();
}

void CustomersPage::readProfile(qint64 id)
{
    if (m_profileCall)
        m_profileCall->abandon();
    m_profile = client::Json();
    m_choices->clear();
    m_edit->setEnabled(false);
    if (id <= 0)
        return;
    m_profileCall = m_account.get(u"/customers/%1"_s.arg(id));
    connect(m_profileCall, &client::ApiCall::finished, this, [this, id](const client::ApiResult &result) {
        if (!result.ok()) {
            m_choices->setText(result.errorMessage);
            return;
        }
        m_profile = result.body;
        const QString channel = client::text(m_profile, "preferred_channel");
        QString how = channel == u"sms"_s     ? tr("SMS only (e-mail if the SMS fails)")
                      : channel == u"email"_s ? tr("E-mail only")
                      : channel == u"none"_s  ? tr("No messages")
                                              : tr("SMS to a mobile number, and e-mail when known");
        QStringList lines{tr("Messages: %1").arg(how)};
        const QString messagePhone = client::text(m_profile, "message_phone_display");
        lines << (messagePhone.isEmpty() ? tr("SMS go to the number they call from.") : tr("SMS go to %1.").arg(messagePhone));
        if (!client::flag(m_profile, "message_phone_is_mobile") && channel != u"email"_s && channel != u"none"_s)
            lines << tr("That number is a landline: no SMS, e-mail only.");
        if (client::flag(m_profile, "sms_opt_out"))
            lines << tr("Opted out of SMS.");
        const QString language = client::text(m_profile, "language");
        lines << (language == u"de"_s ? tr("Language: German") : language == u"en"_s ? tr("Language: English") : tr("Language: the branch's"));
        m_choices->setText(lines.join(u'\n'));
        m_edit->setEnabled(true);
        Q_EMIT profileShown(id);
    });
}

void CustomersPage::editSelected()
{
    if (m_profile.is_null())
        return;
    CustomerDialog dialog(m_account, m_profile, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    Q_EMIT statusMessage(tr("Customer %1 saved.").arg(client::text(dialog.profile(), "name")));
    ApiViewState::reloadKeepingSelection(m_table, m_customers);
    readProfile(m_shownCustomer);
}

} // namespace askpro
