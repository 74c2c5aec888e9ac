// Import page: ImportClient does the requests; this page shows its state, the report and the column choice.
#include "pages/importpage.h"

#include "apiaccount.h"
#include "importrowsmodel.h"
#include "jsonfields.h"
#include "widgets/apipicker.h"

#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

struct FieldLabel
{
    const char *code;
    const char *label;
};

// The import's fields (CustomerImport's codes) in the order a practice's list usually has them.
const FieldLabel fieldLabels[] = {
    {"source_id", QT_TRANSLATE_NOOP("askpro::ImportPage", "Customer number")},
    {"name", QT_TRANSLATE_NOOP("askpro::ImportPage", "Name")},
    {"first_name", QT_TRANSLATE_NOOP("askpro::ImportPage", "First name")},
    {"last_name", QT_TRANSLATE_NOOP("askpro::ImportPage", "Last name")},
    {"phone", QT_TRANSLATE_NOOP("askpro::ImportPage", "Phone")},
    {"mobile", QT_TRANSLATE_NOOP("askpro::ImportPage", "Mobile (for messages)")},
    {"email", QT_TRANSLATE_NOOP("askpro::ImportPage", "E-mail")},
    {"company", QT_TRANSLATE_NOOP("askpro::ImportPage", "Firm")},
    {"branch", QT_TRANSLATE_NOOP("askpro::ImportPage", "Branch")},
    {"notes", QT_TRANSLATE_NOOP("askpro::ImportPage", "Notes")},
};

const client::Json noRows = client::Json::array();

// A layout of columns, whatever their case or order of spaces: the key its mapping is remembered under.
QString layoutKey(const QStringList &columns)
{
    QStringList normal;
    for (const QString &column : columns)
        normal.append(column.simplified().toLower());
    return QString::fromLatin1(QCryptographicHash::hash(normal.join(u'\x1f').toUtf8(), QCryptographicHash::Sha256).toHex().left(32));
}

// Every field with its column or null: a field left out stays out (the server's detection would pick it).
client::Json completeMapping(const client::Json &mapping)
{
    client::Json complete = client::Json::object();
    for (const FieldLabel &field : fieldLabels)
        complete[field.code] = mapping.is_object() && mapping.contains(field.code) && mapping[field.code].is_string() ? mapping[field.code]
                                                                                                                      : client::Json(nullptr);
    return complete;
}

} // namespace

