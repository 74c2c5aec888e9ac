// Triage page: the queue model is rebuilt on change; actions go through SupportService.
#include "pages/failedcallspage.h"

#include "changewatcher.h"
#include "db/database.h"
#include "dialogs/requestdialog.h"
#include "labels.h"
#include "queries/calldetailquery.h"
#include "queries/callquery.h"
#include "queries/directoryquery.h"
#include "support/supportservice.h"
#include "tablestate.h"
#include "triagemodel.h"
#include "widgets/calldetailpane.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QKeyEvent>
#include <QSplitter>
#include <QScrollBar>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro {

FailedCallsPage::FailedCallsPage(std::shared_ptr<Database> db, Actor actor, QWidget *parent)
    : QWidget(parent)
    , m_db(std::move(db))
    , m_actor(std::move(actor))
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_summary = new QLabel(this);
    m_summary->setObjectName(u"triageSummary"_s);
    bar->addWidget(m_summary, 1);
    // Owners read the queue; only who may manage calls gets the buttons that change them (the service checks too).
    const bool mayManage = m_actor.can(Permission::ManageCalls);
    const auto button = [this, bar, mayManage](const QString &text, const QString &name, void (FailedCallsPage::*slot)()) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(name);
        b->setEnabled(mayManage || name == u"openButton"_s);
        b->setFocusPolicy(Qt::NoFocus);
        connect(b, &QPushButton::clicked, this, slot);
        bar->addWidget(b);
    };
    button(tr("Open (Enter)"), u"openButton"_s, &FailedCallsPage::openSelected);
    button(tr("Retry (R)"), u"retryButton"_s, &FailedCallsPage::retrySelected);
    button(tr("Edit data (E)"), u"editButton"_s, &FailedCallsPage::editSelected);
    button(tr("Mark resolved (M)"), u"resolveButton"_s, &FailedCallsPage::resolveSelected);
    layout->addLayout(bar);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_model = new TriageModel(m_db, this);
    m_tree = new QTreeView(splitter);
    m_tree->setObjectName(u"triageTree"_s);
    m_tree->setModel(m_model);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->setFirstColumnSpanned(0, QModelIndex(), false);
    m_tree->header()->setStretchLastSection(true);
    const QFontMetrics metrics = m_tree->fontMetrics();
    m_tree->setColumnWidth(TriageModel::Title, metrics.horizontalAdvance(u"Configuration error · No service of this company"_s));
    m_tree->setColumnWidth(TriageModel::Time, metrics.horizontalAdvance(u"30/12/2026 23:59"_s) + 20);
    m_tree->setColumnWidth(TriageModel::Branch, metrics.horizontalAdvance(u"Praxis Hamburg-Eppendorf"_s) + 16);
    m_tree->setColumnWidth(TriageModel::Caller, metrics.horizontalAdvance(u"+49 176 12345678"_s) + 16);
    TableState::track(m_tree, u"triage"_s);

    auto *right = new QWidget(splitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    auto *previewBox = new QGroupBox(tr("What a retry would do"), right);
    auto *previewLayout = new QVBoxLayout(previewBox);
    m_preview = new QLabel(previewBox);
    m_preview->setObjectName(u"retryPreview"_s);
    m_preview->setWordWrap(true);
    m_preview->setTextFormat(Qt::RichText);
    m_preview->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    previewLayout->addWidget(m_preview);
    rightLayout->addWidget(previewBox);
    m_detail = new CallDetailPane(m_db, right);
    m_detail->setObjectName(u"triageDetail"_s);
    rightLayout->addWidget(m_detail, 1);
    splitter->addWidget(m_tree);
    splitter->addWidget(right);
    splitter->setSizes({640, 480});
    layout->addWidget(splitter, 1);

    // Keyboard: R, E, M and Enter act on the queue while it has focus (see eventFilter); Enter on a group toggles it.
    m_tree->installEventFilter(this);

    connect(m_tree->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        m_detail->showCall(current.isValid() ? current.data(TriageModel::CallIdRole).toLongLong() : 0);
        updatePreview();
    });

    m_watcher = new ChangeWatcher(m_db, {ChangeQuery::Table::Calls}, this);
    connect(m_watcher, &ChangeWatcher::changed, this, &FailedCallsPage::reload);
    reload();
}

FailedCallsPage::~FailedCallsPage() = default;

bool FailedCallsPage::pollNow()
{
    return m_watcher->checkNow();
}

