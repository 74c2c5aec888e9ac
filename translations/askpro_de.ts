<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AccessPolicy</name>
    <message>
        <location filename="../backend/security/accesspolicy.cpp" line="+125"/>
        <source>Administrator</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Owner</source>
        <translation>Inhaber</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Support</source>
        <translation>Support</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Onboarding</source>
        <translation>Onboarding</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Business owner</source>
        <translation>Inhaber:in (Betrieb)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Business staff</source>
        <translation>Mitarbeiter:in (Betrieb)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>view calls</source>
        <translation>Anrufe ansehen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>view the webhook inbox and raw payloads</source>
        <translation>den Webhook-Eingang und Rohdaten ansehen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>retry and resolve calls</source>
        <translation>Anrufe erneut versuchen und erledigen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>view appointments</source>
        <translation>Termine ansehen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>change appointments</source>
        <translation>Termine ändern</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>view customers</source>
        <translation>Kunden ansehen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>change and import customers</source>
        <translation>Kunden ändern und importieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>view companies</source>
        <translation>Unternehmen ansehen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>edit companies, branches, staff and services</source>
        <translation>Unternehmen, Filialen, Mitarbeiter und Leistungen bearbeiten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>set up new businesses</source>
        <translation>neue Unternehmen einrichten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>view invoices and usage</source>
        <translation>Rechnungen und Nutzung ansehen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>change invoices</source>
        <translation>Rechnungen ändern</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>view system health</source>
        <translation>den Systemzustand ansehen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>read the audit log</source>
        <translation>das Prüfprotokoll lesen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>manage users</source>
        <translation>Benutzer verwalten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>manage provider credentials</source>
        <translation>Anbieterschlüssel verwalten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>edit message texts</source>
        <translation>Nachrichtentexte bearbeiten</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1 (%2) may not %3.</source>
        <translation>%1 (%2) darf nicht %3.</translation>
    </message>
</context>
<context>
    <name>ApiPicker</name>
    <message>
        <location filename="../ui/widgets/apipicker.cpp" line="+32"/>
        <source>%1 (inactive)</source>
        <translation>%1 (inaktiv)</translation>
    </message>
</context>
<context>
    <name>Backup</name>
    <message>
        <location filename="../backend/db/backup.cpp" line="+20"/>
        <source>The backup file %1 exists already</source>
        <translation>Die Sicherungsdatei %1 existiert bereits</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cannot create the folder %1</source>
        <translation>Der Ordner %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>pg_dump is not installed (package postgresql-client)</source>
        <translation>pg_dump ist nicht installiert (Paket postgresql-client)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>pg_dump failed</source>
        <translation>pg_dump ist fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>CalcomEventProcessor</name>
    <message>
        <location filename="../backend/flow/calcomeventprocessor.cpp" line="+235"/>
        <source>cancelled in Cal.com</source>
        <translation>in Cal.com storniert</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>rescheduled in Cal.com</source>
        <translation>in Cal.com verschoben</translation>
    </message>
    <message>
        <location line="-64"/>
        <source>No branch uses the Cal.com event type %1</source>
        <translation>Keine Filiale verwendet den Cal.com-Ereignistyp %1</translation>
    </message>
    <message>
        <location line="-87"/>
        <source>The event was created at %1, longer ago than the %2 seconds allowed: stored, not applied</source>
        <translation>Das Ereignis wurde um %1 erstellt, länger her als die erlaubten %2 Sekunden: gespeichert, nicht angewendet</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>The booking %1 belongs to a company whose key did not sign this event</source>
        <translation>Die Buchung %1 gehört zu einem Unternehmen, dessen Schlüssel dieses Ereignis nicht signiert hat</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The appointment is already as this event leaves it</source>
        <translation>Der Termin ist bereits so, wie dieses Ereignis ihn hinterlässt</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The event was created at %1, before the appointment&apos;s last change at %2: not applied</source>
        <translation>Das Ereignis wurde um %1 erstellt, vor der letzten Änderung des Termins um %2: nicht angewendet</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>No appointment has the booking %1</source>
        <translation>Kein Termin hat die Buchung %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The booking %1 is stored already</source>
        <translation>Die Buchung %1 ist bereits gespeichert</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>The Cal.com event type %1 belongs to a company whose key did not sign this event</source>
        <translation>Der Cal.com-Ereignistyp %1 gehört zu einem Unternehmen, dessen Schlüssel dieses Ereignis nicht signiert hat</translation>
    </message>
    <message>
        <location line="+104"/>
        <source>created in Cal.com</source>
        <translation>in Cal.com angelegt</translation>
    </message>
</context>
<context>
    <name>CredentialStore</name>
    <message>
        <location filename="../backend/security/credentialstore.cpp" line="+86"/>
        <source>The new key is empty.</source>
        <translation>Der neue Schlüssel ist leer.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The address holds a NUL character.</source>
        <translation>Die Adresse enthält ein NUL-Zeichen.</translation>
    </message>
    <message>
        <location line="+168"/>
        <source>No %1 credentials are configured for this company</source>
        <translation>Für dieses Unternehmen sind keine %1-Zugangsdaten hinterlegt</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>company %1</source>
        <translation>Firma %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>the platform</source>
        <translation>der Plattform</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The address of the %1 credential of %2 was changed in the database to &quot;%3&quot; without the key; the key is not sent there. Store the credential again (Provider keys page) if the address is meant.</source>
        <translation>Die Adresse des %1-Zugangs von %2 wurde in der Datenbank ohne den Schlüssel auf „%3“ geändert; der Schlüssel wird nicht dorthin gesendet. Speichern Sie den Zugang erneut (Seite Anbieterschlüssel), wenn die Adresse gewollt ist.</translation>
    </message>
</context>
<context>
    <name>CsvExporter</name>
    <message>
        <location filename="../ui/csvexporter.cpp" line="+29"/>
        <source>There is nothing to export.</source>
        <translation>Es gibt nichts zu exportieren.</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+12"/>
        <source>Cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+5"/>
        <source>Export to CSV</source>
        <translation>Als CSV exportieren</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
</context>
<context>
    <name>CsvReader</name>
    <message>
        <location filename="../backend/importer/csvreader.cpp" line="+67"/>
        <source>The file could not be read after line %1: %2</source>
        <translation>Die Datei konnte nach Zeile %1 nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location line="+25"/>
        <location line="+5"/>
        <source>unknown read error</source>
        <translation>unbekannter Lesefehler</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>This is a spreadsheet file, not CSV. Open it in the spreadsheet program and save it as CSV (UTF-8).</source>
        <translation>Dies ist eine Tabellendatei, keine CSV-Datei. Öffnen Sie sie im Tabellenprogramm und speichern Sie sie als CSV (UTF-8).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This file is UTF-16 text. Save it from the spreadsheet program as CSV (UTF-8).</source>
        <translation>Diese Datei ist UTF-16-Text. Speichern Sie sie im Tabellenprogramm als CSV (UTF-8).</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The file is empty: it has no header line.</source>
        <translation>Die Datei ist leer: Sie hat keine Kopfzeile.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Line %1 is not text: this does not look like a CSV file. Save it as CSV (UTF-8).</source>
        <translation>Zeile %1 ist kein Text: Dies sieht nicht nach einer CSV-Datei aus. Speichern Sie sie als CSV (UTF-8).</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Line %1 is longer than %2 bytes.</source>
        <translation>Zeile %1 ist länger als %2 Bytes.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Line %1 is neither UTF-8 nor Windows-1252 text.</source>
        <translation>Zeile %1 ist weder UTF-8- noch Windows-1252-Text.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Line %1 opens a quote that runs on for more than %2 bytes.</source>
        <translation>Zeile %1 öffnet ein Anführungszeichen, das über mehr als %2 Bytes reicht.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Line %1 opens a quote that the file never closes.</source>
        <translation>Zeile %1 öffnet ein Anführungszeichen, das die Datei nie schließt.</translation>
    </message>
</context>
<context>
    <name>CustomerImport</name>
    <message>
        <location filename="../backend/importer/customerimport.cpp" line="+166"/>
        <source>The mapping names the field &quot;%1&quot;, which does not exist. Fields: %2.</source>
        <translation>Die Zuordnung nennt das Feld „%1“, das es nicht gibt. Felder: %2.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The mapping names the column &quot;%1&quot;, which the file does not have. Its columns: %2.</source>
        <translation>Die Zuordnung nennt die Spalte „%1“, die die Datei nicht hat. Ihre Spalten: %2.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No column holds a phone number (looked for Telefon, Tel., Mobil, Handy, Phone, Mobile). Name it in the mapping, e.g. {&quot;phone&quot;: &quot;%1&quot;}.</source>
        <translation>Keine Spalte enthält eine Telefonnummer (gesucht: Telefon, Tel., Mobil, Handy, Phone, Mobile). Nennen Sie sie in der Zuordnung, z. B. {&quot;phone&quot;: &quot;%1&quot;}.</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Matches a customer AskPro already holds (details only with the permission to view customers)</source>
        <translation>Entspricht einem Kunden, den AskPro schon führt (Einzelheiten nur mit der Berechtigung, Kunden einzusehen)</translation>
    </message>
    <message>
        <location line="+138"/>
        <source>name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>notes</source>
        <translation>Notizen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>phone number</source>
        <translation>Telefonnummer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>mobile number</source>
        <translation>Mobilnummer</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>changed at the source: %1</source>
        <translation>in der Quelle geändert: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>kept as changed in AskPro: %1</source>
        <translation>wie in AskPro geändert behalten: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Duplicate: the number belongs to customer #%1, imported from source row &quot;%2&quot;</source>
        <translation>Doppelt: Die Nummer gehört Kunde #%1, importiert aus Quellzeile „%2“</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Same number as customer #%1, linked</source>
        <translation>Gleiche Nummer wie Kunde #%1, verknüpft</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Same number as customer #%1, linked; filled in: %2</source>
        <translation>Gleiche Nummer wie Kunde #%1, verknüpft; ergänzt: %2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Duplicate: customer #%1 has this e-mail address with the number %2</source>
        <translation>Doppelt: Kunde #%1 hat diese E-Mail-Adresse mit der Nummer %2</translation>
    </message>
    <message>
        <location line="+151"/>
        <source>You may import only into your own company.</source>
        <translation>Sie dürfen nur in Ihr eigenes Unternehmen importieren.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>There is no company %1.</source>
        <translation>Es gibt kein Unternehmen %1.</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>Belongs to the company &quot;%1&quot;, not to &quot;%2&quot;</source>
        <translation>Gehört zum Unternehmen „%1“, nicht zu „%2“</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The company has no branch &quot;%1&quot;</source>
        <translation>Das Unternehmen hat keine Filiale „%1“</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No phone number</source>
        <translation>Keine Telefonnummer</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>mobile number &quot;%1&quot; left out: %2</source>
        <translation>Mobilnummer „%1“ ausgelassen: %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&quot;%1&quot; left out: not an e-mail address</source>
        <translation>„%1“ weggelassen: keine E-Mail-Adresse</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Duplicate of line %1 (same source id)</source>
        <translation>Doppelt zu Zeile %1 (gleiche Quell-ID)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Duplicate of line %1 (same phone number)</source>
        <translation>Doppelt zu Zeile %1 (gleiche Telefonnummer)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Duplicate of line %1 (same e-mail address)</source>
        <translation>Doppelt zu Zeile %1 (gleiche E-Mail-Adresse)</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>The import was stopped before it finished; nothing of it is kept.</source>
        <translation>Der Import wurde vor seinem Ende abgebrochen; nichts davon bleibt erhalten.</translation>
    </message>
    <message numerus="yes">
        <location line="+116"/>
        <source>Kept %n new customer(s) that calls or appointments refer to or that were changed since: %1</source>
        <translation>
            <numerusform>%n neuer Kunde behalten, auf den Anrufe oder Termine verweisen oder der seitdem geändert wurde: %1</numerusform>
            <numerusform>%n neue Kunden behalten, auf die Anrufe oder Termine verweisen oder die seitdem geändert wurden: %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>Left %n customer(s) as changed after the import: %1</source>
        <translation>
            <numerusform>%n Kunde so belassen, wie er nach dem Import geändert wurde: %1</numerusform>
            <numerusform>%n Kunden so belassen, wie sie nach dem Import geändert wurden: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CustomerService</name>
    <message>
        <location filename="../backend/support/customerservice.cpp" line="+50"/>
        <source>No such customer.</source>
        <translation>Kein solcher Kunde.</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>A customer needs a name.</source>
        <translation>Ein Kunde braucht einen Namen.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&quot;%1&quot; is not an e-mail address.</source>
        <translation>„%1“ ist keine E-Mail-Adresse.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The language must be German (de) or English (en), or none.</source>
        <translation>Die Sprache muss Deutsch (de) oder Englisch (en) sein, oder keine.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The channel must be one of: %1.</source>
        <translation>Der Kanal muss einer davon sein: %1.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&quot;%1&quot; is not a phone number.</source>
        <translation>„%1“ ist keine Telefonnummer.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 is not a mobile number: it cannot receive text messages.</source>
        <translation>%1 ist keine Mobilnummer: Sie kann keine SMS empfangen.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Only the customer can receive text messages again, by replying START to one.</source>
        <translation>Nur der Kunde selbst kann wieder SMS erhalten, indem er auf eine mit START antwortet.</translation>
    </message>
</context>
<context>
    <name>DirectoryService</name>
    <message>
        <location filename="../backend/support/directoryservice.cpp" line="+49"/>
        <source>The field %1 cannot be changed here.</source>
        <translation>Das Feld %1 kann hier nicht geändert werden.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+89"/>
        <source>The name must not be empty.</source>
        <translation>Der Name darf nicht leer sein.</translation>
    </message>
    <message>
        <location line="-79"/>
        <source>%1 is not a known time zone.</source>
        <translation>%1 ist keine bekannte Zeitzone.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+83"/>
        <source>The duration must be at least one minute.</source>
        <translation>Die Dauer muss mindestens eine Minute betragen.</translation>
    </message>
    <message>
        <location line="-81"/>
        <source>The price must not be negative.</source>
        <translation>Der Preis darf nicht negativ sein.</translation>
    </message>
    <message>
        <location line="+33"/>
        <location line="+83"/>
        <source>Another active branch already answers %1.</source>
        <translation>Eine andere aktive Filiale nimmt %1 bereits an.</translation>
    </message>
    <message>
        <location line="-39"/>
        <source>A branch needs the phone number its callers dial.</source>
        <translation>Eine Filiale braucht die Telefonnummer, die ihre Anrufer wählen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A staff member needs an e-mail address.</source>
        <translation>Ein Mitarbeiter braucht eine E-Mail-Adresse.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Choose the company it belongs to.</source>
        <translation>Wählen Sie das Unternehmen, zu dem es gehört.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The branch belongs to another company.</source>
        <translation>Die Filiale gehört zu einem anderen Unternehmen.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>This company already has a staff member with the e-mail address %1.</source>
        <translation>Dieses Unternehmen hat bereits einen Mitarbeiter mit der E-Mail-Adresse %1.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This company already offers a service called %1.</source>
        <translation>Dieses Unternehmen bietet bereits eine Leistung namens %1 an.</translation>
    </message>
</context>
<context>
    <name>Doctor</name>
    <message>
        <location filename="../backend/db/doctor.cpp" line="+20"/>
        <source>Staff whose company is gone</source>
        <translation>Mitarbeiter ohne bestehendes Unternehmen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Staff assigned to a branch that is gone</source>
        <translation>Mitarbeiter, deren Filiale nicht mehr existiert</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Duplicate staff (same e-mail within a company)</source>
        <translation>Doppelte Mitarbeiter (gleiche E-Mail-Adresse im selben Unternehmen)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Appointments whose branch is gone</source>
        <translation>Termine, deren Filiale nicht mehr existiert</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Calls without a branch</source>
        <translation>Anrufe ohne Filiale</translation>
    </message>
    <message>
        <location line="+107"/>
        <source>No branch has the called number (repaired by doctor)</source>
        <translation>Keiner Filiale ist die angerufene Nummer zugeordnet (von doctor repariert)</translation>
    </message>
</context>
<context>
    <name>HealthChecker</name>
    <message>
        <location filename="../backend/demo/demoseeder.cpp" line="+896"/>
        <location filename="../backend/health/healthcheck.cpp" line="+144"/>
        <source>Answers slowly (%1 ms)</source>
        <translation>Antwortet langsam (%1 ms)</translation>
    </message>
    <message numerus="yes">
        <location filename="../backend/health/healthcheck.cpp" line="+50"/>
        <source>%n of %1 companies&apos; Cal.com keys fail: %2</source>
        <translation>
            <numerusform>%n von %1 Firmen: Cal.com-Schlüssel schlägt fehl: %2</numerusform>
            <numerusform>%n von %1 Firmen: Cal.com-Schlüssel schlagen fehl: %2</numerusform>
        </translation>
    </message>
    <message>
        <location line="+114"/>
        <source>The mail server greets with &quot;%1&quot;</source>
        <translation>Der Mailserver meldet sich mit „%1“</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The mail server cannot be reached: %1</source>
        <translation>Der Mailserver ist nicht erreichbar: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The mail server did not answer within 5 s</source>
        <translation>Der Mailserver hat nicht innerhalb von 5 s geantwortet</translation>
    </message>
</context>
<context>
    <name>ImportUploads</name>
    <message>
        <location filename="../backend/api/importroutes.cpp" line="+60"/>
        <location line="+87"/>
        <source>an object of field and column names is expected</source>
        <translation>ein Objekt aus Feld- und Spaltennamen wird erwartet</translation>
    </message>
    <message>
        <location line="-66"/>
        <source>base64 is expected</source>
        <translation>Base64 wird erwartet</translation>
    </message>
    <message>
        <location filename="../backend/importer/importuploads.cpp" line="+53"/>
        <location line="+5"/>
        <source>There is no company %1.</source>
        <translation>Es gibt kein Unternehmen %1.</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>There is no import %1.</source>
        <translation>Es gibt keinen Import %1.</translation>
    </message>
    <message>
        <source>Import %1 has been applied; start a new one.</source>
        <translation type="vanished">Import %1 wurde bereits angewendet; beginnen Sie einen neuen.</translation>
    </message>
    <message>
        <location line="-31"/>
        <location line="+8"/>
        <location line="+45"/>
        <source>Import %1 is being or has been applied; start a new one.</source>
        <translation>Import %1 wird gerade oder wurde bereits übernommen; bitte einen neuen beginnen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server holds %1 bytes of this file; send the chunk that starts there.</source>
        <translation>Der Server hat %1 Bytes dieser Datei; senden Sie den Teil, der dort beginnt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The file is larger than %1 MB.</source>
        <translation>Die Datei ist größer als %1 MB.</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+8"/>
        <source>Another chunk was stored at the same place; ask for the import&apos;s size and go on from there.</source>
        <translation>An derselben Stelle wurde bereits ein anderer Teil gespeichert; fragen Sie die Größe des Imports ab und machen Sie dort weiter.</translation>
    </message>
    <message>
        <location line="+121"/>
        <location line="+12"/>
        <source>Import %1 is being applied or has been applied already.</source>
        <translation>Import %1 wird gerade angewendet oder wurde bereits angewendet.</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>Import %1 is being applied by another attempt.</source>
        <translation>Import %1 wird gerade von einem anderen Versuch übernommen.</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>The account that asked for the apply no longer exists.</source>
        <translation>Das Konto, das die Übernahme angefordert hat, gibt es nicht mehr.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The account %1 that asked for the apply has been deactivated since.</source>
        <translation>Das Konto %1, das die Übernahme angefordert hat, wurde inzwischen deaktiviert.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The account %1 that asked for the apply may no longer import customers.</source>
        <translation>Das Konto %1, das die Übernahme angefordert hat, darf keine Kunden mehr importieren.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The account %1 that asked for the apply no longer belongs to this company.</source>
        <translation>Das Konto %1, das die Übernahme angefordert hat, gehört nicht mehr zu dieser Firma.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The apply was asked for by an account with an unknown role.</source>
        <translation>Die Übernahme wurde von einem Konto mit unbekannter Rolle angefordert.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The server stopped during the apply; undone and applied again.</source>
        <translation>Der Server wurde während der Übernahme beendet; rückgängig gemacht und erneut übernommen.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Cancelled by %1 during the apply; what it had written is undone.</source>
        <translation>Abgebrochen von %1 während der Übernahme; was sie bis dahin geschrieben hatte, ist rückgängig gemacht.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>the server</source>
        <translation>dem Server</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import %1 has been applied; its customers are in.</source>
        <translation>Import %1 wurde übernommen; seine Kunden sind eingetragen.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cancelled by %1 before it started; nothing was written.</source>
        <translation>Abgebrochen von %1 vor dem Start; nichts wurde geschrieben.</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>The apply stopped before it finished (its job ended without it); nothing of it is left. Apply it again.</source>
        <translation>Die Übernahme wurde vor ihrem Ende abgebrochen (ihr Auftrag endete ohne sie); von ihr ist nichts geblieben. Bitte erneut übernehmen.</translation>
    </message>
</context>
<context>
    <name>InvoiceGenerator</name>
    <message>
        <source>This month is invoiced already.</source>
        <translation type="vanished">Dieser Monat ist bereits abgerechnet.</translation>
    </message>
    <message>
        <source>The month&apos;s usage changed while it was being invoiced (%1 rows linked, %2 summed).</source>
        <translation type="vanished">Die Nutzung des Monats hat sich während der Rechnungsstellung geändert (%1 Zeilen verknüpft, %2 summiert).</translation>
    </message>
    <message>
        <source>The usage of company %1 changed while it was being invoiced.</source>
        <translation type="vanished">Die Nutzung von Unternehmen %1 hat sich während der Rechnungsstellung geändert.</translation>
    </message>
    <message>
        <location filename="../backend/billing/invoicegenerator.cpp" line="+514"/>
        <source>The month must be given as YYYY-MM.</source>
        <translation>Geben Sie den Monat als JJJJ-MM an.</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>There is no active company %1.</source>
        <translation>Es gibt kein aktives Unternehmen %1.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>A credit note needs a reason.</source>
        <translation>Eine Gutschrift braucht eine Begründung.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Only a finalized invoice can be credited.</source>
        <translation>Nur eine abgeschlossene Rechnung kann gutgeschrieben werden.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Invoice %1 has a credit note already.</source>
        <translation>Zur Rechnung %1 gibt es bereits eine Gutschrift.</translation>
    </message>
</context>
<context>
    <name>KeychainKey</name>
    <message>
        <source>The system keychain did not answer as expected.</source>
        <translation type="vanished">Der Schlüsselbund des Systems hat nicht wie erwartet geantwortet.</translation>
    </message>
    <message>
        <source>The key in the system keychain is not a 32-byte key.</source>
        <translation type="vanished">Der Schlüssel im Schlüsselbund des Systems ist kein 32-Byte-Schlüssel.</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../models/labels.cpp" line="+10"/>
        <location line="+10"/>
        <source>Booked</source>
        <translation>Gebucht</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>No request</source>
        <translation>Kein Terminwunsch</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+67"/>
        <source>Needs callback</source>
        <translation>Rückruf nötig</translation>
    </message>
    <message>
        <location line="-66"/>
        <location line="+28"/>
        <location line="+37"/>
        <location line="+17"/>
        <location line="+13"/>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <location line="-94"/>
        <source>In progress</source>
        <translation>In Bearbeitung</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cancelled</source>
        <translation>Storniert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rescheduled</source>
        <translation>Verschoben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No-show</source>
        <translation>Nicht erschienen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Completed</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Booking under way</source>
        <translation>Buchung läuft</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Synced</source>
        <translation>Synchronisiert</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+7"/>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Sync failed</source>
        <translation>Synchronisierung fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Processed</source>
        <translation>Verarbeitet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ignored</source>
        <translation>Ignoriert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Another company&apos;s</source>
        <translation>Eines anderen Unternehmens</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too old, not applied</source>
        <translation>Zu alt, nicht angewendet</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Admin sign-in</source>
        <translation>Admin-Anmeldung</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>signature missing</source>
        <translation>Signatur fehlt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>signature malformed</source>
        <translation>Signatur fehlerhaft</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>signature too old</source>
        <translation>Signatur zu alt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>signature wrong</source>
        <translation>Signatur falsch</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>body over 1 MiB</source>
        <translation>Inhalt über 1 MiB</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>wrong user or password</source>
        <translation>falscher Benutzer oder falsches Passwort</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>answered 429 (too many refusals from one address)</source>
        <translation>mit 429 beantwortet (zu viele Abweisungen von einer Adresse)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>other reason</source>
        <translation>anderer Grund</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Configuration error</source>
        <translation>Konfigurationsfehler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Provider unavailable</source>
        <translation>Anbieter nicht erreichbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refused by Cal.com</source>
        <translation>Von Cal.com abgelehnt</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Requested, not booked</source>
        <translation>Angefragt, nicht gebucht</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Branch</source>
        <translation>Filiale</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Request</source>
        <translation>Terminwunsch</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Availability</source>
        <translation>Verfügbarkeit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Booking</source>
        <translation>Buchung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confirmation</source>
        <translation>Bestätigung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recovery</source>
        <translation>Wiederherstellung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retry</source>
        <translation>Erneuter Versuch</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Callback</source>
        <translation>Rückruf</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Support</source>
        <translation>Support</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Queued</source>
        <translation>In Warteschlange</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sending</source>
        <translation>Wird gesendet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delivered</source>
        <translation>Zugestellt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not delivered</source>
        <translation>Nicht zugestellt</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+68"/>
        <source>Not sent</source>
        <translation>Nicht gesendet</translation>
    </message>
    <message>
        <location line="-62"/>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SMS</source>
        <translation>SMS</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Booking confirmation</source>
        <translation>Terminbestätigung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Appointment reminder</source>
        <translation>Terminerinnerung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancellation notice</source>
        <translation>Absagehinweis</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>We will call you back</source>
        <translation>Wir rufen Sie zurück</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>New time notice</source>
        <translation>Hinweis auf neue Uhrzeit</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Invoice</source>
        <translation>Rechnung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Health alert</source>
        <translation>Systemwarnung</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Landline: no SMS</source>
        <translation>Festnetz: keine SMS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Opted out of SMS</source>
        <translation>SMS abbestellt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No number for messages</source>
        <translation>Keine Nummer für Nachrichten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No messaging account set up</source>
        <translation>Kein Nachrichtenkonto eingerichtet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The customer prefers another channel</source>
        <translation>Der Kunde bevorzugt einen anderen Kanal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The appointment was cancelled</source>
        <translation>Der Termin wurde abgesagt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The appointment was moved: a reminder for the new time follows</source>
        <translation>Der Termin wurde verschoben: Eine Erinnerung für die neue Zeit folgt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The call was booked meanwhile</source>
        <translation>Der Anruf wurde inzwischen gebucht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Support resolved the call before the message went</source>
        <translation>Der Support hat den Anruf erledigt, bevor die Nachricht ging</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kept back: the customer prefers SMS; sent if the SMS fails</source>
        <translation>Zurückgehalten: Der Kunde bevorzugt SMS; wird gesendet, wenn die SMS scheitert</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Invalid number (21211)</source>
        <translation>Ungültige Nummer (21211)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Country not enabled for SMS (21408)</source>
        <translation>Land nicht für SMS freigeschaltet (21408)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recipient replied STOP (21610)</source>
        <translation>Empfänger hat STOP geantwortet (21610)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone unreachable (30003)</source>
        <translation>Telefon nicht erreichbar (30003)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unknown number (30005)</source>
        <translation>Unbekannte Nummer (30005)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Landline or unreachable carrier (30006)</source>
        <translation>Festnetz oder Netz nicht erreichbar (30006)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Filtered by the carrier (30007)</source>
        <translation>Vom Netzbetreiber gefiltert (30007)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Twilio error %1</source>
        <translation>Twilio-Fehler %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Twilio reported it undelivered</source>
        <translation>Laut Twilio nicht zugestellt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Twilio reported it failed</source>
        <translation>Laut Twilio fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled at Twilio</source>
        <translation>Bei Twilio storniert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Twilio did not answer in time</source>
        <translation>Twilio hat nicht rechtzeitig geantwortet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Twilio cannot be reached</source>
        <translation>Twilio ist nicht erreichbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Twilio refused our credentials</source>
        <translation>Twilio hat unsere Zugangsdaten abgelehnt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Twilio asked us to slow down</source>
        <translation>Twilio hat um langsamere Anfragen gebeten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Twilio is failing</source>
        <translation>Twilio hat Störungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The Twilio credential is incomplete</source>
        <translation>Die Twilio-Zugangsdaten sind unvollständig</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Twilio&apos;s answer was lost: waiting for its status report</source>
        <translation>Die Antwort von Twilio ging verloren: wartet auf den Statusbericht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for 08:00 at the branch: no SMS at night</source>
        <translation>Wartet auf 08:00 Uhr in der Filiale: nachts keine SMS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Twilio accepted it without naming a message id</source>
        <translation>Twilio hat sie angenommen, ohne eine Nachrichten-ID zu nennen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The stored messaging credential cannot be read</source>
        <translation>Die gespeicherten Zugangsdaten für Nachrichten lassen sich nicht lesen</translation>
    </message>