ImportPage::ImportPage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
    , m_import(new ImportClient(account, this))
    , m_rows(new ImportRowsModel(this))
{
    auto *layout = new QVBoxLayout(this);

    auto *source = new QGridLayout;
    m_company = new QComboBox(this);
    m_company->setObjectName(u"importCompany"_s);
    m_company->setMinimumWidth(220);
    m_path = new QLineEdit(this);
    m_path->setObjectName(u"importFile"_s);
    m_path->setReadOnly(true);
    m_path->setPlaceholderText(tr("No file chosen"));
    auto *choose = new QPushButton(tr("Choose file…"), this);
    choose->setObjectName(u"importChoose"_s);
    m_check = new QPushButton(tr("Check"), this);
    m_check->setObjectName(u"importCheck"_s);
    m_check->setToolTip(tr("Sends the file to the server, which reports what an import would do; nothing is written yet"));
    auto *companyLabel = new QLabel(tr("&Company:"), this);
    companyLabel->setBuddy(m_company);
    auto *fileLabel = new QLabel(tr("Customer &list:"), this);
    fileLabel->setBuddy(choose);
    source->addWidget(companyLabel, 0, 0);
    source->addWidget(m_company, 0, 1);
    source->addWidget(fileLabel, 1, 0);
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_path, 1);
    fileRow->addWidget(choose);
    fileRow->addWidget(m_check);
    source->addLayout(fileRow, 1, 1);
    source->setColumnStretch(1, 1);
    layout->addLayout(source);
    auto *hint = new QLabel(tr("A CSV file with one customer per line and a header line (German or English column names; UTF-8 or "
                               "Windows-1252; comma or semicolon). From a spreadsheet, save it as CSV (UTF-8) first."),
                            this);
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(hint);

    auto *stateRow = new QHBoxLayout;
    m_state = new QLabel(this);
    m_state->setObjectName(u"importState"_s);
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(u"importProgress"_s);
    m_progress->setMaximumWidth(260);
    m_progress->setVisible(false);
    stateRow->addWidget(m_state, 1);
    stateRow->addWidget(m_progress);
    layout->addLayout(stateRow);

    m_mappingBox = new QGroupBox(tr("Columns"), this);
    m_mappingBox->setObjectName(u"importMapping"_s);
    auto *grid = new QGridLayout(m_mappingBox);
    int index = 0;
    for (const FieldLabel &field : fieldLabels) {
        auto *combo = new QComboBox(m_mappingBox);
        combo->setObjectName(u"column_"_s + QString::fromLatin1(field.code));
        auto *label = new QLabel(tr(field.label) + u':', m_mappingBox);
        label->setBuddy(combo);
        const int row = index / 2;
        const int column = (index % 2) * 2;
        grid->addWidget(label, row, column);
        grid->addWidget(combo, row, column + 1);
        m_fieldColumns.insert(QString::fromLatin1(field.code), combo);
        connect(combo, &QComboBox::currentIndexChanged, this, &ImportPage::mappingEdited);
        ++index;
    }
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
    m_recheck = new QPushButton(tr("Check with these columns"), m_mappingBox);
    m_recheck->setObjectName(u"importRecheck"_s);
    m_recheck->setEnabled(false);
    grid->addWidget(m_recheck, (index + 1) / 2, 3, Qt::AlignRight);
    m_mappingBox->setVisible(false);
    layout->addWidget(m_mappingBox);

    auto *reportBar = new QHBoxLayout;
    m_summary = new QLabel(this);
    m_summary->setObjectName(u"importSummary"_s);
    m_summary->setWordWrap(true);
    m_filter = new QComboBox(this);
    m_filter->setObjectName(u"importFilter"_s);
    m_filter->addItem(tr("All rows"), QString());
    m_filter->addItem(tr("New customers"), u"create"_s);
    m_filter->addItem(tr("Updates"), u"update"_s);
    m_filter->addItem(tr("Unchanged"), u"unchanged"_s);
    m_filter->addItem(tr("Skipped"), u"skip"_s);
    reportBar->addWidget(m_summary, 1);
    reportBar->addWidget(m_filter);
    layout->addLayout(reportBar);

    m_table = new QTableView(this);
    m_table->setObjectName(u"importRows"_s);
    m_table->setModel(m_rows);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(ImportRowsModel::Line, 60);
    m_table->setColumnWidth(ImportRowsModel::Action, 110);
    m_table->setColumnWidth(ImportRowsModel::Name, 200);
    m_table->setColumnWidth(ImportRowsModel::Phone, 150);
    layout->addWidget(m_table, 1);

    auto *actions = new QHBoxLayout;
    m_showCustomers = new QPushButton(tr("Show customers"), this);
    m_showCustomers->setObjectName(u"importShowCustomers"_s);
    m_showCustomers->setVisible(false);
    m_apply = new QPushButton(tr("Import"), this);
    m_apply->setObjectName(u"importApply"_s);
    m_apply->setEnabled(false);
    m_apply->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(u"importCancel"_s);
    m_cancel->setToolTip(tr("Stops the import; what it has written so far is undone"));
    m_cancel->setVisible(false);
    actions->addStretch(1);
    actions->addWidget(m_cancel);
    actions->addWidget(m_showCustomers);
    actions->addWidget(m_apply);
    layout->addLayout(actions);

    connect(choose, &QPushButton::clicked, this, &ImportPage::chooseFile);
    connect(m_check, &QPushButton::clicked, this, &ImportPage::startCheck);
    connect(m_recheck, &QPushButton::clicked, this, [this] { m_import->changeMapping(chosenMapping()); });
    connect(m_apply, &QPushButton::clicked, m_import, &ImportClient::apply);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        const bool sending = m_import->state() != ImportClient::State::Applying;
        m_import->cancel();
        if (sending)
            m_state->setText(tr("Cancelled: the file was not checked, nothing was written."));
    });
    connect(m_showCustomers, &QPushButton::clicked, this, &ImportPage::openCustomers);
    connect(m_filter, &QComboBox::currentIndexChanged, this, [this] { m_rows->setActionFilter(m_filter->currentData().toString()); });
    connect(m_import, &ImportClient::stateChanged, this, &ImportPage::showState);
    connect(m_import, &ImportClient::progressChanged, this, &ImportPage::showProgress);
    connect(m_company, &QComboBox::currentIndexChanged, this, [this] { m_check->setEnabled(!m_path->text().isEmpty() && m_company->currentData().toLongLong() > 0); });
    showState(ImportClient::State::Idle);
}

ImportPage::~ImportPage() = default;

void ImportPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    reloadCompanies();
}

void ImportPage::reloadCompanies()
{
    ApiPicker::fill(m_company, m_account, u"/companies"_s, {}, QString(), tr("No company"),
                    [this](bool) { m_check->setEnabled(!m_path->text().isEmpty() && m_company->currentData().toLongLong() > 0); });
}

