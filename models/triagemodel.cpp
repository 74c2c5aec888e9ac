// Builds the tree from the server's queue; times in each branch's zone.
#include "triagemodel.h"

#include "apiaccount.h"
#include "domain/phonenumbers.h"
#include "jsonfields.h"
#include "labels.h"
#include "statuscolors.h"

#include <QDateTime>
#include <QFont>
#include <QLocale>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

int severity(const QString &category)
{
    static const QStringList order = {u"configuration"_s, u"rejected"_s, u"transient"_s, u"failed"_s, u"requested_unbooked"_s, u"needs_callback"_s};
    const int i = int(order.indexOf(category));
    return i < 0 ? int(order.size()) : i;
}

} // namespace

struct TriageModel::Row
{
    qint64 callId = 0;
    qint64 startedAt = 0;
    QString timeZone;
    QString branchName;
    QString caller;
    QString customerName;
    QString outcome;
    QString category;
    QString reason;
};

TriageModel::TriageModel(client::ApiAccount &account, QObject *parent)
    : QStandardItemModel(parent)
    , m_account(account)
{
    setHorizontalHeaderLabels({tr("Reason / call"), tr("Time"), tr("Branch"), tr("Caller"), tr("Customer"), tr("Details")});
}

TriageModel::~TriageModel()
{
    if (m_pending)
        m_pending->abandon();
}

void TriageModel::reload()
{
    if (m_pending)
        m_pending->abandon(); // the newest question's answer is the one shown
    m_pending = m_account.get(u"/triage"_s);
    connect(m_pending, &client::ApiCall::finished, this, [this](const client::ApiResult &result) {
        if (!result.ok()) {
            Q_EMIT failed(result.errorMessage);
            return;
        }
        QList<Row> items;
        for (const client::Json &json : client::child(result.body, "items", client::Json::array()))
            items.append({client::number(json, "id"), client::number(json, "started_at"), client::text(json, "time_zone"), client::text(json, "branch"),
                          client::text(json, "caller"), client::text(json, "customer"), client::text(json, "outcome"), client::text(json, "category"),
                          client::text(json, "reason")});
        m_truncated = client::flag(result.body, "truncated");
        present(items);
        Q_EMIT loaded();
    });
}

void TriageModel::present(const QList<Row> &items)
{
    struct Group
    {
        QString key;
        QString category;
        QString reason;
        QList<Row> calls;
    };
    QList<Group> groups;
    for (const Row &item : items) {
        const QString key = item.category + u'\x1f' + item.reason;
        auto it = std::find_if(groups.begin(), groups.end(), [&key](const Group &g) { return g.key == key; });
        if (it == groups.end()) {
            groups.append({key, item.category, item.reason, {}});
            it = groups.end() - 1;
        }
        it->calls.append(item);
    }
    std::stable_sort(groups.begin(), groups.end(), [](const Group &a, const Group &b) {
        if (severity(a.category) != severity(b.category))
            return severity(a.category) < severity(b.category);
        return a.calls.size() > b.calls.size();
    });

    removeRows(0, rowCount());
    m_total = int(items.size());
    for (const Group &g : groups) {
        const StatusColors::Tone tone = g.category == u"needs_callback"_s || g.category == u"requested_unbooked"_s || g.category == u"transient"_s
            ? StatusColors::Tone::Warning
            : StatusColors::Tone::Bad;
        auto *title = new QStandardItem(u"%1 · %2"_s.arg(Labels::triageCategory(g.category),
                                                        g.reason.isEmpty() ? tr("no reason recorded") : g.reason));
        QFont bold = title->font();
        bold.setBold(true);
        title->setFont(bold);
        title->setForeground(StatusColors::text(tone));
        title->setData(0, CallIdRole);
        title->setData(g.key, GroupKeyRole);
        title->setData(g.category, CategoryRole);
        title->setData(int(g.calls.size()), CountRole);
        title->setToolTip(g.reason);
        auto *count = new QStandardItem(tr("%n call(s)", nullptr, int(g.calls.size())));
        count->setFont(bold);
        QList<QStandardItem *> groupRow{title, count};
        for (int c = 2; c < ColumnCount; ++c)
            groupRow.append(new QStandardItem());
        for (QStandardItem *cell : groupRow)
            cell->setEditable(false);
        for (const Row &t : g.calls) {
            const QTimeZone zone(t.timeZone.toUtf8());
            const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(t.startedAt, QTimeZone::utc()).toTimeZone(zone.isValid() ? zone : QTimeZone::utc()),
                                                    QLocale::ShortFormat);
            QList<QStandardItem *> row{new QStandardItem(tr("Call %1").arg(t.callId)),
                                       new QStandardItem(when),
                                       new QStandardItem(t.branchName.isEmpty() ? tr("(no branch)") : t.branchName),
                                       new QStandardItem(t.caller.isEmpty() ? QString() : PhoneNumbers::display(t.caller)),
                                       new QStandardItem(t.customerName),
                                       new QStandardItem(Labels::outcome(t.outcome))};
            for (QStandardItem *cell : row) {
                cell->setEditable(false);
                cell->setData(t.callId, CallIdRole);
                cell->setData(g.key, GroupKeyRole);
                cell->setData(t.category, CategoryRole);
            }
            title->appendRow(row);
        }
        appendRow(groupRow);
    }
}

QModelIndex TriageModel::groupIndex(const QString &key) const
{
    for (int r = 0; r < rowCount(); ++r) {
        const QModelIndex i = index(r, 0);
        if (i.data(GroupKeyRole).toString() == key)
            return i;
    }
    return {};
}

QModelIndex TriageModel::callIndex(qint64 callId) const
{
    for (int r = 0; r < rowCount(); ++r) {
        const QModelIndex g = index(r, 0);
        for (int c = 0; c < rowCount(g); ++c) {
            const QModelIndex i = index(c, 0, g);
            if (i.data(CallIdRole).toLongLong() == callId)
                return i;
        }
    }
    return {};
}

} // namespace askpro