</context>
<context>
    <name>MessageOutbox</name>
    <message>
        <location filename="../backend/flow/messageoutbox.cpp" line="+67"/>
        <location line="+41"/>
        <source>No such record.</source>
        <translation>Kein solcher Eintrag.</translation>
    </message>
    <message>
        <location line="-30"/>
        <source>This message is still being sent.</source>
        <translation>Diese Nachricht wird noch gesendet.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The number is a landline and cannot receive SMS.</source>
        <translation>Die Nummer ist ein Festnetzanschluss und kann keine SMS empfangen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The customer has opted out of SMS.</source>
        <translation>Der Kunde hat SMS abbestellt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The customer chose not to get messages on this channel.</source>
        <translation>Der Kunde möchte auf diesem Weg keine Nachrichten erhalten.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>There is nobody to send this message to.</source>
        <translation>Für diese Nachricht gibt es keinen Empfänger.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>WhatsApp messages cannot be sent again from here.</source>
        <translation>WhatsApp-Nachrichten können von hier nicht erneut gesendet werden.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The customer has opted out of SMS since.</source>
        <translation>Der Kunde hat SMS inzwischen abbestellt.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This message is being sent again already.</source>
        <translation>Diese Nachricht wird bereits erneut gesendet.</translation>
    </message>
</context>
<context>
    <name>MessageTemplates</name>
    <message>
        <location filename="../backend/flow/messagetemplates.cpp" line="+96"/>
        <location line="+165"/>
        <source>There is no such message text.</source>
        <translation>Diesen Nachrichtentext gibt es nicht.</translation>
    </message>
    <message>
        <location line="-163"/>
        <source>The text is empty.</source>
        <translation>Der Text ist leer.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The text is too long.</source>
        <translation>Der Text ist zu lang.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>An e-mail needs a subject.</source>
        <translation>Eine E-Mail braucht einen Betreff.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The subject must be one line.</source>
        <translation>Der Betreff muss eine Zeile sein.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Unknown placeholder: %1. Known are %2.</source>
        <translation>Unbekannter Platzhalter: %1. Bekannt sind %2.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A placeholder is not closed: write it as {{name}}.</source>
        <translation>Ein Platzhalter ist nicht geschlossen: Schreiben Sie ihn als {{name}}.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The text must contain %1.</source>
        <translation>Der Text muss %1 enthalten.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>An SMS can have at most %1 characters (with the placeholders filled in).</source>
        <translation>Eine SMS darf höchstens %1 Zeichen haben (mit ausgefüllten Platzhaltern).</translation>
    </message>
    <message>
        <location line="+72"/>
        <source>Only AskProAI&apos;s staff may change the platform&apos;s texts.</source>
        <translation>Nur das Team von AskProAI darf die Texte der Plattform ändern.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+6"/>
        <source>No such company.</source>
        <translation>Dieses Unternehmen gibt es nicht.</translation>
    </message>
</context>
<context>
    <name>Migrator</name>
    <message>
        <location filename="../backend/db/migrator.cpp" line="+114"/>
        <source>The database has schema version %1, but this program knows only up to %2. Install a newer AskPro before using this database.</source>
        <translation>Die Datenbank hat die Schemaversion %1, dieses Programm kennt aber nur Versionen bis %2. Installieren Sie eine neuere AskPro-Version, bevor Sie diese Datenbank verwenden.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>The database recorded migration %1 as &quot;%2&quot;, but this program&apos;s migration %1 is &quot;%3&quot;. The database was migrated by a different build; restore a backup made by this version or use the build that migrated it.</source>
        <translation>Die Datenbank verzeichnet Migration %1 als „%2“, aber die Migration %1 dieses Programms heißt „%3“. Die Datenbank wurde von einem anderen Build migriert; stellen Sie eine Sicherung dieser Version wieder her oder verwenden Sie den Build, der sie migriert hat.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The database lacks migration %1 (&quot;%2&quot;) although it has newer ones. The database was migrated by a different build; restore a backup made by this version or use the build that migrated it.</source>
        <translation>Der Datenbank fehlt Migration %1 („%2“), obwohl sie neuere hat. Die Datenbank wurde von einem anderen Build migriert; stellen Sie eine Sicherung dieser Version wieder her oder verwenden Sie den Build, der sie migriert hat.</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Migration %1 (%2) failed</source>
        <translation>Migration %1 (%2) ist fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>NotificationSender</name>
    <message>
        <source>Confirmation e-mail sent to %1</source>
        <translation type="vanished">Bestätigungs-E-Mail an %1 gesendet</translation>
    </message>
    <message>
        <source>Confirmation e-mail not sent: %1</source>
        <translation type="vanished">Bestätigungs-E-Mail nicht gesendet: %1</translation>
    </message>
</context>
<context>
    <name>PasswordHasher</name>
    <message>
        <location filename="../backend/security/passwordhasher.cpp" line="+13"/>
        <source>The cryptography library could not start.</source>
        <translation>Die Kryptografie-Bibliothek konnte nicht starten.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Not enough memory to hash the password.</source>
        <translation>Nicht genug Speicher, um das Passwort zu hashen.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>A password needs at least %1 characters.</source>
        <translation>Ein Passwort braucht mindestens %1 Zeichen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A password may not begin or end with a space.</source>
        <translation>Ein Passwort darf nicht mit einem Leerzeichen beginnen oder enden.</translation>
    </message>
</context>
<context>
    <name>PhoneNumbers</name>
    <message>
        <location filename="../backend/domain/phonenumbers.cpp" line="+18"/>
        <source>No phone number given</source>
        <translation>Keine Telefonnummer angegeben</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&quot;%1...&quot; is not a phone number</source>
        <translation>„%1…“ ist keine Telefonnummer</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&quot;%1&quot; is not a valid phone number</source>
        <translation>„%1“ ist keine gültige Telefonnummer</translation>
    </message>
</context>
<context>
    <name>SavedViewStore</name>
    <message>
        <location filename="../backend/support/savedviewstore.cpp" line="+24"/>
        <location line="+35"/>
        <source>Give the view a name.</source>
        <translation>Geben Sie der Ansicht einen Namen.</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+19"/>
        <source>The view no longer exists.</source>
        <translation>Die Ansicht existiert nicht mehr.</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>Another view is already called %1.</source>
        <translation>Eine andere Ansicht heißt bereits %1.</translation>
    </message>
</context>
<context>
    <name>SecretBox</name>
    <message>
        <location filename="../backend/security/secretbox.cpp" line="+118"/>
        <source>Cannot create the key file %1</source>
        <translation>Die Schlüsseldatei %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <location line="-15"/>
        <source>The key file %1 may be read by others; make it readable by its owner only (chmod 600)</source>
        <translation>Die Schlüsseldatei %1 ist auch für andere lesbar; machen Sie sie nur für den Eigentümer lesbar (chmod 600)</translation>
    </message>
    <message>
        <location line="-49"/>
        <source>Cannot create the key file %1 (%2: %3)</source>
        <translation>Die Schlüsseldatei %1 kann nicht angelegt werden (%2: %3)</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>The key file %1 is missing</source>
        <translation>Die Schlüsseldatei %1 fehlt</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cannot read the key file %1</source>
        <translation>Die Schlüsseldatei %1 kann nicht gelesen werden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The key file %1 holds no valid key</source>
        <translation>Die Schlüsseldatei %1 enthält keinen gültigen Schlüssel</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>A key has exactly %1 bytes</source>
        <translation>Ein Schlüssel hat genau %1 Bytes</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot make the key file %1 private</source>
        <translation>Die Schlüsseldatei %1 kann nicht privat gemacht werden</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cannot write the key file %1</source>
        <translation>Die Schlüsseldatei %1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>A stored secret is damaged</source>
        <translation>Ein gespeichertes Geheimnis ist beschädigt</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>A stored secret cannot be decrypted: the key does not match the one it was stored with</source>
        <translation>Ein gespeichertes Geheimnis kann nicht entschlüsselt werden: Der Schlüssel passt nicht zu dem, mit dem es gespeichert wurde</translation>
    </message>
</context>
<context>
    <name>ServerCommands</name>
    <message>
        <location filename="../app/server/servercommands.cpp" line="+70"/>
        <source>Database connection string: sqlite:PATH or postgresql://user[:pass]@host:port/db (default: $ASKPRO_DB, else the embedded SQLite file).</source>
        <translation>Verbindungsangabe der Datenbank: sqlite:PFAD oder postgresql://benutzer[:passwort]@host:port/db (Standard: $ASKPRO_DB, sonst die eingebettete SQLite-Datei).</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>File holding the key that encrypts stored secrets (created 0600 if missing).</source>
        <translation>Datei mit dem Schlüssel, der gespeicherte Geheimnisse verschlüsselt (wird mit 0600 angelegt, falls sie fehlt).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retell API base URL.</source>
        <translation>Basis-URL der Retell-API.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cal.com API v2 base URL.</source>
        <translation>Basis-URL der Cal.com-API v2.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stripe API base URL.</source>
        <translation>Basis-URL der Stripe-API.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SMTP server, e.g. smtp://mail.example.org:587.</source>
        <translation>SMTP-Server, z. B. smtp://mail.example.org:587.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refuse to send mail without TLS even to this machine&apos;s own relay (TLS is required for every other host).</source>
        <translation>E-Mail ohne TLS auch an das eigene Mail-Relay dieses Rechners verweigern (für jeden anderen Server ist TLS ohnehin Pflicht).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The URL under which Retell and Cal.com reach this server.</source>
        <translation>Die URL, unter der Retell und Cal.com diesen Server erreichen.</translation>
    </message>
    <message>
        <source>Usage: askpro-server COMMAND [options]

Commands:
  migrate   bring the database to the current schema
  doctor    report orphans and duplicates; --fix repairs them after a backup
  backup    write a consistent copy of the database to a file
  health    run the health checks now, print them; exit code 1 when one is down
  connect   set up Retell and Cal.com for branches (agents, numbers, event types, webhook)
  setup     take a new business live from a JSON file (--from), or --resume / --cancel a setup run
  recover   retry requested-but-unbooked calls and fetch calls whose webhooks were lost
  serve     receive webhooks and process calls (HTTP server and workers)
  credentials  store a provider&apos;s API key (read from standard input), encrypted
  demo-seed fill an empty database with German demo companies, calls and appointments
  invoices  generate, preview, credit and export monthly invoices (PDF, XRechnung XML)

Run &apos;askpro-server COMMAND --help&apos; for a command&apos;s options.</source>
        <translation type="vanished">Aufruf: askpro-server BEFEHL [Optionen]

Befehle:
  migrate   bringt die Datenbank auf das aktuelle Schema
  doctor    meldet verwaiste und doppelte Einträge; --fix repariert sie nach einer Sicherung
  backup    schreibt eine konsistente Kopie der Datenbank in eine Datei
  health    führt die Zustandsprüfungen jetzt aus und gibt sie aus; Exit-Code 1, wenn eine down ist
  connect   richtet Retell und Cal.com für Filialen ein (Agenten, Nummern, Ereignistypen, Webhook)
  setup     schaltet ein neues Unternehmen aus einer JSON-Datei live (--from) oder setzt eine Einrichtung fort (--resume) bzw. bricht sie ab (--cancel)
  recover   versucht angefragte, aber nicht gebuchte Anrufe erneut und holt Anrufe, deren Webhooks verloren gingen
  serve     empfängt Webhooks und verarbeitet Anrufe (HTTP-Server und Worker)
  credentials  speichert den API-Schlüssel eines Anbieters (von der Standardeingabe gelesen) verschlüsselt
  demo-seed füllt eine leere Datenbank mit deutschen Demo-Unternehmen, Anrufen und Terminen
  invoices  erstellt Monatsrechnungen, zeigt sie vorab, schreibt sie gut und exportiert sie (PDF, XRechnung-XML)

„askpro-server BEFEHL --help“ zeigt die Optionen eines Befehls.</translation>
    </message>
    <message numerus="yes">
        <location line="+42"/>
        <source>%n credential(s) are sealed with the missing key, so no new key is made. Restore %1 from a backup; if a key rotation stopped half-way, the new key is in %2: move it to %1. Then `askpro-server credentials --rotate-key` makes a fresh key when one is wanted.</source>
        <translation>
            <numerusform>%n Zugangsdatensatz ist mit dem fehlenden Schlüssel versiegelt, daher wird kein neuer Schlüssel erzeugt. Stellen Sie %1 aus einer Sicherung wieder her; wurde eine Schlüsselrotation mittendrin abgebrochen, liegt der neue Schlüssel in %2: Verschieben Sie ihn nach %1. Danach erzeugt `askpro-server credentials --rotate-key` bei Bedarf einen frischen Schlüssel.</numerusform>
            <numerusform>%n Zugangsdatensätze sind mit dem fehlenden Schlüssel versiegelt, daher wird kein neuer Schlüssel erzeugt. Stellen Sie %1 aus einer Sicherung wieder her; wurde eine Schlüsselrotation mittendrin abgebrochen, liegt der neue Schlüssel in %2: Verschieben Sie ihn nach %1. Danach erzeugt `askpro-server credentials --rotate-key` bei Bedarf einen frischen Schlüssel.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+16"/>
        <source>Sealed the address of %n stored credential(s) together with its key.</source>
        <translation>
            <numerusform>Die Adresse von %n gespeichertem Zugang mit seinem Schlüssel versiegelt.</numerusform>
            <numerusform>Die Adressen von %n gespeicherten Zugängen mit ihrem Schlüssel versiegelt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Usage: askpro-server COMMAND [options]

Commands:
  migrate   bring the database to the current schema
  doctor    report orphans and duplicates; --fix repairs them after a backup
  backup    write a consistent copy of the database to a file
  health    run the health checks now, print them; exit code 1 when one is down
  connect   set up Retell and Cal.com for branches (agents, numbers, event types, webhook)
  setup     take a new business live from a JSON file (--from), or --resume / --cancel a setup run
  recover   retry requested-but-unbooked calls and fetch calls whose webhooks were lost
  serve     receive webhooks and process calls (HTTP server and workers)
  credentials  store, list or rotate provider keys (read from standard input), encrypted; rotate the secrets key
  users     add, list and change the people who sign in to AskPro Admin
  demo-seed fill an empty database with German demo companies, calls and appointments
  invoices  generate, preview, credit and export monthly invoices (PDF, XRechnung XML)

Run &apos;askpro-server COMMAND --help&apos; for a command&apos;s options.</source>
        <translation type="vanished">Aufruf: askpro-server BEFEHL [Optionen]

Befehle:
  migrate   bringt die Datenbank auf das aktuelle Schema
  doctor    meldet verwaiste und doppelte Einträge; --fix repariert sie nach einer Sicherung
  backup    schreibt eine konsistente Kopie der Datenbank in eine Datei
  health    führt die Zustandsprüfungen jetzt aus und gibt sie aus; Exit-Code 1, wenn eine down ist
  connect   richtet Retell und Cal.com für Filialen ein (Agenten, Nummern, Ereignistypen, Webhook)
  setup     schaltet ein neues Unternehmen aus einer JSON-Datei live (--from) oder setzt eine Einrichtung fort (--resume) bzw. bricht sie ab (--cancel)
  recover   versucht angefragte, aber nicht gebuchte Anrufe erneut und holt Anrufe, deren Webhooks verloren gingen
  serve     empfängt Webhooks und verarbeitet Anrufe (HTTP-Server und Worker)
  credentials  speichert, listet oder rotiert Anbieterschlüssel (von der Standardeingabe gelesen) verschlüsselt; rotiert den Geheimnisschlüssel
  users     legt die Personen an, die sich bei AskPro Admin anmelden, listet und ändert sie
  demo-seed füllt eine leere Datenbank mit deutschen Demo-Unternehmen, Anrufen und Terminen
  invoices  erstellt Monatsrechnungen, zeigt sie vorab, schreibt sie gut und exportiert sie (PDF, XRechnung-XML)

„askpro-server BEFEHL --help“ zeigt die Optionen eines Befehls.</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>Usage: askpro-server COMMAND [options]

Commands:
  migrate   bring the database to the current schema
  doctor    report orphans and duplicates; --fix repairs them after a backup
  backup    write a consistent copy of the database to a file
  health    run the health checks now, print them; exit code 1 when one is down
  connect   set up Retell and Cal.com for branches (agents, numbers, event types, webhook)
  setup     take a new business live from a JSON file (--from), or --resume / --cancel a setup run
  recover   retry requested-but-unbooked calls and fetch calls whose webhooks were lost
  serve     receive webhooks and process calls (HTTP server and workers)
  credentials  store, list or rotate provider keys (read from standard input), encrypted; rotate the secrets key
  users     add, list and change the people who sign in to AskPro Admin
  demo-seed fill an empty database with German demo companies, calls and appointments
  invoices  generate, preview, credit and export monthly invoices (PDF, XRechnung XML)
  import    import customers from a CSV file: a dry run report, or --apply

Run &apos;askpro-server COMMAND --help&apos; for a command&apos;s options.</source>
        <translation>Aufruf: askpro-server BEFEHL [Optionen]

Befehle:
  migrate   bringt die Datenbank auf das aktuelle Schema
  doctor    meldet verwaiste und doppelte Einträge; --fix repariert sie nach einer Sicherung
  backup    schreibt eine konsistente Kopie der Datenbank in eine Datei
  health    führt die Zustandsprüfungen jetzt aus und gibt sie aus; Exit-Code 1, wenn eine down ist
  connect   richtet Retell und Cal.com für Filialen ein (Agenten, Nummern, Ereignistypen, Webhook)
  setup     schaltet ein neues Unternehmen aus einer JSON-Datei live (--from) oder setzt eine Einrichtung fort (--resume) bzw. bricht sie ab (--cancel)
  recover   versucht angefragte, aber nicht gebuchte Anrufe erneut und holt Anrufe, deren Webhooks verloren gingen
  serve     empfängt Webhooks und verarbeitet Anrufe (HTTP-Server und Worker)
  credentials  speichert, listet oder rotiert Anbieterschlüssel (von der Standardeingabe gelesen) verschlüsselt; rotiert den Geheimnisschlüssel
  users     legt die Personen an, die sich bei AskPro Admin anmelden, listet und ändert sie
  demo-seed füllt eine leere Datenbank mit deutschen Demo-Unternehmen, Anrufen und Terminen
  invoices  erstellt Monatsrechnungen, zeigt sie vorab, schreibt sie gut und exportiert sie (PDF, XRechnung-XML)
  import    importiert Kunden aus einer CSV-Datei: ein Probelauf-Bericht oder --apply