void ImportPage::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a customer list"), m_path->text(),
                                                      tr("CSV files (*.csv *.txt);;All files (*)"));
    if (!path.isEmpty())
        checkFile(path);
}

void ImportPage::checkFile(const QString &path)
{
    m_path->setText(QDir::toNativeSeparators(path));
    m_path->deselect();
    startCheck();
}

void ImportPage::startCheck()
{
    const qint64 company = m_company->currentData().toLongLong();
    const QString path = QDir::fromNativeSeparators(m_path->text());
    if (path.isEmpty())
        return;
    if (company <= 0) {
        m_state->setText(tr("Choose the company the customers belong to."));
        return;
    }
    // Spreadsheets are refused by the server too; saying so before sending the file saves the wait.
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"xlsx"_s || suffix == u"xls"_s || suffix == u"ods"_s) {
        m_state->setText(tr("This is a spreadsheet. Save it as CSV (UTF-8) in the spreadsheet program, then choose the CSV file."));
        return;
    }
    m_savedMappingTried = false;
    m_rows->clear();
    m_import->start(company, path);
}

void ImportPage::showProgress(qint64 done, qint64 total)
{
    const ImportClient::State state = m_import->state();
    const bool busy = state == ImportClient::State::Uploading || state == ImportClient::State::Applying || state == ImportClient::State::Checking;
    m_progress->setVisible(busy);
    // Sizes beyond int: the bar counts kilobytes while uploading.
    const bool bytes = state == ImportClient::State::Uploading;
    const qint64 scale = bytes ? 1024 : 1;
    if (state == ImportClient::State::Checking || total <= 0) {
        m_progress->setRange(0, 0);
        return;
    }
    m_progress->setRange(0, int(std::max<qint64>(1, total / scale)));
    m_progress->setValue(int(std::min(done, total) / scale));
    const QLocale locale;
    m_progress->setFormat(bytes ? tr("%1 of %2").arg(locale.formattedDataSize(done), locale.formattedDataSize(total))
                                : tr("%1 of %2 rows").arg(locale.toString(done), locale.toString(total)));
}

void ImportPage::showState(ImportClient::State state)
{
    using S = ImportClient::State;
    const QString file = m_import->fileName();
    const bool busy = state == S::Uploading || state == S::Checking || state == S::Applying;
    m_check->setEnabled(!busy && !m_path->text().isEmpty() && m_company->currentData().toLongLong() > 0);
    m_company->setEnabled(!busy);
    m_apply->setEnabled(state == S::Ready || (state == S::Failed && m_import->report().is_object() && m_import->importId() > 0));
    m_apply->setText(state == S::Failed ? tr("Import again") : tr("Import"));
    m_showCustomers->setVisible(state == S::Applied && m_account.can(u"view_customers"_s));
    m_cancel->setVisible(busy);
    m_cancel->setEnabled(!m_import->isCancelling());
    m_recheck->setEnabled(false);
    switch (state) {
    case S::Idle:
        m_state->setText(tr("Choose the company and its customer list. The server checks the file first; nothing is written until you import."));
        break;
    case S::Uploading:
        m_state->setText(tr("Sending %1 to the server…").arg(file));
        break;
    case S::Checking:
        m_state->setText(tr("The server checks %1…").arg(file));
        break;
    case S::Ready: {
        // A layout of columns met before: its mapping, once per file, unless the detected one is the same.
        const client::Json saved = savedMapping(m_import->columns());
        if (!m_savedMappingTried && !saved.empty() && m_import->mapping().empty()
            && saved != completeMapping(m_import->report().value("mapping", client::Json()))) {
            m_savedMappingTried = true;
            m_state->setText(tr("Using the columns chosen for this layout of file before…"));
            m_import->changeMapping(saved);
            return;
        }
        m_savedMappingTried = true;
        m_state->setText(tr("Dry run of %1: nothing is written yet. Check the rows, correct the columns if needed, then import.").arg(file));
        break;
    }
    case S::Refused:
        m_state->setText(m_import->columns().isEmpty() ? tr("The file cannot be imported: %1").arg(m_import->error())
                                                       : tr("The columns do not fit: %1 Choose the columns below.").arg(m_import->error()));
        break;
    case S::Applying:
        m_state->setText(m_import->isCancelling() ? tr("Stopping the import of %1 and undoing what it wrote…").arg(file)
                                                  : tr("Importing %1 on the server… (pages and calls go on meanwhile)").arg(file));
        break;
    case S::Applied:
        saveMapping(m_import->columns(), client::child(m_import->report(), "mapping", client::Json::object()));
        m_state->setText(tr("Imported %1.").arg(file));
        Q_EMIT statusMessage(tr("Customer import of %1 finished.").arg(file));
        break;
    case S::Failed:
        m_state->setText(m_import->importId() > 0 && m_import->report().is_object()
                             ? tr("The import did not finish and was undone: %1").arg(m_import->error())
                             : tr("Not checked: %1").arg(m_import->error()));
        break;
    }
    if (state != S::Applying && state != S::Uploading)
        showProgress(m_import->progressDone(), m_import->progressTotal());
    if (state == S::Ready || state == S::Applied || state == S::Refused || state == S::Idle) {
        m_rows->setReport(m_import->report());
        showSummary();
        showMapping();
    }
}