bool FailedCallsPage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_tree && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if ((key->modifiers() & ~Qt::KeypadModifier) == Qt::NoModifier) {
            switch (key->key()) {
            case Qt::Key_R: retrySelected(); return true;
            case Qt::Key_E: editSelected(); return true;
            case Qt::Key_M: resolveSelected(); return true;
            case Qt::Key_Return:
            case Qt::Key_Enter: openSelected(); return true;
            default: break;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

void FailedCallsPage::reload()
{
    m_watcher->resync();
    // Keep what the user looked at: expanded groups and the current call or group.
    QStringList expanded;
    for (int r = 0; r < m_model->rowCount(); ++r) {
        const QModelIndex g = m_model->index(r, 0);
        if (m_tree->isExpanded(g))
            expanded << g.data(TriageModel::GroupKeyRole).toString();
    }
    const QModelIndex current = m_tree->currentIndex();
    const qint64 currentCall = current.isValid() ? current.data(TriageModel::CallIdRole).toLongLong() : 0;
    const QString currentGroup = current.isValid() ? current.data(TriageModel::GroupKeyRole).toString() : QString();
    const int scroll = m_tree->verticalScrollBar()->value();

    auto loaded = m_model->reload();
    if (!loaded) {
        m_summary->setText(tr("The queue cannot be read: %1").arg(loaded.error().describe()));
        return;
    }
    for (int r = 0; r < m_model->rowCount(); ++r)
        m_tree->setFirstColumnSpanned(r, QModelIndex(), false);
    const int groups = m_model->rowCount();
    m_summary->setText(m_model->totalCalls() == 0 ? tr("No calls need support right now.")
                                                  : tr("%n call(s) need support", nullptr, m_model->totalCalls())
                                                        + u" · "_s + tr("%n reason(s)", nullptr, groups));
    for (const QString &key : std::as_const(expanded)) {
        const QModelIndex g = m_model->groupIndex(key);
        if (g.isValid())
            m_tree->expand(g);
    }
    QModelIndex restore = currentCall > 0 ? m_model->callIndex(currentCall) : QModelIndex();
    if (!restore.isValid() && !currentGroup.isEmpty())
        restore = m_model->groupIndex(currentGroup);
    if (!restore.isValid() && groups > 0) {
        restore = m_model->index(0, 0);
        m_tree->expand(restore);
    }
    if (restore.isValid())
        m_tree->selectionModel()->setCurrentIndex(restore, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    else
        m_detail->showCall(0);
    m_tree->verticalScrollBar()->setValue(scroll);
    updatePreview();
}

QList<qint64> FailedCallsPage::selectedCallIds() const
{
    QList<qint64> ids;
    const auto add = [&ids](qint64 id) {
        if (id > 0 && !ids.contains(id))
            ids.append(id);
    };
    QModelIndexList rows = m_tree->selectionModel()->selectedRows(0);
    if (rows.isEmpty() && m_tree->currentIndex().isValid())
        rows.append(m_tree->currentIndex().siblingAtColumn(0));
    for (const QModelIndex &row : std::as_const(rows)) {
        if (!row.parent().isValid()) {
            for (int c = 0; c < m_model->rowCount(row); ++c)
                add(m_model->index(c, 0, row).data(TriageModel::CallIdRole).toLongLong());
        } else {
            add(row.data(TriageModel::CallIdRole).toLongLong());
        }
    }
    return ids;
}

bool FailedCallsPage::selectCall(qint64 callId)
{
    const QModelIndex index = m_model->callIndex(callId);
    if (!index.isValid())
        return false;
    m_tree->expand(index.parent());
    m_tree->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_tree->scrollTo(index);
    return true;
}

void FailedCallsPage::updatePreview()
{
    const QList<qint64> ids = selectedCallIds();
    const QModelIndex current = m_tree->currentIndex();
    const qint64 callId = current.isValid() ? current.data(TriageModel::CallIdRole).toLongLong() : 0;
    if (callId <= 0) {
        m_preview->setText(ids.isEmpty() ? tr("Select a call.")
                                         : tr("%n call(s) selected: R retries them all, M marks them resolved.", nullptr, int(ids.size())));
        return;
    }
    auto preview = SupportService(*m_db).previewRetry(callId, m_actor);
    if (!preview) {
        m_preview->setText(preview.error().describe().toHtmlEscaped());
        return;
    }
    QString html = u"<table cellspacing=0 cellpadding=1>"_s;
    for (const RetryPreview::Item &item : preview->items) {
        QString verb;
        switch (item.action) {
        case RetryPreview::Action::Create: verb = tr("create"); break;
        case RetryPreview::Action::Reuse: verb = tr("reuse"); break;
        case RetryPreview::Action::Skip: verb = tr("skip"); break;
        case RetryPreview::Action::Missing: verb = tr("missing"); break;
        }
        html += u"<tr><td><b>%1</b>&nbsp;&nbsp;</td><td>%2</td></tr>"_s.arg(verb.toHtmlEscaped(), item.text.toHtmlEscaped());
    }
    html += u"</table>"_s;
    if (!preview->problems.isEmpty()) {
        html += u"<p><b>%1</b></p><ul style='margin-left:12px; -qt-list-indent:0'>"_s.arg(tr("Fix first:").toHtmlEscaped());
        for (const QString &p : preview->problems)
            html += u"<li>%1</li>"_s.arg(p.toHtmlEscaped());
        html += u"</ul>"_s;
    } else if (preview->wouldBook()) {
        html += u"<p>%1</p>"_s.arg(tr("Ready: a retry books this appointment.").toHtmlEscaped());
    }
    if (ids.size() > 1)
        html += u"<p><i>%1</i></p>"_s.arg(tr("%n call(s) selected.", nullptr, int(ids.size())).toHtmlEscaped());
    m_preview->setText(html);
}

void FailedCallsPage::retrySelected()
{
    const QList<qint64> ids = selectedCallIds();
    if (ids.isEmpty())
        return;
    QString question;
    if (ids.size() > 1) {
        question = tr("Retry the booking of %n call(s)?", nullptr, int(ids.size()));
    } else if (auto preview = SupportService(*m_db).previewRetry(ids.first(), m_actor); preview && !preview->problems.isEmpty()) {
        question = tr("The preview lists problems a retry cannot fix:\n\n%1\n\nRetry anyway?").arg(preview->problems.join(u"\n"_s));
    }
    if (!question.isEmpty()
        && QMessageBox::question(this, tr("Retry booking"), question, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes) != QMessageBox::Yes)
        return;
    auto queued = SupportService(*m_db).retryBooking(ids, m_actor);
    if (!queued) {
        QMessageBox::warning(this, tr("Retry booking"), queued.error().describe());
        return;
    }
    Q_EMIT statusMessage(tr("%n retry job(s) queued; the server's workers pick them up.", nullptr, *queued));
    m_detail->reload();
}

void FailedCallsPage::editSelected()
{
    const QModelIndex current = m_tree->currentIndex();
    const qint64 callId = current.isValid() ? current.data(TriageModel::CallIdRole).toLongLong() : 0;
    if (callId <= 0)
        return;
    SupportService support(*m_db);
    auto preview = support.previewRetry(callId, m_actor);
    if (!preview) {
        QMessageBox::warning(this, tr("Edit appointment data"), preview.error().describe());
        return;
    }
    QStringList services;
    qint64 companyId = 0;
    if (auto detail = CallDetailQuery::load(*m_db, callId); detail && *detail)
        companyId = (*detail)->companyId;
    if (auto all = DirectoryQuery::services(*m_db, companyId)) {
        for (const NamedItem &s : *all)
            if (s.active && !services.contains(s.name))
                services << s.name;
    }
    RequestDialog dialog(preview->request.value_or(AppointmentRequest()), services, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    auto saved = support.correctRequest(callId, dialog.request(), m_actor);
    if (!saved) {
        QMessageBox::warning(this, tr("Edit appointment data"), saved.error().describe());
        return;
    }
    Q_EMIT statusMessage(tr("Appointment data of call %1 corrected; press R to retry the booking.").arg(callId));
    m_detail->reload();
    updatePreview();
}

void FailedCallsPage::resolveSelected()
{
    const QList<qint64> ids = selectedCallIds();
    if (ids.isEmpty())
        return;
    bool ok = false;
    const QString comment = QInputDialog::getText(this, tr("Mark resolved"),
                                                  tr("What was done for %n call(s)? (optional)", nullptr, int(ids.size())),
                                                  QLineEdit::Normal, QString(), &ok);
    if (!ok)
        return;
    auto resolved = SupportService(*m_db).markResolved(ids, comment, m_actor);
    if (!resolved) {
        QMessageBox::warning(this, tr("Mark resolved"), resolved.error().describe());
        return;
    }
    Q_EMIT statusMessage(tr("%n call(s) marked resolved.", nullptr, *resolved));
    reload();
}

void FailedCallsPage::openSelected()
{
    const QModelIndex current = m_tree->currentIndex();
    if (!current.isValid())
        return;
    const qint64 callId = current.data(TriageModel::CallIdRole).toLongLong();
    if (callId <= 0) {
        m_tree->setExpanded(current.siblingAtColumn(0), !m_tree->isExpanded(current.siblingAtColumn(0)));
        return;
    }
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(u"callDialog"_s);
    dialog->setWindowTitle(tr("Call %1").arg(callId));
    auto *layout = new QVBoxLayout(dialog);
    auto *pane = new CallDetailPane(m_db, dialog);
    pane->showCall(callId);
    layout->addWidget(pane, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    layout->addWidget(buttons);
    dialog->resize(900, 700);
    dialog->show();
}

} // namespace askpro