„askpro-server BEFEHL --help“ zeigt die Optionen eines Befehls.</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Unknown command &quot;%1&quot;.</source>
        <translation>Unbekannter Befehl „%1“.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Brings the database to the schema version of this program.</source>
        <translation>Bringt die Datenbank auf die Schemaversion dieses Programms.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Database %1 is at schema version %2 (%3 migrations applied).</source>
        <translation>Datenbank %1 hat die Schemaversion %2 (%3 Migrationen angewendet).</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Repair what was found, in one transaction, after writing a backup.</source>
        <translation>Repariert das Gefundene in einer Transaktion, nachdem eine Sicherung geschrieben wurde.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Where --fix writes its backup (default: beside the database or the current folder).</source>
        <translation>Wohin --fix die Sicherung schreibt (Standard: neben die Datenbank oder in den aktuellen Ordner).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Reports orphans and duplicates: staff without a company, appointments whose branch is gone, duplicate staff, calls without a branch.</source>
        <translation>Meldet verwaiste und doppelte Einträge: Mitarbeiter ohne Unternehmen, Termine ohne bestehende Filiale, doppelte Mitarbeiter, Anrufe ohne Filiale.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1: %2 (ids %3%4)</source>
        <translation>%1: %2 (IDs %3%4)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No orphans or duplicates found.</source>
        <translation>Keine verwaisten oder doppelten Einträge gefunden.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No repair made: the backup failed: %1</source>
        <translation>Nichts repariert, die Sicherung ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+29"/>
        <source>Backup written to %1</source>
        <translation>Sicherung nach %1 geschrieben</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>Repair failed, nothing was changed: %1</source>
        <translation>Reparatur fehlgeschlagen, nichts wurde geändert: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Repaired %1 rows.</source>
        <translation>%1 Zeilen repariert.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The file to write; it must not exist yet.</source>
        <translation>Die zu schreibende Datei; sie darf noch nicht existieren.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Writes a consistent copy of the database (SQLite file or pg_dump archive).</source>
        <translation>Schreibt eine konsistente Kopie der Datenbank (SQLite-Datei oder pg_dump-Archiv).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>backup needs exactly one PATH</source>
        <translation>backup braucht genau einen PFAD</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Address and port to listen on (default 127.0.0.1:8080).</source>
        <translation>Adresse und Port, auf denen der Server lauscht (Standard 127.0.0.1:8080).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Worker threads (default 2; 0: intake only).</source>
        <translation>Anzahl der Worker-Threads (Standard 2; 0: nur Webhook-Annahme).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Serve HTTPS with this certificate (PEM; the chain after it).</source>
        <translation>HTTPS mit diesem Zertifikat anbieten (PEM; die Kette danach).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The certificate&apos;s private key (PEM, unencrypted; keep it readable by this server only).</source>
        <translation>Der private Schlüssel des Zertifikats (PEM, unverschlüsselt; nur für diesen Server lesbar halten).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Refused requests (bad webhook signatures, failed sign-ins) one address may cause per minute before it is answered 429 (default 60; 0: no limit). Correctly signed webhooks are never limited.</source>
        <translation>Abgewiesene Anfragen (falsche Webhook-Signaturen, fehlgeschlagene Anmeldungen), die eine Adresse pro Minute verursachen darf, bevor sie mit 429 beantwortet wird (Standard 60; 0: keine Grenze). Korrekt signierte Webhooks werden nie begrenzt.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Receives Retell and Cal.com webhooks and the voice agent&apos;s live functions, stores them durably and processes calls into bookings with worker threads. Settings also come from ASKPRO_* environment variables.</source>
        <translation>Empfängt die Webhooks von Retell und Cal.com sowie die Live-Funktionen des Sprachagenten, speichert sie dauerhaft und macht aus Anrufen mit Worker-Threads Buchungen. Einstellungen kommen auch aus den Umgebungsvariablen ASKPRO_*.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>--refused-per-minute needs a count of 0 or more</source>
        <translation>--refused-per-minute braucht eine Anzahl von 0 oder mehr</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>--listen needs HOST:PORT, e.g. 127.0.0.1:8080</source>
        <translation>--listen braucht HOST:PORT, z. B. 127.0.0.1:8080</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>--tls-cert and --tls-key go together.</source>
        <translation>--tls-cert und --tls-key gehören zusammen.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>askpro-server listening on %1:%2 with %3 workers, database %4</source>
        <translation>askpro-server lauscht auf %1:%2 mit %3 Workern, Datenbank %4</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The company the credential belongs to (default: the platform&apos;s own account).</source>
        <translation>Das Unternehmen, zu dem die Zugangsdaten gehören (Standard: das eigene Konto der Plattform).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The provider&apos;s base URL for this credential (default: the configured one).</source>
        <translation>Die Basis-URL des Anbieters für diese Zugangsdaten (Standard: die konfigurierte).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Rotate: the replaced key and webhook secret keep verifying webhooks for this many hours.</source>
        <translation>Rotieren: Der ersetzte Schlüssel und das Webhook-Geheimnis prüfen Webhooks noch so viele Stunden.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>List the stored credentials, masked.</source>
        <translation>Listet die gespeicherten Zugangsdaten maskiert auf.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Encrypt every stored secret under a new key and replace the key file.</source>
        <translation>Verschlüsselt jedes gespeicherte Geheimnis mit einem neuen Schlüssel und ersetzt die Schlüsseldatei.</translation>
    </message>
    <message>
        <source>retell, calcom, stripe or smtp</source>
        <translation type="vanished">retell, calcom, stripe oder smtp</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Stores a provider credential encrypted. Reads the API key from the first line of standard input and an optional webhook signing secret from the second, so secrets never appear in the process list or the shell history.</source>
        <translation>Speichert Zugangsdaten eines Anbieters verschlüsselt. Liest den API-Schlüssel aus der ersten Zeile der Standardeingabe und ein optionales Webhook-Signaturgeheimnis aus der zweiten, damit Geheimnisse nie in der Prozessliste oder im Shell-Verlauf erscheinen.</translation>
    </message>
    <message>
        <source>credentials needs a provider: retell, calcom, stripe or smtp</source>
        <translation type="vanished">credentials braucht einen Anbieter: retell, calcom, stripe oder smtp</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>retell, calcom, stripe, smtp or twilio</source>
        <translation>retell, calcom, stripe, smtp oder twilio</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>credentials needs a provider: retell, calcom, stripe, smtp or twilio</source>
        <translation>credentials braucht einen Anbieter: retell, calcom, stripe, smtp oder twilio</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>No API key on standard input</source>
        <translation>Kein API-Schlüssel auf der Standardeingabe</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Twilio needs &quot;AccountSid:AuthToken&quot; on the first line and the sender number or messaging service SID on the second</source>
        <translation>Twilio braucht „AccountSid:AuthToken“ in der ersten Zeile und die Absendernummer oder die SID des Messaging-Dienstes in der zweiten</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Stored %1 credential %2</source>
        <translation>%1-Zugangsdaten %2 gespeichert</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>%1	%2	key %3	webhook secret %4	%5</source>
        <translation>%1	%2	Schlüssel %3	Webhook-Geheimnis %4	%5</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>platform</source>
        <translation>Plattform</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>previous secret valid until %1</source>
        <translation>bisheriges Geheimnis gültig bis %1</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>The secrets are now sealed with the key in %1; move it to %2.</source>
        <translation>Die Geheimnisse sind jetzt mit dem Schlüssel in %1 versiegelt; verschieben Sie ihn nach %2.</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>Rotated the secrets key: %n credential(s) sealed again, %1 replaced.</source>
        <translation>
            <numerusform>Geheimnisschlüssel rotiert: %n Zugangsdatensatz neu versiegelt, %1 ersetzt.</numerusform>
            <numerusform>Geheimnisschlüssel rotiert: %n Zugangsdatensätze neu versiegelt, %1 ersetzt.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>admin, owner, support or onboarding.</source>
        <translation>admin, owner, support oder onboarding.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The name shown in the app and the audit log.</source>
        <translation>Der Name, der in der App und im Prüfprotokoll erscheint.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>de or en (default: the system&apos;s).</source>
        <translation>de oder en (Standard: die des Systems).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>list, add, set-role, passwd, deactivate or activate</source>
        <translation>list, add, set-role, passwd, deactivate oder activate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The user to act on.</source>
        <translation>Der Benutzer, um den es geht.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Manages the people who sign in to AskPro Admin. add and passwd read the password from standard input.</source>
        <translation>Verwaltet die Personen, die sich bei AskPro Admin anmelden. add und passwd lesen das Passwort von der Standardeingabe.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>users needs an action (list, add, set-role, passwd, deactivate, activate) and, except for list, a user name</source>
        <translation>users braucht eine Aktion (list, add, set-role, passwd, deactivate, activate) und, außer bei list, einen Benutzernamen</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Unknown role &quot;%1&quot;: use admin, owner, support or onboarding.</source>
        <translation>Unbekannte Rolle „%1“: verwenden Sie admin, owner, support oder onboarding.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>inactive</source>
        <translation>inaktiv</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>There is no user %1.</source>
        <translation>Es gibt keinen Benutzer %1.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>set-role needs --role.</source>
        <translation>set-role braucht --role.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Done: %1 %2.</source>
        <translation>Erledigt: %1 %2.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>How far back to look (default 24).</source>
        <translation>Wie weit zurückgeschaut wird, in Stunden (Standard 24).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Queues a booking retry for every call of the recent window that asked for an appointment and got none, marks what cannot be recovered, and lists Retell&apos;s calls to store any whose webhooks never arrived. A running server&apos;s workers then process them.</source>
        <translation>Stellt für jeden Anruf im jüngsten Zeitraum, der einen Termin wollte und keinen bekam, einen neuen Buchungsversuch ein, markiert, was nicht mehr zu retten ist, und ruft die Anrufliste von Retell ab, um Anrufe zu speichern, deren Webhooks nie ankamen. Die Worker eines laufenden Servers verarbeiten sie dann.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Retries queued: %1; marked unrecoverable: %2; Retell calls listed: %3; lost calls recovered: %4</source>
        <translation>Erneute Versuche eingereiht: %1; als nicht wiederherstellbar markiert: %2; Retell-Anrufe abgerufen: %3; verlorene Anrufe wiederhergestellt: %4</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Days of call history to create (default 90).</source>
        <translation>Wie viele Tage Anrufverlauf erzeugt werden (Standard 90).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Also write the demo&apos;s calendar (staff, hours, event types, upcoming appointments) to FILE for the provider sandbox&apos;s --seed, also when no data was added.</source>
        <translation>Schreibt zusätzlich den Kalender der Demo (Mitarbeitende, Öffnungszeiten, Ereignistypen, kommende Termine) nach FILE, für --seed der Anbieter-Sandbox, auch wenn keine Daten hinzugefügt wurden.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Fills an empty database with demo data; does nothing when companies exist.</source>
        <translation>Füllt eine leere Datenbank mit Demodaten; tut nichts, wenn bereits Unternehmen vorhanden sind.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>--days must be a number from 1 to 3650</source>
        <translation>--days muss eine Zahl von 1 bis 3650 sein</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Cannot write the demo calendar to %1: %2</source>
        <translation>Der Demo-Kalender kann nicht nach %1 geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The database already holds companies; no demo data added.</source>
        <translation>Die Datenbank enthält bereits Unternehmen; keine Demodaten hinzugefügt.</translation>
    </message>
    <message>
        <source>Demo data added in %1 ms: %2 companies, %3 branches, %4 customers, %5 calls, %6 appointments, %7 webhook deliveries.</source>
        <translation type="vanished">Demodaten in %1 ms hinzugefügt: %2 Unternehmen, %3 Filialen, %4 Kunden, %5 Anrufe, %6 Termine, %7 Webhook-Zustellungen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Demo data added in %1 ms: %2 companies, %3 branches, %4 customers, %5 calls, %6 appointments, %7 webhook deliveries, %8 messages.</source>
        <translation>Demodaten in %1 ms angelegt: %2 Unternehmen, %3 Filialen, %4 Kunden, %5 Anrufe, %6 Termine, %7 Webhook-Zustellungen, %8 Nachrichten.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Demo sign-in: %1, password %2.</source>
        <translation>Demo-Anmeldung: %1, Passwort %2.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The branch to connect (repeatable).</source>
        <translation>Die anzubindende Filiale (mehrfach möglich).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connect every active branch.</source>
        <translation>Alle aktiven Filialen anbinden.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The carrier SIP trunk&apos;s termination host, for numbers Retell does not hold yet.</source>
        <translation>Der Terminierungs-Host des SIP-Trunks Ihres Anbieters, für Nummern, die Retell noch nicht führt.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The SIP trunk&apos;s user name.</source>
        <translation>Der Benutzername des SIP-Trunks.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Creates or reuses, for each branch: a Cal.com event type per service and the booking webhook, the Retell LLM with the booking tools, the voice agent, and the phone number bound to it. Safe to run again: what exists is found and reused.</source>
        <translation>Legt für jede Filiale an oder verwendet wieder: einen Cal.com-Ereignistyp pro Leistung und den Buchungs-Webhook, das Retell-LLM mit den Buchungswerkzeugen, den Sprachagenten und die ihm zugeordnete Telefonnummer. Kann gefahrlos erneut ausgeführt werden: Vorhandenes wird gefunden und wiederverwendet.</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Name a branch with --branch ID, or use --all</source>
        <translation>Geben Sie eine Filiale mit --branch ID an oder verwenden Sie --all</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 is not a SIP host name (the trunk&apos;s host alone, without sip:, port or path)</source>
        <translation>%1 ist kein SIP-Hostname (nur der Host des Trunks, ohne sip:, Port oder Pfad)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Branch %1:</source>
        <translation>Filiale %1:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Branch %1 not connected: %2</source>
        <translation>Filiale %1 nicht angebunden: %2</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Only print; do not store the results or send alerts.</source>
        <translation>Nur ausgeben; keine Ergebnisse speichern und keine Warnungen senden.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Checks the database, Retell, Cal.com, Stripe, the mail server, the workers&apos; heartbeats, the job backlog and the webhook failure rate; prints ok / degraded / down with latency and the problem in plain words; stores the results and alerts on changes. Exit code 1 when a check is down.</source>
        <translation>Prüft die Datenbank, Retell, Cal.com, Stripe, den Mailserver, die Lebenszeichen der Worker, den Job-Rückstau und die Fehlerquote der Webhooks; gibt ok / degraded / down mit Antwortzeit und dem Problem in klaren Worten aus; speichert die Ergebnisse und warnt bei Änderungen. Exit-Code 1, wenn eine Prüfung down ist.</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>The month to invoice, YYYY-MM.</source>
        <translation>Der abzurechnende Monat, JJJJ-MM.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only this company.</source>
        <translation>Nur dieses Unternehmen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Issue date YYYY-MM-DD (default: today).</source>
        <translation>Rechnungsdatum JJJJ-MM-TT (Standard: heute).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why a credit note is issued.</source>
        <translation>Warum eine Gutschrift ausgestellt wird.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Do not queue the Stripe push and the e-mail of new invoices.</source>
        <translation>Für neue Rechnungen weder die Übertragung an Stripe noch die E-Mail einreihen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>generate | preview | credit NUMBER | pdf NUMBER FILE | xml NUMBER FILE | push NUMBER | send NUMBER</source>
        <translation>generate | preview | credit NUMMER | pdf NUMMER DATEI | xml NUMMER DATEI | push NUMMER | send NUMMER</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Monthly invoices: &apos;generate --month YYYY-MM&apos; finalizes one invoice per active company (running a month again creates nothing new) and queues its Stripe push and e-mail for a running server; &apos;preview&apos; shows the next invoices without writing; &apos;credit&apos; reverses an invoice; &apos;pdf&apos; and &apos;xml&apos; write its documents.</source>
        <translation>Monatsrechnungen: „generate --month JJJJ-MM“ schließt eine Rechnung pro aktivem Unternehmen ab (ein erneuter Lauf für denselben Monat erzeugt nichts Neues) und reiht die Übertragung an Stripe und die E-Mail für einen laufenden Server ein; „preview“ zeigt die nächsten Rechnungen, ohne etwas zu schreiben; „credit“ storniert eine Rechnung per Gutschrift; „pdf“ und „xml“ schreiben ihre Dokumente.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>--issued needs YYYY-MM-DD</source>
        <translation>--issued braucht JJJJ-MM-TT</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 needs --month YYYY-MM</source>
        <translation>%1 braucht --month JJJJ-MM</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1 (company %2): net %3, VAT %4, total %5</source>
        <translation>%1 (Unternehmen %2): netto %3, USt. %4, gesamt %5</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Invoices made, but their Stripe push and e-mail were not queued: %1</source>
        <translation>Rechnungen erstellt, aber Stripe-Übertragung und E-Mail wurden nicht eingereiht: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: %2 invoices created (%3), %4 invoiced before, %5 with nothing to bill, in %6 ms.</source>
        <translation>%1: %2 Rechnungen erstellt (%3), %4 bereits zuvor abgerechnet, %5 ohne abzurechnende Leistungen, in %6 ms.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No invoice: %1</source>
        <translation>Keine Rechnung: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 needs an invoice NUMBER</source>
        <translation>%1 braucht eine Rechnungs-NUMMER</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Credit note %1 corrects %2.</source>
        <translation>Gutschrift %1 korrigiert %2.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 needs NUMBER FILE</source>
        <translation>%1 braucht NUMMER DATEI</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wrote %1 (%2 bytes).</source>
        <translation>%1 geschrieben (%2 Byte).</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>E-mail with %1 queued for %2; a running server sends it.</source>
        <translation>E-Mail mit %1 an %2 eingereiht; ein laufender Server versendet sie.</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>%1 is in Stripe, finalized and sent.</source>
        <translation>%1 ist in Stripe, abgeschlossen und versendet.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Unknown invoices action &quot;%1&quot;.</source>
        <translation>Unbekannte Rechnungsaktion „%1“.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The setup file: JSON with company, branch, services, staff and credentials.</source>
        <translation>Die Einrichtungsdatei: JSON mit Unternehmen, Filiale, Leistungen, Mitarbeitern und Zugangsdaten.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue this unfinished setup run (with --from to give its keys again).</source>
        <translation>Diese nicht abgeschlossene Einrichtung fortsetzen (mit --from, um die Schlüssel erneut anzugeben).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undo this unfinished setup run: remove what it created at the providers.</source>
        <translation>Diese nicht abgeschlossene Einrichtung rückgängig machen: Was sie bei den Anbietern angelegt hat, wird entfernt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>With --cancel: release the phone number the run bought at Retell (it may be gone for good). Without it, such a cancel is refused and nothing is removed.</source>
        <translation>Mit --cancel: die Telefonnummer freigeben, die der Lauf bei Retell gekauft hat (sie kann dann endgültig weg sein). Ohne diese Option wird ein solcher Abbruch abgelehnt und nichts entfernt.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Takes a new business live: stores the company, verifies the number with Retell, stores the keys encrypted, connects Cal.com and Retell, sets up Stripe billing and activates the branch. Safe to run again: what exists is found and reused. A stopped run continues with --resume.</source>
        <translation>Schaltet ein neues Unternehmen live: speichert das Unternehmen, prüft die Nummer bei Retell, speichert die Schlüssel verschlüsselt, bindet Cal.com und Retell an, richtet die Abrechnung über Stripe ein und aktiviert die Filiale. Kann gefahrlos erneut ausgeführt werden: Vorhandenes wird gefunden und wiederverwendet. Eine angehaltene Einrichtung wird mit --resume fortgesetzt.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Use --from FILE, --resume RUN [--from FILE], or --cancel RUN [--release-number]</source>
        <translation>Verwenden Sie --from DATEI, --resume LAUF [--from DATEI] oder --cancel LAUF [--release-number]</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>--release-number goes with --cancel RUN</source>
        <translation>--release-number gehört zu --cancel LAUF</translation>
    </message>
    <message>
        <source>Use --from FILE, --resume RUN [--from FILE], or --cancel RUN</source>
        <translation type="vanished">Verwenden Sie --from DATEI, --resume LAUF [--from DATEI] oder --cancel LAUF</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Setup run %1 cancelled: what it created at the providers is removed.</source>
        <translation>Einrichtung %1 abgebrochen: Was sie bei den Anbietern angelegt hat, wurde entfernt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run again with --release-number to release it.</source>
        <translation>Zum Freigeben erneut mit --release-number aufrufen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Setup run %1 not cancelled: %2</source>
        <translation>Einrichtung %1 nicht abgebrochen: %2</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Setup run %1</source>
        <translation>Einrichtung %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Setup run %1 is live (%2 ms).</source>
        <translation>Einrichtung %1 ist live (%2 ms).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Setup run %1 stopped: %2</source>
        <translation>Einrichtung %1 angehalten: %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue with: askpro-server setup --resume %1 --from FILE, or undo with --cancel %1</source>
        <translation>Fortsetzen mit: askpro-server setup --resume %1 --from DATEI, oder rückgängig machen mit --cancel %1</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>The company the customers belong to (its id).</source>
        <translation>Das Unternehmen, zu dem die Kunden gehören (seine ID).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The CSV file (UTF-8 or Windows-1252, comma or semicolon).</source>
        <translation>Die CSV-Datei (UTF-8 oder Windows-1252, Komma oder Semikolon).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write the customers; without it, only report what would happen (dry run).</source>
        <translation>Die Kunden schreiben; ohne diese Option nur berichten, was geschähe (Probelauf).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>JSON object naming the column of a field where the header&apos;s names are not recognised, e.g. {&quot;phone&quot;: &quot;Tel. privat&quot;, &quot;notes&quot;: null}. Fields: %1.</source>
        <translation>JSON-Objekt, das die Spalte eines Felds nennt, wo die Namen der Kopfzeile nicht erkannt werden, z. B. {&quot;phone&quot;: &quot;Tel. privat&quot;, &quot;notes&quot;: null}. Felder: %1.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Print the report as JSON.</source>
        <translation>Den Bericht als JSON ausgeben.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rows per transaction at the start (default 500; smaller when a batch takes long).</source>
        <translation>Zeilen je Transaktion zu Beginn (Standard 500; weniger, wenn ein Stapel lange dauert).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>customers</source>
        <translation>customers</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Imports a practice&apos;s customer list from CSV into one company. The default is a dry run that lists what would be created, updated, left unchanged or skipped, and why.</source>
        <translation>Importiert die Kundenliste einer Praxis aus CSV in ein Unternehmen. Standard ist ein Probelauf, der auflistet, was angelegt, aktualisiert, unverändert gelassen oder übersprungen würde, und warum.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Usage: askpro-server import customers --company ID --file F.csv [--apply] [--mapping JSON]</source>
        <translation>Aufruf: askpro-server import customers --company ID --file F.csv [--apply] [--mapping JSON]</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>--company and --batch-size must be positive numbers</source>
        <translation>--company und --batch-size müssen positive Zahlen sein</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>--mapping is not a JSON object: %1</source>
        <translation>--mapping ist kein JSON-Objekt: %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>%1 rows read (%2%)</source>
        <translation>%1 Zeilen gelesen (%2 %)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Nothing was written.</source>
        <translation>Es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>line %1</source>
        <translation>Zeile %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>(%1 more rows not listed)</source>
        <translation>(%1 weitere Zeilen nicht aufgeführt)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Columns: %1</source>
        <translation>Spalten: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Applied (import run %5): %1 created, %2 updated, %3 unchanged, %4 skipped.</source>
        <translation>Angewendet (Importlauf %5): %1 angelegt, %2 aktualisiert, %3 unverändert, %4 übersprungen.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Dry run, nothing written: %1 would be created, %2 updated, %3 unchanged, %4 skipped. Run again with --apply to write.</source>
        <translation>Probelauf, nichts geschrieben: %1 würden angelegt, %2 aktualisiert, %3 unverändert, %4 übersprungen. Mit --apply erneut aufrufen, um zu schreiben.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 s; longest transaction %2 ms in %3 batches.</source>
        <translation>%1 s; längste Transaktion %2 ms in %3 Stapeln.</translation>
    </message>
</context>
<context>
    <name>SessionStore</name>
    <message>
        <location filename="../backend/security/sessionstore.cpp" line="+28"/>
        <source>Signed out: please sign in again.</source>
        <translation>Abgemeldet: bitte erneut anmelden.</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Only a user can sign in.</source>
        <translation>Nur Benutzer:innen können sich anmelden.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No source of random numbers.</source>
        <translation>Keine Quelle für Zufallszahlen.</translation>
    </message>
    <message>
        <location line="+75"/>
        <source>Session %1 does not exist or has ended.</source>
        <translation>Sitzung %1 gibt es nicht oder sie ist beendet.</translation>
    </message>
</context>
<context>
    <name>SetupInput</name>
    <message>
        <location filename="../backend/setup/setupinput.cpp" line="+50"/>
        <source>Enter the company&apos;s name.</source>
        <translation>Geben Sie den Namen des Unternehmens ein.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter the company&apos;s postal address: it appears on every invoice.</source>
        <translation>Geben Sie die Postanschrift des Unternehmens ein: Sie steht auf jeder Rechnung.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>A VAT id is a country code and digits, e.g. DE123456789 (leave empty if there is none).</source>
        <translation>Eine USt-IdNr. besteht aus Länderkennung und Ziffern, z. B. DE123456789 (leer lassen, wenn keine vorhanden ist).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enter the e-mail address invoices go to, e.g. rechnung@praxis.de.</source>
        <translation>Geben Sie die E-Mail-Adresse für Rechnungen ein, z. B. rechnung@praxis.de.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The default language must be German (de) or English (en).</source>
        <translation>Die Standardsprache muss Deutsch (de) oder Englisch (en) sein.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose at least one language the agent speaks.</source>
        <translation>Wählen Sie mindestens eine Sprache, die der Agent spricht.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Unknown language &quot;%1&quot;: German (de) and English (en) are supported.</source>
        <translation>Unbekannte Sprache „%1“: Unterstützt werden Deutsch (de) und Englisch (en).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The default language must be one of the supported languages.</source>
        <translation>Die Standardsprache muss eine der unterstützten Sprachen sein.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enter the branch&apos;s name, e.g. &quot;Praxis Mitte&quot;.</source>
        <translation>Geben Sie den Namen der Filiale ein, z. B. „Praxis Mitte“.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unknown time zone &quot;%1&quot;: use a name like Europe/Berlin.</source>
        <translation>Unbekannte Zeitzone „%1“: Verwenden Sie einen Namen wie Europe/Berlin.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The branch&apos;s language must be German (de) or English (en).</source>
        <translation>Die Sprache der Filiale muss Deutsch (de) oder Englisch (en) sein.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The branch&apos;s language must be one of the company&apos;s supported languages.</source>
        <translation>Die Sprache der Filiale muss eine der vom Unternehmen unterstützten Sprachen sein.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Retell sells numbers in the US (US) and Canada (CA) only; import a number from elsewhere over your carrier&apos;s SIP trunk.</source>
        <translation>Retell verkauft nur Nummern in den USA (US) und Kanada (CA); importieren Sie eine Nummer aus einem anderen Land über den SIP-Trunk Ihres Anbieters.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enter the three-digit area code to buy a number in, e.g. 415.</source>
        <translation>Geben Sie die dreistellige Vorwahl ein, in der eine Nummer gekauft werden soll, z. B. 415.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Retell sells US and Canadian numbers only (+1 …); import %1 over your carrier&apos;s SIP trunk instead.</source>
        <translation>Retell verkauft nur Nummern aus den USA und Kanada (+1 …); importieren Sie %1 stattdessen über den SIP-Trunk Ihres Anbieters.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enter the number callers dial.</source>
        <translation>Geben Sie die Nummer ein, die Anrufer wählen.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&quot;%1&quot; is not a SIP host name: enter the carrier trunk&apos;s host alone, such as trunk.carrier.example, without sip:, port or path.</source>
        <translation>„%1“ ist kein SIP-Hostname: Geben Sie nur den Host des Trunks Ihres Anbieters ein, etwa trunk.carrier.example, ohne sip:, Port oder Pfad.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enter the SIP trunk&apos;s termination host for its user and password.</source>
        <translation>Geben Sie zu Benutzer und Passwort auch den Terminierungs-Host des SIP-Trunks ein.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter the SIP trunk&apos;s user name for its password.</source>
        <translation>Geben Sie zum Passwort auch den Benutzernamen des SIP-Trunks ein.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Add at least one service callers can book.</source>
        <translation>Fügen Sie mindestens eine Leistung hinzu, die Anrufer buchen können.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Service %1 needs a name.</source>
        <translation>Leistung %1 braucht einen Namen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&quot;%1&quot; is listed twice.</source>
        <translation>„%1“ ist doppelt aufgeführt.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&quot;%1&quot; must last between 5 and 480 minutes.</source>
        <translation>„%1“ muss zwischen 5 und 480 Minuten dauern.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&quot;%1&quot; cannot have a negative price.</source>
        <translation>„%1“ kann keinen negativen Preis haben.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Staff member %1 needs a name.</source>
        <translation>Mitarbeiter %1 braucht einen Namen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 needs a valid e-mail address.</source>
        <translation>%1 braucht eine gültige E-Mail-Adresse.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Staff member %1</source>
        <translation>Mitarbeiter %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 is listed twice.</source>
        <translation>%1 ist doppelt aufgeführt.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Enter the company&apos;s Cal.com API key (Cal.com: Settings &gt; Developer &gt; API keys).</source>
        <translation>Geben Sie den Cal.com-API-Schlüssel des Unternehmens ein (Cal.com: Einstellungen &gt; Entwickler &gt; API-Schlüssel).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A Cal.com API key starts with cal_live_ or cal_test_.</source>
        <translation>Ein Cal.com-API-Schlüssel beginnt mit cal_live_ oder cal_test_.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A Stripe secret key starts with sk_live_, sk_test_ or rk_ (leave empty to skip billing).</source>
        <translation>Ein geheimer Stripe-Schlüssel beginnt mit sk_live_, sk_test_ oder rk_ (leer lassen, um die Abrechnung zu überspringen).</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>The setup file is not valid: %1</source>
        <translation>Die Einrichtungsdatei ist ungültig: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>it must be a JSON object</source>
        <translation>sie muss ein JSON-Objekt sein</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&quot;%1&quot; must be an object</source>
        <translation>„%1“ muss ein Objekt sein</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&quot;%1&quot; must be a list</source>
        <translation>„%1“ muss eine Liste sein</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>company.supported_languages must be a list such as [&quot;de&quot;, &quot;en&quot;]</source>
        <translation>company.supported_languages muss eine Liste wie [&quot;de&quot;, &quot;en&quot;] sein</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>branch.sip must be an object with termination_host, user and password</source>
        <translation>branch.sip muss ein Objekt mit termination_host, user und password sein</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>branch.buy must be an object with area_code and country_code</source>
        <translation>branch.buy muss ein Objekt mit area_code und country_code sein</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>every service must be an object with name, duration_minutes and price_cents</source>
        <translation>jede Leistung muss ein Objekt mit name, duration_minutes und price_cents sein</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>every staff member must be an object with name and email</source>
        <translation>jeder Mitarbeiter muss ein Objekt mit name und email sein</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
</context>
<context>
    <name>SmtpMailer</name>
    <message>
        <location filename="../backend/integrations/smtpmailer.cpp" line="+76"/>
        <source>The mail library could not start</source>
        <translation>Die Mail-Bibliothek konnte nicht starten</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>The mail server refused the message</source>
        <translation>Der Mailserver hat die Nachricht abgelehnt</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The mail server cannot be reached right now</source>
        <translation>Der Mailserver ist gerade nicht erreichbar</translation>
    </message>
</context>
<context>
    <name>SupportService</name>
    <message>
        <location filename="../backend/support/supportservice.cpp" line="+55"/>
        <location line="+36"/>
        <location line="+101"/>
        <source>Call %1 does not exist</source>
        <translation>Anruf %1 existiert nicht</translation>
    </message>
    <message>
        <source>Retry queued by %1</source>
        <translation type="vanished">Erneuter Versuch eingereiht von %1</translation>
    </message>
    <message>
        <location line="-88"/>
        <source>No branch has the called number %1</source>
        <translation>Keiner Filiale ist die angerufene Nummer %1 zugeordnet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The called number %1 belongs to no branch: add the number to a branch first.</source>
        <translation>Die angerufene Nummer %1 gehört zu keiner Filiale: Ordnen Sie die Nummer zuerst einer Filiale zu.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Branch %1 is inactive</source>
        <translation>Filiale %1 ist inaktiv</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Branch %1 is inactive: activate it or move the number to an active branch.</source>
        <translation>Filiale %1 ist inaktiv: Aktivieren Sie sie oder ordnen Sie die Nummer einer aktiven Filiale zu.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Branch %1</source>
        <translation>Filiale %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Existing customer %1</source>
        <translation>Bestehender Kunde %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New customer for %1</source>
        <translation>Neuer Kunde für %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Already booked; the retry adds nothing</source>
        <translation>Bereits gebucht; ein erneuter Versuch ändert nichts</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The call holds no appointment request</source>
        <translation>Der Anruf enthält keinen Terminwunsch</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The call holds no appointment request: edit the data first.</source>
        <translation>Der Anruf enthält keinen Terminwunsch: Bearbeiten Sie zuerst die Daten.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Appointment &quot;%1&quot; on %2 at %3</source>
        <translation>Termin „%1“ am %2 um %3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(no date)</source>
        <translation>(kein Datum)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(no time)</source>
        <translation>(keine Uhrzeit)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The request has no complete date and time: edit the data first.</source>
        <translation>Der Terminwunsch hat kein vollständiges Datum mit Uhrzeit: Bearbeiten Sie zuerst die Daten.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No service matches &quot;%1&quot;</source>
        <translation>Keine Leistung passt zu „%1“</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No active service of this company matches &quot;%1&quot;: correct the service or add it.</source>
        <translation>Keine aktive Leistung dieses Unternehmens passt zu „%1“: Korrigieren Sie die Leistung oder legen Sie sie an.</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>Service %1 (%n min)</source>
        <translation>
            <numerusform>Leistung %1 (%n Min.)</numerusform>
            <numerusform>Leistung %1 (%n Min.)</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cal.com event type %1</source>
        <translation>Cal.com-Ereignistyp %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No Cal.com event type mapped</source>
        <translation>Kein Cal.com-Ereignistyp zugeordnet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Service %1 has no Cal.com event type at branch %2: map one in the setup.</source>
        <translation>Leistung %1 hat in Filiale %2 keinen Cal.com-Ereignistyp: Ordnen Sie in der Einrichtung einen zu.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Cal.com credentials stored</source>
        <translation>Cal.com-Zugangsdaten hinterlegt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No Cal.com credentials</source>
        <translation>Keine Cal.com-Zugangsdaten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No Cal.com API key is stored for this company: add one with &apos;askpro-server credentials&apos;.</source>
        <translation>Für dieses Unternehmen ist kein Cal.com-API-Schlüssel hinterlegt: Fügen Sie einen mit „askpro-server credentials“ hinzu.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Enter at least a service or a date.</source>
        <translation>Geben Sie mindestens eine Leistung oder ein Datum ein.</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>An inbound call webhook is answered while the phone rings; replaying it later changes nothing.</source>
        <translation>Ein Webhook für eingehende Anrufe wird beantwortet, während das Telefon klingelt; ihn später erneut abzuspielen ändert nichts.</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>The Twilio delivery is applied again; a message status never moves backwards.</source>
        <translation>Die Twilio-Zustellung wird erneut angewendet; ein Nachrichtenstatus geht nie zurück.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The call flow runs again for this delivery; it books nothing twice.</source>
        <translation>Der Anrufablauf läuft für diese Zustellung erneut; er bucht nichts doppelt.</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+5"/>
        <source>Applying it changes nothing: %1</source>
        <translation>Anwenden ändert nichts: %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Applying it changes nothing.</source>
        <translation>Anwenden ändert nichts.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Creates a booked appointment at %1.</source>
        <translation>Legt einen gebuchten Termin am %1 an.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Appointment %1 stays %2 at %3; only its sync state is set.</source>
        <translation>Termin %1 bleibt %2 am %3; nur sein Abgleichstatus wird gesetzt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Appointment %1: %2 at %3 becomes %4 at %5.</source>
        <translation>Termin %1: %2 am %3 wird %4 am %5.</translation>
    </message>
    <message>
        <source>Appointment data corrected by %1</source>
        <translation type="vanished">Termindaten korrigiert von %1</translation>
    </message>
    <message>
        <source>Marked resolved by %1</source>
        <translation type="vanished">Als erledigt markiert von %1</translation>
    </message>
    <message>
        <source>Marked resolved by %1: %2</source>
        <translation type="vanished">Als erledigt markiert von %1: %2</translation>
    </message>
    <message>
        <location line="-86"/>
        <location line="+52"/>
        <source>Delivery %1 does not exist</source>
        <translation>Zustellung %1 existiert nicht</translation>
    </message>
    <message>
        <location line="-36"/>
        <source>Deliveries from %1 cannot be replayed</source>
        <translation>Zustellungen von %1 können nicht erneut verarbeitet werden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This delivery was refused at intake (%1) and is not trusted; it cannot be replayed.</source>
        <translation>Diese Zustellung wurde bei der Annahme abgelehnt (%1) und gilt als nicht vertrauenswürdig; sie kann nicht erneut verarbeitet werden.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>This delivery was just replayed; try again in a moment.</source>
        <translation>Diese Zustellung wurde gerade erneut verarbeitet; versuchen Sie es gleich noch einmal.</translation>
    </message>
</context>
<context>
    <name>TimelineText</name>
    <message>
        <location filename="../models/timelinetext.cpp" line="+42"/>
        <source>Twilio could not deliver it to the phone</source>
        <translation>Twilio konnte sie nicht auf das Telefon zustellen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Twilio could not send it</source>
        <translation>Twilio konnte sie nicht senden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 did not answer in time</source>
        <translation>%1 hat nicht rechtzeitig geantwortet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 cannot be reached</source>
        <translation>%1 ist nicht erreichbar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 refused our credentials</source>
        <translation>%1 hat unsere Zugangsdaten abgelehnt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 asks us to slow down</source>
        <translation>%1 bittet um weniger Anfragen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 is failing (HTTP %2)</source>
        <translation>%1 antwortet mit Fehlern (HTTP %2)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 does not know this object</source>
        <translation>%1 kennt dieses Objekt nicht</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 refused the request (HTTP %2)</source>
        <translation>%1 hat die Anfrage abgelehnt (HTTP %2)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 (%2)</source>
        <comment>an error and the provider&apos;s own words</comment>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Needs a callback: %1</source>
        <translation>Rückruf nötig: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Needs a callback: %1. Free instead: %2</source>
        <translation>Rückruf nötig: %1. Stattdessen frei: %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Retell event %1 received</source>
        <translation>Retell-Ereignis %1 empfangen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Live booking request from the voice agent</source>
        <translation>Live-Buchungsanfrage vom Sprachagenten</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The called number %1 belongs to no active branch</source>
        <translation>Die angerufene Nummer %1 gehört zu keiner aktiven Filiale</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The call belongs to no active branch</source>
        <translation>Der Anruf gehört zu keiner aktiven Filiale</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Appointment requested: %1 on %2 at %3</source>
        <translation>Termin gewünscht: %1 am %2 um %3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(no service named)</source>
        <translation>(keine Leistung genannt)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No appointment data yet; waiting for the call analysis</source>
        <translation>Noch keine Termindaten; warte auf die Anrufanalyse</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The caller did not ask for an appointment</source>
        <translation>Der Anrufer wollte keinen Termin</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The call holds no appointment request to book</source>
        <translation>Der Anruf enthält keinen buchbaren Terminwunsch</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No service of this company matches &quot;%1&quot;</source>
        <translation>Keine Leistung dieses Unternehmens passt zu „%1“</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No Cal.com event type is mapped to &quot;%1&quot; at branch %2</source>
        <translation>In Filiale %2 ist „%1“ kein Cal.com-Ereignistyp zugeordnet</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Will try again: %1</source>
        <translation>Neuer Versuch folgt: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Will try again: another attempt is booking this call right now</source>
        <translation>Neuer Versuch folgt: Ein anderer Versuch bucht diesen Anruf gerade</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Booking retried</source>
        <translation>Buchung erneut versucht</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Already booked; nothing to add</source>
        <translation>Bereits gebucht; nichts zu ergänzen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Found the booking an earlier attempt made</source>
        <translation>Buchung eines früheren Versuchs gefunden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Availability read from the slot cache</source>
        <translation>Verfügbarkeit aus dem Zwischenspeicher gelesen</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Availability fetched from Cal.com: %n free slot(s)</source>
        <translation>
            <numerusform>Verfügbarkeit von Cal.com abgerufen: %n freies Zeitfenster</numerusform>
            <numerusform>Verfügbarkeit von Cal.com abgerufen: %n freie Zeitfenster</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The requested time is not free; the caller agreed to the nearest free slot</source>
        <translation>Die gewünschte Zeit ist nicht frei; der Anrufer hat dem nächsten freien Zeitfenster zugestimmt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cal.com refused %1: %2</source>
        <translation>Cal.com hat %1 abgelehnt: %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cal.com answered the booking without uid or start</source>
        <translation>Cal.com hat die Buchung ohne UID oder Beginn beantwortet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Booked in Cal.com for %1 (uid %2)</source>
        <translation>In Cal.com gebucht für %1 (UID %2)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No free slot in the 7 days from the requested date</source>
        <translation>Kein freies Zeitfenster in den 7 Tagen ab dem gewünschten Datum</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The requested time is not free and the caller did not agree to another</source>
        <translation>Die gewünschte Zeit ist nicht frei, und der Anrufer hat keiner anderen zugestimmt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The slot was taken before it could be booked</source>
        <translation>Das Zeitfenster wurde vergeben, bevor es gebucht werden konnte</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The caller named no date and time</source>
        <translation>Der Anrufer hat weder Datum noch Uhrzeit genannt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Confirmation e-mail queued for %1</source>
        <translation>Bestätigungs-E-Mail an %1 eingereiht</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Confirmation e-mail sent to %1</source>
        <translation>Bestätigungs-E-Mail an %1 gesendet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Confirmation e-mail to %1 not sent: %2</source>
        <translation>Bestätigungs-E-Mail an %1 nicht gesendet: %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Confirmation SMS sent to %1</source>
        <translation>Bestätigungs-SMS an %1 gesendet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Confirmation SMS delivered to %1</source>
        <translation>Bestätigungs-SMS an %1 zugestellt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Confirmation SMS to %1 failed: %2</source>
        <translation>Bestätigungs-SMS an %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The SMS could not be delivered: confirmation e-mail queued for %1 instead</source>
        <translation>Die SMS konnte nicht zugestellt werden: Bestätigungs-E-Mail an %1 stattdessen eingereiht</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 sent again by %2</source>
        <translation>%1 erneut gesendet von %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Recovery queued another booking attempt</source>
        <translation>Wiederherstellung hat einen weiteren Buchungsversuch eingereiht</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Retry queued by %1</source>
        <translation>Erneuter Versuch eingereiht von %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Appointment data corrected by %1</source>
        <translation>Termindaten korrigiert von %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Marked resolved by %1</source>
        <translation>Als erledigt markiert von %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Marked resolved by %1: %2</source>
        <translation>Als erledigt markiert von %1: %2</translation>
    </message>
