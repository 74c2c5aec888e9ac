// Status colours that stay readable in light and dark palettes: the tone is picked against the
// application palette's base colour instead of being fixed.
#pragma once

#include <QColor>
#include <QString>

namespace askpro {

class StatusColors final
{
public:
    enum class Tone { Neutral, Good, Warning, Bad, Info };

    // A text colour of this tone for the current application palette (invalid for Neutral: use the palette's).
    [[nodiscard]] static QColor text(Tone tone);
    // A soft fill of this tone for boxes and badges, blended into the palette's base colour.
    [[nodiscard]] static QColor fill(Tone tone);

    // Tones of the stored states: call outcomes, appointment statuses, sync states, timeline statuses.
    [[nodiscard]] static Tone forOutcome(const QString &outcome);
    [[nodiscard]] static Tone forAppointmentStatus(const QString &status);
    [[nodiscard]] static Tone forSyncState(const QString &state);
    // A webhook delivery's state: refused or failed ones bad, those waiting or kept without effect a warning.
    [[nodiscard]] static Tone forInboxStatus(const QString &status);
    [[nodiscard]] static Tone forEventStatus(const QString &status);
    // A message of the delivery log: delivered good, lost or failed bad, not sent a warning.
    [[nodiscard]] static Tone forMessageState(const QString &state);
};

} // namespace askpro
