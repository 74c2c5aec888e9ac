// Triage page: the queue model is rebuilt on change; every action is a request to the admin API, which
// checks the permission and the company scope and writes the audit log.
#include "pages/failedcallspage.h"

#include "apiaccount.h"
#include "changewatcher.h"
#include "dialogs/requestdialog.h"
#include "jsonfields.h"
#include "labels.h"
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

FailedCallsPage::FailedCallsPage(client::ApiAccount &account, QWidget *parent)
    : QWidget(parent)
    , m_account(account)
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_summary = new QLabel(this);
    m_summary->setObjectName(u"triageSummary"_s);
    bar->addWidget(m_summary, 1);
    // Owners read the queue; only who may manage calls gets the buttons that change them (the server decides).
    const bool mayManage = m_account.can(u"manage_calls"_s);
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
    m_model = new TriageModel(m_account, this);
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
    m_detail = new CallDetailPane(m_account, right);
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

    connect(m_model, &TriageModel::loaded, this, &FailedCallsPage::restore);
    connect(m_model, &TriageModel::failed, this, [this](const QString &message) {
        m_placeSaved = false;
        m_summary->setText(tr("The queue cannot be read: %1").arg(message));
    });

    m_watcher = new ChangeWatcher(m_account, {u"calls"_s}, this);
    connect(m_watcher, &ChangeWatcher::changed, this, &FailedCallsPage::reload);
    reload();
}

FailedCallsPage::~FailedCallsPage()
{
    if (m_previewCall)
        m_previewCall->abandon();
}

void FailedCallsPage::pollNow()
{
    m_watcher->checkNow();
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
    // Keep what the user looked at: expanded groups and the current call or group. A second reload before
    // the answer keeps the place saved first (the tree may already be empty).
    if (!m_placeSaved) {
        m_place = {};
        for (int r = 0; r < m_model->rowCount(); ++r) {
            const QModelIndex g = m_model->index(r, 0);
            if (m_tree->isExpanded(g))
                m_place.expanded << g.data(TriageModel::GroupKeyRole).toString();
        }
        const QModelIndex current = m_tree->currentIndex();
        m_place.call = current.isValid() ? current.data(TriageModel::CallIdRole).toLongLong() : 0;
        m_place.group = current.isValid() ? current.data(TriageModel::GroupKeyRole).toString() : QString();
        m_place.scroll = m_tree->verticalScrollBar()->value();
        m_placeSaved = true;
    }
    m_model->reload();
}

