// Company details: two columns of fields, small editable tables for services and staff, keys last.
#include "wizard/companypage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

QLabel *errorLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    QPalette p = label->palette();
    p.setColor(QPalette::WindowText, QColor(0xb0, 0x1c, 0x1c));
    label->setPalette(p);
    QFont f = label->font();
    f.setPointSizeF(f.pointSizeF() * 0.9);
    label->setFont(f);
    label->hide();
    return label;
}

QComboBox *languageCombo(QWidget *parent)
{
    auto *combo = new QComboBox(parent);
    combo->addItem(CompanyPage::tr("German"), u"de"_s);
    combo->addItem(CompanyPage::tr("English"), u"en"_s);
    return combo;
}

QTableWidget *table(const QStringList &headers, QWidget *parent)
{
    auto *t = new QTableWidget(0, int(headers.size()), parent);
    t->setHorizontalHeaderLabels(headers);
    t->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    t->verticalHeader()->hide();
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setMinimumHeight(110);
    return t;
}

QString cell(const QTableWidget *t, int row, int column)
{
    const QTableWidgetItem *item = t->item(row, column);
    return item ? item->text().trimmed() : QString();
}

} // namespace

CompanyPage::CompanyPage(QWidget *parent)
    : QWizardPage(parent)
{
    setObjectName(u"companyPage"_s);
    setTitle(tr("1 of 4 · Company details"));
    setSubTitle(
        tr("Who the business is, where callers reach it, what they can book and with whom. Everything can be changed later."));

    auto *columns = new QHBoxLayout(this);
    auto *left = new QVBoxLayout;
    auto *right = new QVBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 1);

    auto *company = new QGroupBox(tr("Company"), this);
    auto *companyForm = new QFormLayout(company);
    m_name = new QLineEdit(company);
    m_name->setObjectName(u"companyName"_s);
    m_name->setPlaceholderText(tr("Zahnarztpraxis Dr. Sommer"));
    m_address = new QLineEdit(company);
    m_address->setObjectName(u"companyAddress"_s);
    m_address->setPlaceholderText(tr("Street, postcode and town"));
    m_vatId = new QLineEdit(company);
    m_vatId->setObjectName(u"vatId"_s);
    m_vatId->setPlaceholderText(tr("DE123456789 (optional)"));
    m_billingEmail = new QLineEdit(company);
    m_billingEmail->setObjectName(u"billingEmail"_s);
    m_billingEmail->setPlaceholderText(tr("rechnung@praxis.de"));
    m_defaultLanguage = languageCombo(company);
    m_defaultLanguage->setObjectName(u"defaultLanguage"_s);
    auto *languages = new QWidget(company);
    auto *languagesRow = new QHBoxLayout(languages);
    languagesRow->setContentsMargins(0, 0, 0, 0);
    m_german = new QCheckBox(tr("German"), languages);
    m_german->setChecked(true);
    m_english = new QCheckBox(tr("English"), languages);
    m_english->setObjectName(u"supportsEnglish"_s);
    languagesRow->addWidget(m_german);
    languagesRow->addWidget(m_english);
    languagesRow->addStretch();
    companyForm->addRow(tr("Name:"), withError(m_name, u"company.name"_s));
    companyForm->addRow(tr("Address:"), withError(m_address, u"company.address"_s));
    companyForm->addRow(tr("VAT id:"), withError(m_vatId, u"company.vat_id"_s));
    companyForm->addRow(tr("Billing e-mail:"), withError(m_billingEmail, u"company.billing_email"_s));
    companyForm->addRow(tr("Default language:"), withError(m_defaultLanguage, u"company.default_language"_s));
    companyForm->addRow(tr("Agent speaks:"), withError(languages, u"company.supported_languages"_s));
    left->addWidget(company);

    auto *branch = new QGroupBox(tr("First branch"), this);
    auto *branchForm = new QFormLayout(branch);
    m_branchName = new QLineEdit(branch);
    m_branchName->setObjectName(u"branchName"_s);
    m_branchName->setPlaceholderText(tr("Praxis Mitte"));
    m_branchAddress = new QLineEdit(branch);
    m_branchAddress->setObjectName(u"branchAddress"_s);
    m_branchAddress->setPlaceholderText(tr("Same as the company"));
    m_timeZone = new QComboBox(branch);
    m_timeZone->setObjectName(u"timeZone"_s);
    m_timeZone->setEditable(true);
    m_timeZone->addItems(
        { u"Europe/Berlin"_s, u"Europe/Vienna"_s, u"Europe/Zurich"_s, u"Europe/Amsterdam"_s, u"Europe/London"_s });
    m_branchLanguage = languageCombo(branch);
    m_branchLanguage->setObjectName(u"branchLanguage"_s);
    branchForm->addRow(tr("Name:"), withError(m_branchName, u"branch.name"_s));
    branchForm->addRow(tr("Address:"), withError(m_branchAddress, u"branch.address"_s));
    branchForm->addRow(tr("Time zone:"), withError(m_timeZone, u"branch.time_zone"_s));
    branchForm->addRow(tr("Language:"), withError(m_branchLanguage, u"branch.language"_s));
    left->addWidget(branch);
    left->addStretch();

    const auto tableBox = [this](const QString &title, QTableWidget *t, const QString &key, const std::function<void()> &add) {
        auto *box = new QGroupBox(title, this);
        auto *layout = new QVBoxLayout(box);
        layout->addWidget(t);
        auto *buttons = new QHBoxLayout;
        auto *addButton = new QPushButton(tr("Add"), box);
        addButton->setObjectName(key + u"Add"_s);
        auto *removeButton = new QPushButton(tr("Remove"), box);
        removeButton->setObjectName(key + u"Remove"_s);
        buttons->addWidget(addButton);
        buttons->addWidget(removeButton);
        buttons->addStretch();
        layout->addLayout(buttons);
        QLabel *error = errorLabel(box);
        layout->addWidget(error);
        m_errors.insert(key, error);
        connect(addButton, &QPushButton::clicked, this, [this, add, key] {
            add();
            touch(key);
        });
        connect(removeButton, &QPushButton::clicked, this, [this, t, key] {
            if (t->currentRow() >= 0)
                t->removeRow(t->currentRow());
            touch(key);
        });
        connect(t, &QTableWidget::itemChanged, this, [this, key] { touch(key); });
        return box;
    };
    m_services = table({ tr("Service"), tr("Minutes"), tr("Price (€)") }, this);
    m_services->setObjectName(u"services"_s);
    m_staff = table({ tr("Name"), tr("E-mail") }, this);
    m_staff->setObjectName(u"staff"_s);
    m_staff->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    right->addWidget(tableBox(tr("Services callers can book"), m_services, u"services"_s, [this] {
        addServiceRow({ tr("New service"), 30, 0 });
    }));
    right->addWidget(tableBox(tr("Staff"), m_staff, u"staff"_s, [this] { addStaffRow({}); }));

    auto *keys = new QGroupBox(tr("Provider keys (stored encrypted)"), this);
    auto *keysForm = new QFormLayout(keys);
    m_retellKey = new QLineEdit(keys);
    m_retellKey->setObjectName(u"retellKey"_s);
    m_retellKey->setEchoMode(QLineEdit::Password);
    m_retellKey->setPlaceholderText(tr("Platform key; empty: the stored one"));
    m_calcomKey = new QLineEdit(keys);
    m_calcomKey->setObjectName(u"calcomKey"_s);
    m_calcomKey->setEchoMode(QLineEdit::Password);
    m_calcomKey->setPlaceholderText(tr("cal_live_…"));
    m_stripeKey = new QLineEdit(keys);
    m_stripeKey->setObjectName(u"stripeKey"_s);
    m_stripeKey->setEchoMode(QLineEdit::Password);
    m_stripeKey->setPlaceholderText(tr("Optional; empty: the stored one, or no billing yet"));
    keysForm->addRow(tr("Retell API key:"), withError(m_retellKey, u"credentials.retell_api_key"_s));
    keysForm->addRow(tr("Cal.com API key:"), withError(m_calcomKey, u"credentials.calcom_api_key"_s));
    keysForm->addRow(tr("Stripe secret key:"), withError(m_stripeKey, u"credentials.stripe_api_key"_s));
    right->addWidget(keys);
    right->addStretch();

    registerField(u"company.name*"_s, m_name);
    registerField(u"company.address*"_s, m_address);
    registerField(u"company.vatId"_s, m_vatId);
    registerField(u"company.billingEmail*"_s, m_billingEmail);
    registerField(u"company.defaultLanguage"_s, m_defaultLanguage, "currentIndex");
    registerField(u"branch.name*"_s, m_branchName);
    registerField(u"branch.address"_s, m_branchAddress);
    registerField(u"branch.timeZone"_s, m_timeZone, "currentText");
    registerField(u"branch.language"_s, m_branchLanguage, "currentIndex");
    registerField(u"credentials.retell"_s, m_retellKey);
    registerField(u"credentials.calcom*"_s, m_calcomKey);
    registerField(u"credentials.stripe"_s, m_stripeKey);

    for (const SetupService &s : SetupInput::defaultServices())
        addServiceRow(s);
    m_services->resizeColumnsToContents();
    m_services->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
}

