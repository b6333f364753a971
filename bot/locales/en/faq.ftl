## FAQ menu: one title (button), body and keyword list per topic.
## Keywords are lower-case word beginnings, comma-separated; a question matches the topic whose
## keywords it contains most.

faq-menu-title =
    <b>Questions and answers</b>
    Pick a topic or just type your question.

faq-statuses-title = 📋 What statuses mean
faq-statuses-body =
    <b>What statuses mean</b>
    Shops and carriers name the steps differently; I bring them down to one list. Here is what each status means:
faq-statuses-keywords = status, mean

faq-not-tracked-title = 🔍 Number not tracked
faq-not-tracked-body =
    <b>The number is not tracked</b>

    • <b>Check the number.</b> One extra or missing character and the carrier will not find it. A number of digits only (as CDEK's are) can be sent as it is, and I will ask whether it is a tracking number, or straight away with the command <code>/add 1234567890</code>.
    • <b>Wait 1–2 working days.</b> Data does not appear right after the seller hands the parcel over; for AliExpress orders it can take several days.
    • <b>Ask the seller</b> whether the order has been sent and the number is right.
    • <b>Ask the carrier.</b> Some international numbers only show up in the destination country, on the local post or courier website.

    Some shipping methods have no tracking at all, such as the cheapest postal options. Then only the shop can tell you about the order. And orders that a marketplace delivers itself (Ozon, Wildberries) often cannot be tracked by a tracking number: check their status in the shop's app.

    I keep checking the number on my own and will message you as soon as data appears.
faq-not-tracked-keywords = not tracked, not tracking, not being tracked, can't track, cannot track, can't find, can't be found, cannot find, no information, no info, no data, not found, doesn't work, invalid, wrong number, wrong code

faq-arrival-title = 📅 When will it arrive
faq-arrival-body =
    <b>When will my parcel arrive</b>

    Only the shop or the carrier knows the exact date: it is shown in the order on the shop's site or in its app. The usual times:
    • within Russia: 2 to 10 days, longer to remote regions;
    • from a marketplace's warehouse in Russia (Ozon, Wildberries and others): 1–7 days;
    • from China and other countries: usually 2–5 weeks, up to 2 months with the cheapest shipping.

    On its way with no new entries for a week or two? That is common on the international leg.

    I watch the number myself: I'll message you as soon as the parcel moves, and remind you to collect it once it reaches the pickup point.
faq-arrival-keywords = when will it, when will my, when will the, when does it, when do i get, arrive, delivery time, delivery date, how many days, how long will it take, how long does, how long to wait, eta

faq-stalled-title = ⏳ No updates for a while
faq-stalled-body =
    <b>No updates for a while</b>

    Gaps are normal: on the international leg and at customs a parcel can go several days without a new scan.

    1. <b>Check the number:</b> does it match the one in the order?
    2. <b>Wait 1–2 working days.</b>
    3. <b>Contact the seller or the shop's support</b> with your order number.
    4. <b>Contact the carrier</b> with the tracking number. Russian Post accepts a search request on its website or at the office.

    Is the parcel at customs? Check your text messages and Gosuslugi: your details or a payment may be needed.

    Ordered on AliExpress? If the parcel still isn't moving, open a dispute before the buyer protection period ends: the tracking history will back you up.

    If the silence goes on, I will remind you myself.
faq-stalled-keywords = where is my, hasn't arrived, not arrived, still not here, never arrived, where's my, no update, not updated, hasn't updated, stuck, not moving, hasn't moved, taking long, taking so long, so long, delayed, lost

faq-customs-title = 🛃 Customs and duties
faq-customs-body =
    <b>Customs and duties</b>

    An international parcel goes through customs clearance: customs checks what is inside and what it is worth. As a rule, this takes from a few hours to a few days.

    Usually there is nothing to do. But if the latest event or a text message says your details or a payment are needed:
    • <b>Duty.</b> Parcels above the duty-free limit are subject to duty.
    • <b>Passport details.</b> Courier services often ask for them for the customs declaration.
    • <b>Official channels only.</b> Give details and pay only through Gosuslugi or the carrier's official app or website, never through links in unexpected text messages or chats: that is how scammers trick people out of their details and money (phishing).
    • <b>Don't wait:</b> without an answer the parcel may be sent back.

    “Released by customs” means the parcel is on its way again.
faq-customs-keywords = customs, duty, duties, declaration, passport details

faq-updates-title = 🔄 How often data updates
faq-updates-body =
    <b>How often the data updates</b>

    I check your numbers on my own and message you as soon as a status changes: no need to refresh by hand.

    Typical times:
    • the shop prepares an order in 1–3 working days;
    • the first carrier scans usually appear 1–2 working days after the seller registers the parcel;
    • in transit, carriers update their data every 24–48 hours.

    So a gap of a day or two is normal.
faq-updates-keywords = how often, frequency, refresh, notify, notification, alert, when will you tell

faq-pickup-title = 📬 Collecting a parcel
faq-pickup-body =
    <b>How to collect a parcel</b>

    I will tell you when the parcel arrives; the pickup point or the post usually sends a text message too.

    • <b>What to bring:</b> your passport or the pickup code from the text message or the app.
    • <b>How long it is kept:</b> usually 5–7 days at pickup points, often only 2–3 days in parcel lockers, usually 15 days at Russian Post (online-shop parcels sometimes just 5–7). The exact date is in the text message, the notice or the app.
    • <b>If you miss it:</b> the parcel goes back to the sender. A marketplace usually cancels the order and refunds you; for a parcel that came by post the money may not come back. Running late? Extend the storage: at Russian Post at the office or in its app; at a pickup point, ask there or in the shop's app.
faq-pickup-keywords = pickup, pick up, collect, storage, keep, kept, stored, post office, parcel locker, passport

faq-contacts-title = ☎️ Who to contact
faq-contacts-body =
    <b>Who to contact</b>

    • <b>The shop or the seller:</b> anything about the order, such as payment, contents, cancellation or a refund.
    • <b>The carrier</b> (the post, a courier service): anything about delivery, such as where the parcel is, why it is late or how to reschedule.
    • <b>The pickup point:</b> storage and collection.

    Keep your order number and tracking number at hand: they are the quickest way to find your parcel.
faq-contacts-keywords = contact, support, who should, whom, seller, refund, money back, phone, call

faq-manage-title = ⚙️ Managing your list
faq-manage-body =
    <b>Managing your list</b>

    • <b>Remove a number:</b> the 🗑 button under its card, or <code>/remove number</code>.
    • <b>No alerts for one number:</b> the 🔕 button under its card; all alerts at once and quiet hours are in /settings.
    • <b>Edit a label:</b> the ✏️ button under the card.
    • <b>Put away what has arrived:</b> the 🗄 button under the card; everything put away is in /archive.
    • <b>Language and time zone:</b> /settings.
    • <b>Delete everything I keep about you:</b> /forget.
faq-manage-keywords = remove number, remove a number, delete number, delete a number, remove parcel, delete parcel, turn off notif, disable notif, stop notif, mute, unsubscribe, stop messag, language, rename, edit label, change label, archive, time zone, timezone, quiet hours, settings

faq-privacy-title = 🔒 What data I keep
faq-privacy-body =
    <b>What data I keep</b>

    • your Telegram ID, to send you messages;
    • your language, time zone, quiet hours and alert settings;
    • the numbers you added, your labels for them and their status history;
    • when you added new numbers or checked orders in the last day, for the limits (kept for a day, even after /forget).

    I send tracking numbers only to tracking services, to learn their status. An order number and the phone or e-mail that confirms it go to the shop; I do not keep the contact. /remove deletes one number, /forget everything I keep about you.
faq-privacy-keywords = privacy, personal data, my data, data, delete, do you store, do you keep
faq-your-items = 📋 The statuses of your parcels and orders ({ $count }) are in /list
faq-no-items = 📦 Send me a { -setup.orders ->
        [yes] tracking or order number
       *[no] tracking number
    }: I'll show where the parcel is and keep an eye on it.