</context>
<context>
    <name>UserStore</name>
    <message>
        <location filename="../backend/security/userstore.cpp" line="+67"/>
        <source>The user name or the password is wrong.</source>
        <translation>Der Benutzername oder das Passwort ist falsch.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>A user name has 3 to 64 characters: lower-case letters, digits and . _ @ -, starting with a letter or digit.</source>
        <translation>Ein Benutzername hat 3 bis 64 Zeichen: Kleinbuchstaben, Ziffern und . _ @ -, am Anfang ein Buchstabe oder eine Ziffer.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 is a role of AskProAI&apos;s own staff and belongs to no company.</source>
        <translation>%1 ist eine Rolle der AskProAI-Mitarbeiter:innen und gehört zu keiner Firma.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 needs the company the account belongs to.</source>
        <translation>%1 braucht die Firma, zu der das Konto gehört.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Company %1 does not exist.</source>
        <translation>Firma %1 gibt es nicht.</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+177"/>
        <source>The language must be de, en or empty.</source>
        <translation>Die Sprache muss de, en oder leer sein.</translation>
    </message>
    <message>
        <location line="-162"/>
        <source>The first administrator has already been created.</source>
        <translation>Der erste Administrator wurde bereits angelegt.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The user name %1 is taken.</source>
        <translation>Der Benutzername %1 ist vergeben.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The user could not be stored.</source>
        <translation>Der Benutzer konnte nicht gespeichert werden.</translation>
    </message>
    <message numerus="yes">
        <location line="+54"/>
        <source>This account is locked for %n more minute(s) after too many failed sign-ins.</source>
        <translation>
            <numerusform>Dieses Konto ist nach zu vielen fehlgeschlagenen Anmeldungen noch %n Minute gesperrt.</numerusform>
            <numerusform>Dieses Konto ist nach zu vielen fehlgeschlagenen Anmeldungen noch %n Minuten gesperrt.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+34"/>
        <source>This account has been deactivated.</source>
        <translation>Dieses Konto wurde deaktiviert.</translation>
    </message>
    <message>
        <location line="+42"/>
        <location line="+81"/>
        <source>User %1 does not exist.</source>
        <translation>Benutzer %1 existiert nicht.</translation>
    </message>
    <message>
        <location line="-35"/>
        <source>%1 is the last active administrator; make someone else administrator first.</source>
        <translation>%1 ist der letzte aktive Administrator; machen Sie zuerst jemand anderen zum Administrator.</translation>
    </message>
    <message>
        <location filename="../backend/api/sessionroutes.cpp" line="+329"/>
        <location filename="../backend/security/userstore.cpp" line="+38"/>
        <source>The current password is wrong.</source>
        <translation>Das aktuelle Passwort ist falsch.</translation>
    </message>
</context>
<context>
    <name>WebhookSignatures</name>
    <message>
        <location filename="../backend/intake/signatures.cpp" line="+58"/>
        <source>The x-retell-signature header is missing</source>
        <translation>Der Header x-retell-signature fehlt</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The x-retell-signature header is malformed</source>
        <translation>Der Header x-retell-signature ist fehlerhaft</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The Retell signature is older than 5 minutes (or from the future)</source>
        <translation>Die Retell-Signatur ist älter als 5 Minuten (oder aus der Zukunft)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The Retell signature does not match</source>
        <translation>Die Retell-Signatur stimmt nicht überein</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The X-Cal-Signature-256 header is missing</source>
        <translation>Der Header X-Cal-Signature-256 fehlt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The Cal.com signature does not match</source>
        <translation>Die Cal.com-Signatur stimmt nicht überein</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The Stripe-Signature header is missing</source>
        <translation>Der Header Stripe-Signature fehlt</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The Stripe-Signature header is malformed</source>
        <translation>Der Header Stripe-Signature ist fehlerhaft</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The Stripe signature is older than 300 seconds (or from the future)</source>
        <translation>Die Stripe-Signatur ist älter als 300 Sekunden (oder aus der Zukunft)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The Stripe signature does not match</source>
        <translation>Die Stripe-Signatur stimmt nicht überein</translation>
    </message>
</context>
<context>
    <name>askpro::AdminApi</name>
    <message>
        <location filename="../backend/api/adminapi.cpp" line="+68"/>
        <source>The server could not answer; the reason is in its log.</source>
        <translation>Der Server konnte nicht antworten; der Grund steht in seinem Protokoll.</translation>
    </message>
    <message>
        <location line="+111"/>
        <source>The request body is larger than %1 bytes.</source>
        <translation>Der Inhalt der Anfrage ist größer als %1 Bytes.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>This path does not take %1.</source>
        <translation>Dieser Pfad nimmt kein %1 an.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No such API route.</source>
        <translation>Diesen API-Pfad gibt es nicht.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Too many sign-in attempts; wait a minute.</source>
        <translation>Zu viele Anmeldeversuche; bitte eine Minute warten.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Too many refused requests from this address; try again later.</source>
        <translation>Zu viele abgewiesene Anfragen von dieser Adresse; bitte später erneut versuchen.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Sign in first.</source>
        <translation>Bitte zuerst anmelden.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Your role may not %1.</source>
        <translation>Ihre Rolle darf nicht: %1.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The request body nests deeper than %1 levels.</source>
        <translation>Der Inhalt der Anfrage ist tiefer als %1 Ebenen verschachtelt.</translation>
    </message>
    <message>
        <location line="+3"/>
        <location filename="../backend/api/customerroutes.cpp" line="+65"/>
        <location filename="../backend/api/directoryroutes.cpp" line="+38"/>
        <source>The request body must be a JSON object.</source>
        <translation>Der Inhalt der Anfrage muss ein JSON-Objekt sein.</translation>
    </message>
    <message>
        <location filename="../backend/api/apirequest.cpp" line="+20"/>
        <location filename="../backend/api/appointmentroutes.cpp" line="+199"/>
        <location filename="../backend/api/billingroutes.cpp" line="+33"/>
        <location filename="../backend/api/importroutes.cpp" line="-29"/>
        <location line="+8"/>
        <location line="+21"/>
        <location line="+5"/>
        <location line="+61"/>
        <location filename="../backend/api/secretroutes.cpp" line="+37"/>
        <location filename="../backend/api/sessionroutes.cpp" line="-226"/>
        <location line="+187"/>
        <location filename="../backend/api/templateroutes.cpp" line="+43"/>
        <source>Parameter %1: %2.</source>
        <translation>Parameter %1: %2.</translation>
    </message>
    <message>
        <location line="+10"/>
        <location filename="../backend/api/importroutes.cpp" line="-95"/>
        <location line="+34"/>
        <location filename="../backend/api/secretroutes.cpp" line="+11"/>
        <location filename="../backend/api/sessionroutes.cpp" line="-187"/>
        <location filename="../backend/api/templateroutes.cpp" line="+0"/>
        <source>a positive whole number is expected</source>
        <translation>erwartet wird eine positive ganze Zahl</translation>
    </message>
    <message>
        <location line="+11"/>
        <location filename="../backend/api/secretroutes.cpp" line="+72"/>
        <source>a whole number from %1 to %2 is expected</source>
        <translation>erwartet wird eine ganze Zahl von %1 bis %2</translation>
    </message>
    <message>
        <location line="+10"/>
        <location filename="../backend/api/secretroutes.cpp" line="-60"/>
        <source>one of %1 is expected</source>
        <translation>erwartet wird einer der Werte %1</translation>
    </message>
    <message>
        <location line="+17"/>
        <location filename="../backend/api/secretroutes.cpp" line="-7"/>
        <location filename="../backend/api/templateroutes.cpp" line="+94"/>
        <location line="+10"/>
        <source>No such company.</source>
        <translation>Diese Firma gibt es nicht.</translation>
    </message>
    <message>
        <location line="+9"/>
        <location filename="../backend/api/secretroutes.cpp" line="+17"/>
        <source>this field is required</source>
        <translation>dieses Feld ist erforderlich</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>a text is expected</source>
        <translation>erwartet wird ein Text</translation>
    </message>
    <message>
        <location line="+115"/>
        <location filename="../backend/api/appointmentroutes.cpp" line="-116"/>
        <location line="+12"/>
        <location filename="../backend/api/callroutes.cpp" line="+204"/>
        <location filename="../backend/api/directoryroutes.cpp" line="+144"/>
        <location line="+19"/>
        <location line="+22"/>
        <location filename="../backend/api/inboxroutes.cpp" line="+38"/>
        <location filename="../backend/api/messageroutes.cpp" line="+82"/>
        <source>No such record.</source>
        <translation>Diesen Eintrag gibt es nicht.</translation>
    </message>
    <message>
        <location line="-54"/>
        <source>Parameter after: not a cursor of this list.</source>
        <translation>Parameter after: keine Position dieser Liste.</translation>
    </message>
    <message>
        <location filename="../backend/api/sessionroutes.cpp" line="-15"/>
        <source>Parameter %1: one of admin, owner, support, onboarding, company_owner, company_staff is expected.</source>
        <translation>Parameter %1: erwartet wird admin, owner, support, onboarding, company_owner oder company_staff.</translation>
    </message>
    <message>
        <location line="+68"/>
        <source>The first administrator is created on the server&apos;s own machine.</source>
        <translation>Die erste Administratorin wird auf dem Rechner des Servers selbst angelegt.</translation>
    </message>
    <message>
        <location line="+134"/>
        <source>true or false is expected</source>
        <translation>erwartet wird true oder false</translation>
    </message>
    <message>
        <location filename="../backend/api/appointmentroutes.cpp" line="+85"/>
        <source>The appointment is already cancelled.</source>
        <translation>Der Termin ist bereits storniert.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+24"/>
        <source>Cal.com is still being asked about this appointment.</source>
        <translation>Cal.com wird zu diesem Termin noch angefragt.</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>the new start in UTC milliseconds</source>
        <translation>der neue Beginn in UTC-Millisekunden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose a new time in the future.</source>
        <translation>Wählen Sie einen neuen Zeitpunkt in der Zukunft.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A cancelled appointment cannot be moved.</source>
        <translation>Ein stornierter Termin kann nicht verschoben werden.</translation>
    </message>
    <message>
        <source>Parameter tables: %1 is not a list (calls, appointments, customers, inbox).</source>
        <translation type="vanished">Parameter tables: %1 ist keine Liste (calls, appointments, customers, inbox).</translation>
    </message>
    <message>
        <location filename="../backend/api/directoryroutes.cpp" line="-171"/>
        <source>Parameter %1: a text, a whole number or true/false is expected.</source>
        <translation>Parameter %1: erwartet wird ein Text, eine ganze Zahl oder true/false.</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>The body needs weekly and closures, each a list (empty ones too).</source>
        <translation>Der Inhalt braucht weekly und closures, jeweils als Liste (auch leer).</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>weekly[%1]: a weekday from 1 (Monday) to 7 (Sunday), opens and closes as HH:MM, closing after opening.</source>
        <translation>weekly[%1]: ein Wochentag von 1 (Montag) bis 7 (Sonntag), opens und closes als HH:MM, Schließen nach dem Öffnen.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>closures[%1]: first_day and last_day as YYYY-MM-DD, the last not before the first.</source>
        <translation>closures[%1]: first_day und last_day als JJJJ-MM-TT, der letzte Tag nicht vor dem ersten.</translation>
    </message>
    <message>
        <location filename="../backend/api/auditroutes.cpp" line="+55"/>
        <location filename="../backend/api/messageroutes.cpp" line="-25"/>
        <source>Parameter zone: an IANA time zone is expected.</source>
        <translation>Parameter zone: eine IANA-Zeitzone wird erwartet.</translation>
    </message>
    <message>
        <location filename="../backend/api/billingroutes.cpp" line="+10"/>
        <source>a date as yyyy-MM-dd is expected</source>
        <translation>ein Datum als JJJJ-MM-TT wird erwartet</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>a month as yyyy-MM is expected</source>
        <translation>ein Monat als JJJJ-MM wird erwartet</translation>
    </message>
    <message>
        <location line="+91"/>
        <source>This server cannot render invoice PDFs.</source>
        <translation>Dieser Server kann keine Rechnungs-PDFs erzeugen.</translation>
    </message>
    <message>
        <location line="+176"/>
        <source>a day after from, at most three years later, is expected</source>
        <translation>ein Tag nach from, höchstens drei Jahre später, wird erwartet</translation>
    </message>
    <message>
        <location filename="../backend/api/callroutes.cpp" line="-26"/>
        <source>Parameter sort: callers are shown masked to this role and cannot be sorted.</source>
        <translation>Parameter sort: Anrufer werden dieser Rolle maskiert gezeigt und lassen sich nicht sortieren.</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>A JSON object is expected.</source>
        <translation>Ein JSON-Objekt wird erwartet.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The request names neither a service nor a date.</source>
        <translation>Der Wunsch nennt weder eine Leistung noch ein Datum.</translation>
    </message>
    <message>
        <location filename="../backend/api/savedviewroutes.cpp" line="+22"/>
        <source>Parameter page: a short lower-case page name is expected.</source>
        <translation>Parameter page: ein kurzer Seitenname in Kleinbuchstaben wird erwartet.</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Parameter filters: an object of at most 8 KiB is expected.</source>
        <translation>Parameter filters: ein Objekt von höchstens 8 KiB wird erwartet.</translation>
    </message>
    <message>
        <location filename="../backend/api/changeroutes.cpp" line="+35"/>
        <source>Parameter tables: %1 is not a list (calls, appointments, customers, inbox, health).</source>
        <translation>Parameter tables: %1 ist keine Liste (calls, appointments, customers, inbox, health).</translation>
    </message>
    <message>
        <location filename="../backend/api/customerroutes.cpp" line="+13"/>
        <source>Field %1: a text is expected.</source>
        <translation>Feld %1: Ein Text wird erwartet.</translation>
    </message>
    <message>
        <location line="+6"/>
        <location filename="../backend/api/setuproutes.cpp" line="+112"/>
        <source>Field %1: true or false is expected.</source>
        <translation>Feld %1: true oder false wird erwartet.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Field %1 cannot be changed here.</source>
        <translation>Feld %1 kann hier nicht geändert werden.</translation>
    </message>
</context>
<context>
    <name>askpro::ApiRecordsModel</name>
    <message>
        <location filename="../models/apirecordsmodel.cpp" line="+147"/>
        <source>Yes</source>
        <translation>Ja</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No</source>
        <translation>Nein</translation>
    </message>
</context>
<context>
    <name>askpro::AppointmentService</name>
    <message>
        <location filename="../backend/support/appointmentservice.cpp" line="+50"/>
        <source>The appointment no longer exists.</source>
        <translation>Den Termin gibt es nicht mehr.</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>The appointment is already cancelled.</source>
        <translation>Der Termin ist bereits storniert.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The appointment has no Cal.com booking to cancel.</source>
        <translation>Der Termin hat keine Cal.com-Buchung, die storniert werden könnte.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+62"/>
        <source>The credentials key is not available.</source>
        <translation>Der Schlüssel für die Zugangsdaten ist nicht verfügbar.</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>A cancelled appointment cannot be moved.</source>
        <translation>Ein stornierter Termin kann nicht verschoben werden.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose a new time in the future.</source>
        <translation>Wählen Sie einen neuen Zeitpunkt in der Zukunft.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The appointment has no Cal.com booking to move.</source>
        <translation>Der Termin hat keine Cal.com-Buchung, die verschoben werden könnte.</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>A cancelled appointment cannot be a no-show.</source>
        <translation>Ein stornierter Termin kann nicht als „nicht erschienen“ markiert werden.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only appointments that have started can be no-shows.</source>
        <translation>Nur bereits begonnene Termine können als „nicht erschienen“ markiert werden.</translation>
    </message>
</context>
<context>
    <name>askpro::AppointmentsPage</name>
    <message>
        <location filename="../ui/pages/appointmentspage.cpp" line="+76"/>
        <source>Upcoming</source>
        <translation>Anstehend</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Past</source>
        <translation>Vergangen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled</source>
        <translation>Storniert</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+141"/>
        <source>All branches</source>
        <translation>Alle Filialen</translation>
    </message>
    <message>
        <source>%1 (inactive)</source>
        <translation type="vanished">%1 (inaktiv)</translation>
    </message>
    <message>
        <location line="-132"/>
        <source>Every status</source>
        <translation>Jeder Status</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Customer name or phone</source>
        <translation>Kundenname oder Telefonnummer</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No.</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Starts</source>
        <translation>Beginn</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time zone</source>
        <translation>Zeitzone</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+262"/>
        <source>Branch</source>
        <translation>Filiale</translation>
    </message>
    <message>
        <location line="-261"/>
        <location line="+263"/>
        <source>Staff</source>
        <translation>Mitarbeiter</translation>
    </message>
    <message>
        <location line="-262"/>
        <location line="+261"/>
        <source>Service</source>
        <translation>Leistung</translation>
    </message>
    <message>
        <location line="-260"/>
        <location line="+267"/>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <location line="-266"/>
        <location line="+261"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="-260"/>
        <source>Sync</source>
        <translation>Abgleich</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Call</source>
        <translation>Anruf</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Open the call</source>
        <translation>Anruf öffnen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel appointment…</source>
        <translation>Termin stornieren…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reschedule…</source>
        <translation>Verschieben…</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+377"/>
        <location line="+6"/>
        <source>Mark no-show</source>
        <translation>Als nicht erschienen markieren</translation>
    </message>
    <message>
        <location line="-359"/>
        <source>appointments</source>
        <translation>termine</translation>
    </message>
    <message>
        <location line="-106"/>
        <location line="+154"/>
        <source>All staff</source>
        <translation>Alle Mitarbeiter</translation>
    </message>
    <message>
        <location line="-151"/>
        <location line="+152"/>
        <source>All services</source>
        <translation>Alle Leistungen</translation>
    </message>
    <message>
        <location line="+92"/>
        <source>No appointments match these filters.</source>
        <translation>Keine Termine entsprechen diesen Filtern.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Select an appointment.</source>
        <translation>Wählen Sie einen Termin aus.</translation>
    </message>
    <message>
        <location line="-137"/>
        <location line="+138"/>
        <source>The appointments cannot be read: %1</source>
        <translation>Die Termine können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>The appointment no longer exists.</source>
        <translation>Den Termin gibt es nicht mehr.</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Appointment %1</source>
        <translation>Termin %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>anyone</source>
        <translation>beliebig</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cal.com</source>
        <translation>Cal.com</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>(no name)</source>
        <translation>(kein Name)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Booked by call</source>
        <translation>Gebucht durch Anruf</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Call %1 on %2 (%3)</source>
        <translation>Anruf %1 am %2 (%3)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Notes</source>
        <translation>Notizen</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>The server cannot be reached, so nothing was changed. Try again when it answers.</source>
        <translation>Der Server ist nicht erreichbar, daher wurde nichts geändert. Versuchen Sie es erneut, sobald er antwortet.</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+3"/>
        <location line="+8"/>
        <source>Cancel appointment</source>
        <translation>Termin stornieren</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>Reason (sent to Cal.com):</source>
        <translation>Grund (wird an Cal.com übermittelt):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled by phone</source>
        <translation>Telefonisch storniert</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cancelling appointment %1 at Cal.com…</source>
        <translation>Termin %1 wird bei Cal.com storniert…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cal.com did not cancel the appointment:
%1</source>
        <translation>Cal.com hat den Termin nicht storniert:
%1</translation>
    </message>
    <message>
        <source>Cancelling appointment %1 failed.</source>
        <translation type="vanished">Stornieren von Termin %1 ist fehlgeschlagen.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Appointment %1 cancelled.</source>
        <translation>Termin %1 storniert.</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+6"/>
        <location line="+22"/>
        <source>Reschedule appointment</source>
        <translation>Termin verschieben</translation>
    </message>
    <message>
        <location line="-15"/>
        <source>Rescheduled by phone</source>
        <translation>Telefonisch verschoben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New start (%1):</source>
        <translation>Neuer Beginn (%1):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason:</source>
        <translation>Grund:</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Rescheduling appointment %1 at Cal.com…</source>
        <translation>Termin %1 wird bei Cal.com verschoben…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cal.com did not move the appointment:
%1</source>
        <translation>Cal.com hat den Termin nicht verschoben:
%1</translation>
    </message>
    <message>
        <source>Rescheduling appointment %1 failed.</source>
        <translation type="vanished">Verschieben von Termin %1 ist fehlgeschlagen.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Appointment %1 moved.</source>
        <translation>Termin %1 verschoben.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The server cannot be reached, so nothing was changed: %1</source>
        <translation>Der Server ist nicht erreichbar, daher wurde nichts geändert: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+7"/>
        <location line="+30"/>
        <source>%1: not done.</source>
        <translation>%1: nicht ausgeführt.</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>%1: Cal.com has not answered yet; the list shows the outcome when it does.</source>
        <translation>%1: Cal.com hat noch nicht geantwortet; die Liste zeigt das Ergebnis, sobald es da ist.</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Appointment %1 marked as no-show.</source>
        <translation>Termin %1 als nicht erschienen markiert.</translation>
    </message>
</context>
<context>
    <name>askpro::AuditPage</name>
    <message>
        <location filename="../ui/pages/auditpage.cpp" line="+84"/>
        <source>Search in the changes</source>
        <translation>In den Änderungen suchen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Show all entities</source>
        <translation>Alle Objekte zeigen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Who:</source>
        <translation>Wer:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>What:</source>
        <translation>Was:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>From:</source>
        <translation>Von:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>To:</source>
        <translation>Bis:</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No.</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time zone</source>
        <translation>Zeitzone</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Who</source>
        <translation>Wer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Entity</source>
        <translation>Objekt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Entity no.</source>
        <translation>Objekt-Nr.</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Before</source>
        <translation>Vorher</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>After</source>
        <translation>Nachher</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>The audit log cannot be read: %1</source>
        <translation>Das Prüfprotokoll kann nicht gelesen werden: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+19"/>
        <source>Only the first %Ln entries are exported.</source>
        <translation>
            <numerusform>Nur der erste Eintrag wird exportiert.</numerusform>
            <numerusform>Nur die ersten %Ln Einträge werden exportiert.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>audit-log</source>
        <translation>pruefprotokoll</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Everyone</source>
        <translation>Alle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Every action</source>
        <translation>Jede Aktion</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Only %1 %2</source>
        <translation>Nur %1 %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Audit log: all entities</source>
        <translation>Prüfprotokoll: alle Objekte</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Audit log: history of %1 %2</source>
        <translation>Prüfprotokoll: Verlauf von %1 %2</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>No audit entries match the filter.</source>
        <translation>Keine Einträge im Prüfprotokoll passen zum Filter.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Select an entry to see what changed.</source>
        <translation>Wählen Sie einen Eintrag aus, um zu sehen, was sich geändert hat.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>%1 did %2 on %3 %4 at %5.</source>
        <translation>%1 hat %2 an %3 %4 ausgeführt, am %5.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Changed: %1.</source>
        <translation>Geändert: %1.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(nothing: the entry records a creation or an event)</source>
        <translation>(nichts: der Eintrag hält eine Anlage oder ein Ereignis fest)</translation>
    </message>
</context>
<context>
    <name>askpro::CalendarPage</name>
    <message>
        <location filename="../ui/pages/calendarpage.cpp" line="+35"/>
        <source>Previous week</source>
        <translation>Vorherige Woche</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This week</source>
        <translation>Diese Woche</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next week</source>
        <translation>Nächste Woche</translation>
    </message>
    <message>
        <location line="+154"/>
        <source>The calendar cannot be read: %1</source>
        <translation>Der Kalender kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>%1 (inactive)</source>
        <translation type="vanished">%1 (inaktiv)</translation>
    </message>
    <message>
        <location line="-107"/>
        <source>No branches yet</source>
        <translation>Noch keine Filialen</translation>
    </message>
    <message>
        <location line="-52"/>
        <location line="+71"/>
        <source>All staff</source>
        <translation>Alle Mitarbeiter</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>The branches cannot be read from the server.</source>
        <translation>Die Filialen können nicht vom Server gelesen werden.</translation>
    </message>
    <message numerus="yes">
        <location line="+83"/>
        <source>Week %1: %2 – %3 (%4, %n appointment(s))</source>
        <translation>
            <numerusform>KW %1: %2 – %3 (%4, %n Termin)</numerusform>
            <numerusform>KW %1: %2 – %3 (%4, %n Termine)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>askpro::CallDetailPane</name>
    <message>
        <location filename="../ui/widgets/calldetailpane.cpp" line="+76"/>
        <location line="+121"/>
        <source>Select a call to see its conversation, timeline and payload.</source>
        <translation>Wählen Sie einen Anruf aus, um Gespräch, Verlauf und Payload zu sehen.</translation>
    </message>
    <message>
        <location line="-92"/>
        <source>Open recording</source>
        <translation>Aufnahme öffnen</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Caller:</source>
        <translation>Anrufer:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Outcome:</source>
        <translation>Ergebnis:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Summary:</source>
        <translation>Zusammenfassung:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sentiment:</source>
        <translation>Stimmung:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ended by:</source>
        <translation>Beendet von:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Requested:</source>
        <translation>Gewünscht:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Appointment:</source>
        <translation>Termin:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recording:</source>
        <translation>Aufnahme:</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+173"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location line="-173"/>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Conversation</source>
        <translation>Gespräch</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Webhook payload</source>
        <translation>Webhook-Payload</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>The call cannot be read: %1</source>
        <translation>Der Anruf kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Call %1 no longer exists.</source>
        <translation>Anruf %1 existiert nicht mehr.</translation>
    </message>
    <message>
        <location line="-79"/>
        <source>Recorded</source>
        <translation>Erfasst</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channel</source>
        <translation>Kanal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recipient</source>
        <translation>Empfänger</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Messages (%1)</source>
        <translation>Nachrichten (%1)</translation>
    </message>
    <message>
        <location line="+102"/>
        <source>no branch (called %1)</source>
        <translation>keine Filiale (angerufen: %1)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Call %1</source>
        <translation>Anruf %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 %2, %3:%4 min</source>
        <translation>%1 %2, %3:%4 Min.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unknown number</source>
        <translation>unbekannte Nummer</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Resolved %1%2</source>
        <translation>Erledigt %1%2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>(no summary)</source>
        <translation>(keine Zusammenfassung)</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>(unknown)</source>
        <translation>(unbekannt)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No appointment requested</source>
        <translation>Kein Termin gewünscht</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Service</source>
        <translation>Leistung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Staff</source>
        <translation>Mitarbeiter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notes</source>
        <translation>Notizen</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Offered</source>
        <translation>Angeboten</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Info</source>
        <translation>Info</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Retry</source>
        <translation>Erneuter Versuch</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>No processing steps recorded yet</source>
        <translation>Noch keine Verarbeitungsschritte aufgezeichnet</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Caller</source>
        <translation>Anrufer</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No transcript stored for this call.</source>
        <translation>Für diesen Anruf ist kein Transkript gespeichert.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No webhook payload stored for this call.</source>
        <translation>Für diesen Anruf ist kein Webhook-Payload gespeichert.</translation>
    </message>