QWidget *CompanyPage::withError(QWidget *editor, const QString &key)
{
    auto *box = new QWidget(editor->parentWidget());
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    editor->setParent(box);
    layout->addWidget(editor);
    QLabel *error = errorLabel(box);
    error->setObjectName(u"error:"_s + key);
    layout->addWidget(error);
    m_errors.insert(key, error);
    if (auto *line = qobject_cast<QLineEdit *>(editor)) {
        connect(line, &QLineEdit::editingFinished, this, [this, key] { touch(key); });
        connect(line, &QLineEdit::textEdited, this, [this, key] {
            if (m_touched.contains(key) || m_showAll)
                showErrors(m_showAll);
        });
    } else if (auto *combo = qobject_cast<QComboBox *>(editor)) {
        connect(combo, &QComboBox::currentTextChanged, this, [this, key] { touch(key); });
    } else {
        for (auto *check : editor->findChildren<QCheckBox *>())
            connect(check, &QCheckBox::toggled, this, [this, key] { touch(key); });
    }
    return box;
}

void CompanyPage::touch(const QString &key)
{
    m_touched.insert(key);
    showErrors(m_showAll);
}

void CompanyPage::addServiceRow(const SetupService &service)
{
    const int row = m_services->rowCount();
    m_services->insertRow(row);
    m_services->setItem(row, 0, new QTableWidgetItem(service.name));
    m_services->setItem(row, 1, new QTableWidgetItem(QString::number(service.minutes)));
    m_services->setItem(row, 2, new QTableWidgetItem(QString::number(double(service.priceCents) / 100.0, 'f', 2).replace(u'.', u',')));
}