void FailedCallsPage::restore()
{
    m_placeSaved = false;
    for (int r = 0; r < m_model->rowCount(); ++r)
        m_tree->setFirstColumnSpanned(r, QModelIndex(), false);
    const int groups = m_model->rowCount();
    QString summary = m_model->totalCalls() == 0 ? tr("No calls need support right now.")
                                                 : tr("%n call(s) need support", nullptr, m_model->totalCalls())
                                                       + u" · "_s + tr("%n reason(s)", nullptr, groups);
    if (m_model->isTruncated())
        summary += u" · "_s + tr("the oldest are not shown");
    m_summary->setText(summary);
    for (const QString &key : std::as_const(m_place.expanded)) {
        const QModelIndex g = m_model->groupIndex(key);
        if (g.isValid())
            m_tree->expand(g);
    }
    QModelIndex restore = m_place.call > 0 ? m_model->callIndex(m_place.call) : QModelIndex();
    if (!restore.isValid() && !m_place.group.isEmpty())
        restore = m_model->groupIndex(m_place.group);
    if (!restore.isValid() && groups > 0) {
        restore = m_model->index(0, 0);
        m_tree->expand(restore);
    }
    if (restore.isValid()) {
        m_tree->selectionModel()->setCurrentIndex(restore, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_tree->expand(restore.parent());
    } else {
        m_detail->showCall(0);
    }
    m_tree->verticalScrollBar()->setValue(m_place.scroll);
    updatePreview();
    Q_EMIT reloaded();
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

qint64 FailedCallsPage::currentCallId() const
{
    const QModelIndex current = m_tree->currentIndex();
    return current.isValid() ? current.data(TriageModel::CallIdRole).toLongLong() : 0;
}

void FailedCallsPage::updatePreview()
{
    if (m_previewCall)
        m_previewCall->abandon(); // only the current call's preview is shown
    const QList<qint64> ids = selectedCallIds();
    const qint64 callId = currentCallId();
    if (callId <= 0) {
        m_preview->setText(ids.isEmpty() ? tr("Select a call.")
                                         : tr("%n call(s) selected: R retries them all, M marks them resolved.", nullptr, int(ids.size())));
        return;
    }
    m_previewCall = m_account.get(u"/calls/%1/retry-preview"_s.arg(callId));
    connect(m_previewCall, &client::ApiCall::finished, this, [this, callId](const client::ApiResult &result) {
        if (!result.ok()) {
            m_preview->setText(result.errorMessage.toHtmlEscaped());
            return;
        }
        showPreview(callId, result.body);
    });
}

void FailedCallsPage::showPreview(qint64 callId, const client::Json &preview)
{
    static const client::Json none = client::Json::array();
    QString html = u"<table cellspacing=0 cellpadding=1>"_s;
    for (const client::Json &item : client::child(preview, "items", none)) {
        const QString action = client::text(item, "action");
        QString verb = tr("missing");
        if (action == u"create"_s)
            verb = tr("create");
        else if (action == u"reuse"_s)
            verb = tr("reuse");
        else if (action == u"skip"_s)
            verb = tr("skip");
        html += u"<tr><td><b>%1</b>&nbsp;&nbsp;</td><td>%2</td></tr>"_s.arg(verb.toHtmlEscaped(), client::text(item, "text").toHtmlEscaped());
    }
    html += u"</table>"_s;
    const client::Json &problems = client::child(preview, "problems", none);
    if (!problems.empty()) {
        html += u"<p><b>%1</b></p><ul style='margin-left:12px; -qt-list-indent:0'>"_s.arg(tr("Fix first:").toHtmlEscaped());
        for (const client::Json &p : problems)
            html += u"<li>%1</li>"_s.arg((p.is_string() ? QString::fromStdString(p.get<std::string>()) : QString()).toHtmlEscaped());
        html += u"</ul>"_s;
    } else if (client::flag(preview, "would_book")) {
        html += u"<p>%1</p>"_s.arg(tr("Ready: a retry books this appointment.").toHtmlEscaped());
    }
    if (const QList<qint64> ids = selectedCallIds(); ids.size() > 1)
        html += u"<p><i>%1</i></p>"_s.arg(tr("%n call(s) selected.", nullptr, int(ids.size())).toHtmlEscaped());
    m_preview->setText(html);
    Q_EMIT previewShown(callId);
}

void FailedCallsPage::forEachCall(const QList<qint64> &ids, const QByteArray &method, const QString &path, const client::Json &body,
                                  std::function<void(int, const QString &)> done)
{
    struct Tally
    {
        qsizetype open = 0;
        int succeeded = 0;
        QString firstError;
    };
    auto tally = std::make_shared<Tally>();
    tally->open = ids.size();
    for (const qint64 id : ids) {
        const QString target = path.arg(id);
        client::ApiCall *call = method == "PUT" ? m_account.put(target, body) : m_account.post(target, body);
        connect(call, &client::ApiCall::finished, this, [tally, done](const client::ApiResult &result) {
            if (result.ok())
                ++tally->succeeded;
            else if (tally->firstError.isEmpty())
                tally->firstError = result.errorMessage;
            if (--tally->open == 0)
                done(tally->succeeded, tally->firstError);
        });
    }
}

void FailedCallsPage::retrySelected()
{
    const QList<qint64> ids = selectedCallIds();
    if (ids.isEmpty())
        return;
    if (ids.size() > 1) {
        if (QMessageBox::question(this, tr("Retry booking"), tr("Retry the booking of %n call(s)?", nullptr, int(ids.size())),
                                  QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes)
            == QMessageBox::Yes)
            retry(ids);
        return;
    }
    // One call: the server's preview says whether a retry can succeed at all.
    auto *call = m_account.get(u"/calls/%1/retry-preview"_s.arg(ids.first()));
    connect(call, &client::ApiCall::finished, this, [this, ids](const client::ApiResult &result) {
        QStringList problems;
        for (const client::Json &p : client::child(result.body, "problems", client::Json::array()))
            if (p.is_string())
                problems << QString::fromStdString(p.get<std::string>());
        if (!problems.isEmpty()
            && QMessageBox::question(this, tr("Retry booking"),
                                     tr("The preview lists problems a retry cannot fix:\n\n%1\n\nRetry anyway?").arg(problems.join(u"\n"_s)),
                                     QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes)
                != QMessageBox::Yes)
            return;
        retry(ids);
    });
}

void FailedCallsPage::retry(const QList<qint64> &ids)
{
    forEachCall(ids, "POST", u"/calls/%1/retry"_s, client::Json::object(), [this](int queued, const QString &error) {
        if (!error.isEmpty())
            QMessageBox::warning(this, tr("Retry booking"), error);
        if (queued > 0)
            Q_EMIT statusMessage(tr("%n retry job(s) queued; the server's workers pick them up.", nullptr, queued));
        m_detail->reload();
        Q_EMIT actionFinished();
    });
}

void FailedCallsPage::editSelected()
{
    const qint64 callId = currentCallId();
    if (callId <= 0)
        return;
    auto *call = m_account.get(u"/calls/%1/retry-preview"_s.arg(callId));
    connect(call, &client::ApiCall::finished, this, [this, callId](const client::ApiResult &preview) {
        if (!preview.ok()) {
            QMessageBox::warning(this, tr("Edit appointment data"), preview.errorMessage);
            return;
        }
        // The company's services are offered in the service field; free text stays possible.
        QUrlQuery query;
        if (m_detail->shownCallId() == callId)
            if (const qint64 company = client::number(m_detail->detail(), "company_id"); company > 0)
                query.addQueryItem(u"company_id"_s, QString::number(company));
        auto *services = m_account.get(u"/services"_s, query);
        connect(services, &client::ApiCall::finished, this, [this, callId, request = preview.body](const client::ApiResult &result) {
            QStringList names;
            for (const client::Json &s : client::child(result.body, "items", client::Json::array()))
                if (client::flag(s, "active") && !names.contains(client::text(s, "name")))
                    names << client::text(s, "name");
            askForRequest(callId, request, names);
        });
    });
}

void FailedCallsPage::askForRequest(qint64 callId, const client::Json &preview, const QStringList &services)
{
    const client::Json &request = client::child(preview, "request", client::Json::object());
    RequestDialog dialog(AppointmentRequest::fromFields(request).value_or(AppointmentRequest()), services, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    forEachCall({callId}, "PUT", u"/calls/%1/request"_s, dialog.request().toJson(), [this, callId](int saved, const QString &error) {
        if (saved == 0) {
            QMessageBox::warning(this, tr("Edit appointment data"), error);
        } else {
            Q_EMIT statusMessage(tr("Appointment data of call %1 corrected; press R to retry the booking.").arg(callId));
            m_detail->reload();
            updatePreview();
        }
        Q_EMIT actionFinished();
    });
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
    forEachCall(ids, "POST", u"/calls/%1/resolve"_s, client::Json{{"comment", comment.toStdString()}}, [this](int resolved, const QString &error) {
        if (!error.isEmpty())
            QMessageBox::warning(this, tr("Mark resolved"), error);
        if (resolved > 0)
            Q_EMIT statusMessage(tr("%n call(s) marked resolved.", nullptr, resolved));
        reload();
        Q_EMIT actionFinished();
    });
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
    auto *pane = new CallDetailPane(m_account, dialog);
    pane->showCall(callId);
    layout->addWidget(pane, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    layout->addWidget(buttons);
    dialog->resize(900, 700);
    dialog->show();
}

} // namespace askpro