</context>
<context>
    <name>askpro::CallProcessor</name>
    <message>
        <source>Will try again: %1</source>
        <translation type="vanished">Neuer Versuch folgt: %1</translation>
    </message>
    <message>
        <source>Live booking request from the voice agent</source>
        <translation type="vanished">Live-Buchungsanfrage vom Sprachagenten</translation>
    </message>
    <message>
        <source>Retell event %1 received</source>
        <translation type="vanished">Retell-Ereignis %1 empfangen</translation>
    </message>
    <message>
        <location filename="../backend/flow/callprocessor.cpp" line="+348"/>
        <source>The called number %1 belongs to no active branch</source>
        <translation>Die angerufene Nummer %1 gehört zu keiner aktiven Filiale</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Linking the customer failed</source>
        <translation type="vanished">Verknüpfen des Kunden ist fehlgeschlagen</translation>
    </message>
    <message>
        <source>Appointment requested: %1 on %2 at %3</source>
        <translation type="vanished">Termin gewünscht: %1 am %2 um %3</translation>
    </message>
    <message>
        <source>(no service named)</source>
        <translation type="vanished">(keine Leistung genannt)</translation>
    </message>
    <message>
        <source>No appointment data yet; waiting for the call analysis</source>
        <translation type="vanished">Noch keine Termindaten; warte auf die Anrufanalyse</translation>
    </message>
    <message>
        <source>The caller did not ask for an appointment</source>
        <translation type="vanished">Der Anrufer wollte keinen Termin</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>The call belongs to no active branch</source>
        <translation>Der Anruf gehört zu keiner aktiven Filiale</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The call holds no appointment request to book</source>
        <translation>Der Anruf enthält keinen buchbaren Terminwunsch</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The call is gone</source>
        <translation>Den Anruf gibt es nicht mehr</translation>
    </message>
    <message>
        <source>Booking retried</source>
        <translation type="vanished">Buchung erneut versucht</translation>
    </message>
    <message>
        <source>Already booked; nothing to add</source>
        <translation type="vanished">Bereits gebucht; nichts zu ergänzen</translation>
    </message>
    <message>
        <location line="-203"/>
        <source>Another attempt is booking this call right now</source>
        <translation>Ein anderer Versuch bucht diesen Anruf gerade</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>The call %1 belongs to a company whose key did not sign this request</source>
        <translation>Der Anruf %1 gehört zu einem Unternehmen, dessen Schlüssel diese Anfrage nicht signiert hat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The agent %1 belongs to a company whose key did not sign this request</source>
        <translation>Der Agent %1 gehört zu einem Unternehmen, dessen Schlüssel diese Anfrage nicht signiert hat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The number %1 belongs to a company whose key did not sign this request</source>
        <translation>Die Nummer %1 gehört zu einem Unternehmen, dessen Schlüssel diese Anfrage nicht signiert hat</translation>
    </message>
    <message>
        <location line="+200"/>
        <source>No service of this company matches &quot;%1&quot;</source>
        <translation>Keine Leistung dieses Unternehmens passt zu „%1“</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No Cal.com event type is mapped to &quot;%1&quot; at branch %2</source>
        <translation>In Filiale %2 ist „%1“ kein Cal.com-Ereignistyp zugeordnet</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>The caller named no date and time</source>
        <translation>Der Anrufer hat weder Datum noch Uhrzeit genannt</translation>
    </message>
    <message>
        <source>Found the booking an earlier attempt made</source>
        <translation type="vanished">Buchung eines früheren Versuchs gefunden</translation>
    </message>
    <message>
        <source>Availability read from the slot cache</source>
        <translation type="vanished">Verfügbarkeit aus dem Zwischenspeicher gelesen</translation>
    </message>
    <message numerus="yes">
        <source>Availability fetched from Cal.com: %n free slots</source>
        <translation type="vanished">
            <numerusform>Verfügbarkeit von Cal.com abgerufen: %n freies Zeitfenster</numerusform>
            <numerusform>Verfügbarkeit von Cal.com abgerufen: %n freie Zeitfenster</numerusform>
        </translation>
    </message>
    <message>
        <location line="+127"/>
        <source>No free slot in the 7 days from the requested date</source>
        <translation>Kein freies Zeitfenster in den 7 Tagen ab dem gewünschten Datum</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The requested time is not free and the caller did not agree to another</source>
        <translation>Die gewünschte Zeit ist nicht frei, und der Anrufer hat keiner anderen zugestimmt</translation>
    </message>
    <message>
        <source>The requested time is not free; the caller agreed to the nearest free slot</source>
        <translation type="vanished">Die gewünschte Zeit ist nicht frei; der Anrufer hat dem nächsten freien Zeitfenster zugestimmt</translation>
    </message>
    <message>
        <source>Cal.com refused %1: %2</source>
        <translation type="vanished">Cal.com hat %1 abgelehnt: %2</translation>
    </message>
    <message>
        <location line="+84"/>
        <source>The slot was taken before it could be booked</source>
        <translation>Das Zeitfenster wurde vergeben, bevor es gebucht werden konnte</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Cal.com answered the booking without uid or start</source>
        <translation>Cal.com hat die Buchung ohne UID oder Beginn beantwortet</translation>
    </message>
    <message>
        <source>Booked in Cal.com for %1 (uid %2)</source>
        <translation type="vanished">In Cal.com gebucht für %1 (UID %2)</translation>
    </message>
    <message>
        <source>Confirmation e-mail queued for %1</source>
        <translation type="vanished">Bestätigungs-E-Mail an %1 eingereiht</translation>
    </message>
    <message>
        <location line="+68"/>
        <location line="+34"/>
        <source>The branch is gone</source>
        <translation>Die Filiale gibt es nicht mehr</translation>
    </message>
    <message>
        <source>Needs a callback: %1</source>
        <translation type="vanished">Rückruf nötig: %1</translation>
    </message>
    <message>
        <source>Needs a callback: %1. Free instead: %2</source>
        <translation type="vanished">Rückruf nötig: %1. Stattdessen frei: %2</translation>
    </message>
</context>
<context>
    <name>askpro::CallsModel</name>
    <message>
        <location filename="../models/callsmodel.cpp" line="+152"/>
        <source>%1 (test call)</source>
        <translation>%1 (Testanruf)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>No.</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time zone</source>
        <translation>Zeitzone</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Company</source>
        <translation>Unternehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Branch</source>
        <translation>Filiale</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Caller</source>
        <translation>Anrufer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Appointment</source>
        <translation>Termin</translation>
    </message>
</context>
<context>
    <name>askpro::CallsPage</name>
    <message>
        <location filename="../ui/pages/callspage.cpp" line="+68"/>
        <source>All time</source>
        <translation>Gesamter Zeitraum</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Date range</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>All outcomes</source>
        <translation>Alle Ergebnisse</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Booked</source>
        <translation>Gebucht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No request</source>
        <translation>Kein Terminwunsch</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+84"/>
        <source>Needs callback</source>
        <translation>Rückruf nötig</translation>
    </message>
    <message>
        <location line="-83"/>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Requested, not booked</source>
        <translation>Angefragt, nicht gebucht</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Search caller, customer or transcript</source>
        <translation>Anrufer, Kunde oder Transkript suchen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Searching…</source>
        <translation>Suche läuft…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Transcripts are searched newest first; matches appear as they are found.</source>
        <translation>Gesprächsprotokolle werden vom neuesten an durchsucht; Treffer erscheinen, sobald sie gefunden sind.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Save view…</source>
        <translation>Ansicht speichern…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Views</source>
        <translation>&amp;Ansichten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rename or delete the saved view chosen beside</source>
        <translation>Die daneben gewählte gespeicherte Ansicht umbenennen oder löschen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Rename view…</source>
        <translation>Ansicht &amp;umbenennen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Delete view</source>
        <translation>Ansicht &amp;löschen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location line="+266"/>
        <source>more than %L1 calls match</source>
        <translation>mehr als %L1 Anrufe passen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export CSV</source>
        <translation>CSV exportieren</translation>
    </message>
    <message numerus="yes">
        <location line="+0"/>
        <source>Not every call could be read (%1). Export the %Ln call(s) read so far?</source>
        <translation>
            <numerusform>Nicht jeder Anruf konnte gelesen werden (%1). Den bisher gelesenen Anruf exportieren?</numerusform>
            <numerusform>Nicht jeder Anruf konnte gelesen werden (%1). Die %Ln bisher gelesenen Anrufe exportieren?</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>calls</source>
        <translation>anrufe</translation>
    </message>
    <message>
        <location line="-137"/>
        <source>All companies</source>
        <translation>Alle Unternehmen</translation>
    </message>
    <message>
        <source>%1 (inactive)</source>
        <translation type="vanished">%1 (inaktiv)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>All branches</source>
        <translation>Alle Filialen</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Saved views</source>
        <translation>Gespeicherte Ansichten</translation>
    </message>
    <message>
        <location line="+36"/>
        <location line="+29"/>
        <source>Rename view</source>
        <translation>Ansicht umbenennen</translation>
    </message>
    <message>
        <location line="-17"/>
        <location line="+28"/>
        <source>Delete view</source>
        <translation>Ansicht löschen</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>New name of this filter set:</source>
        <translation>Neuer Name dieser Filterauswahl:</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Delete the saved view &quot;%1&quot;? The calls stay as they are.</source>
        <translation>Die gespeicherte Ansicht „%1“ löschen? Die Anrufe bleiben, wie sie sind.</translation>
    </message>
    <message>
        <location line="-52"/>
        <location line="+61"/>
        <source>Save view</source>
        <translation>Ansicht speichern</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Name of this filter set:</source>
        <translation>Name dieser Filterauswahl:</translation>
    </message>
    <message>
        <location line="+102"/>
        <source>The calls cannot be read: %1</source>
        <translation>Die Anrufe können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Searching the transcripts…</source>
        <translation>Gesprächsprotokolle werden durchsucht…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Loading calls…</source>
        <translation>Anrufe werden geladen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No calls match these filters yet. Calls appear here as soon as the server receives them.</source>
        <translation>Noch keine Anrufe zu diesen Filtern. Anrufe erscheinen hier, sobald der Server sie empfängt.</translation>
    </message>
</context>
<context>
    <name>askpro::CompanyPage</name>
    <message>
        <location filename="../ui/wizard/companypage.cpp" line="+39"/>
        <location line="+57"/>
        <source>German</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <location line="-56"/>
        <location line="+58"/>
        <source>English</source>
        <translation>Englisch</translation>
    </message>
    <message>
        <location line="-31"/>
        <source>1 of 4 · Company details</source>
        <translation>1 von 4 · Unternehmensdaten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Who the business is, where callers reach it, what they can book and with whom. Everything can be changed later.</source>
        <translation>Wer das Unternehmen ist, wo Anrufer es erreichen, was sie buchen können und bei wem. Alles lässt sich später ändern.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Company</source>
        <translation>Unternehmen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Zahnarztpraxis Dr. Sommer</source>
        <translation>Zahnarztpraxis Dr. Sommer</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Street, postcode and town</source>
        <translation>Straße, PLZ und Ort</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>DE123456789 (optional)</source>
        <translation>DE123456789 (optional)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>rechnung@praxis.de</source>
        <translation>rechnung@praxis.de</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+23"/>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location line="-22"/>
        <location line="+23"/>
        <source>Address:</source>
        <translation>Adresse:</translation>
    </message>
    <message>
        <location line="-22"/>
        <source>VAT id:</source>
        <translation>USt-IdNr.:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Billing e-mail:</source>
        <translation>Rechnungs-E-Mail:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Default language:</source>
        <translation>Standardsprache:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agent speaks:</source>
        <translation>Agent spricht:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>First branch</source>
        <translation>Erste Filiale</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Praxis Mitte</source>
        <translation>Praxis Mitte</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Same as the company</source>
        <translation>Wie beim Unternehmen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Time zone:</source>
        <translation>Zeitzone:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Service</source>
        <translation>Leistung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Minutes</source>
        <translation>Minuten</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Price (€)</source>
        <translation>Preis (€)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Services callers can book</source>
        <translation>Leistungen, die Anrufer buchen können</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New service</source>
        <translation>Neue Leistung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Staff</source>
        <translation>Mitarbeiter</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Provider keys (stored encrypted)</source>
        <translation>Anbieter-Schlüssel (verschlüsselt gespeichert)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Platform key; empty: the stored one</source>
        <translation>Plattform-Schlüssel; leer: der gespeicherte</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>cal_live_…</source>
        <translation>cal_live_…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Optional; empty: the stored one, or no billing yet</source>
        <translation>Optional; leer: der gespeicherte oder vorerst keine Abrechnung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retell API key:</source>
        <translation>Retell-API-Schlüssel:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cal.com API key:</source>
        <translation>Cal.com-API-Schlüssel:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stripe secret key:</source>
        <translation>Geheimer Stripe-Schlüssel:</translation>
    </message>
</context>
<context>
    <name>askpro::ConnectPage</name>
    <message>
        <location filename="../ui/wizard/connectpage.cpp" line="+25"/>
        <source>3 of 4 · Connect</source>
        <translation>3 von 4 · Anbinden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AskPro now sets everything up by itself. If a provider has a problem, it says so here and you can retry; nothing is created twice.</source>
        <translation>AskPro richtet jetzt alles selbst ein. Hat ein Anbieter ein Problem, wird es hier angezeigt und Sie können es erneut versuchen; nichts wird doppelt angelegt.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Waiting</source>
        <translation>Wartet</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Retry</source>
        <translation>Erneuter Versuch</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Undo this setup…</source>
        <translation>Diese Einrichtung rückgängig machen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Removes what this setup created at Retell, Cal.com and Stripe, and the company it stored.</source>
        <translation>Entfernt, was diese Einrichtung bei Retell, Cal.com und Stripe angelegt hat, sowie das gespeicherte Unternehmen.</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Cal.com event types, one per service</source>
        <translation>Cal.com-Ereignistypen, einer pro Leistung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cal.com booking webhook</source>
        <translation>Cal.com-Buchungs-Webhook</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retell prompt and booking tools</source>
        <translation>Retell-Prompt und Buchungswerkzeuge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retell voice agent</source>
        <translation>Retell-Sprachagent</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Number answered by the agent</source>
        <translation>Nummer wird vom Agenten angenommen</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Done</source>
        <translation>Erledigt</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Release the bought number?</source>
        <translation>Gekaufte Nummer freigeben?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undo releases %1, which this setup bought at Retell. A released number may be gone for good: Retell can give it to someone else, and buying it back may not be possible.</source>
        <translation>Das Rückgängigmachen gibt %1 frei, die diese Einrichtung bei Retell gekauft hat. Eine freigegebene Nummer kann endgültig verloren sein: Retell kann sie an andere vergeben, und ein Rückkauf ist womöglich nicht möglich.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Release and undo</source>
        <translation>Freigeben und rückgängig machen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep the setup</source>
        <translation>Einrichtung behalten</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Removing what this setup created…</source>
        <translation>Was diese Einrichtung angelegt hat, wird entfernt…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Undo stopped: %1 Press Undo again to continue.</source>
        <translation>Rückgängigmachen angehalten: %1 Klicken Sie erneut auf „Rückgängig“, um fortzufahren.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The setup was undone: nothing it created remains.</source>
        <translation>Die Einrichtung wurde rückgängig gemacht: Nichts von dem, was sie angelegt hat, bleibt bestehen.</translation>
    </message>
</context>
<context>
    <name>askpro::CredentialsModel</name>
    <message>
        <location filename="../models/credentialsmodel.cpp" line="+19"/>
        <source>Platform (all companies)</source>
        <translation>Plattform (alle Unternehmen)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Base URL</source>
        <translation>Basis-URL</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Webhook secret</source>
        <translation>Webhook-Geheimnis</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stored</source>
        <translation>Gespeichert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rotated</source>
        <translation>Rotiert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Old secret valid until</source>
        <translation>Altes Geheimnis gültig bis</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>configured default</source>
        <translation>konfigurierter Standard</translation>
    </message>
</context>
<context>
    <name>askpro::CustomerDialog</name>
    <message>
        <location filename="../ui/dialogs/customerdialog.cpp" line="+24"/>
        <source>Edit customer</source>
        <translation>Kunde bearbeiten</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>SMS to a mobile number, and e-mail when known</source>
        <translation>SMS an eine Mobilnummer, dazu E-Mail, wenn bekannt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SMS only (e-mail if the SMS fails)</source>
        <translation>Nur SMS (E-Mail, wenn die SMS scheitert)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E-mail only</source>
        <translation>Nur E-Mail</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No messages</source>
        <translation>Keine Nachrichten</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The number they call from (%1)</source>
        <translation>Die Nummer, von der er anruft (%1)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The branch&apos;s language</source>
        <translation>Die Sprache der Filiale</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>German</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>English</source>
        <translation>Englisch</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sends no SMS (the customer asked us to stop)</source>
        <translation>Keine SMS senden (der Kunde hat darum gebeten)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Only the customer can receive text messages again, by replying START to one.</source>
        <translation>Nur der Kunde selbst kann wieder SMS erhalten, indem er auf eine mit START antwortet.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E-mail:</source>
        <translation>E-Mail:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Messages:</source>
        <translation>Nachrichten:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mobile number for messages:</source>
        <translation>Mobilnummer für Nachrichten:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Notes:</source>
        <translation>Notizen:</translation>
    </message>
</context>
<context>
    <name>askpro::CustomersPage</name>
    <message>
        <location filename="../ui/pages/customerspage.cpp" line="+37"/>
        <source>Search name, phone or e-mail</source>
        <translation>Name, Telefonnummer oder E-Mail suchen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+11"/>
        <location line="+4"/>
        <source>No.</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone</source>
        <translation>Telefon</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Company</source>
        <translation>Unternehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+65"/>
        <source>Calls</source>
        <translation>Anrufe</translation>
    </message>
    <message>
        <location line="-64"/>
        <location line="+67"/>
        <source>Appointments</source>
        <translation>Termine</translation>
    </message>
    <message>
        <location line="-66"/>
        <source>Last call</source>
        <translation>Letzter Anruf</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+4"/>
        <source>Time zone</source>
        <translation>Zeitzone</translation>
    </message>
    <message>
        <location line="-3"/>
        <location line="+4"/>
        <source>Branch</source>
        <translation>Filiale</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Starts</source>
        <translation>Beginn</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Service</source>
        <translation>Leistung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Staff</source>
        <translation>Mitarbeiter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>customers</source>
        <translation>kunden</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The customers cannot be read: %1</source>
        <translation>Die Kunden können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>No customers yet: callers become customers with their first call.</source>
        <translation>Noch keine Kunden: Anrufer werden mit ihrem ersten Anruf zu Kunden.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Select a customer.</source>
        <translation>Wählen Sie einen Kunden aus.</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>SMS only (e-mail if the SMS fails)</source>
        <translation>Nur SMS (E-Mail, wenn die SMS scheitert)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E-mail only</source>
        <translation>Nur E-Mail</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No messages</source>
        <translation>Keine Nachrichten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SMS to a mobile number, and e-mail when known</source>
        <translation>SMS an eine Mobilnummer, dazu E-Mail, wenn bekannt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Messages: %1</source>
        <translation>Nachrichten: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SMS go to the number they call from.</source>
        <translation>SMS gehen an die Nummer, von der er anruft.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>SMS go to %1.</source>
        <translation>SMS gehen an %1.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>That number is a landline: no SMS, e-mail only.</source>
        <translation>Diese Nummer ist ein Festnetzanschluss: keine SMS, nur E-Mail.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Opted out of SMS.</source>
        <translation>Hat SMS abbestellt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Language: German</source>
        <translation>Sprache: Deutsch</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Language: English</source>
        <translation>Sprache: Englisch</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Language: the branch&apos;s</source>
        <translation>Sprache: die der Filiale</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Customer %1 saved.</source>
        <translation>Kunde %1 gespeichert.</translation>
    </message>
</context>
<context>
    <name>askpro::DailyUsageModel</name>
    <message>
        <location filename="../models/invoicesmodel.cpp" line="+226"/>
        <source>Day</source>
        <translation>Tag</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calls</source>
        <translation>Anrufe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Appointments</source>
        <translation>Termine</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conversion %</source>
        <translation>Konversion %</translation>
    </message>
</context>
<context>
    <name>askpro::DirectoryModel</name>
    <message>
        <location filename="../models/directorymodel.cpp" line="+72"/>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Inactive</source>
        <translation>Inaktiv</translation>
    </message>
</context>
<context>
    <name>askpro::DirectoryPage</name>
    <message>
        <location filename="../ui/pages/directorypage.cpp" line="+101"/>
        <source>&amp;New…</source>
        <translation>&amp;Neu…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add a row to the open tab</source>
        <translation>Dem offenen Reiter eine Zeile hinzufügen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Opening &amp;hours…</source>
        <translation>Öffnungs&amp;zeiten…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Weekly hours and closures of the selected branch: the voice agent tells callers, and only times within them are offered</source>
        <translation>Wöchentliche Öffnungszeiten und Schließtage der gewählten Filiale: Der Sprachassistent nennt sie den Anrufern, und nur Zeiten darin werden angeboten</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Double-click a row to edit it. Inactive entries stay listed and are marked.</source>
        <translation>Doppelklicken Sie auf eine Zeile, um sie zu bearbeiten. Inaktive Einträge bleiben aufgeführt und sind gekennzeichnet.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Companies</source>
        <translation>Unternehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+3"/>
        <location line="+3"/>
        <location line="+3"/>
        <source>No.</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <location line="-9"/>
        <location line="+3"/>
        <location line="+3"/>
        <location line="+3"/>
        <location line="+67"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="-76"/>
        <location line="+3"/>
        <location line="+74"/>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <location line="-76"/>
        <location line="+77"/>
        <source>Billing e-mail</source>
        <translation>Rechnungs-E-Mail</translation>
    </message>
    <message>
        <location line="-77"/>
        <location line="+1"/>
        <source>Branches</source>
        <translation>Filialen</translation>
    </message>
    <message>
        <location line="-1"/>
        <location line="+3"/>
        <location line="+3"/>
        <location line="+4"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location line="-8"/>
        <location line="+3"/>
        <location line="+3"/>
        <source>Company</source>
        <translation>Unternehmen</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Phone</source>
        <translation>Telefon</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+78"/>
        <source>Time zone</source>
        <translation>Zeitzone</translation>
    </message>
    <message>
        <location line="-77"/>
        <source>Staff</source>
        <translation>Mitarbeiter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Branch</source>
        <translation>Filiale</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+76"/>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <location line="-76"/>
        <source>Cal.com user</source>
        <translation>Cal.com-Benutzer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Services</source>
        <translation>Leistungen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Minutes</source>
        <translation>Minuten</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Price</source>
        <translation>Preis</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cal.com mappings</source>
        <translation>Cal.com-Zuordnungen</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>VAT id</source>
        <translation>USt-IdNr.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone number</source>
        <translation>Telefonnummer</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cal.com user id</source>
        <translation>Cal.com-Benutzer-ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duration (minutes)</source>
        <translation>Dauer (Minuten)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Price (cents)</source>
        <translation>Preis (Cent)</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <location line="-36"/>
        <source>Edit %1</source>
        <translation>%1 bearbeiten</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Nothing changed.</source>
        <translation>Nichts geändert.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Saved.</source>
        <translation>Gespeichert.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Select a branch first.</source>
        <translation>Wählen Sie zuerst eine Filiale.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Opening hours: %1</source>
        <translation>Öffnungszeiten: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Times as 08:00-12:00, several separated by commas; an empty day is closed. Closures one a line: first day, last day (optional), reason.</source>
        <translation>Zeiten als 08:00-12:00, mehrere durch Kommas getrennt; ein leerer Tag ist geschlossen. Schließtage je Zeile: erster Tag, letzter Tag (optional), Grund.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>closed</source>
        <translation>geschlossen</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>2026-12-24 2026-12-26 Christmas</source>
        <translation>2026-12-24 2026-12-26 Weihnachten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Closures:</source>
        <translation>Schließtage:</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>%1: write the times as 08:00-12:00, several separated by commas.</source>
        <translation>%1: Schreiben Sie die Zeiten als 08:00-12:00, mehrere durch Kommas getrennt.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Closure &quot;%1&quot;: start with the first day as YYYY-MM-DD.</source>
        <translation>Schließtag „%1“: Beginnen Sie mit dem ersten Tag als JJJJ-MM-TT.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Opening hours saved.</source>
        <translation>Öffnungszeiten gespeichert.</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>New company</source>
        <translation>Neues Unternehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New branch</source>
        <translation>Neue Filiale</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New staff member</source>
        <translation>Neuer Mitarbeiter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New service</source>
        <translation>Neue Leistung</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+21"/>
        <source>%1 (inactive)</source>
        <translation>%1 (inaktiv)</translation>
    </message>
    <message>
        <location line="-15"/>
        <source>Company:</source>
        <translation>Unternehmen:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>(every branch)</source>
        <translation>(jede Filiale)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Branch:</source>
        <translation>Filiale:</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>%1 added.</source>
        <translation>%1 hinzugefügt.</translation>
    </message>