void CompanyPage::addStaffRow(const SetupStaff &staff)
{
    const int row = m_staff->rowCount();
    m_staff->insertRow(row);
    m_staff->setItem(row, 0, new QTableWidgetItem(staff.name));
    m_staff->setItem(row, 1, new QTableWidgetItem(staff.email));
}

SetupInput CompanyPage::input() const
{
    SetupInput in;
    in.companyName = m_name->text().trimmed();
    in.companyAddress = m_address->text().trimmed();
    in.vatId = m_vatId->text().trimmed();
    in.billingEmail = m_billingEmail->text().trimmed();
    in.defaultLanguage = m_defaultLanguage->currentData().toString();
    in.supportedLanguages.clear();
    if (m_german->isChecked())
        in.supportedLanguages << u"de"_s;
    if (m_english->isChecked())
        in.supportedLanguages << u"en"_s;
    in.branchName = m_branchName->text().trimmed();
    in.branchAddress = m_branchAddress->text().trimmed();
    in.timeZone = m_timeZone->currentText().trimmed();
    in.branchLanguage = m_branchLanguage->currentData().toString();
    in.services.clear();
    for (int row = 0; row < m_services->rowCount(); ++row) {
        // "45,00" and "45.00" alike; an unreadable price becomes negative, so validation names it.
        QString text = cell(m_services, row, 2).remove(u'€').trimmed();
        text.replace(u',', u'.');
        bool ok = false;
        const double price = text.isEmpty() ? 0.0 : text.toDouble(&ok);
        in.services.append({ cell(m_services, row, 0), cell(m_services, row, 1).toInt(),
                             ok || text.isEmpty() ? qRound64(price * 100.0) : qint64(-1) });
    }
    in.staff.clear();
    for (int row = 0; row < m_staff->rowCount(); ++row) {
        if (cell(m_staff, row, 0).isEmpty() && cell(m_staff, row, 1).isEmpty())
            continue; // a row added and left empty
        in.staff.append({ cell(m_staff, row, 0), cell(m_staff, row, 1) });
    }
    in.credentials.retellApiKey = m_retellKey->text().trimmed().toUtf8();
    in.credentials.calcomApiKey = m_calcomKey->text().trimmed().toUtf8();
    in.credentials.stripeApiKey = m_stripeKey->text().trimmed().toUtf8();
    in.phone = u"+4930000000"_s; // checked on page 2; a valid stand-in keeps its message off this page
    return in;
}