void ImportPage::showSummary()
{
    const client::Json &report = m_import->report();
    if (!report.is_object()) {
        m_summary->clear();
        return;
    }
    const QLocale locale;
    const bool applied = client::flag(report, "applied");
    const auto count = [&](const char *field) { return locale.toString(client::number(report, field)); };
    QString text = applied ? tr("Created %1 · updated %2 · unchanged %3 · skipped %4")
                           : tr("Would create %1 · update %2 · leave unchanged %3 · skip %4");
    text = text.arg(count("created"), count("updated"), count("unchanged"), count("skipped"));
    if (const qint64 left = client::number(report, "rows_left_out"); left > 0)
        text += u" "_s + tr("(%1 rows counted but not listed)").arg(locale.toString(left));
    if (client::flag(report, "redacted")) {
        bool shortened = false;
        for (const client::Json &row : client::child(report, "rows", noRows))
            shortened = shortened || client::flag(row, "existing");
        if (shortened || client::number(report, "updated") + client::number(report, "unchanged") > 0)
            text += u"\n"_s + tr("Rows about known customers are shortened: you may not view customers.");
    }
    m_summary->setText(text);
}

void ImportPage::showMapping()
{
    const QStringList columns = m_import->columns();
    m_mappingBox->setVisible(!columns.isEmpty() && m_import->state() != ImportClient::State::Applied);
    if (columns.isEmpty())
        return;
    // What the server read each field from; on a refusal, what was asked for.
    const client::Json used = m_import->report().is_object() ? client::child(m_import->report(), "mapping", client::Json::object()) : m_import->mapping();
    m_showingMapping = true;
    for (auto it = m_fieldColumns.constBegin(); it != m_fieldColumns.constEnd(); ++it) {
        QComboBox *combo = it.value();
        combo->clear();
        combo->addItem(tr("(not imported)"), QString());
        for (const QString &column : columns)
            combo->addItem(column, column);
        const QString chosen = client::text(used, it.key().toLatin1().constData());
        const int at = chosen.isEmpty() ? 0 : combo->findData(chosen);
        combo->setCurrentIndex(std::max(0, at));
    }
    m_showingMapping = false;
    m_recheck->setEnabled(m_import->state() == ImportClient::State::Refused);
}

client::Json ImportPage::chosenMapping() const
{
    client::Json mapping = client::Json::object();
    for (auto it = m_fieldColumns.constBegin(); it != m_fieldColumns.constEnd(); ++it) {
        const QString column = it.value()->currentData().toString();
        mapping[it.key().toStdString()] = column.isEmpty() ? client::Json(nullptr) : client::Json(column.toStdString());
    }
    return mapping;
}

void ImportPage::mappingEdited()
{
    if (m_showingMapping)
        return;
    const ImportClient::State state = m_import->state();
    m_recheck->setEnabled(state == ImportClient::State::Ready || state == ImportClient::State::Refused);
    // A dry run of other columns is not what would be imported now.
    if (state == ImportClient::State::Ready)
        m_apply->setEnabled(false);
}

client::Json ImportPage::savedMapping(const QStringList &columns)
{
    if (columns.isEmpty())
        return client::Json::object();
    const QByteArray stored = QSettings().value(u"import/mappings/"_s + layoutKey(columns)).toByteArray();
    const client::Json mapping = client::Json::parse(stored.toStdString(), nullptr, false);
    return mapping.is_object() ? mapping : client::Json::object();
}

void ImportPage::saveMapping(const QStringList &columns, const client::Json &mapping)
{
    if (columns.isEmpty() || !mapping.is_object())
        return;
    QSettings().setValue(u"import/mappings/"_s + layoutKey(columns), QByteArray::fromStdString(completeMapping(mapping).dump()));
}

} // namespace askpro