</context>
<context>
    <name>askpro::FailedCallsPage</name>
    <message>
        <location filename="../ui/pages/failedcallspage.cpp" line="+55"/>
        <source>Open (Enter)</source>
        <translation>Öffnen (Enter)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retry (R)</source>
        <translation>Erneut versuchen (R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit data (E)</source>
        <translation>Daten bearbeiten (E)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mark resolved (M)</source>
        <translation>Als erledigt markieren (M)</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>What a retry would do</source>
        <translation>Was ein erneuter Versuch tun würde</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>The queue cannot be read: %1</source>
        <translation>Die Warteschlange kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>No calls need support right now.</source>
        <translation>Derzeit brauchen keine Anrufe Unterstützung.</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n call(s) need support</source>
        <translation>
            <numerusform>%n Anruf braucht Unterstützung</numerusform>
            <numerusform>%n Anrufe brauchen Unterstützung</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n reason(s)</source>
        <translation>
            <numerusform>%n Grund</numerusform>
            <numerusform>%n Gründe</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the oldest are not shown</source>
        <translation>die ältesten werden nicht gezeigt</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>Select a call.</source>
        <translation>Wählen Sie einen Anruf aus.</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n call(s) selected: R retries them all, M marks them resolved.</source>
        <translation>
            <numerusform>%n Anruf ausgewählt: R versucht ihn erneut, M markiert ihn als erledigt.</numerusform>
            <numerusform>%n Anrufe ausgewählt: R versucht alle erneut, M markiert sie als erledigt.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+21"/>
        <source>create</source>
        <translation>anlegen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>reuse</source>
        <translation>wiederverwenden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>skip</source>
        <translation>überspringen</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>missing</source>
        <translation>fehlt</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Fix first:</source>
        <translation>Zuerst beheben:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Ready: a retry books this appointment.</source>
        <translation>Bereit: Ein erneuter Versuch bucht diesen Termin.</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n call(s) selected.</source>
        <translation>
            <numerusform>%n Anruf ausgewählt.</numerusform>
            <numerusform>%n Anrufe ausgewählt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+36"/>
        <source>Retry the booking of %n call(s)?</source>
        <translation>
            <numerusform>Buchung von %n Anruf erneut versuchen?</numerusform>
            <numerusform>Buchung von %n Anrufen erneut versuchen?</numerusform>
        </translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The preview lists problems a retry cannot fix:

%1

Retry anyway?</source>
        <translation>Die Vorschau nennt Probleme, die ein erneuter Versuch nicht beheben kann:

%1

Trotzdem erneut versuchen?</translation>
    </message>
    <message>
        <location line="-15"/>
        <location line="+14"/>
        <location line="+13"/>
        <source>Retry booking</source>
        <translation>Buchung erneut versuchen</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n retry job(s) queued; the server&apos;s workers pick them up.</source>
        <translation>
            <numerusform>%n Wiederholungsjob eingereiht; die Worker des Servers übernehmen ihn.</numerusform>
            <numerusform>%n Wiederholungsjobs eingereiht; die Worker des Servers übernehmen sie.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+14"/>
        <location line="+27"/>
        <source>Edit appointment data</source>
        <translation>Termindaten bearbeiten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Appointment data of call %1 corrected; press R to retry the booking.</source>
        <translation>Termindaten von Anruf %1 korrigiert; drücken Sie R, um die Buchung erneut zu versuchen.</translation>
    </message>
    <message>
        <location line="+14"/>
        <location line="+7"/>
        <source>Mark resolved</source>
        <translation>Als erledigt markieren</translation>
    </message>
    <message numerus="yes">
        <location line="-6"/>
        <source>What was done for %n call(s)? (optional)</source>
        <translation>
            <numerusform>Was wurde für %n Anruf getan? (optional)</numerusform>
            <numerusform>Was wurde für %n Anrufe getan? (optional)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n call(s) marked resolved.</source>
        <translation>
            <numerusform>%n Anruf als erledigt markiert.</numerusform>
            <numerusform>%n Anrufe als erledigt markiert.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Call %1</source>
        <translation>Anruf %1</translation>
    </message>
</context>
<context>
    <name>askpro::HealthChecker</name>
    <message>
        <location filename="../backend/health/healthcheck.cpp" line="-267"/>
        <source>The database cannot be read: %1</source>
        <translation>Die Datenbank kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The database answers slowly (%1 ms)</source>
        <translation>Die Datenbank antwortet langsam (%1 ms)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 (silent for %2 s)</source>
        <translation>%1 (seit %2 s ohne Lebenszeichen)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No worker is running: calls are stored but not processed</source>
        <translation>Kein Worker läuft: Anrufe werden gespeichert, aber nicht verarbeitet</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stalled workers: %1</source>
        <translation>Hängende Worker: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+10"/>
        <source>%n jobs waiting, the oldest for %1 minutes</source>
        <translation>
            <numerusform>%n Job wartet, seit %1 Minuten</numerusform>
            <numerusform>%n Jobs warten, der älteste seit %1 Minuten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n jobs waiting, the oldest for %1 s</source>
        <translation>
            <numerusform>%n Job wartet, seit %1 s</numerusform>
            <numerusform>%n Jobs warten, der älteste seit %1 s</numerusform>
        </translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1 % of the last hour&apos;s webhooks were refused or failed</source>
        <translation>%1 % der Webhooks der letzten Stunde wurden abgelehnt oder sind fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+18"/>
        <location line="+113"/>
        <source>Not configured, so not checked</source>
        <translation>Nicht konfiguriert, daher nicht geprüft</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>No active branch has a number yet</source>
        <translation>Noch keine aktive Filiale hat eine Nummer</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>%1 (%2) is not in the Retell account</source>
        <translation>%1 (%2) ist nicht im Retell-Konto</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 (%2) is no longer answered by its agent</source>
        <translation>%1 (%2) wird nicht mehr von ihrem Agenten angenommen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the agent of %1 (%2) is gone</source>
        <translation>der Agent von %1 (%2) existiert nicht mehr</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 (%2) asks another address before each call</source>
        <translation>%1 (%2) fragt vor jedem Anruf eine andere Adresse</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the agent of %1 (%2) reports its calls to another address</source>
        <translation>der Agent von %1 (%2) meldet seine Anrufe an eine andere Adresse</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1. Run connect again to repair.</source>
        <translation>%1. Führen Sie connect erneut aus, um das zu beheben.</translation>
    </message>
    <message>
        <location line="+78"/>
        <source>Recovered: %1 is ok again</source>
        <translation>Behoben: %1 ist wieder in Ordnung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Alert: %1 is %2</source>
        <translation>Warnung: %1 ist %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The check &quot;%1&quot; is ok again (was %2).</source>
        <translation>Die Prüfung „%1“ ist wieder in Ordnung (war %2).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The check &quot;%1&quot; changed from %2 to %3: %4</source>
        <translation>Die Prüfung „%1“ hat sich von %2 auf %3 geändert: %4</translation>
    </message>
</context>
<context>
    <name>askpro::HealthPage</name>
    <message>
        <location filename="../ui/pages/healthpage.cpp" line="+53"/>
        <source>Check now</source>
        <translation>Jetzt prüfen</translation>
    </message>
    <message>
        <source>The key for stored provider credentials is not available on this computer</source>
        <translation type="vanished">Der Schlüssel für die gespeicherten Zugangsdaten ist auf diesem Rechner nicht verfügbar</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>History:</source>
        <translation>Verlauf:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Checks</source>
        <translation>Prüfungen</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Success metrics</source>
        <translation>Erfolgskennzahlen</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>AskPro: %1 is %2</source>
        <translation>AskPro: %1 ist %2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Database</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retell API</source>
        <translation>Retell-API</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cal.com API</source>
        <translation>Cal.com-API</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stripe API</source>
        <translation>Stripe-API</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Mail server</source>
        <translation>Mailserver</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Workers</source>
        <translation>Worker</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Job backlog</source>
        <translation>Auftragsstau</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Webhook failures</source>
        <translation>Webhook-Fehler</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Degraded</source>
        <translation>Beeinträchtigt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Down</source>
        <translation>Ausgefallen</translation>
    </message>
    <message>
        <source>No health check has run yet. The server runs them every 5 minutes; &quot;Check now&quot; runs them here.</source>
        <translation type="vanished">Es wurde noch keine Prüfung ausgeführt. Der Server prüft alle 5 Minuten; &quot;Jetzt prüfen&quot; prüft sofort von hier aus.</translation>
    </message>
    <message>
        <location line="-66"/>
        <source>The server runs every check now; the results appear here when they are in</source>
        <translation>Der Server führt jetzt alle Prüfungen aus; die Ergebnisse erscheinen hier, sobald sie vorliegen</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Phone numbers</source>
        <translation>Telefonnummern</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>The health results cannot be read: %1</source>
        <translation>Die Prüfergebnisse können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No health check has run yet. The server runs them every 5 minutes; &quot;Check now&quot; runs them at once.</source>
        <translation>Es ist noch keine Prüfung gelaufen. Der Server prüft alle 5 Minuten; „Jetzt prüfen“ prüft sofort.</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No problem</source>
        <translation>Kein Problem</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Last checked: %1</source>
        <translation>Zuletzt geprüft: %1</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Latency of each check</source>
        <translation>Antwortzeit je Prüfung</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Metric</source>
        <translation>Kennzahl</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Now</source>
        <translation>Aktuell</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Call-to-appointment success (7 days)</source>
        <translation>Anteil gebuchter Terminwünsche (7 Tage)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Error rate (7 days)</source>
        <translation>Fehlerquote (7 Tage)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Webhook to booking, p95 (24 hours)</source>
        <translation>Webhook bis Buchung, p95 (24 Stunden)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt; %1 s</source>
        <translation>&lt; %1 s</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Uptime (30 days of checks)</source>
        <translation>Verfügbarkeit (Prüfungen der letzten 30 Tage)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Calls per day (7 days)</source>
        <translation>Anrufe pro Tag (7 Tage)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>no data yet</source>
        <translation>noch keine Daten</translation>
    </message>
    <message>
        <location line="+27"/>
        <location line="+22"/>
        <source>Checking…</source>
        <translation>Prüfe …</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>The checks cannot be started: %1</source>
        <translation>Die Prüfungen können nicht gestartet werden: %1</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>No new results yet: the server&apos;s workers may be busy or stopped.</source>
        <translation>Noch keine neuen Ergebnisse: die Worker des Servers sind vielleicht beschäftigt oder angehalten.</translation>
    </message>
    <message>
        <source>The results cannot be stored: %1</source>
        <translation type="vanished">Die Ergebnisse können nicht gespeichert werden: %1</translation>
    </message>
</context>
<context>
    <name>askpro::ImportClient</name>
    <message>
        <location filename="../models/importclient.cpp" line="+61"/>
        <location line="+34"/>
        <location line="+5"/>
        <source>The file %1 cannot be read: %2</source>
        <translation>Die Datei %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location line="+169"/>
        <source>The server did not say why.</source>
        <translation>Der Server hat keinen Grund genannt.</translation>
    </message>
</context>
<context>
    <name>askpro::ImportPage</name>
    <message>
        <location filename="../ui/pages/importpage.cpp" line="+41"/>
        <source>Customer number</source>
        <translation>Kundennummer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>First name</source>
        <translation>Vorname</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last name</source>
        <translation>Nachname</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone</source>
        <translation>Telefon</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mobile (for messages)</source>
        <translation>Mobil (für Nachrichten)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Firm</source>
        <translation>Firma</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Branch</source>
        <translation>Filiale</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notes</source>
        <translation>Notizen</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>No file chosen</source>
        <translation>Keine Datei gewählt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose file…</source>
        <translation>Datei wählen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Check</source>
        <translation>Prüfen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sends the file to the server, which reports what an import would do; nothing is written yet</source>
        <translation>Sendet die Datei an den Server, der meldet, was ein Import bewirken würde; noch wird nichts geschrieben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Company:</source>
        <translation>&amp;Unternehmen:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Customer &amp;list:</source>
        <translation>Kunden&amp;liste:</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>A CSV file with one customer per line and a header line (German or English column names; UTF-8 or Windows-1252; comma or semicolon). From a spreadsheet, save it as CSV (UTF-8) first.</source>
        <translation>Eine CSV-Datei mit einem Kunden pro Zeile und einer Kopfzeile (deutsche oder englische Spaltennamen; UTF-8 oder Windows-1252; Komma oder Semikolon). Aus einer Tabellenkalkulation zuerst als CSV (UTF-8) speichern.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Columns</source>
        <translation>Spalten</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Check with these columns</source>
        <translation>Mit diesen Spalten prüfen</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>All rows</source>
        <translation>Alle Zeilen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New customers</source>
        <translation>Neue Kunden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Updates</source>
        <translation>Aktualisierungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unchanged</source>
        <translation>Unverändert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Skipped</source>
        <translation>Übersprungen</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Show customers</source>
        <translation>Kunden anzeigen</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+109"/>
        <source>Import</source>
        <translation>Importieren</translation>
    </message>
    <message>
        <location line="-105"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stops the import; what it has written so far is undone</source>
        <translation>Hält den Import an; was er bis dahin geschrieben hat, wird rückgängig gemacht</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Cancelled: the file was not checked, nothing was written.</source>
        <translation>Abgebrochen: Die Datei wurde nicht geprüft, nichts wurde geschrieben.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>No company</source>
        <translation>Kein Unternehmen</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Choose a customer list</source>
        <translation>Kundenliste wählen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CSV files (*.csv *.txt);;All files (*)</source>
        <translation>CSV-Dateien (*.csv *.txt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Choose the company the customers belong to.</source>
        <translation>Wählen Sie das Unternehmen, zu dem die Kunden gehören.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This is a spreadsheet. Save it as CSV (UTF-8) in the spreadsheet program, then choose the CSV file.</source>
        <translation>Das ist eine Tabellendatei. Speichern Sie sie im Tabellenprogramm als CSV (UTF-8) und wählen Sie dann die CSV-Datei.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 of %2 rows</source>
        <translation>%1 von %2 Zeilen</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Import again</source>
        <translation>Erneut importieren</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Choose the company and its customer list. The server checks the file first; nothing is written until you import.</source>
        <translation>Wählen Sie das Unternehmen und seine Kundenliste. Der Server prüft die Datei zuerst; geschrieben wird erst, wenn Sie importieren.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sending %1 to the server…</source>
        <translation>%1 wird an den Server gesendet…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server checks %1…</source>
        <translation>Der Server prüft %1…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Using the columns chosen for this layout of file before…</source>
        <translation>Die zuletzt für diesen Dateiaufbau gewählten Spalten werden verwendet…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Dry run of %1: nothing is written yet. Check the rows, correct the columns if needed, then import.</source>
        <translation>Probelauf von %1: Noch wird nichts geschrieben. Prüfen Sie die Zeilen, korrigieren Sie bei Bedarf die Spalten und importieren Sie dann.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The file cannot be imported: %1</source>
        <translation>Die Datei kann nicht importiert werden: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The columns do not fit: %1 Choose the columns below.</source>
        <translation>Die Spalten passen nicht: %1 Wählen Sie die Spalten unten.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stopping the import of %1 and undoing what it wrote…</source>
        <translation>Der Import von %1 wird angehalten und rückgängig gemacht…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Importing %1 on the server… (pages and calls go on meanwhile)</source>
        <translation>%1 wird auf dem Server importiert… (Seiten und Anrufe laufen währenddessen weiter)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Imported %1.</source>
        <translation>%1 importiert.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer import of %1 finished.</source>
        <translation>Kundenimport von %1 abgeschlossen.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The import did not finish and was undone: %1</source>
        <translation>Der Import wurde nicht abgeschlossen und rückgängig gemacht: %1</translation>
    </message>
    <message>
        <source>The import failed and was undone: %1</source>
        <translation type="vanished">Der Import ist fehlgeschlagen und wurde rückgängig gemacht: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not checked: %1</source>
        <translation>Nicht geprüft: %1</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Created %1 · updated %2 · unchanged %3 · skipped %4</source>
        <translation>Angelegt %1 · aktualisiert %2 · unverändert %3 · übersprungen %4</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Would create %1 · update %2 · leave unchanged %3 · skip %4</source>
        <translation>Würde anlegen %1 · aktualisieren %2 · unverändert lassen %3 · überspringen %4</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>(%1 rows counted but not listed)</source>
        <translation>(%1 Zeilen gezählt, aber nicht aufgeführt)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Rows about known customers are shortened: you may not view customers.</source>
        <translation>Zeilen zu bekannten Kunden sind gekürzt: Sie dürfen keine Kunden ansehen.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>(not imported)</source>
        <translation>(nicht importiert)</translation>
    </message>
</context>
<context>
    <name>askpro::ImportRowsModel</name>
    <message>
        <location filename="../models/importrowsmodel.cpp" line="+52"/>
        <source>Created</source>
        <translation>Angelegt</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Create</source>
        <translation>Anlegen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Update</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unchanged</source>
        <translation>Unverändert</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Skipped</source>
        <translation>Übersprungen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Skip</source>
        <translation>Überspringen</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>Line</source>
        <translation>Zeile</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Phone</source>
        <translation>Telefon</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
</context>
<context>
    <name>askpro::InboxPage</name>
    <message>
        <location filename="../ui/pages/inboxpage.cpp" line="+50"/>
        <source>All providers</source>
        <translation>Alle Anbieter</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Every status</source>
        <translation>Jeder Status</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Search event, error or Retell call id</source>
        <translation>Ereignis, Fehler oder Retell-Anruf-ID suchen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+249"/>
        <location line="+8"/>
        <location line="+13"/>
        <source>Replay</source>
        <translation>Erneut verarbeiten</translation>
    </message>
    <message>
        <location line="-268"/>
        <source>Set the delivery back to pending and process it again</source>
        <translation>Die Zustellung auf „ausstehend“ zurücksetzen und erneut verarbeiten</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Refused sample</source>
        <translation>Abgewiesene Anfragen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the last refused request bodies the server kept (at most 100, the first 4 KB of each)</source>
        <translation>Die letzten Inhalte abgewiesener Anfragen zeigen, die der Server behalten hat (höchstens 100, je die ersten 4 KB)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No.</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time zone</source>
        <translation>Zeitzone</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signature</source>
        <translation>Signatur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deliveries</source>
        <translation>Zustellungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Call</source>
        <translation>Anruf</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retell call</source>
        <translation>Retell-Anruf</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>webhook-inbox</source>
        <translation>webhook-eingang</translation>
    </message>
    <message>
        <source>Admin sign-in</source>
        <translation type="vanished">Admin-Anmeldung</translation>
    </message>
    <message>
        <source>signature missing</source>
        <translation type="vanished">Signatur fehlt</translation>
    </message>
    <message>
        <source>signature malformed</source>
        <translation type="vanished">Signatur fehlerhaft</translation>
    </message>
    <message>
        <source>signature too old</source>
        <translation type="vanished">Signatur zu alt</translation>
    </message>
    <message>
        <source>signature wrong</source>
        <translation type="vanished">Signatur falsch</translation>
    </message>
    <message>
        <source>body over 1 MiB</source>
        <translation type="vanished">Inhalt über 1 MiB</translation>
    </message>
    <message>
        <source>wrong user or password</source>
        <translation type="vanished">falscher Benutzer oder falsches Passwort</translation>
    </message>
    <message>
        <source>answered 429 (too many refusals from one address)</source>
        <translation type="vanished">mit 429 beantwortet (zu viele Abweisungen von einer Adresse)</translation>
    </message>
    <message>
        <source>other reason</source>
        <translation type="vanished">anderer Grund</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+31"/>
        <source>Refused requests cannot be read: %1</source>
        <translation>Abgewiesene Anfragen können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No request refused since the server started (%1).</source>
        <translation>Seit dem Start des Servers (%1) wurde keine Anfrage abgewiesen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refused since the server started (%1), none stored in the inbox: %2.</source>
        <translation>Abgewiesen seit dem Start des Servers (%1), nichts davon im Eingang gespeichert: %2.</translation>
    </message>
    <message numerus="yes">
        <location line="+25"/>
        <source>%1 · %2 · from %3 · %n byte(s)</source>
        <translation>
            <numerusform>%1 · %2 · von %3 · %n Byte</numerusform>
            <numerusform>%1 · %2 · von %3 · %n Bytes</numerusform>
        </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No refused request body kept: none was refused since the server started.</source>
        <translation>Kein Inhalt abgewiesener Anfragen behalten: seit dem Start des Servers wurde keine abgewiesen.</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>The last %n refused request(s), newest first; each body cut at 4 KB, secrets masked.</source>
        <translation>
            <numerusform>%n zuletzt abgewiesene Anfrage; Inhalt nach 4 KB abgeschnitten, Geheimnisse maskiert.</numerusform>
            <numerusform>Die letzten %n abgewiesenen Anfragen, neueste zuerst; jeder Inhalt nach 4 KB abgeschnitten, Geheimnisse maskiert.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+35"/>
        <source>No webhook deliveries yet: they appear here as providers send them.</source>
        <translation>Noch keine Webhook-Zustellungen: Sie erscheinen hier, sobald Anbieter sie senden.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Select a delivery to see its body.</source>
        <translation>Wählen Sie eine Zustellung aus, um ihren Inhalt zu sehen.</translation>
    </message>
    <message>
        <location line="-115"/>
        <location line="+116"/>
        <source>The inbox cannot be read: %1</source>
        <translation>Der Webhook-Eingang kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Delivery %1 from %2, event %3, received %4 time(s); signature %5; status %6.</source>
        <translation>Zustellung %1 von %2, Ereignis %3, %4-mal empfangen; Signatur %5; Status %6.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>valid</source>
        <translation>gültig</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>INVALID</source>
        <translation>UNGÜLTIG</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Error: %1</source>
        <translation>Fehler: %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The body cannot be read: %1</source>
        <translation>Der Inhalt kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Replaying delivery %1 would do this:

%2

Replay it?</source>
        <translation>Zustellung %1 erneut zu verarbeiten würde Folgendes tun:

%2

Erneut verarbeiten?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Replaying delivery %1 would change nothing now:

%2

Replay it anyway?</source>
        <translation>Zustellung %1 erneut zu verarbeiten würde jetzt nichts ändern:

%2

Trotzdem erneut verarbeiten?</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Delivery %1 queued for processing again (job %2).</source>
        <translation>Zustellung %1 zur erneuten Verarbeitung eingereiht (Job %2).</translation>
    </message>
</context>
<context>
    <name>askpro::InvoicesModel</name>
    <message>
        <location filename="../models/invoicesmodel.cpp" line="-150"/>
        <source>Draft</source>
        <translation>Entwurf</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open</source>
        <translation>Offen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Paid</source>
        <translation>Bezahlt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Overdue</source>
        <translation>Überfällig</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Payment failed</source>
        <translation>Zahlung fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+46"/>
        <source>Credit note</source>
        <translation>Gutschrift</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Invoice</source>
        <translation>Rechnung</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Number</source>
        <translation>Nummer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Company</source>
        <translation>Unternehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Period</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Total</source>
        <translation>Gesamt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Issued</source>
        <translation>Ausgestellt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Due</source>
        <translation>Fällig</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
</context>
<context>
    <name>askpro::InvoicesPage</name>
    <message>
        <location filename="../ui/pages/invoicespage.cpp" line="+95"/>
        <source>Invoices</source>
        <translation>Rechnungen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Next invoices (preview)</source>
        <translation>Nächste Rechnungen (Vorschau)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reconciliation</source>
        <translation>Abstimmung</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>All companies</source>
        <translation>Alle Unternehmen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All statuses</source>
        <translation>Alle Status</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Number or company</source>
        <translation>Nummer oder Unternehmen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Company:</source>
        <translation>Unternehmen:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Status:</source>
        <translation>Status:</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The invoices cannot be read: %1</source>
        <translation>Die Rechnungen können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+157"/>
        <source>Select an invoice.</source>
        <translation>Wählen Sie eine Rechnung aus.</translation>
    </message>
    <message>
        <location line="-152"/>
        <location line="+259"/>
        <location line="+4"/>
        <source>Resend</source>
        <translation>Erneut senden</translation>
    </message>
    <message>
        <location line="-261"/>
        <source>Mark paid…</source>
        <translation>Als bezahlt markieren…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Credit note…</source>
        <translation>Gutschrift…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export PDF…</source>
        <translation>PDF exportieren…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export XML…</source>
        <translation>XML exportieren…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Document</source>
        <translation>Dokument</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+325"/>
        <source>Lines</source>
        <translation>Positionen</translation>
    </message>
    <message>
        <location line="-324"/>
        <source>Payments</source>
        <translation>Zahlungen</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>Month:</source>
        <translation>Monat:</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The companies cannot be read: %1</source>
        <translation>Die Unternehmen können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>Invoice %1 cannot be read: %2</source>
        <translation>Rechnung %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>&lt;b&gt;%1&lt;/b&gt; · %2 · %3 – %4 · total %5 · %6</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · %2 · %3 – %4 · gesamt %5 · %6</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+15"/>
        <source>Pos.</source>
        <translation>Pos.</translation>
    </message>
    <message>
        <location line="-15"/>
        <location line="+15"/>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <location line="-15"/>
        <location line="+15"/>
        <source>Quantity</source>
        <translation>Menge</translation>
    </message>
    <message>
        <location line="-15"/>
        <location line="+15"/>
        <source>Unit price</source>
        <translation>Einzelpreis</translation>
    </message>
    <message>
        <location line="-15"/>
        <location line="+5"/>
        <location line="+10"/>
        <source>Amount</source>
        <translation>Betrag</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Stripe event</source>
        <translation>Stripe-Ereignis</translation>
    </message>
    <message>
        <source>The invoice was not queued: %1</source>
        <translation type="vanished">Die Rechnung wurde nicht eingereiht: %1</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>%1 queued for %2.</source>
        <translation>%1 an %2 eingereiht.</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+9"/>
        <location line="+4"/>
        <source>Mark paid</source>
        <translation>Als bezahlt markieren</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>Why is this invoice paid (e.g. bank transfer of 12 May)?</source>
        <translation>Wodurch ist diese Rechnung bezahlt (z. B. Überweisung vom 12. Mai)?</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Marked paid.</source>
        <translation>Als bezahlt markiert.</translation>
    </message>
    <message>
        <location line="-68"/>
        <location line="+75"/>
        <location line="+9"/>
        <location line="+6"/>
        <source>Credit note</source>
        <translation>Gutschrift</translation>
    </message>
    <message>
        <location line="-15"/>
        <source>Reason for the credit note (shown on the document):</source>
        <translation>Grund für die Gutschrift (steht auf dem Dokument):</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Credit note created.</source>
        <translation>Gutschrift erstellt.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Export XML</source>
        <translation>XML exportieren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Export PDF</source>
        <translation>PDF exportieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>XRechnung (*.xml)</source>
        <translation>XRechnung (*.xml)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <location line="-4"/>
        <location line="+9"/>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wrote %1.</source>
        <translation>%1 geschrieben.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Invoices for %1 as they would be issued now (nothing is written):</source>
        <translation>Rechnungen für %1, wie sie jetzt ausgestellt würden (es wird nichts gespeichert):</translation>
    </message>
    <message>
        <location line="+17"/>
        <location line="+36"/>
        <source>Company</source>
        <translation>Unternehmen</translation>
    </message>
    <message>
        <location line="-167"/>
        <location line="+131"/>
        <source>Net</source>
        <translation>Netto</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>VAT</source>
        <translation>USt.</translation>
    </message>
    <message>
        <location line="-129"/>
        <location line="+129"/>
        <source>Total</source>
        <translation>Gesamt</translation>
    </message>
    <message>
        <location line="-433"/>
        <source>VAT ID %1</source>
        <translation>USt-IdNr. %1</translation>
    </message>
    <message>
        <location line="+294"/>
        <source>Corrects invoice %1</source>
        <translation>Korrigiert Rechnung %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Service period %1 – %2</source>
        <translation>Leistungszeitraum %1 – %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>VAT %1 %</source>
        <translation>USt. %1 %</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The server cannot be reached, so nothing was changed. Try again when it answers.</source>
        <translation>Der Server ist nicht erreichbar, daher wurde nichts geändert. Versuchen Sie es erneut, sobald er antwortet.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1: not done (%2).</source>
        <translation>%1: nicht erledigt (%2).</translation>
    </message>
    <message>
        <location line="+97"/>
        <source>The preview cannot be read: %1</source>
        <translation>Die Vorschau kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>The reconciliation cannot be read: %1</source>
        <translation>Die Abstimmung kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Calls without usage row (unbilled)</source>
        <translation>Anrufe ohne Nutzungseintrag (nicht abgerechnet)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Booked appointments without usage row (unbilled)</source>
        <translation>Gebuchte Termine ohne Nutzungseintrag (nicht abgerechnet)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Usage of a closed month on no invoice (unbilled)</source>
        <translation>Nutzung eines abgeschlossenen Monats auf keiner Rechnung (nicht abgerechnet)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Invoice lines differ from its usage rows (billed twice or missing)</source>
        <translation>Rechnungspositionen weichen von den Nutzungseinträgen ab (doppelt abgerechnet oder fehlend)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Invoice not sent to Stripe</source>
        <translation>Rechnung nicht an Stripe übertragen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stripe&apos;s total differs from the invoice</source>
        <translation>Der Gesamtbetrag bei Stripe weicht von der Rechnung ab</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Everything matches: every call and booking is billed once, and Stripe agrees.</source>
        <translation>Alles stimmt: Jeder Anruf und jede Buchung ist genau einmal abgerechnet, und Stripe stimmt überein.</translation>
    </message>
    <message>
        <location line="-176"/>
        <location line="+177"/>
        <source>Invoice</source>
        <translation>Rechnung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Finding</source>
        <translation>Befund</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Expected / count</source>
        <translation>Erwartet / Anzahl</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Actual</source>
        <translation>Tatsächlich</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Detail</source>
        <translation>Detail</translation>
    </message>
</context>
<context>
    <name>askpro::LanguageMenu</name>
    <message>
        <location filename="../ui/languagemenu.cpp" line="+12"/>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>System default</source>
        <translation>Systemstandard</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>The language changes when AskPro Admin is started again.</source>
        <translation>Die Sprache wechselt beim nächsten Start von AskPro Admin.</translation>
    </message>
</context>
<context>
    <name>askpro::MainWindow</name>
    <message>
        <source>AskPro Admin</source>
        <translation type="vanished">AskPro Admin</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="+61"/>
        <source>AskPro Admin: %1 (%2)</source>
        <translation>AskPro Admin: %1 (%2)</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Calls</source>
        <translation>Anrufe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed calls</source>
        <translation>Fehlgeschlagene Anrufe</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Webhook inbox</source>
        <translation>Webhook-Eingang</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Appointments</source>
        <translation>Termine</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calendar</source>
        <translation>Kalender</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Customers</source>
        <translation>Kunden</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Companies</source>
        <translation>Unternehmen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Invoices</source>
        <translation>Rechnungen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Usage</source>
        <translation>Nutzung</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Health</source>
        <translation>Systemzustand</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Health: %1 is now %2. %3</source>
        <translation>Systemzustand: %1 ist jetzt %2. %3</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Audit log</source>
        <translation>Prüfprotokoll</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Message texts</source>
        <translation>Nachrichtentexte</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Provider keys</source>
        <translation>Anbieterschlüssel</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;New business…</source>
        <translation>&amp;Neues Unternehmen…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Change &amp;password…</source>
        <translation>&amp;Passwort ändern…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sign &amp;out</source>
        <translation>&amp;Abmelden</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Go</source>
        <translation>&amp;Gehe zu</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Server: %1</source>
        <translation>Server: %1</translation>
    </message>
    <message>
        <location line="+76"/>
        <source>live</source>
        <translation>Live</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>polling</source>
        <translation>Abfrage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pages update as soon as the server reports a change.</source>
        <translation>Die Seiten aktualisieren sich, sobald der Server eine Änderung meldet.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No live connection to the server (yet): pages look for changes every few seconds.</source>
        <translation>(Noch) keine Live-Verbindung zum Server: Die Seiten fragen alle paar Sekunden nach Änderungen.</translation>
    </message>
    <message>
        <source>Database: %1</source>
        <translation type="vanished">Datenbank: %1</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>server: not reachable (%1)</source>
        <translation>Server: nicht erreichbar (%1)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The shown data stays as it was until the server answers again.</source>
        <translation>Die angezeigten Daten bleiben, wie sie sind, bis der Server wieder antwortet.</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>New business: %1</source>
        <translation>Neues Unternehmen: %1</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Change password</source>
        <translation>Passwort ändern</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Current password:</source>
        <translation>&amp;Aktuelles Passwort:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New password:</source>
        <translation>&amp;Neues Passwort:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Repeat new password:</source>
        <translation>Neues Passwort &amp;wiederholen:</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Your password was changed; your other devices are signed out.</source>
        <translation>Ihr Passwort wurde geändert; Ihre anderen Geräte sind abgemeldet.</translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation type="vanished">Die beiden neuen Passwörter unterscheiden sich.</translation>
    </message>
    <message>
        <source>Your password was changed.</source>
        <translation type="vanished">Ihr Passwort wurde geändert.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Simulated calls</source>
        <translation>&amp;Simulierte Anrufe</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>While on, the sandbox places a simulated call every few seconds: watch them arrive, get booked, and some fail (%1)</source>
        <translation>Solange eingeschaltet, tätigt die Sandbox alle paar Sekunden einen simulierten Anruf: Sehen Sie zu, wie sie eintreffen, gebucht werden und manche fehlschlagen (%1)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Demo</source>
        <translation>&amp;Demo</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Simulation: asking the sandbox…</source>
        <translation>Simulation: Sandbox wird gefragt…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Simulation: starting…</source>
        <translation>Simulation: startet…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Simulation: stopping…</source>
        <translation>Simulation: hält an…</translation>
    </message>
    <message numerus="yes">
        <location line="+19"/>
        <source>Simulation on: %n call(s) a minute</source>
        <translation>
            <numerusform>Simulation an: %n Anruf pro Minute</numerusform>
            <numerusform>Simulation an: %n Anrufe pro Minute</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Simulation off</source>
        <translation>Simulation aus</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Simulated calls are on: new calls arrive in a few seconds.</source>
        <translation>Simulierte Anrufe sind an: Neue Anrufe treffen in wenigen Sekunden ein.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Simulated calls are off.</source>
        <translation>Simulierte Anrufe sind aus.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>the sandbox runs without simulated calls</source>
        <translation>die Sandbox läuft ohne simulierte Anrufe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Simulation: not available</source>
        <translation>Simulation: nicht verfügbar</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Simulation: sandbox not reachable</source>
        <translation>Simulation: Sandbox nicht erreichbar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The simulated calls could not be switched: %1</source>
        <translation>Die simulierten Anrufe ließen sich nicht umschalten: %1</translation>
    </message>
    <message>
        <source>Ctrl+%1</source>
        <translation type="vanished">Strg+%1</translation>
    </message>
    <message>
        <location line="-156"/>
        <source>server: unknown (%1)</source>
        <translation>Server: unbekannt (%1)</translation>
    </message>
    <message numerus="yes">
        <location line="+12"/>
        <source>server: running, %n worker(s), backlog %1</source>
        <translation>
            <numerusform>Server: läuft, %n Worker, Rückstau %1</numerusform>
            <numerusform>Server: läuft, %n Worker, Rückstau %1</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>server: not running, backlog %1</source>
        <translation>Server: läuft nicht, Rückstau %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Jobs queued: %1, running: %2, failed: %3</source>
        <translation>Jobs wartend: %1, laufend: %2, fehlgeschlagen: %3</translation>
    </message>
    <message>
        <source>New business: the key that encrypts provider keys (askpro.key) was not found. Start AskPro Admin where askpro-server runs, or set ASKPRO_KEY_FILE.</source>
        <translation type="vanished">Neues Unternehmen: Der Schlüssel, der die Anbieter-Schlüssel verschlüsselt (askpro.key), wurde nicht gefunden. Starten Sie AskPro Admin dort, wo askpro-server läuft, oder setzen Sie ASKPRO_KEY_FILE.</translation>
    </message>
</context>
<context>
    <name>askpro::MessageTemplatesModel</name>
    <message>
        <location filename="../models/messagetemplatesmodel.cpp" line="+25"/>
        <source>Booking confirmation</source>
        <translation>Buchungsbestätigung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reminder the day before</source>
        <translation>Erinnerung am Vortag</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Appointment cancelled</source>
        <translation>Termin abgesagt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Appointment moved</source>
        <translation>Termin verschoben</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>We will call you back</source>
        <translation>Wir rufen Sie zurück</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>SMS</source>
        <translation>SMS</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>German</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>English</source>
        <translation>Englisch</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Company&apos;s own</source>
        <translation>Eigener Text des Unternehmens</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Platform text</source>
        <translation>Text der Plattform</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shipped text</source>
        <translation>Mitgelieferter Text</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channel</source>
        <translation>Kanal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Text</source>
        <translation>Text</translation>
    </message>
</context>
<context>
    <name>askpro::MessagesPage</name>
    <message>
        <location filename="../ui/pages/messagespage.cpp" line="+54"/>
        <source>Every channel</source>
        <translation>Alle Kanäle</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Every state</source>
        <translation>Alle Zustände</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Search recipient or message id</source>
        <translation>Empfänger oder Nachrichten-ID suchen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Show every call&apos;s</source>
        <translation>Alle Anrufe zeigen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>From:</source>
        <translation>Von:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>To:</source>
        <translation>Bis:</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No.</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recorded</source>
        <translation>Erfasst</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time zone</source>
        <translation>Zeitzone</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Company</source>
        <translation>Unternehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channel</source>
        <translation>Kanal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recipient</source>
        <translation>Empfänger</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Provider id</source>
        <translation>Anbieter-ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Call</source>
        <translation>Anruf</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Booking confirmation</source>
        <translation>Terminbestätigung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Landline or unreachable carrier (30006)</source>
        <translation>Festnetz oder Netz nicht erreichbar (30006)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Open call</source>
        <translation>Anruf öffnen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Send again…</source>
        <translation>Erneut senden…</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>The delivery log cannot be read: %1</source>
        <translation>Das Versandprotokoll kann nicht gelesen werden: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+23"/>
        <source>Only the first %Ln messages are exported.</source>
        <translation>
            <numerusform>Nur die erste Nachricht wird exportiert.</numerusform>
            <numerusform>Nur die ersten %Ln Nachrichten werden exportiert.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>delivery-log</source>
        <translation>versandprotokoll</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Send again</source>
        <translation>Erneut senden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send message %1 again to its recipient? It is recorded as a new message.</source>
        <translation>Nachricht %1 erneut an ihren Empfänger senden? Sie wird als neue Nachricht erfasst.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Message %1 was not sent again: %2</source>
        <translation>Nachricht %1 wurde nicht erneut gesendet: %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Message %1 is being sent again as message %2.</source>
        <translation>Nachricht %1 wird als Nachricht %2 erneut gesendet.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Only call %1</source>
        <translation>Nur Anruf %1</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>No messages match the filter.</source>
        <translation>Keine Nachrichten passen zum Filter.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Select a message to see its text and delivery.</source>
        <translation>Wählen Sie eine Nachricht, um Text und Zustellung zu sehen.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>%1 by %2 to %3, recorded %4.</source>
        <translation>%1 per %2 an %3, erfasst %4.</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>State: %1 after %Ln attempt(s).</source>
        <translation>
            <numerusform>Zustand: %1 nach %Ln Versuch.</numerusform>
            <numerusform>Zustand: %1 nach %Ln Versuchen.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sent %1.</source>
        <translation>Gesendet %1.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Last reported %1.</source>
        <translation>Zuletzt gemeldet %1.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Reason: %1</source>
        <translation>Grund: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Last error: %1</source>
        <translation>Letzter Fehler: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Provider&apos;s message id: %1</source>
        <translation>Nachrichten-ID des Anbieters: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sent again from message %1.</source>
        <translation>Erneut gesendet aus Nachricht %1.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>(the text is shown to roles with access to customers)</source>
        <translation>(der Text wird Rollen mit Zugriff auf Kunden angezeigt)</translation>
    </message>
</context>
<context>
    <name>askpro::MonthlyRevenueModel</name>
    <message>
        <location filename="../models/invoicesmodel.cpp" line="+135"/>
        <source>Month</source>
        <translation>Monat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Base fee (€)</source>
        <translation>Grundgebühr (€)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Usage (€)</source>
        <translation>Nutzung (€)</translation>
    </message>
</context>
<context>
    <name>askpro::NewPasswordFields</name>
    <message numerus="yes">
        <location filename="../ui/widgets/newpasswordfields.cpp" line="+21"/>
        <source>at least %n characters</source>
        <translation>
            <numerusform>mindestens %n Zeichen</numerusform>
            <numerusform>mindestens %n Zeichen</numerusform>
        </translation>
    </message>
    <message>
        <location line="+24"/>
        <source>The two passwords differ.</source>
        <translation>Die beiden Passwörter unterscheiden sich.</translation>
    </message>
</context>
<context>
    <name>askpro::PhonePage</name>
    <message>
        <location filename="../ui/wizard/phonepage.cpp" line="+25"/>
        <source>2 of 4 · Phone number</source>
        <translation>2 von 4 · Telefonnummer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The number callers dial. The voice agent answers it once the business is live; until then nothing changes for callers.</source>
        <translation>Die Nummer, die Anrufer wählen. Der Sprachagent nimmt sie an, sobald das Unternehmen live ist; bis dahin ändert sich für Anrufer nichts.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Use a number I have: import it over my carrier&apos;s SIP trunk (e.g. a German number)</source>
        <translation>Eine vorhandene Nummer nutzen: über den SIP-Trunk meines Anbieters importieren (z. B. eine deutsche Nummer)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Buy a new number at Retell (United States and Canada only)</source>
        <translation>Eine neue Nummer bei Retell kaufen (nur USA und Kanada)</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+94"/>
        <source>030 1234567 or +49 30 1234567</source>
        <translation>030 1234567 oder +49 30 1234567</translation>
    </message>
    <message>
        <location line="-90"/>
        <source>Number:</source>
        <translation>Nummer:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stored as (E.164):</source>
        <translation>Gespeichert als (E.164):</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Leave the number empty to buy any free number in the area code, or enter the US or Canadian number you want to buy.</source>
        <translation>Lassen Sie die Nummer leer, um eine beliebige freie Nummer in der Vorwahl zu kaufen, oder geben Sie die US- oder kanadische Nummer ein, die Sie kaufen möchten.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>three digits, e.g. 415</source>
        <translation>drei Ziffern, z. B. 415</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Country:</source>
        <translation>Land:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Area code:</source>
        <translation>Vorwahl:</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>If Retell does not hold this number yet, it is imported over your carrier&apos;s SIP trunk: enter the trunk&apos;s termination host (the host name alone, e.g. the one your carrier gives for its trunk) and the trunk&apos;s user and password.</source>
        <translation>Wenn Retell diese Nummer noch nicht führt, wird sie über den SIP-Trunk Ihres Anbieters importiert: Geben Sie den Terminierungs-Host des Trunks (nur den Hostnamen, z. B. den, den Ihr Anbieter für seinen Trunk nennt) sowie Benutzer und Passwort des Trunks ein.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>trunk host, without sip: or port</source>
        <translation>Trunk-Host, ohne sip: oder Port</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>SIP termination host:</source>
        <translation>SIP-Terminierungs-Host:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SIP trunk user:</source>
        <translation>SIP-Trunk-Benutzer:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SIP trunk password:</source>
        <translation>SIP-Trunk-Passwort:</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+39"/>
        <source>Verify with Retell</source>
        <translation>Bei Retell prüfen</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>Verifying saves the company as entered (not live yet), makes sure no active branch answers this number, and checks that the Retell account holds it: if not, it is imported over the SIP trunk, or bought when you chose to buy.</source>
        <translation>Die Prüfung speichert das Unternehmen wie eingegeben (noch nicht live), stellt sicher, dass keine aktive Filiale diese Nummer annimmt, und prüft, ob das Retell-Konto sie hält: Falls nicht, wird sie über den SIP-Trunk importiert oder, wenn Sie Kaufen gewählt haben, gekauft.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Buy at Retell</source>
        <translation>Bei Retell kaufen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>empty for any number, or +1 415 555 0100</source>
        <translation>leer für eine beliebige Nummer, oder +1 415 555 0100</translation>
    </message>
    <message>
        <source>Verifying saves the company as entered (not live yet), makes sure no active branch answers this number, and checks that the Retell account holds it, importing it over the SIP trunk if not.</source>
        <translation type="vanished">Die Prüfung speichert das Unternehmen wie eingegeben (noch nicht live), stellt sicher, dass keine aktive Filiale diese Nummer annimmt, und prüft, ob das Retell-Konto sie führt; andernfalls wird sie über den SIP-Trunk importiert.</translation>
    </message>
    <message>
        <source>Verifying saves the company as entered (not live yet), makes sure no active branch answers this number, and checks that the Retell account holds it, importing it if not.</source>
        <translation type="vanished">Die Prüfung speichert das Unternehmen wie eingegeben (noch nicht live), stellt sicher, dass keine aktive Filiale diese Nummer annimmt, und prüft, ob das Retell-Konto sie führt; andernfalls wird sie importiert.</translation>
    </message>
    <message>
        <location line="+14"/>
        <location line="+9"/>
        <location line="+3"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Enter the three-digit area code to buy a number in, e.g. 415.</source>
        <translation>Geben Sie die dreistellige Vorwahl ein, in der eine Nummer gekauft werden soll, z. B. 415.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Bought at Retell.</source>
        <translation>Bei Retell gekauft.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Press &quot;Buy at Retell&quot; to buy a number in area code %1.</source>
        <translation>Klicken Sie auf „Bei Retell kaufen“, um eine Nummer in der Vorwahl %1 zu kaufen.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Retell sells US and Canadian numbers only (+1 …): import %1 over your carrier&apos;s SIP trunk instead.</source>
        <translation>Retell verkauft nur Nummern aus den USA und Kanada (+1 …): Importieren Sie %1 stattdessen über den SIP-Trunk Ihres Anbieters.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Checking that no active branch answers this number…</source>
        <translation>Es wird geprüft, dass keine aktive Filiale diese Nummer beantwortet…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 already answers calls for an active branch. Use a different number.</source>
        <translation>%1 nimmt bereits Anrufe für eine aktive Filiale an. Verwenden Sie eine andere Nummer.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Verified with Retell.</source>
        <translation>Bei Retell geprüft.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Press &quot;Verify with Retell&quot; to continue.</source>
        <translation>Klicken Sie auf „Bei Retell prüfen“, um fortzufahren.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Checking with Retell…</source>
        <translation>Prüfung bei Retell läuft…</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Bought %1 at Retell. Callers reach the agent there once the business is live.</source>
        <translation>%1 bei Retell gekauft. Anrufer erreichen dort den Agenten, sobald das Unternehmen live ist.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Verified: the Retell account holds %1.</source>
        <translation>Geprüft: Das Retell-Konto führt %1.</translation>
    </message>
</context>
<context>
    <name>askpro::ProviderConnector</name>
    <message>
        <location filename="../backend/setup/providerconnector.cpp" line="+143"/>
        <source>Branch %1 does not exist</source>
        <translation>Filiale %1 existiert nicht</translation>
    </message>
    <message numerus="yes">
        <location line="+61"/>
        <source>Cal.com: event types for %n services</source>
        <translation>
            <numerusform>Cal.com: Ereignistyp für %n Leistung</numerusform>
            <numerusform>Cal.com: Ereignistypen für %n Leistungen</numerusform>
        </translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Cal.com event types ready</source>
        <translation>Cal.com-Ereignistypen bereit</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Cal.com: booking webhook to %1</source>
        <translation>Cal.com: Buchungs-Webhook an %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cal.com webhook already registered</source>
        <translation>Cal.com-Webhook bereits registriert</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Cal.com webhook registered with a new secret</source>
        <translation>Cal.com-Webhook mit neuem Geheimnis registriert</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Retell: the agent&apos;s prompt and booking tools</source>
        <translation>Retell: Prompt und Buchungswerkzeuge des Agenten</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Retell LLM updated</source>
        <translation>Retell-LLM aktualisiert</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Retell LLM created</source>
        <translation>Retell-LLM angelegt</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Retell: voice agent %1</source>
        <translation>Retell: Sprachagent %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Retell agent updated</source>
        <translation>Retell-Agent aktualisiert</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Retell agent created</source>
        <translation>Retell-Agent angelegt</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Retell: number %1 answered by the agent</source>
        <translation>Retell: Nummer %1 wird vom Agenten angenommen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Phone number bound to the agent</source>
        <translation>Telefonnummer dem Agenten zugeordnet</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Retell does not hold %1: import it with your carrier&apos;s SIP trunk (the setup&apos;s phone step, or connect --sip-host).</source>
        <translation>Retell führt %1 nicht: Importieren Sie die Nummer über den SIP-Trunk Ihres Anbieters (im Telefonschritt der Einrichtung oder mit connect --sip-host).</translation>
    </message>
</context>
<context>
    <name>askpro::RecordsModel</name>
    <message>
        <source>Active</source>
        <translation type="vanished">Aktiv</translation>
    </message>
    <message>
        <source>Inactive</source>
        <translation type="vanished">Inaktiv</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation type="vanished">Ja</translation>
    </message>
    <message>
        <source>No</source>
        <translation type="vanished">Nein</translation>
    </message>
</context>
<context>
    <name>askpro::RecoverySweep</name>
    <message>
        <source>Recovery queued another booking attempt</source>
        <translation type="vanished">Wiederherstellung hat einen weiteren Buchungsversuch eingereiht</translation>
    </message>
    <message>
        <location filename="../backend/flow/recoverysweep.cpp" line="+67"/>
        <source>Not booked within 24 hours; recovery gave up</source>
        <translation>Nicht innerhalb von 24 Stunden gebucht; Wiederherstellung aufgegeben</translation>
    </message>
</context>
<context>
    <name>askpro::RequestDialog</name>
    <message>
        <location filename="../ui/dialogs/requestdialog.cpp" line="+19"/>
        <source>Edit appointment data</source>
        <translation>Termindaten bearbeiten</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Service:</source>
        <translation>Leistung:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Date:</source>
        <translation>Datum:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time:</source>
        <translation>Uhrzeit:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer name:</source>
        <translation>Kundenname:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E-mail:</source>
        <translation>E-Mail:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staff preference:</source>
        <translation>Wunsch-Mitarbeiter:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notes:</source>
        <translation>Notizen:</translation>
    </message>
</context>
<context>
    <name>askpro::ResumePage</name>
    <message>
        <location filename="../ui/wizard/resumepage.cpp" line="+21"/>
        <source>Continue a setup?</source>
        <translation>Eine Einrichtung fortsetzen?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>These setups were not finished. Continue one where it stopped, or start a new business.</source>
        <translation>Diese Einrichtungen wurden nicht abgeschlossen. Setzen Sie eine dort fort, wo sie angehalten hat, oder beginnen Sie mit einem neuen Unternehmen.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Start a new setup</source>
        <translation>Neue Einrichtung beginnen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 · %2 · stopped at &quot;%3&quot; · %4</source>
        <translation>%1 · %2 · angehalten bei „%3“ · %4</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(no name)</source>
        <translation>(kein Name)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Keys are never kept in an unfinished setup: if it stopped before they were stored, enter them again.</source>
        <translation>Schlüssel werden in einer unfertigen Einrichtung nie aufbewahrt: Wenn sie angehalten hat, bevor die Schlüssel gespeichert wurden, geben Sie sie erneut ein.</translation>
    </message>
</context>
<context>
    <name>askpro::SecretsPage</name>
    <message>
        <location filename="../ui/pages/secretspage.cpp" line="+50"/>
        <source>&amp;Rotate…</source>
        <translation>&amp;Rotieren…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Store a new key or webhook secret; the old one keeps verifying webhooks for the grace period</source>
        <translation>Einen neuen Schlüssel oder ein neues Webhook-Geheimnis speichern; das alte prüft Webhooks noch während der Übergangszeit</translation>
    </message>
    <message>
        <source>Keep the secrets key in the system &amp;keychain</source>
        <translation type="vanished">Geheimnisschlüssel im &amp;Schlüsselbund des Systems ablegen</translation>
    </message>
    <message>
        <source>Lets AskPro Admin on this desktop open provider keys without the server&apos;s key file</source>
        <translation type="vanished">Damit öffnet AskPro Admin auf diesem Rechner Anbieterschlüssel ohne die Schlüsseldatei des Servers</translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="vanished">Konto</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation type="vanished">Anbieter</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation type="vanished">Basis-URL</translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="vanished">Schlüssel</translation>
    </message>
    <message>
        <source>Webhook secret</source>
        <translation type="vanished">Webhook-Geheimnis</translation>
    </message>
    <message>
        <source>Stored</source>
        <translation type="vanished">Gespeichert</translation>
    </message>
    <message>
        <source>Rotated</source>
        <translation type="vanished">Rotiert</translation>
    </message>
    <message>
        <source>Old secret valid until</source>
        <translation type="vanished">Altes Geheimnis gültig bis</translation>
    </message>
    <message>
        <source>The key that encrypts provider keys is not available on this desktop (no askpro.key file, nothing in the system keychain), so provider keys can be neither shown nor changed here.</source>
        <translation type="vanished">Der Schlüssel, der die Anbieterschlüssel verschlüsselt, ist auf diesem Rechner nicht verfügbar (keine Datei askpro.key, nichts im Schlüsselbund des Systems); Anbieterschlüssel lassen sich hier daher weder anzeigen noch ändern.</translation>
    </message>
    <message>
        <source>Keys are stored encrypted; only their first and last characters are shown. Rotate a key after changing it at the provider; webhooks signed with the old secret are accepted until the grace period ends.</source>
        <translation type="vanished">Schlüssel werden verschlüsselt gespeichert; nur ihre ersten und letzten Zeichen werden gezeigt. Rotieren Sie einen Schlüssel, nachdem Sie ihn beim Anbieter geändert haben; mit dem alten Geheimnis signierte Webhooks werden bis zum Ende der Übergangszeit angenommen.</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>Platform (all companies)</source>
        <translation>Plattform (alle Unternehmen)</translation>
    </message>
    <message>
        <source>configured default</source>
        <translation type="vanished">konfigurierter Standard</translation>
    </message>
    <message>
        <source>The secrets key is not available on this desktop.</source>
        <translation type="vanished">Der Geheimnisschlüssel ist auf diesem Rechner nicht verfügbar.</translation>
    </message>
    <message>
        <location line="-70"/>
        <source>&amp;Set key…</source>
        <translation>Schlüssel &amp;setzen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Store a key for a provider, for the platform or one company; a key it replaces stops working at once</source>
        <translation>Einen Schlüssel für einen Anbieter speichern, für die Plattform oder ein Unternehmen; ein ersetzter Schlüssel gilt sofort nicht mehr</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Keys are stored encrypted on the server; only their first and last characters are shown. Rotate a key after changing it at the provider; webhooks signed with the old secret are accepted until the grace period ends. The secrets key that encrypts them never leaves the server: keeping it (key file, rotation) is the server operator&apos;s job, with askpro-server credentials on the server&apos;s machine.</source>
        <translation>Schlüssel werden verschlüsselt auf dem Server gespeichert; nur ihre ersten und letzten Zeichen werden angezeigt. Rotieren Sie einen Schlüssel, nachdem Sie ihn beim Anbieter geändert haben; mit dem alten Geheimnis signierte Webhooks werden bis zum Ende der Übergangsfrist angenommen. Der Geheimnisschlüssel, der sie verschlüsselt, verlässt den Server nie: Ihn zu verwahren (Schlüsseldatei, Rotation) ist Aufgabe des Serverbetriebs, mit askpro-server credentials auf dem Rechner des Servers.</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Set provider key</source>
        <translation>Anbieterschlüssel setzen</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>empty: the configured default</source>
        <translation>leer: der konfigurierte Standard</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+6"/>
        <source>the API key or password</source>
        <translation>der API-Schlüssel oder das Passwort</translation>
    </message>
    <message>
        <location line="-5"/>
        <location line="+6"/>
        <source>optional</source>
        <translation>optional</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>AccountSid:AuthToken</source>
        <translation>AccountSid:AuthToken</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sender: +49… number or MG… messaging service</source>
        <translation>Absender: Nummer +49… oder Messaging-Dienst MG…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Account:</source>
        <translation>&amp;Konto:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Provider:</source>
        <translation>&amp;Anbieter:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Base URL:</source>
        <translation>&amp;Basis-URL:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Key:</source>
        <translation>&amp;Schlüssel:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Webhook secret:</source>
        <translation>&amp;Webhook-Geheimnis:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A key stored for an account and provider that already has one replaces it at once; to keep the old webhook secret working for a while, use Rotate.</source>
        <translation>Ein Schlüssel für ein Konto und einen Anbieter, für die es schon einen gibt, ersetzt diesen sofort; soll das alte Webhook-Geheimnis noch eine Weile gelten, verwenden Sie Rotieren.</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>%1 key stored.</source>
        <translation>%1-Schlüssel gespeichert.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Select the credential to rotate.</source>
        <translation>Wählen Sie die Zugangsdaten aus, die rotiert werden sollen.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Rotate %1 key</source>
        <translation>%1-Schlüssel rotieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the new API key</source>
        <translation>der neue API-Schlüssel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>empty: keep %1</source>
        <translation>leer: %1 behalten</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>none</source>
        <translation>keines</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> h</source>
        <translation> h</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Account:</source>
        <translation>Konto:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Current key:</source>
        <translation>Aktueller Schlüssel:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New key:</source>
        <translation>&amp;Neuer Schlüssel:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New &amp;webhook secret:</source>
        <translation>Neues &amp;Webhook-Geheimnis:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Grace period:</source>
        <translation>Ü&amp;bergangszeit:</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>%1 key rotated.</source>
        <translation>%1-Schlüssel rotiert.</translation>
    </message>
    <message>
        <source>System keychain</source>
        <translation type="vanished">Schlüsselbund des Systems</translation>
    </message>
    <message>
        <source>The secrets key is now in the system keychain.</source>
        <translation type="vanished">Der Geheimnisschlüssel liegt jetzt im Schlüsselbund des Systems.</translation>
    </message>
</context>
<context>
    <name>askpro::SessionKeychain</name>
    <message>
        <location filename="../models/sessionkeychain.cpp" line="+19"/>
        <source>The system keychain cannot be used: %1</source>
        <translation>Der Schlüsselbund des Systems ist nicht nutzbar: %1</translation>
    </message>
</context>
<context>
    <name>askpro::SessionsModel</name>
    <message>
        <location filename="../models/sessionsmodel.cpp" line="+92"/>
        <source>%1 (this window)</source>
        <translation>%1 (dieses Fenster)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signed in</source>
        <translation>Angemeldet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Last used</source>
        <translation>Zuletzt verwendet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Expires at the latest</source>
        <translation>Läuft spätestens ab</translation>
    </message>
</context>
<context>
    <name>askpro::SetupRunner</name>
    <message>
        <location filename="../backend/setup/setupprogress.cpp" line="+26"/>
        <source>The server described a setup run this version cannot read.</source>
        <translation>Der Server hat eine Einrichtung beschrieben, die diese Version nicht lesen kann.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Save company, branch, services and staff</source>
        <translation>Unternehmen, Filiale, Leistungen und Mitarbeiter speichern</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Verify the phone number with Retell</source>
        <translation>Telefonnummer bei Retell prüfen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Store the API keys encrypted</source>
        <translation>API-Schlüssel verschlüsselt speichern</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Connect Cal.com and the Retell voice agent</source>
        <translation>Cal.com und den Retell-Sprachagenten anbinden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Set up billing in Stripe</source>
        <translation>Abrechnung in Stripe einrichten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Go live</source>
        <translation>Live schalten</translation>
    </message>
    <message>
        <location filename="../backend/setup/setuprunner.cpp" line="+101"/>
        <source> It said: &quot;%1&quot;.</source>
        <translation> Die Antwort lautete: „%1“.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is not answering properly right now (%2). Nothing was lost: press Retry in a moment.</source>
        <translation>%1 antwortet gerade nicht richtig (%2). Es ging nichts verloren: Klicken Sie gleich auf „Erneut versuchen“.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 refused the API key. Check the key on the first page and press Retry.</source>
        <translation>%1 hat den API-Schlüssel abgelehnt. Prüfen Sie den Schlüssel auf der ersten Seite und klicken Sie auf „Erneut versuchen“.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 refused the request.</source>
        <translation>%1 hat die Anfrage abgelehnt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 does not know an object the setup expected.</source>
        <translation>%1 kennt ein Objekt nicht, das die Einrichtung erwartet hat.</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>The setup is still working on a step; wait until it ends.</source>
        <translation>Die Einrichtung arbeitet noch an einem Schritt; warten Sie, bis er abgeschlossen ist.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Setup %1 has already finished and cannot change.</source>
        <translation>Einrichtung %1 ist bereits abgeschlossen und kann nicht mehr geändert werden.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>There is no setup run %1.</source>
        <translation>Es gibt keine Einrichtung %1.</translation>
    </message>
    <message>
        <location filename="../backend/setup/setuphost.cpp" line="+88"/>
        <location line="+27"/>
        <location filename="../backend/setup/setuprunner.cpp" line="+60"/>
        <source>Setup %1 is already running.</source>
        <translation>Einrichtung %1 läuft bereits.</translation>
    </message>
    <message>
        <location filename="../backend/setup/setuprunner.cpp" line="+9"/>
        <source>Setup %1 was cancelled; start a new one.</source>
        <translation>Einrichtung %1 wurde abgebrochen; starten Sie eine neue.</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>The setup was cancelled.</source>
        <translation>Die Einrichtung wurde abgebrochen.</translation>
    </message>
    <message numerus="yes">
        <location line="+10"/>
        <source>Company, branch, %n service(s) and staff saved</source>
        <translation>
            <numerusform>Unternehmen, Filiale, %n Leistung und Mitarbeiter gespeichert</numerusform>
            <numerusform>Unternehmen, Filiale, %n Leistungen und Mitarbeiter gespeichert</numerusform>
        </translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1 is live: calls to %2 are answered</source>
        <translation>%1 ist live: Anrufe an %2 werden angenommen</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1 Trying again (%2 of %3)…</source>
        <translation>%1 Neuer Versuch (%2 von %3)…</translation>
    </message>
    <message>
        <location line="+218"/>
        <source>Setup %1 is working on this business right now; wait until it ends, or cancel it.</source>
        <translation>Einrichtung %1 arbeitet gerade an diesem Unternehmen; warten Sie, bis sie endet, oder brechen Sie sie ab.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Taken over by setup %1</source>
        <translation>Von Einrichtung %1 übernommen</translation>
    </message>
    <message>
        <location line="+54"/>
        <location line="+257"/>
        <source>No Retell API key is stored for the platform: enter it on the first page.</source>
        <translation>Für die Plattform ist kein Retell-API-Schlüssel hinterlegt: Geben Sie ihn auf der ersten Seite ein.</translation>
    </message>
    <message>
        <location line="-238"/>
        <location line="+73"/>
        <source>%1 already answers calls for another active branch. Use a different number, or deactivate that branch first.</source>
        <translation>%1 nimmt bereits Anrufe für eine andere aktive Filiale an. Verwenden Sie eine andere Nummer oder deaktivieren Sie zuerst diese Filiale.</translation>
    </message>
    <message>
        <location line="-57"/>
        <location line="+157"/>
        <source>Retell holds %1 in this account</source>
        <translation>Retell führt %1 in diesem Konto</translation>
    </message>
    <message>
        <location line="-145"/>
        <source>Retell does not hold %1 yet. Enter your carrier&apos;s SIP trunk (termination host, user and password) to import it.</source>
        <translation>Retell führt %1 noch nicht. Geben Sie den SIP-Trunk Ihres Anbieters ein (Terminierungs-Host, Benutzer und Passwort), um die Nummer zu importieren.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1 imported into the Retell account</source>
        <translation>%1 in das Retell-Konto importiert</translation>
    </message>
    <message>
        <location line="+102"/>
        <source>Retell confirmed the purchase but named no valid number (&quot;%1&quot;). Check the Retell account&apos;s numbers, then press Retry: a number bought for this branch is found again.</source>
        <translation>Retell hat den Kauf bestätigt, aber keine gültige Nummer genannt („%1“). Prüfen Sie die Nummern im Retell-Konto und klicken Sie dann auf „Erneuter Versuch“: Eine für diese Filiale gekaufte Nummer wird wiedergefunden.</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+13"/>
        <source>%1 bought at Retell</source>
        <translation>%1 bei Retell gekauft</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>No %1 key is stored for the platform, and storing one needs the permission to manage secrets.</source>
        <translation>Für die Plattform ist kein %1-Schlüssel gespeichert, und ihn zu speichern erfordert die Berechtigung, Schlüssel zu verwalten.</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>The Cal.com API key is needed again to continue (keys are never kept in the setup record): enter it and press Retry.</source>
        <translation>Zum Fortfahren wird der Cal.com-API-Schlüssel erneut benötigt (Schlüssel werden nie im Einrichtungsprotokoll gespeichert): Geben Sie ihn ein und klicken Sie auf „Erneut versuchen“.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Keys stored encrypted: %1; the platform&apos;s %2 key was kept (it is changed on the secrets page)</source>
        <translation>Schlüssel verschlüsselt gespeichert: %1; der %2-Schlüssel der Plattform wurde beibehalten (er wird auf der Seite Anbieterschlüssel geändert)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Keys stored encrypted: %1</source>
        <translation>Schlüssel verschlüsselt gespeichert: %1</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Cal.com event types, booking webhook, Retell agent and number ready</source>
        <translation>Cal.com-Ereignistypen, Buchungs-Webhook, Retell-Agent und Nummer bereit</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Skipped: no Stripe key is configured. Billing can be set up later; the business goes live anyway.</source>
        <translation>Übersprungen: Kein Stripe-Schlüssel konfiguriert. Die Abrechnung kann später eingerichtet werden; das Unternehmen geht trotzdem live.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Stripe customer %1 with its subscription already set up</source>
        <translation>Stripe-Kunde %1 mit Abonnement bereits eingerichtet</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Stripe customer %1 and subscription found and reused</source>
        <translation>Stripe-Kunde %1 und Abonnement gefunden und wiederverwendet</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>AskPro base fee</source>
        <translation>AskPro-Grundgebühr</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Stripe customer %1 and base subscription created</source>
        <translation>Stripe-Kunde %1 und Grundabonnement angelegt</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>Another branch went live with the same number in the meantime; choose a different number.</source>
        <translation>Inzwischen ist eine andere Filiale mit derselben Nummer live gegangen; wählen Sie eine andere Nummer.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>This setup bought %1 at Retell, and undoing it releases the number, which may then be gone for good. Confirm the release to undo it.</source>
        <translation>Diese Einrichtung hat %1 bei Retell gekauft; das Rückgängigmachen gibt die Nummer frei, die dann endgültig weg sein kann. Bestätigen Sie die Freigabe, um sie rückgängig zu machen.</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>%1 is live; a finished setup cannot be cancelled. Deactivate the branch instead.</source>
        <translation>%1 ist live; eine abgeschlossene Einrichtung kann nicht abgebrochen werden. Deaktivieren Sie stattdessen die Filiale.</translation>
    </message>
</context>
<context>
    <name>askpro::SetupWizard</name>
    <message>
        <location filename="../ui/wizard/setupwizard.cpp" line="+20"/>
        <source>New business</source>
        <translation>Neues Unternehmen</translation>
    </message>
</context>
<context>
    <name>askpro::SignInDialog</name>
    <message>
        <location filename="../ui/dialogs/signindialog.cpp" line="+28"/>
        <source>AskPro Admin: create the administrator</source>
        <translation>AskPro Admin: Administrator anlegen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>AskPro Admin: sign in</source>
        <translation>AskPro Admin: Anmelden</translation>
    </message>
    <message>
        <source>This database has no users yet. Create the administrator&apos;s account: the administrator adds everyone else under Users and gives them their roles.</source>
        <translation type="vanished">Diese Datenbank hat noch keine Benutzer. Legen Sie das Konto des Administrators an: Der Administrator fügt unter Benutzer alle anderen hinzu und gibt ihnen ihre Rollen.</translation>
    </message>
    <message>
        <source>Sign in with your AskPro user name and password.</source>
        <translation type="vanished">Melden Sie sich mit Ihrem AskPro-Benutzernamen und Passwort an.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This server has no users yet. Create the administrator&apos;s account: the administrator adds everyone else under Users and gives them their roles.</source>
        <translation>Dieser Server hat noch keine Benutzer. Legen Sie das Konto der Administration an: Sie fügt alle anderen unter Benutzer hinzu und vergibt ihre Rollen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sign in to your AskPro server with your user name and password.</source>
        <translation>Melden Sie sich mit Benutzername und Passwort bei Ihrem AskPro-Server an.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Server:</source>
        <translation>&amp;Server:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;User name:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Full name:</source>
        <translation>&amp;Vollständiger Name:</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+5"/>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>&amp;Repeat password:</source>
        <translation>Passwort &amp;wiederholen:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>S&amp;tay signed in on this computer</source>
        <translation>Auf diesem Compu&amp;ter angemeldet bleiben</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The session is kept in the system keychain, never in a file, until you sign out or the server ends it (after 12 hours unused, 30 days at most).</source>
        <translation>Die Sitzung wird im Schlüsselbund des Systems aufbewahrt, nie in einer Datei, bis Sie sich abmelden oder der Server sie beendet (nach 12 Stunden ohne Nutzung, spätestens nach 30 Tagen).</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>AskPro Admin on %1</source>
        <translation>AskPro Admin auf %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The server answered with a user this version of AskPro Admin does not know.</source>
        <translation>Der Server hat mit einem Benutzer geantwortet, den diese Version von AskPro Admin nicht kennt.</translation>
    </message>
    <message>
        <source>This account belongs to a business: this version of AskPro Admin is for AskProAI&apos;s own staff.</source>
        <translation type="vanished">Dieses Konto gehört zu einem Betrieb: diese Version von AskPro Admin ist für die Mitarbeiter:innen von AskProAI.</translation>
    </message>
    <message>
        <source>This account belongs to a business: it signs in through the admin API of askpro-server.</source>
        <translation type="vanished">Dieses Konto gehört zu einem Betrieb: es meldet sich über die Admin-API von askpro-server an.</translation>
    </message>
    <message numerus="yes">
        <source>at least %n characters</source>
        <translation type="vanished">
            <numerusform>mindestens %n Zeichen</numerusform>
            <numerusform>mindestens %n Zeichen</numerusform>
        </translation>
    </message>
    <message>
        <location line="-81"/>
        <source>&amp;Create administrator</source>
        <translation>Administrator &amp;anlegen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Sign in</source>
        <translation>&amp;Anmelden</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation type="vanished">Die beiden Passwörter unterscheiden sich.</translation>
    </message>
</context>
<context>
    <name>askpro::TemplatesPage</name>
    <message>
        <location filename="../ui/pages/templatespage.cpp" line="+64"/>
        <source>Texts of:</source>
        <translation>Texte von:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A company&apos;s own text applies before the platform&apos;s, and the platform&apos;s before the shipped one. Placeholders such as {{date}} are filled in for each message.</source>
        <translation>Der eigene Text eines Unternehmens gilt vor dem der Plattform, der der Plattform vor dem mitgelieferten. Platzhalter wie {{date}} werden für jede Nachricht ausgefüllt.</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>&amp;Subject:</source>
        <translation>&amp;Betreff:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Text:</source>
        <translation>&amp;Text:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Insert a placeholder at the cursor</source>
        <translation>Einen Platzhalter an der Schreibmarke einfügen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Preview: a sample appointment tomorrow at 10:00</source>
        <translation>Vorschau: ein Beispieltermin morgen um 10:00</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undo &amp;changes</source>
        <translation>Änderungen &amp;verwerfen</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Use the text below</source>
        <translation>Den Text darunter verwenden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Drop this text and use the one below it again?</source>
        <translation>Diesen Text verwerfen und wieder den darunter verwenden?</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Unsaved changes</source>
        <translation>Ungespeicherte Änderungen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Discard the changes to this text?</source>
        <translation>Die Änderungen an diesem Text verwerfen?</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Platform (all companies)</source>
        <translation>Plattform (alle Unternehmen)</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1, changed by %2 on %3</source>
        <translation>%1, geändert von %2 am %3</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Insert placeholder…</source>
        <translation>Platzhalter einfügen …</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Must contain %1.</source>
        <translation>Muss %1 enthalten.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Use the &amp;platform&apos;s text</source>
        <translation>Text der &amp;Plattform verwenden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Use the s&amp;hipped text</source>
        <translation>&amp;Mitgelieferten Text verwenden</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Subject: %1</source>
        <translation>Betreff: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>%n SMS segment(s), %1 characters (%2)</source>
        <translation>
            <numerusform>%n SMS-Teil, %1 Zeichen (%2)</numerusform>
            <numerusform>%n SMS-Teile, %1 Zeichen (%2)</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unicode: 70 characters a segment, 67 when split</source>
        <translation>Unicode: 70 Zeichen je Teil, 67 bei geteilten</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>GSM: 160 characters a segment, 153 when split</source>
        <translation>GSM: 160 Zeichen je Teil, 153 bei geteilten</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The text is saved; the next messages use it.</source>
        <translation>Der Text ist gespeichert; die nächsten Nachrichten verwenden ihn.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Not changed: %1</source>
        <translation>Nicht geändert: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The text below applies again.</source>
        <translation>Der Text darunter gilt wieder.</translation>
    </message>
</context>
<context>
    <name>askpro::TestCall</name>
    <message>
        <location filename="../backend/setup/setupprogress.cpp" line="+17"/>
        <source>Webhook received</source>
        <translation>Webhook empfangen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Call stored</source>
        <translation>Anruf gespeichert</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Appointment booked</source>
        <translation>Termin gebucht</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Confirmation e-mail sent</source>
        <translation>Bestätigungs-E-Mail gesendet</translation>
    </message>
    <message>
        <location filename="../backend/setup/testcall.cpp" line="+79"/>
        <source>The branch is not stored yet: finish the setup first.</source>
        <translation>Die Filiale ist noch nicht gespeichert: Schließen Sie zuerst die Einrichtung ab.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Enter your own phone number (for example +49 170 …): the test call comes from it.</source>
        <translation>Geben Sie Ihre eigene Telefonnummer ein (zum Beispiel +49 170 …): Der Testanruf kommt von ihr.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enter your own phone number, not the business number.</source>
        <translation>Geben Sie Ihre eigene Telefonnummer ein, nicht die Nummer des Unternehmens.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Waiting…</source>
        <translation>Warten…</translation>
    </message>
    <message>
        <source>Enter your own phone number: the agent calls it.</source>
        <translation type="vanished">Geben Sie Ihre eigene Telefonnummer ein: Der Agent ruft sie an.</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>The sandbox did not start the call (%1).</source>
        <translation>Die Sandbox hat den Anruf nicht gestartet (%1).</translation>
    </message>
    <message numerus="yes">
        <location line="+78"/>
        <source>No call from %1 to the business number arrived within %n minute(s).</source>
        <translation>
            <numerusform>Innerhalb von %n Minute kam kein Anruf von %1 an die Geschäftsnummer.</numerusform>
            <numerusform>Innerhalb von %n Minuten kam kein Anruf von %1 an die Geschäftsnummer.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No test call arrived.</source>
        <translation>Es kam kein Testanruf an.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>askpro-server refused Retell&apos;s webhook: %1</source>
        <translation>askpro-server hat den Webhook von Retell abgelehnt: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n event(s) from Retell received</source>
        <translation>
            <numerusform>%n Ereignis von Retell empfangen</numerusform>
            <numerusform>%n Ereignisse von Retell empfangen</numerusform>
        </translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Stored with the caller and the transcript</source>
        <translation>Mit Anrufer und Transkript gespeichert</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Booked in Cal.com for %1</source>
        <translation>In Cal.com gebucht für %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The call ended without a booking (%1).</source>
        <translation>Der Anruf endete ohne Buchung (%1).</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No booking: %1</source>
        <translation>Keine Buchung: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No appointment, so no confirmation.</source>
        <translation>Kein Termin, daher keine Bestätigung.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sent to %1</source>
        <translation>An %1 gesendet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The mail server refused it: %1</source>
        <translation>Der Mailserver hat sie abgelehnt: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Nothing arrived from Retell within %1 s: is askpro-server running and reachable at its public URL?</source>
        <translation>Innerhalb von %1 s kam nichts von Retell an: Läuft askpro-server und ist er unter seiner öffentlichen URL erreichbar?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not within %1 s: is askpro-server running with workers?</source>
        <translation>Nicht innerhalb von %1 s: Läuft askpro-server mit Workern?</translation>
    </message>
    <message>
        <location filename="../backend/setup/setuphost.cpp" line="+79"/>
        <source>A test call to this branch is still being followed.</source>
        <translation>Ein Testanruf an diese Filiale wird noch verfolgt.</translation>
    </message>
</context>
<context>
    <name>askpro::TestCallPage</name>
    <message>
        <location filename="../ui/wizard/testcallpage.cpp" line="+24"/>
        <source>4 of 4 · Test call</source>
        <translation>4 von 4 · Testanruf</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The business is live. Make a test call and watch it arrive, get booked and confirmed.</source>
        <translation>Das Unternehmen ist live. Machen Sie einen Testanruf und verfolgen Sie, wie er ankommt, gebucht und bestätigt wird.</translation>
    </message>
    <message>
        <source>+49 170 1234567</source>
        <translation type="vanished">+49 170 1234567</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Your own number, e.g. +49 170 …</source>
        <translation>Ihre eigene Nummer, z. B. +49 170 …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your phone:</source>
        <translation>Ihr Telefon:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start test call</source>
        <translation>Testanruf starten</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Check</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Asking the server how test calls are placed…</source>
        <translation>Der Server wird gefragt, wie Testanrufe geführt werden…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Demo mode (sandbox): a simulated caller with your number calls the business number and asks for an appointment. Nothing is really dialled.</source>
        <translation>Demo-Modus (Sandbox): Ein simulierter Anrufer mit Ihrer Nummer ruft die Geschäftsnummer an und fragt nach einem Termin. Es wird nichts wirklich gewählt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Live mode: enter your own phone number, press Start, then call the business number %1 from that phone within 10 minutes and ask the agent for an appointment. Your call is recognised by its numbers, marked as a test call (never billed) and followed step by step here.</source>
        <translation>Live-Modus: Geben Sie Ihre eigene Telefonnummer ein, drücken Sie auf Start und rufen Sie dann innerhalb von 10 Minuten von diesem Telefon die Geschäftsnummer %1 an und fragen Sie den Agenten nach einem Termin. Ihr Anruf wird an seinen Nummern erkannt, als Testanruf markiert (nie berechnet) und hier Schritt für Schritt verfolgt.</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Your call %1 arrived; following it…</source>
        <translation>Ihr Anruf %1 ist angekommen; er wird verfolgt…</translation>
    </message>
    <message>
        <source>Demo mode: the sandbox places a simulated call to the branch&apos;s number, asking for an appointment.</source>
        <translation type="vanished">Demomodus: Die Sandbox ruft simuliert die Nummer der Filiale an und fragt nach einem Termin.</translation>
    </message>
    <message>
        <source>Retell calls your phone from the branch&apos;s number; answer and ask the agent for an appointment.</source>
        <translation type="vanished">Retell ruft Ihr Telefon von der Nummer der Filiale aus an; nehmen Sie ab und bitten Sie den Agenten um einen Termin.</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>Call again</source>
        <translation>Erneut anrufen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Everything works: the call was answered, the appointment booked and confirmed by e-mail.</source>
        <translation>Alles funktioniert: Der Anruf wurde angenommen, der Termin gebucht und per E-Mail bestätigt.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The test call did not get all the way; the reasons are shown above.</source>
        <translation>Der Testanruf ist nicht bis zum Ende durchgelaufen; die Gründe stehen oben.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Calling…</source>
        <translation>Anruf läuft…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Waiting for your call to %1…</source>
        <translation>Warte auf Ihren Anruf bei %1…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Call %1 placed; following it…</source>
        <translation>Anruf %1 gestartet; wird verfolgt…</translation>
    </message>
</context>
<context>
    <name>askpro::TriageModel</name>
    <message>
        <location filename="../models/triagemodel.cpp" line="+49"/>
        <source>Reason / call</source>
        <translation>Grund / Anruf</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Branch</source>
        <translation>Filiale</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Caller</source>
        <translation>Anrufer</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>no reason recorded</source>
        <translation>kein Grund erfasst</translation>
    </message>
    <message numerus="yes">
        <location line="+10"/>
        <source>%n call(s)</source>
        <translation>
            <numerusform>%n Anruf</numerusform>
            <numerusform>%n Anrufe</numerusform>
        </translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Call %1</source>
        <translation>Anruf %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(no branch)</source>
        <translation>(keine Filiale)</translation>
    </message>
</context>
<context>
    <name>askpro::UsagePage</name>
    <message>
        <location filename="../ui/pages/usagepage.cpp" line="+87"/>
        <source>All companies</source>
        <translation>Alle Unternehmen</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Export PNG…</source>
        <translation>PNG exportieren…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Company:</source>
        <translation>Unternehmen:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>From:</source>
        <translation>Von:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>To:</source>
        <translation>Bis:</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Calls and booked appointments per day</source>
        <translation>Anrufe und gebuchte Termine pro Tag</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calls</source>
        <translation>Anrufe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Appointments</source>
        <translation>Termine</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Call-to-appointment conversion (%)</source>
        <translation>Konversion von Anrufen zu Terminen (%)</translation>
    </message>
    <message>
        <location line="+103"/>
        <source>Conversion</source>
        <translation>Konversion</translation>
    </message>
    <message>
        <location line="-94"/>
        <source>Invoiced revenue per month (net, €)</source>
        <translation>Abgerechneter Umsatz pro Monat (netto, €)</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>The companies cannot be read: %1</source>
        <translation>Die Unternehmen können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>The usage cannot be read: %1</source>
        <translation>Die Nutzung kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Base fee</source>
        <translation type="vanished">Grundgebühr</translation>
    </message>
    <message>
        <source>Usage</source>
        <translation type="vanished">Nutzung</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>%1 calls, %2 booked appointments, conversion %3 %; invoiced %4 (base fee %5, usage %6)</source>
        <translation>%1 Anrufe, %2 gebuchte Termine, Konversion %3 %; abgerechnet %4 (Grundgebühr %5, Nutzung %6)</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+4"/>
        <source>Export PNG</source>
        <translation>PNG exportieren</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>PNG image (*.png)</source>
        <translation>PNG-Bild (*.png)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Could not write %1.</source>
        <translation>%1 konnte nicht geschrieben werden.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+24"/>
        <source>Wrote %1.</source>
        <translation>%1 geschrieben.</translation>
    </message>
    <message>
        <location line="-19"/>
        <location line="+5"/>
        <location line="+12"/>
        <source>Export CSV</source>
        <translation>CSV exportieren</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
</context>
<context>
    <name>askpro::UsersModel</name>
    <message>
        <location filename="../models/usersmodel.cpp" line="+33"/>
        <source>Administrator</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Owner</source>
        <translation>Inhaber</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Support</source>
        <translation>Support</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Onboarding</source>
        <translation>Onboarding</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Business owner</source>
        <translation>Inhaber:in (Betrieb)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Business staff</source>
        <translation>Mitarbeiter:in (Betrieb)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Company</source>
        <translation>Unternehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last sign-in</source>
        <translation>Letzte Anmeldung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Locked until</source>
        <translation>Gesperrt bis</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>all (AskProAI)</source>
        <translation>alle (AskProAI)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>nein</translation>
    </message>
</context>
<context>
    <name>askpro::UsersPage</name>
    <message>
        <source>System</source>
        <translation type="vanished">System</translation>
    </message>
    <message>
        <location filename="../ui/pages/userspage.cpp" line="+54"/>
        <source>&amp;Add user…</source>
        <translation>Benutzer &amp;hinzufügen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Set &amp;password…</source>
        <translation>&amp;Passwort setzen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+118"/>
        <source>&amp;Deactivate</source>
        <translation>&amp;Deaktivieren</translation>
    </message>
    <message>
        <source>Owners see invoices, usage and everything else read-only; support works calls, appointments and customers; onboarding sets up businesses and edits companies; administrators manage users and provider keys.</source>
        <translation type="vanished">Inhaber sehen Rechnungen, Nutzung und alles andere lesend; der Support bearbeitet Anrufe, Termine und Kunden; Onboarding richtet Unternehmen ein und bearbeitet sie; Administratoren verwalten Benutzer und Anbieterschlüssel.</translation>
    </message>
    <message>
        <location line="-111"/>
        <source>Owners see invoices, usage and everything else read-only; support works calls, appointments and customers; onboarding sets up businesses and edits companies; administrators manage users and provider keys. Business owners and staff belong to one company and see only its calls and appointments (owners also its invoices).</source>
        <translation>Inhaber sehen Rechnungen, Nutzung und alles andere lesend; der Support bearbeitet Anrufe, Termine und Kunden; Onboarding richtet Unternehmen ein und bearbeitet sie; Administratoren verwalten Benutzer und Anbieterschlüssel. Inhaber:innen und Mitarbeiter:innen eines Betriebs gehören zu einem Unternehmen und sehen nur dessen Anrufe und Termine (Inhaber:innen auch dessen Rechnungen).</translation>
    </message>
    <message>
        <source>User name</source>
        <translation type="vanished">Benutzername</translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="vanished">Name</translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="vanished">Rolle</translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="vanished">Sprache</translation>
    </message>
    <message>
        <source>Active</source>
        <translation type="vanished">Aktiv</translation>
    </message>
    <message>
        <source>Last sign-in</source>
        <translation type="vanished">Letzte Anmeldung</translation>
    </message>
    <message>
        <source>Locked until</source>
        <translation type="vanished">Gesperrt bis</translation>
    </message>
    <message>
        <source>Company</source>
        <translation type="vanished">Unternehmen</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Signed-in devices of the selected user</source>
        <translation>Angemeldete Geräte des ausgewählten Benutzers</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Sign &amp;out device</source>
        <translation>Gerät &amp;abmelden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ends the session on the server: that device must sign in again.</source>
        <translation>Beendet die Sitzung auf dem Server: Das Gerät muss sich neu anmelden.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1 is signed out.</source>
        <translation>%1 ist abgemeldet.</translation>
    </message>
    <message>
        <source>all (AskProAI)</source>
        <translation type="vanished">alle (AskProAI)</translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="vanished">ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation type="vanished">nein</translation>
    </message>
    <message>
        <location line="+72"/>
        <source>&amp;Activate</source>
        <translation>&amp;Aktivieren</translation>
    </message>
    <message>
        <location line="+204"/>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <location line="-136"/>
        <location line="+19"/>
        <location line="+13"/>
        <source>Add user</source>
        <translation>Benutzer hinzufügen</translation>
    </message>
    <message numerus="yes">
        <source>at least %n characters</source>
        <translation type="vanished">
            <numerusform>mindestens %n Zeichen</numerusform>
            <numerusform>mindestens %n Zeichen</numerusform>
        </translation>
    </message>
    <message>
        <location line="-23"/>
        <source>&amp;User name:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+51"/>
        <source>&amp;Full name:</source>
        <translation>&amp;Vollständiger Name:</translation>
    </message>
    <message>
        <location line="-50"/>
        <location line="+51"/>
        <source>&amp;Role:</source>
        <translation>&amp;Rolle:</translation>
    </message>
    <message>
        <location line="-49"/>
        <location line="+51"/>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <location line="-50"/>
        <location line="+87"/>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <location line="-87"/>
        <location line="+87"/>
        <source>&amp;Repeat password:</source>
        <translation>Passwort &amp;wiederholen:</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation type="vanished">Die beiden Passwörter unterscheiden sich.</translation>
    </message>
    <message>
        <location line="-194"/>
        <source>%1 (inactive)</source>
        <translation>%1 (inaktiv)</translation>
    </message>
    <message>
        <location line="+105"/>
        <location line="+51"/>
        <source>&amp;Company:</source>
        <translation>&amp;Unternehmen:</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>User %1 added.</source>
        <translation>Benutzer %1 hinzugefügt.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Edit %1</source>
        <translation>%1 bearbeiten</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>A new role or company signs the user out on every device.</source>
        <translation>Eine neue Rolle oder ein neues Unternehmen meldet den Benutzer auf allen Geräten ab.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>User %1 changed.</source>
        <translation>Benutzer %1 geändert.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>New password for %1</source>
        <translation>Neues Passwort für %1</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Password of %1 changed; the account is unlocked.</source>
        <translation>Passwort von %1 geändert; das Konto ist entsperrt.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>User %1 deactivated.</source>
        <translation>Benutzer %1 deaktiviert.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>User %1 activated.</source>
        <translation>Benutzer %1 aktiviert.</translation>
    </message>
</context>
<context>
    <name>askpro::WeekCalendar</name>
    <message>
        <location filename="../ui/widgets/weekcalendar.cpp" line="+128"/>
        <source>d MMM</source>
        <comment>QDate format of the day headers</comment>
        <translation>d. MMM</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>No appointments this week</source>
        <translation>Keine Termine in dieser Woche</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1–%2 %3
%4 with %5
%6 · %7</source>
        <translation>%1–%2 %3
%4 bei %5
%6 · %7</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>anyone</source>
        <translation>beliebig</translation>
    </message>
</context>
<context>
    <name>askpro::client::ApiAccount</name>
    <message>
        <location filename="../client/apiaccount.cpp" line="+41"/>
        <source>%1 is not a server address (https://host[:port]).</source>
        <translation>%1 ist keine Serveradresse (https://host[:port]).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 is not encrypted: use https:// (plain http only reaches this computer&apos;s own server).</source>
        <translation>%1 ist nicht verschlüsselt: bitte https:// verwenden (einfaches http nur zum Server auf diesem Computer).</translation>
    </message>
    <message>
        <location line="+184"/>
        <source>The server did not answer in time.</source>
        <translation>Der Server hat nicht rechtzeitig geantwortet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server&apos;s certificate is not trusted: %1</source>
        <translation>Dem Zertifikat des Servers wird nicht vertraut: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The server cannot be reached: %1</source>
        <translation>Der Server ist nicht erreichbar: %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The server answered %1.</source>
        <translation>Der Server hat mit %1 geantwortet.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/admin/main.cpp" line="+68"/>
        <source>AskPro Admin: calls, appointments, setup and billing.</source>
        <translation>AskPro Admin: Anrufe, Termine, Einrichtung und Abrechnung.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The askpro-server to sign in to (default: the last one, else $ASKPRO_SERVER_URL, else http://127.0.0.1:8080).</source>
        <translation>Der askpro-server, bei dem man sich anmeldet (Standard: der zuletzt verwendete, sonst $ASKPRO_SERVER_URL, sonst http://127.0.0.1:8080).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Also trust the certificate authorities in this PEM file (a company&apos;s own CA).</source>
        <translation>Zusätzlich den Zertifizierungsstellen in dieser PEM-Datei vertrauen (die eigene CA eines Unternehmens).</translation>
    </message>
    <message>
        <source>Database connection string (default: $ASKPRO_DB, else the embedded SQLite file).</source>
        <translation type="vanished">Verbindungsangabe der Datenbank (Standard: $ASKPRO_DB, sonst die eingebettete SQLite-Datei).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Render PAGE offscreen into FILE (PNG) and exit.</source>
        <translation>SEITE ohne Bildschirm in DATEI (PNG) zeichnen und beenden.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sign in as this user with the password in $ASKPRO_PASSWORD (for scripts and screenshots); otherwise the sign-in dialog asks.</source>
        <translation>Als dieser Benutzer mit dem Passwort aus $ASKPRO_PASSWORD anmelden (für Skripte und Bildschirmfotos); sonst fragt der Anmeldedialog.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Base URL of the provider sandbox of a demo (default: $ASKPRO_SANDBOX_URL): Demo &gt; Simulated calls switches its simulated calls on and off.</source>
        <translation>Basis-URL der Anbieter-Sandbox einer Demo (Standard: $ASKPRO_SANDBOX_URL): Demo &gt; Simulierte Anrufe schaltet ihre simulierten Anrufe ein und aus.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Interface language: de or en (default: the choice under View &gt; Language, else the system&apos;s).</source>
        <translation>Sprache der Oberfläche: de oder en (Standard: die Auswahl unter Ansicht &gt; Sprache, sonst die des Systems).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>With --screenshot PAGE: the PNG file to write.</source>
        <translation>Mit --screenshot SEITE: die zu schreibende PNG-Datei.</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+6"/>
        <location line="+39"/>
        <source>AskPro Admin</source>
        <translation>AskPro Admin</translation>
    </message>
    <message>
        <location line="-38"/>
        <source>No PEM certificate in %1.</source>
        <translation>Kein PEM-Zertifikat in %1.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>AskPro Admin on %1</source>
        <translation>AskPro Admin auf %1</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Demo accounts: %1; password: %2</source>
        <translation>Demo-Konten: %1; Passwort: %2</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>You are signed in, but only until you close AskPro Admin. %1</source>
        <translation>Sie sind angemeldet, aber nur bis Sie AskPro Admin schließen. %1</translation>
    </message>
</context>
</TS>
