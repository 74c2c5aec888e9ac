// The delivery log: every message the server recorded, a page at a time, and one message with its delivery
// history. Scoped to the caller's company in SQL; recipients and texts stay hidden from roles without customer access.
#include "api/adminapi.h"
#include "api/routefamilies.h"

#include "flow/messageoutbox.h"
#include "queries/messagequery.h"

#include <QTimeZone>

#include <limits>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {

// The sort parameter's names, in MessageQuery::Column order ("": not sortable); the fields of a list item likewise.
const QStringList sortNames{u"id"_s, u"created_at"_s, QString(), u"company"_s, u"kind"_s, u"channel"_s, QString(), u"state"_s, QString(),
                            QString(), u"call_id"_s};
const std::vector<const char *> fieldNames{"id", "created_at", "time_zone", "company", "kind", "channel", "recipient", "state", "reason",
                                           "provider_id", "call_id"};

Json orNull(qint64 value)
{
    return value > 0 ? Json(value) : Json(nullptr);
}

} // namespace

QList<ApiRoute> messageRoutes(const ApiContext &context)
{
    Database &db = context.db;
    using A = ApiRoute::Access;
    QList<ApiRoute> routes;

    routes.append({"GET", u"/api/v1/messages"_s, A::Permission, Permission::ViewCalls, IdScope::None, false,
                   u"A page of the delivery log (e-mail, SMS, WhatsApp) by channel, state, kind, call, period and text; next is the cursor of the following page"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       constexpr qint64 any = std::numeric_limits<qint64>::max();
                       auto scope = r.companyScope();
                       auto from = r.integer(u"from"_s, 0, 0, any);
                       auto to = r.integer(u"to"_s, 0, 0, any);
                       auto callId = r.integer(u"call_id"_s, 0, 0, any);
                       auto channel = r.oneOf(u"channel"_s, {u"email"_s, u"sms"_s, u"whatsapp"_s});
                       auto state = r.oneOf(u"state"_s, MessageQuery::states());
                       auto paging = pageRequest(r, sortNames, u"created_at"_s, Qt::DescendingOrder);
                       for (const Status &check : {scope ? Status() : scope.error(), from ? Status() : from.error(), to ? Status() : to.error(),
                                                   callId ? Status() : callId.error(), channel ? Status() : channel.error(),
                                                   state ? Status() : state.error(), paging ? Status() : paging.error()}) {
                           if (!check)
                               return check.error();
                       }
                       const QString zone = r.text(u"zone"_s).isEmpty() ? u"UTC"_s : r.text(u"zone"_s);
                       if (!QTimeZone(zone.toUtf8()).isValid())
                           return makeError(ErrorKind::Invalid, u"parameter.zone"_s, AdminApi::tr("Parameter zone: an IANA time zone is expected."));
                       MessageFilter filter;
                       filter.companyId = *scope;
                       filter.channel = *channel;
                       filter.state = *state;
                       filter.kind = r.text(u"kind"_s);
                       filter.callId = *callId;
                       filter.text = r.text(u"q"_s);
                       if (*from > 0)
                           filter.from = QDateTime::fromMSecsSinceEpoch(*from, QTimeZone::utc());
                       if (*to > 0)
                           filter.to = QDateTime::fromMSecsSinceEpoch(*to, QTimeZone::utc());
                       auto page = MessageQuery::page(db, r.actor, filter, zone, paging->sortColumn, paging->order, paging->after, paging->limit);
                       if (!page)
                           return page.error();
                       return pageReply(*page, fieldNames);
                   }});
    routes.append({"GET", u"/api/v1/messages/{messageId}"_s, A::Permission, Permission::ViewCalls, IdScope::Company, false,
                   u"One message with its text (for roles with customer access) and its delivery history"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"messageId"_s);
                       if (!id)
                           return id.error();
                       auto m = MessageQuery::detail(db, r.actor, *id, r.actor.isScoped() ? r.actor.companyId : 0);
                       if (!m && m.error().kind == ErrorKind::NotFound)
                           return makeError(ErrorKind::NotFound, u"messages.missing"_s, AdminApi::tr("No such record."));
                       if (!m)
                           return m.error();
                       return ApiReply::json(Json{{"id", m->id},
                                                  {"company_id", orNull(m->companyId)},
                                                  {"call_id", orNull(m->callId)},
                                                  {"appointment_id", orNull(m->appointmentId)},
                                                  {"kind", m->kind.toStdString()},
                                                  {"channel", m->channel.toStdString()},
                                                  {"recipient", m->recipient.toStdString()},
                                                  {"language", m->language.toStdString()},
                                                  {"subject", m->subject.toStdString()},
                                                  {"body", m->body.toStdString()},
                                                  {"status", m->status.toStdString()},
                                                  {"provider_status", m->providerStatus.toStdString()},
                                                  {"provider_id", m->providerId.toStdString()},
                                                  {"error_code", m->errorCode.toStdString()},
                                                  {"skip_reason", m->skipReason.toStdString()},
                                                  {"last_error", m->lastError.toStdString()},
                                                  {"attempts", m->attempts},
                                                  {"created_at", m->createdAtMs},
                                                  {"sent_at", orNull(m->sentAtMs)},
                                                  {"status_at", orNull(m->statusAtMs)},
                                                  {"resend_of", orNull(m->resendOf)}});
                   }});
    routes.append({"POST", u"/api/v1/messages/{messageId}/resend"_s, A::Permission, Permission::ManageCalls, IdScope::Company, false,
                   u"Sends a message again as a new message naming the first (audited, on the call's timeline); refused while it or an "
                   "earlier resend is still being sent, when it was left unsent on purpose, or for an SMS to a customer who opted out; "
                   "answers 202"_s,
                   [&db](const ApiRequest &r) -> Result<ApiReply> {
                       auto id = r.id(u"messageId"_s);
                       if (!id)
                           return id.error();
                       auto resent = MessageOutbox(db).resend(r.actor, *id, r.actor.isScoped() ? r.actor.companyId : 0);
                       if (!resent)
                           return resent.error();
                       return ApiReply::json(Json{{"id", resent->id}, {"resend_of", resent->resendOf}}, 202);
                   },
                   QByteArrayLiteral("{}")});
    return routes;
}

} // namespace askpro