void CompanyPage::load(const SetupInput &in)
{
    m_name->setText(in.companyName);
    m_address->setText(in.companyAddress);
    m_vatId->setText(in.vatId);
    m_billingEmail->setText(in.billingEmail);
    m_defaultLanguage->setCurrentIndex(std::max(0, m_defaultLanguage->findData(in.defaultLanguage)));
    m_german->setChecked(in.supportedLanguages.contains(u"de"_s));
    m_english->setChecked(in.supportedLanguages.contains(u"en"_s));
    m_branchName->setText(in.branchName);
    m_branchAddress->setText(in.branchAddress);
    m_timeZone->setCurrentText(in.timeZone);
    m_branchLanguage->setCurrentIndex(std::max(0, m_branchLanguage->findData(in.branchLanguage)));
    m_services->setRowCount(0);
    for (const SetupService &s : in.services)
        addServiceRow(s);
    m_staff->setRowCount(0);
    for (const SetupStaff &p : in.staff)
        addStaffRow(p);
    m_retellKey->setText(QString::fromUtf8(in.credentials.retellApiKey));
    m_calcomKey->setText(QString::fromUtf8(in.credentials.calcomApiKey));
    m_stripeKey->setText(QString::fromUtf8(in.credentials.stripeApiKey));
}

void CompanyPage::showErrors(bool all)
{
    const QMap<QString, QString> errors = input().validate();
    QHash<QString, QStringList> shown;
    for (auto it = errors.begin(); it != errors.end(); ++it) {
        QString key = it.key();
        if (key.startsWith(u"services"_s))
            key = u"services"_s;
        else if (key.startsWith(u"staff"_s))
            key = u"staff"_s;
        if (all || m_touched.contains(key))
            shown[key] << it.value();
    }
    for (auto it = m_errors.begin(); it != m_errors.end(); ++it) {
        const QStringList messages = shown.value(it.key());
        it.value()->setText(messages.join(u'\n'));
        it.value()->setVisible(!messages.isEmpty());
    }
}

QMap<QString, QString> CompanyPage::visibleErrors() const
{
    QMap<QString, QString> out;
    for (auto it = m_errors.begin(); it != m_errors.end(); ++it)
        if (!it.value()->isHidden())
            out.insert(it.key(), it.value()->text());
    return out;
}

bool CompanyPage::validatePage()
{
    m_showAll = true;
    showErrors(true);
    return input().validate().isEmpty();
}

} // namespace askpro
