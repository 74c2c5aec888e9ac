// Driving forms and message boxes in GUI tests: each runs its own event loop (exec()), and an answer from the
// server arrives inside it, so a test acts on a modal widget when it shows rather than at a fixed moment.
#pragma once

#include <QApplication>
#include <QTimer>
#include <QWidget>

#include <functional>

namespace askpro::test {

// Runs action on the next modal widget of type T once it is the active one (polled every 10 ms).
template<typename T>
void onModal(QObject *context, std::function<void(T *)> action)
{
    auto *timer = new QTimer(context);
    timer->setInterval(10);
    QObject::connect(timer, &QTimer::timeout, context, [timer, action = std::move(action)] {
        if (auto *widget = qobject_cast<T *>(QApplication::activeModalWidget())) {
            timer->stop();
            timer->deleteLater();
            action(widget);
        }
    });
    timer->start();
}

} // namespace askpro::test
