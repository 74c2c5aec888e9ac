<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>CustomerImport</name>
    <message numerus="yes">
        <location filename="../backend/importer/customerimport.cpp" line="+905"/>
        <source>Kept %n new customer(s) that calls or appointments refer to or that were changed since: %1</source>
        <translation>
            <numerusform>Kept %n new customer that calls or appointments refer to or that was changed since: %1</numerusform>
            <numerusform>Kept %n new customers that calls or appointments refer to or that were changed since: %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>Left %n customer(s) as changed after the import: %1</source>
        <translation>
            <numerusform>Left %n customer as changed after the import: %1</numerusform>
            <numerusform>Left %n customers as changed after the import: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HealthChecker</name>
    <message numerus="yes">
        <location filename="../backend/health/healthcheck.cpp" line="+194"/>
        <source>%n of %1 companies&apos; Cal.com keys fail: %2</source>
        <translation>
            <numerusform>%n of %1 companies&apos; Cal.com key fails: %2</numerusform>
            <numerusform>%n of %1 companies&apos; Cal.com keys fail: %2</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ServerCommands</name>
    <message numerus="yes">
        <location filename="../app/server/servercommands.cpp" line="+171"/>
        <source>%n credential(s) are sealed with the missing key, so no new key is made. Restore %1 from a backup; if a key rotation stopped half-way, the new key is in %2: move it to %1. Then `askpro-server credentials --rotate-key` makes a fresh key when one is wanted.</source>
        <translation>
            <numerusform>%n credential is sealed with the missing key, so no new key is made. Restore %1 from a backup; if a key rotation stopped half-way, the new key is in %2: move it to %1. Then `askpro-server credentials --rotate-key` makes a fresh key when one is wanted.</numerusform>
            <numerusform>%n credentials are sealed with the missing key, so no new key is made. Restore %1 from a backup; if a key rotation stopped half-way, the new key is in %2: move it to %1. Then `askpro-server credentials --rotate-key` makes a fresh key when one is wanted.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+16"/>
        <source>Sealed the address of %n stored credential(s) together with its key.</source>
        <translation>
            <numerusform>Sealed the address of %n stored credential together with its key.</numerusform>
            <numerusform>Sealed the addresses of %n stored credentials together with their keys.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+417"/>
        <source>Rotated the secrets key: %n credential(s) sealed again, %1 replaced.</source>
        <translation>
            <numerusform>Rotated the secrets key: %n credential sealed again, %1 replaced.</numerusform>
            <numerusform>Rotated the secrets key: %n credentials sealed again, %1 replaced.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SupportService</name>
    <message numerus="yes">
        <location filename="../backend/support/supportservice.cpp" line="+150"/>
        <source>Service %1 (%n min)</source>
        <translation>
            <numerusform>Service %1 (%n min)</numerusform>
            <numerusform>Service %1 (%n min)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TimelineText</name>
    <message numerus="yes">
        <location filename="../models/timelinetext.cpp" line="+128"/>
        <source>Availability fetched from Cal.com: %n free slot(s)</source>
        <translation>
            <numerusform>Availability fetched from Cal.com: %n free slot</numerusform>
            <numerusform>Availability fetched from Cal.com: %n free slots</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>UserStore</name>
    <message numerus="yes">
        <location filename="../backend/security/userstore.cpp" line="+200"/>
        <source>This account is locked for %n more minute(s) after too many failed sign-ins.</source>
        <translation>
            <numerusform>This account is locked for %n more minute after too many failed sign-ins.</numerusform>
            <numerusform>This account is locked for %n more minutes after too many failed sign-ins.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::AuditPage</name>
    <message numerus="yes">
        <location filename="../ui/pages/auditpage.cpp" line="+206"/>
        <source>Only the first %Ln entries are exported.</source>
        <translation>
            <numerusform>Only the first entry is exported.</numerusform>
            <numerusform>Only the first %Ln entries are exported.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::CalendarPage</name>
    <message numerus="yes">
        <location filename="../ui/pages/calendarpage.cpp" line="+171"/>
        <source>Week %1: %2 – %3 (%4, %n appointment(s))</source>
        <translation>
            <numerusform>Week %1: %2 – %3 (%4, %n appointment)</numerusform>
            <numerusform>Week %1: %2 – %3 (%4, %n appointments)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::CallProcessor</name>
    <message numerus="yes">
        <source>Availability fetched from Cal.com: %n free slots</source>
        <translation type="vanished">
            <numerusform>Availability fetched from Cal.com: %n free slot</numerusform>
            <numerusform>Availability fetched from Cal.com: %n free slots</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::CallsPage</name>
    <message numerus="yes">
        <location filename="../ui/pages/callspage.cpp" line="+401"/>
        <source>Not every call could be read (%1). Export the %Ln call(s) read so far?</source>
        <translation>
            <numerusform>Not every call could be read (%1). Export the call read so far?</numerusform>
            <numerusform>Not every call could be read (%1). Export the %Ln calls read so far?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::FailedCallsPage</name>
    <message numerus="yes">
        <location filename="../ui/pages/failedcallspage.cpp" line="+176"/>
        <source>%n call(s) need support</source>
        <translation>
            <numerusform>%n call needs support</numerusform>
            <numerusform>%n calls need support</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n reason(s)</source>
        <translation>
            <numerusform>%n reason</numerusform>
            <numerusform>%n reasons</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+73"/>
        <source>%n call(s) selected: R retries them all, M marks them resolved.</source>
        <translation>
            <numerusform>%n call selected: R retries it, M marks it resolved.</numerusform>
            <numerusform>%n calls selected: R retries them all, M marks them resolved.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+39"/>
        <source>%n call(s) selected.</source>
        <translation>
            <numerusform>%n call selected.</numerusform>
            <numerusform>%n calls selected.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+36"/>
        <source>Retry the booking of %n call(s)?</source>
        <translation>
            <numerusform>Retry the booking of %n call?</numerusform>
            <numerusform>Retry the booking of %n calls?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+29"/>
        <source>%n retry job(s) queued; the server&apos;s workers pick them up.</source>
        <translation>
            <numerusform>%n retry job queued; the server&apos;s workers pick it up.</numerusform>
            <numerusform>%n retry jobs queued; the server&apos;s workers pick them up.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+58"/>
        <source>What was done for %n call(s)? (optional)</source>
        <translation>
            <numerusform>What was done for %n call? (optional)</numerusform>
            <numerusform>What was done for %n calls? (optional)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n call(s) marked resolved.</source>
        <translation>
            <numerusform>%n call marked resolved.</numerusform>
            <numerusform>%n calls marked resolved.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::HealthChecker</name>
    <message numerus="yes">
        <location filename="../backend/health/healthcheck.cpp" line="-114"/>
        <source>%n jobs waiting, the oldest for %1 minutes</source>
        <translation>
            <numerusform>%n job waiting for %1 minutes</numerusform>
            <numerusform>%n jobs waiting, the oldest for %1 minutes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n jobs waiting, the oldest for %1 s</source>
        <translation>
            <numerusform>%n job waiting for %1 s</numerusform>
            <numerusform>%n jobs waiting, the oldest for %1 s</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::InboxPage</name>
    <message numerus="yes">
        <location filename="../ui/pages/inboxpage.cpp" line="+232"/>
        <source>%1 · %2 · from %3 · %n byte(s)</source>
        <translation>
            <numerusform>%1 · %2 · from %3 · %n byte</numerusform>
            <numerusform>%1 · %2 · from %3 · %n bytes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>The last %n refused request(s), newest first; each body cut at 4 KB, secrets masked.</source>
        <translation>
            <numerusform>The last %n refused request; its body cut at 4 KB, secrets masked.</numerusform>
            <numerusform>The last %n refused requests, newest first; each body cut at 4 KB, secrets masked.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::MainWindow</name>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="+328"/>
        <source>server: running, %n worker(s), backlog %1</source>
        <translation>
            <numerusform>server: running, %n worker, backlog %1</numerusform>
            <numerusform>server: running, %n workers, backlog %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+130"/>
        <source>Simulation on: %n call(s) a minute</source>
        <translation>
            <numerusform>Simulation on: %n call a minute</numerusform>
            <numerusform>Simulation on: %n calls a minute</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::MessagesPage</name>
    <message numerus="yes">
        <location filename="../ui/pages/messagespage.cpp" line="+200"/>
        <source>Only the first %Ln messages are exported.</source>
        <translation>
            <numerusform>Only the first message is exported.</numerusform>
            <numerusform>Only the first %Ln messages are exported.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+86"/>
        <source>State: %1 after %Ln attempt(s).</source>
        <translation>
            <numerusform>State: %1 after %Ln attempt.</numerusform>
            <numerusform>State: %1 after %Ln attempts.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::NewPasswordFields</name>
    <message numerus="yes">
        <location filename="../ui/widgets/newpasswordfields.cpp" line="+21"/>
        <source>at least %n characters</source>
        <translation>
            <numerusform>at least %n character</numerusform>
            <numerusform>at least %n characters</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::ProviderConnector</name>
    <message numerus="yes">
        <location filename="../backend/setup/providerconnector.cpp" line="+204"/>
        <source>Cal.com: event types for %n services</source>
        <translation>
            <numerusform>Cal.com: event type for %n service</numerusform>
            <numerusform>Cal.com: event types for %n services</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::SetupRunner</name>
    <message numerus="yes">
        <location filename="../backend/setup/setuprunner.cpp" line="+317"/>
        <source>Company, branch, %n service(s) and staff saved</source>
        <translation>
            <numerusform>Company, branch, %n service and staff saved</numerusform>
            <numerusform>Company, branch, %n services and staff saved</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::SignInDialog</name>
    <message numerus="yes">
        <source>at least %n characters</source>
        <translation type="vanished">
            <numerusform>at least %n characters</numerusform>
            <numerusform>at least %n characters</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::TemplatesPage</name>
    <message numerus="yes">
        <location filename="../ui/pages/templatespage.cpp" line="+330"/>
        <source>%n SMS segment(s), %1 characters (%2)</source>
        <translation>
            <numerusform>%n SMS segment, %1 characters (%2)</numerusform>
            <numerusform>%n SMS segments, %1 characters (%2)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::TestCall</name>
    <message numerus="yes">
        <location filename="../backend/setup/testcall.cpp" line="+250"/>
        <source>No call from %1 to the business number arrived within %n minute(s).</source>
        <translation>
            <numerusform>No call from %1 to the business number arrived within %n minute.</numerusform>
            <numerusform>No call from %1 to the business number arrived within %n minutes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+21"/>
        <source>%n event(s) from Retell received</source>
        <translation>
            <numerusform>%n event from Retell received</numerusform>
            <numerusform>%n events from Retell received</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::TriageModel</name>
    <message numerus="yes">
        <location filename="../models/triagemodel.cpp" line="+121"/>
        <source>%n call(s)</source>
        <translation>
            <numerusform>%n call</numerusform>
            <numerusform>%n calls</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::UsersPage</name>
    <message numerus="yes">
        <source>at least %n characters</source>
        <translation type="vanished">
            <numerusform>at least %n characters</numerusform>
            <numerusform>at least %n characters</numerusform>
        </translation>
    </message>
</context>
</TS>
