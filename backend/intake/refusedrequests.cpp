// Token buckets per address, refilled continuously: perMinute refusals at once, then one every 60/perMinute s.
#include "intake/refusedrequests.h"

#include "core/clock.h"

#include <QHttpServerRequest>
#include <QMutexLocker>

#include <algorithm>
#include <cmath>
#include <iterator>

using namespace Qt::StringLiterals;

namespace askpro {

namespace {
// Beyond this many addresses, the ones whose bucket is full again are forgotten: they are as good as new.
constexpr qsizetype maxTrackedAddresses = 10000;
} // namespace

RefusedRequests::RefusedRequests(int perMinute)
    : m_perMinute(qMax(0, perMinute))
    , m_since(nowMs())
{
}

RefusedRequests::Bucket &RefusedRequests::bucket(const QString &address, qint64 now)
{
    // Pruning walks every bucket: at most once a second, so a spray from many addresses cannot make each of
    // its requests pay for the walk. Should the spray outrun the refill, everything is forgotten (lenient,
    // but bounded).
    if (m_buckets.size() > maxTrackedAddresses && now - m_prunedAt >= 1000) {
        m_prunedAt = now;
        const double refill = m_perMinute / 60000.0;
        m_buckets.removeIf([now, refill, this](const auto &entry) {
            return entry.value().tokens + (now - entry.value().updatedAt) * refill >= m_perMinute;
        });
        if (m_buckets.size() > maxTrackedAddresses)
            m_buckets.clear();
    }
    const QString key = bucketKey(address);
    auto it = m_buckets.find(key);
    if (it == m_buckets.end())
        return *m_buckets.insert(key, Bucket{double(m_perMinute), now});
    Bucket &b = *it;
    b.tokens = qMin(double(m_perMinute), b.tokens + (now - b.updatedAt) * (m_perMinute / 60000.0));
    b.updatedAt = now;
    return b;
}

bool RefusedRequests::limited(const QString &address)
{
    if (m_perMinute == 0)
        return false;
    const QMutexLocker lock(&m_mutex);
    return bucket(address, nowMs()).tokens < 1.0;
}

int RefusedRequests::retryAfterSeconds() const
{
    return m_perMinute == 0 ? 0 : qMax(1, int(std::ceil(60.0 / m_perMinute)));
}

void RefusedRequests::record(const QString &provider, const QString &reason, const QString &address, const QByteArray &body)
{
    const qint64 now = nowMs();
    const QMutexLocker lock(&m_mutex);
    ++m_counts[{provider, reason}];
    if (m_perMinute > 0) {
        Bucket &b = bucket(address, now);
        b.tokens = qMax(0.0, b.tokens - 1.0);
    }
    if (body.isEmpty())
        return;
    if (m_sample.size() >= sampleLimit)
        m_sample.removeFirst();
    m_sample.append({now, provider, reason, address, body.size(), body.left(sampleBytes)});
}

void RefusedRequests::recordLimited(const QString &provider)
{
    const QMutexLocker lock(&m_mutex);
    ++m_counts[{provider, u"rate_limited"_s}];
}

RefusedRequests::Counts RefusedRequests::counts() const
{
    const QMutexLocker lock(&m_mutex);
    return m_counts;
}

QList<RefusedRequests::Sample> RefusedRequests::sample() const
{
    const QMutexLocker lock(&m_mutex);
    return m_sample;
}

QString RefusedRequests::clientAddress(const QHttpServerRequest &request, const QList<QHostAddress> &trustedProxies)
{
    const QHostAddress peer = request.remoteAddress();
    if (trustedProxies.contains(peer)) {
        // The proxy appends the address it saw; anything before that came from the client and proves nothing.
        const QByteArray forwarded = request.value("X-Forwarded-For");
        const QString last = QString::fromLatin1(forwarded.split(',').constLast()).trimmed();
        if (QHostAddress candidate(last); !candidate.isNull())
            return candidate.toString();
    }
    return peer.toString();
}

QString RefusedRequests::bucketKey(const QString &address)
{
    const QHostAddress host(address);
    bool mapped = false;
    host.toIPv4Address(&mapped);
    if (host.protocol() != QAbstractSocket::IPv6Protocol || mapped)
        return address;
    // One IPv6 client usually holds a whole /64: its addresses share one bucket.
    Q_IPV6ADDR bytes = host.toIPv6Address();
    std::fill(std::begin(bytes.c) + 8, std::end(bytes.c), quint8(0));
    return QHostAddress(bytes).toString() + u"/64"_s;
}

QString RefusedRequests::reasonOf(const QString &errorCode)
{
    static const QStringList known{u"missing"_s, u"malformed"_s, u"stale"_s, u"wrong"_s};
    const QString name = errorCode.section(u'.', -1);
    return known.contains(name) ? name : u"other"_s; // a fixed set: the counts' labels never grow
}

} // namespace askpro
