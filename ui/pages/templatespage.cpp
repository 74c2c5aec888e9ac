// Message texts page: a table of every text and an editor whose preview the server fills in as one types
// (a quarter of a second after the last key), so what is shown is what a caller would get.
#include "pages/templatespage.h"

#include "apiaccount.h"
#include "jsonfields.h"
#include "messagetemplatesmodel.h"
#include "tablestate.h"
#include "widgets/apipicker.h"

#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QGroupBox>
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
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

using client::number;
using client::text;

QStringList texts(const client::Json &item, const char *key)
{
    QStringList out;
    if (item.is_object() && item.contains(key) && item.at(key).is_array()) {
        for (const client::Json &v : item.at(key))
            out << QString::fromStdString(v.get<std::string>());
    }
    return out;
}

} // namespace

TemplatesPage::TemplatesPage(client::ApiAccount &account, Editing editing, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
    , m_companyPicker(editing == Editing::PlatformAndCompanies)
{
    const bool companyPicker = m_companyPicker;
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_company = new QComboBox(this);
    m_company->setObjectName(u"templateCompany"_s);
    m_company->setMinimumContentsLength(28);
    m_company->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_company->setVisible(companyPicker);
    if (companyPicker) {
        auto *label = new QLabel(tr("Texts of:"), this);
        label->setBuddy(m_company);
        top->addWidget(label);
        top->addWidget(m_company);
    }
    auto *info = new QLabel(tr("A company's own text applies before the platform's, and the platform's before the shipped one. "
                               "Placeholders such as {{date}} are filled in for each message."),
                            this);
    info->setWordWrap(true);
    top->addWidget(info, 1);
    layout->addLayout(top);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_model = new MessageTemplatesModel(m_account, this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(u"templatesTable"_s);
    m_table->setModel(m_model);
    TableState::setUpTable(m_table);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    splitter->addWidget(m_table);

    auto *editor = new QWidget(splitter);
    auto *editorLayout = new QVBoxLayout(editor);
    editorLayout->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel(editor);
    m_title->setObjectName(u"templateTitle"_s);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_title->setFont(titleFont);
    m_origin = new QLabel(editor);
    m_origin->setObjectName(u"templateOrigin"_s);
    editorLayout->addWidget(m_title);
    editorLayout->addWidget(m_origin);

    auto *form = new QFormLayout;
    m_subject = new QLineEdit(editor);
    m_subject->setObjectName(u"templateSubject"_s);
    m_subjectLabel = new QLabel(tr("&Subject:"), editor);
    m_subjectLabel->setBuddy(m_subject);
    form->addRow(m_subjectLabel, m_subject);
    m_body = new QPlainTextEdit(editor);
    m_body->setObjectName(u"templateBody"_s);
    m_body->setTabChangesFocus(true);
    auto *bodyLabel = new QLabel(tr("&Text:"), editor);
    bodyLabel->setBuddy(m_body);
    form->addRow(bodyLabel, m_body);
    auto *insertRow = new QHBoxLayout;
    m_placeholder = new QComboBox(editor);
    m_placeholder->setObjectName(u"templatePlaceholder"_s);
    m_placeholder->setToolTip(tr("Insert a placeholder at the cursor"));
    m_placeholder->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    insertRow->addWidget(m_placeholder);
    m_required = new QLabel(editor);
    m_required->setObjectName(u"templateRequired"_s);
    m_required->setWordWrap(true);
    insertRow->addWidget(m_required, 1);
    form->addRow(QString(), insertRow);
    editorLayout->addLayout(form, 2);

    auto *previewBox = new QGroupBox(tr("Preview: a sample appointment tomorrow at 10:00"), editor);
    auto *previewLayout = new QVBoxLayout(previewBox);
    m_previewSubject = new QLabel(previewBox);
    m_previewSubject->setObjectName(u"previewSubject"_s);
    m_previewSubject->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_preview = new QPlainTextEdit(previewBox);
    m_preview->setObjectName(u"previewBody"_s);
    m_preview->setReadOnly(true);
    m_length = new QLabel(previewBox);
    m_length->setObjectName(u"previewLength"_s);
    m_problem = new QLabel(previewBox);
    m_problem->setObjectName(u"templateProblem"_s);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(u"color: #b3261e;"_s);
    previewLayout->addWidget(m_previewSubject);
    previewLayout->addWidget(m_preview, 1);
    previewLayout->addWidget(m_length);
    previewLayout->addWidget(m_problem);
    editorLayout->addWidget(previewBox, 2);

    auto *buttons = new QHBoxLayout;
    m_save = new QPushButton(tr("&Save"), editor);
    m_save->setObjectName(u"saveTemplate"_s);
    m_revert = new QPushButton(tr("Undo &changes"), editor);
    m_revert->setObjectName(u"revertTemplate"_s);
    m_reset = new QPushButton(editor);
    m_reset->setObjectName(u"resetTemplate"_s);
    buttons->addStretch(1);
    buttons->addWidget(m_reset);
    buttons->addWidget(m_revert);
    buttons->addWidget(m_save);
    editorLayout->addLayout(buttons);
    splitter->addWidget(editor);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);

    m_previewTimer = new QTimer(this);
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(250);
    connect(m_previewTimer, &QTimer::timeout, this, &TemplatesPage::preview);
    connect(m_subject, &QLineEdit::textChanged, this, [this] { setDirty(true); });
    connect(m_body, &QPlainTextEdit::textChanged, this, [this] { setDirty(true); });
    connect(m_placeholder, &QComboBox::activated, this, [this](int index) {
        if (index > 0)
            insertPlaceholder(m_placeholder->itemText(index));
        m_placeholder->setCurrentIndex(0);
    });
    connect(m_save, &QPushButton::clicked, this, [this] { save(); });
    connect(m_revert, &QPushButton::clicked, this, &TemplatesPage::showCurrent);
    connect(m_reset, &QPushButton::clicked, this, [this] {
        if (QMessageBox::question(this, tr("Use the text below"), tr("Drop this text and use the one below it again?")) == QMessageBox::Yes)
            reset();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        if (!current.isValid() || current.row() == m_row)
            return;
        if (m_save->isEnabled()
            && QMessageBox::question(this, tr("Unsaved changes"), tr("Discard the changes to this text?")) != QMessageBox::Yes) {
            const QSignalBlocker block(m_table->selectionModel());
            m_table->selectRow(m_row);
            return;
        }
        m_row = current.row();
        showCurrent();
    });
    connect(m_model, &MessageTemplatesModel::failed, this, &TemplatesPage::statusMessage);
    connect(m_model, &MessageTemplatesModel::loaded, this, [this] {
        m_table->resizeColumnsToContents();
        const int row = m_row >= 0 && m_row < m_model->rowCount() ? m_row : 0;
        m_row = -1;
        select(row);
    });
    connect(m_company, &QComboBox::currentIndexChanged, this, [this] {
        m_row = -1;
        m_model->setCompany(companyId());
    });
    setDirty(false);
    if (companyPicker)
        ApiPicker::fill(m_company, m_account, u"/companies"_s, {}, tr("Platform (all companies)"), QString(),
                        [this](bool) { m_model->setCompany(companyId()); });
    else
        m_model->setCompany(0);
}

TemplatesPage::~TemplatesPage() = default;

void TemplatesPage::reload()
{
    m_model->reload();
}

qint64 TemplatesPage::companyId() const
{
    return m_companyPicker ? m_company->currentData().toLongLong() : 0;
}

void TemplatesPage::select(int row)
{
    if (row < 0 || row >= m_model->rowCount())
        return;
    m_row = row;
    {
        const QSignalBlocker block(m_table->selectionModel());
        m_table->selectRow(row);
    }
    showCurrent();
}

void TemplatesPage::showCurrent()
{
    if (m_row < 0 || m_row >= m_model->rowCount())
        return;
    const client::Json &item = m_model->item(m_row);
    const QString channel = text(item, "channel");
    const QString source = text(item, "source");
    m_title->setText(tr("%1 · %2 · %3")
                         .arg(MessageTemplatesModel::kindTitle(text(item, "kind")), MessageTemplatesModel::channelTitle(channel),
                              MessageTemplatesModel::languageTitle(text(item, "language"))));
    QString origin = MessageTemplatesModel::sourceTitle(source);
    if (const qint64 changed = number(item, "updated_at"); changed > 0)
        origin = tr("%1, changed by %2 on %3")
                     .arg(origin, text(item, "updated_by"),
                          QLocale().toString(QDateTime::fromMSecsSinceEpoch(changed).toLocalTime(), QLocale::ShortFormat));
    m_origin->setText(origin);
    m_loadingEditor = true;
    m_subject->setText(text(item, "subject"));
    m_body->setPlainText(text(item, "body"));
    m_loadingEditor = false;
    const bool email = channel == u"email"_s;
    m_subject->setVisible(email);
    m_subjectLabel->setVisible(email);
    m_previewSubject->setVisible(email);
    m_placeholder->clear();
    m_placeholder->addItem(tr("Insert placeholder…"));
    const QStringList known{u"{{name}}"_s,   u"{{service}}"_s, u"{{date}}"_s,  u"{{time}}"_s,   u"{{minutes}}"_s,
                            u"{{branch}}"_s, u"{{address}}"_s, u"{{phone}}"_s, u"{{company}}"_s};
    m_placeholder->addItems(known);
    const QStringList required = texts(item, "required");
    m_required->setText(required.isEmpty() ? QString() : tr("Must contain %1.").arg(required.join(u", "_s)));
    // Only the level being edited can be dropped: a company's own text on a company, the platform's on the platform.
    const bool editsCompany = companyId() > 0 || !m_companyPicker;
    const bool ownLevel = editsCompany ? source == u"company"_s : source == u"platform"_s;
    m_reset->setText(editsCompany ? tr("Use the &platform's text") : tr("Use the s&hipped text"));
    m_reset->setEnabled(ownLevel);
    setDirty(false);
    preview();
}

void TemplatesPage::setDirty(bool dirty)
{
    if (m_loadingEditor)
        return;
    const bool any = dirty && m_row >= 0;
    m_save->setEnabled(any);
    m_revert->setEnabled(any);
    if (any)
        schedulePreview();
}

void TemplatesPage::schedulePreview()
{
    m_previewTimer->start();
}

void TemplatesPage::insertPlaceholder(const QString &placeholder)
{
    m_body->insertPlainText(placeholder);
    m_body->setFocus();
}

client::Json TemplatesPage::editedText() const
{
    const client::Json &item = m_model->item(m_row);
    client::Json body{{"kind", text(item, "kind").toStdString()},
                      {"channel", text(item, "channel").toStdString()},
                      {"language", text(item, "language").toStdString()},
                      {"subject", m_subject->text().toStdString()},
                      {"body", m_body->toPlainText().toStdString()}};
    if (companyId() > 0)
        body["company_id"] = companyId();
    return body;
}

void TemplatesPage::preview()
{
    if (m_row < 0 || m_row >= m_model->rowCount())
        return;
    m_previewTimer->stop();
    const quint64 generation = ++m_previewGeneration;
    auto *call = m_account.post(u"/message-templates/preview"_s, editedText());
    connect(call, &client::ApiCall::finished, this, [this, generation](const client::ApiResult &result) {
        if (generation != m_previewGeneration)
            return; // a later keystroke asked again
        if (!result.ok()) {
            m_problem->setText(result.errorMessage);
            return;
        }
        const client::Json &answer = result.body;
        m_previewSubject->setText(tr("Subject: %1").arg(text(answer, "subject")));
        m_preview->setPlainText(text(answer, "body"));
        if (const int segments = int(number(answer, "segments")); segments > 0) {
            const bool unicode = text(answer, "encoding") == u"ucs2"_s;
            m_length->setText(tr("%n SMS segment(s), %1 characters (%2)", nullptr, segments)
                                  .arg(number(answer, "characters"))
                                  .arg(unicode ? tr("Unicode: 70 characters a segment, 67 when split") : tr("GSM: 160 characters a segment, 153 when split")));
            m_length->setVisible(true);
        } else {
            m_length->setVisible(false);
        }
        m_problem->setText(text(answer, "problem"));
        m_problem->setVisible(!m_problem->text().isEmpty());
    });
}

client::ApiCall *TemplatesPage::save()
{
    if (m_row < 0 || m_row >= m_model->rowCount())
        return nullptr;
    auto *call = m_account.put(u"/message-templates"_s, editedText());
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok()) {
            m_problem->setText(result.errorMessage);
            m_problem->setVisible(true);
            Q_EMIT statusMessage(tr("Not saved: %1").arg(result.errorMessage));
            return;
        }
        m_save->setEnabled(false);
        m_revert->setEnabled(false);
        Q_EMIT statusMessage(tr("The text is saved; the next messages use it."));
        m_model->reload();
    });
    return call;
}

client::ApiCall *TemplatesPage::reset()
{
    if (m_row < 0 || m_row >= m_model->rowCount())
        return nullptr;
    const client::Json &item = m_model->item(m_row);
    QUrlQuery query;
    if (companyId() > 0)
        query.addQueryItem(u"company_id"_s, QString::number(companyId()));
    query.addQueryItem(u"kind"_s, text(item, "kind"));
    query.addQueryItem(u"channel"_s, text(item, "channel"));
    query.addQueryItem(u"language"_s, text(item, "language"));
    auto *call = m_account.remove(u"/message-templates"_s, query);
    connect(call, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok()) {
            Q_EMIT statusMessage(tr("Not changed: %1").arg(result.errorMessage));
            return;
        }
        Q_EMIT statusMessage(tr("The text below applies again."));
        m_model->reload();
    });
    return call;
}

} // namespace askpro
