## Commands menu
cmd-add = { -setup.orders ->
        [yes] Add a tracking or order number
       *[no] Add a tracking number
    }
cmd-list = My parcels and orders
cmd-status = Status: all or one
cmd-archive = Archive of finished items
cmd-remove = Remove from the list
cmd-faq = Questions and answers
cmd-settings = Language, alerts, quiet hours
cmd-help = How to use the bot

## Start and help
start-welcome =
    Hello, { $name }! 👋
    I keep an eye on your orders and parcels and message you when a status changes.

    Just send a tracking number such as <code>RA123456785CN</code>, optionally with a label: <code>RA123456785CN headphones</code>.

    /list shows your list, /status where everything is now, /faq what statuses mean and what to do when a parcel is stuck.
start-bad-link = This link is not valid or has expired. Send me the tracking number as a message and I will add it.
help =
    <b>How to use</b>
    • Send a { -setup.orders ->
        [yes] tracking number or an order number
       *[no] tracking number
    }: I will follow it and message you when something changes. Add a label after the number if you like.
    • /add <code>number label</code> does the same as a command.
    • /list shows all your parcels and orders, /status <code>number or label</code> shows a detailed card.
    • Under a card: refresh, history, what the status means, mute, edit the label, delete, and for finished items, archive.
    • /remove <code>number or label</code> removes an item.
    • /archive keeps delivered and finished items out of /list: press 🗄 under a card, or they move there by themselves two weeks after the final status; send the number again to bring one back.
    • /settings: language, alerts, quiet hours and time zone.
    • /forget deletes everything I keep about you.
    • In any chat: <code>{ $bot } number</code> shows the status to the person you talk to.
    • /faq answers common questions.
help-inline-handle = @bot_name
group-private-only = Parcel lists are personal, so I keep each one in a private chat rather than in front of the whole group. Write to me: { $bot }. To show a status here, type <code>{ $bot } number</code>.
btn-open-bot = 💬 Open a chat with the bot

## Adding
add-usage = Send the number after the command: <code>/add RA123456785CN gift for mum</code>
add-nothing-found = I can't see a tracking number here. It looks, for example, like <code>RA123456785CN</code>, 14 digits for Russian Post or 10–13 digits for CDEK. Check that the number is copied in full.
bare-number-ask = { $count ->
    [1] Is this a tracking number? CDEK and other delivery services use numbers made of digits only, but order and account numbers look the same, so I am asking first. Tap to track it:
   *[other] Are these tracking numbers? CDEK and other delivery services use numbers made of digits only, but order and account numbers look the same, so I am asking first. Tap the ones you want to track:
}
spaced-code-ask = { $count ->
    [1] Is this a tracking number? It looks like an international postal one, but its letters are written apart from the digits, so I am asking first. Tap to track it:
   *[other] Are these tracking numbers? They look like international postal ones, but their letters are written apart from the digits, so I am asking first. Tap the ones you want to track:
}
link-code-ask = { $count ->
    [1] There is a tracking number in the link. Track it? I don't read links on my own, as they can hold anything, so I am asking first.
   *[other] There are tracking numbers in the links. I don't read links on my own, as they can hold anything, so I am asking first. Tap the ones you want to track:
}
mixed-numbers-ask = Are these tracking numbers? I am not sure of all of them, so I am asking first. Tap the ones you want to track:
ask-too-many = These look like tracking numbers ({ $count }), but their letters are written apart from the digits, so I am not sure. If they are, send them after the /add command and I will add them all at once, for example: <code>/add { $code }</code>
add-added = ✅ Added: <code>{ $code }</code>. I will message you when the status changes.
add-added-silent = ✅ Added: <code>{ $code }</code>. Your alerts are off, so I will not message you: the status is in /list, and alerts can be turned on in /settings.
add-already = This number is already in your list: <code>{ $code }</code>.
add-relabelled = This number is already in your list: <code>{ $code }</code>. Label updated.
add-restored = 📤 Back from the archive: <code>{ $code }</code>.
add-no-source = I can't track <code>{ $code }</code>: no tracking service for numbers of this kind is connected to me. I have not saved it.
add-rejected = ⚠️ The tracking service does not accept <code>{ $code }</code>: the carrier has no such number or it is mistyped. Please check it with the seller; I have not saved it.
add-source-down = Added: <code>{ $code }</code>. The tracking service is not answering right now; I will check again on my own and let you know.
add-too-many = Your list is full. Move finished items to the archive (🗄 under a card) or remove some (/remove) to add new ones.
add-more-added = And { $count } more in your list (see /list): { $codes }
add-daily-limit = You have added { $limit } new { $limit ->
    [one] number
   *[other] numbers
} within 24 hours, which is the limit, so I have not added <code>{ $code }</code>. You can add new numbers again from { $time }. The numbers already in your list are tracked as usual.
add-not-added =
    Not added ({ $count }): { $codes }
    { $reason }
add-label-left-out = ✏️ I did not use the label “{ $label }”: the message contains several numbers. Label the right one with “✏️ Edit label” on its card.
add-reason-no-source = No tracking service for numbers of this kind is connected to me.
add-reason-rejected = The tracking service does not accept them: the carrier has no such numbers or they are mistyped. Please check them with the seller.
add-reason-too-many = Your list is full: move finished items to the archive (🗄 under a card) or remove some (/remove).
add-reason-daily-limit = You have added { $limit } new { $limit ->
    [one] number
   *[other] numbers
} within 24 hours, which is the limit. You can add new numbers again from { $time }.
code-bad-check-digit = ⚠️ <code>{ $code }</code> seems to have a typo: its check digit does not match (it should be { $expected }). Please check the number; I have not added it.
code-bad-format = ⚠️ <code>{ $code }</code> does not look like a tracking number. Check that it is complete.
code-bad-cut-short = ⚠️ <code>{ $code }</code> looks like an international tracking number with its last letters missing: it usually ends with a country code such as <code>CN</code>. Please check it is copied in full; I have not added it.
code-bad-more = …and { $count } more that look mistyped, please check them: { $codes }

## Cards
card-linked-code = 📦 Parcel tracking number: <code>{ $code }</code>
card-no-events = No events yet: the carrier has not shared any data.
card-checked = Checked { $ago }
card-not-checked = Not checked yet; I will check shortly.
card-muted = 🔕 Alerts for this number are off.
ago-just-now = just now
ago-minutes = { $n } { $n ->
        [one] minute
       *[other] minutes
    } ago
ago-hours = { $n } { $n ->
        [one] hour
       *[other] hours
    } ago
ago-days = { $n } { $n ->
        [one] day
       *[other] days
    } ago
history-title = 📜 <b>History: { $title }</b>
history-empty = No events yet.

## Buttons
btn-refresh = 🔄 Refresh
btn-history = 📜 History
btn-explain = ❓ What it means
btn-mute = 🔕 Mute
btn-unmute = 🔔 Unmute
btn-rename = ✏️ Edit label
btn-delete = 🗑 Delete
btn-archive = 🗄 Archive
btn-unarchive = 📤 Back to the list
btn-forget-yes = 🗑 Yes, delete everything
btn-delete-yes = 🗑 Yes, delete
btn-cancel = Cancel
btn-back = ← Back to the card
btn-track-number = 📦 Track { $number }
btn-settings-back = ← Back to settings
btn-prev = ← Back
btn-next = Next →
btn-faq-menu = ← All questions
btn-settings-language = 🌐 Language
btn-settings-notify = 🔔 Alerts
btn-settings-quiet = 🌙 Quiet hours
btn-settings-timezone = 🕓 Time zone
btn-notify-on = 🔔 Turn on
btn-notify-off = 🔕 Turn off
btn-language-auto = Same as Telegram

## Items
list-empty = Your list is empty. Send a { -setup.orders ->
        [yes] tracking number or an order number
       *[no] tracking number
    } and I will start following it.
list-title = 📋 <b>Your parcels and orders: { $count }</b>{ $pages ->
    [1] {""}
   *[other] {" "}(page { $page } of { $pages })
}
list-archived = 🗄 In the archive: { $count } — /archive
archive-title = 🗄 <b>Archive: { $count }</b>{ $pages ->
    [1] {""}
   *[other] {" "}(page { $page } of { $pages })
}
archive-empty = The archive is empty. Delivered and finished parcels and orders go here: press 🗄 under a card, or they move there by themselves two weeks after the final status.
archive-done = Moved to the archive: /archive
archive-not-finished = Only delivered and finished items go to the archive.
unarchive-done = Back in your list
item-gone = This item is no longer in your list.
refresh-done = Updated
refresh-nothing-new = Checked: nothing new yet
refresh-too-soon = Checked a moment ago. Try again in { $seconds } { $seconds ->
    [one] second
   *[other] seconds
}.
refresh-source-down = The tracking service is not answering. Showing the last known status; I will check again on my own.
muted-on = Alerts off
muted-off = Alerts on
rename-prompt = Send a new label for “{ $title }” as one message (or /cancel).
rename-cancelled = OK, the label stays as it is.
rename-done = ✏️ Label saved.
delete-confirm = Remove { PRESENT($label) ->
        [yes] “{ $label }” (<code>{ $code }</code>)
       *[no] <code>{ $code }</code>
    } from your list? You will get no more alerts about it.
delete-done = 🗑 Removed from your list: { PRESENT($label) ->
        [yes] “{ $label }” (<code>{ $code }</code>)
       *[no] <code>{ $code }</code>
    }.
forget-confirm = Delete everything I keep about you? This covers your parcels and orders ({ $items } in total, { $archived } of them archived), your settings and any alerts not yet sent. This cannot be undone. Only the times you added new numbers or checked orders stay, because the limits count them; they are deleted by themselves within a day.
forget-done = 🗑 Done: I have deleted your list of parcels and orders, your settings and alerts. Send a number any time to start again.
forget-kept = OK, nothing has been deleted.
remove-usage = Name a number or label: <code>/remove RA123456785CN</code>. Or press 🗑 under a card in /list.
status-not-found = “{ $query }” is not in your list. Send the number as a message to add it, or see /list.
search-more = …and { $count } more { $count ->
    [one] match
   *[other] matches
}. Try narrowing it down, for example with the full number or label.

## Inline mode
inline-nothing = Nothing found: open the bot

## Settings
settings-title = ⚙️ <b>Settings</b>
settings-summary =
    ⚙️ <b>Settings</b>
    🌐 Language: { $language }
    🔔 Alerts: { $notifications }
    🌙 Quiet hours: { $quiet }
    🕓 Time zone: { $timezone }
settings-on = on
settings-off = off
settings-saved = Saved
settings-bad-value = This button is outdated. Open /settings again.
settings-choose-lang = Choose a language:
settings-choose-notify = Send alerts when a status changes?
settings-choose-quiet = During quiet hours I hold alerts until morning (except “Ready for pickup”: storage time is limited):
settings-choose-tz = Choose a time zone:
language-auto = same as Telegram
language-ru = Русский
language-en = English

## Time zones offered in /settings (the city of the IANA name; offsets from Moscow time)
tz-kaliningrad = Kaliningrad (MSK−1)
tz-moscow = Moscow (MSK)
tz-samara = Samara (MSK+1)
tz-yekaterinburg = Yekaterinburg (MSK+2)
tz-omsk = Omsk (MSK+3)
tz-novosibirsk = Novosibirsk (MSK+4)
tz-krasnoyarsk = Krasnoyarsk (MSK+4)
tz-irkutsk = Irkutsk (MSK+5)
tz-yakutsk = Yakutsk (MSK+6)
tz-vladivostok = Vladivostok (MSK+7)
tz-magadan = Magadan (MSK+8)
tz-kamchatka = Kamchatka (MSK+9)

## Fallback
unknown-command = There is no such command. See /help.
fallback-question = I have no answer to that question. Here is what I can tell you about, or send a tracking number and I will show where the parcel is:
fallback-question-words = how, where, when, why, what, which, who, can, could, is, are, does, do, help
fallback-hint = I found no tracking number here. Send a { -setup.orders ->
        [yes] parcel or order number
       *[no] tracking number
    } such as <code>RA123456785CN</code>, or have a look at /faq.
smalltalk-greeting-keywords = hello, hi, hey, good morning, good afternoon, good evening
smalltalk-thanks-keywords = thank, thanks, thx, cheers
fallback-greeting = Hello! Send me a { -setup.orders ->
        [yes] tracking or order number
       *[no] tracking number
    }: I'll show its status and message you when it changes. What I can do: /help.
fallback-thanks = You're welcome! I'll message you when something changes.
fallback-not-text = I only understand text: send the tracking number as a message.
button-outdated = This button is outdated. Open /list again.

## Orders
order-ask-contact = To show order <b>{ $order }</b>, the shop needs to be sure it is yours. Send the phone number or e-mail used in the order (or /cancel).
order-contact-invalid = That does not look like a phone number or an e-mail. Send e.g. <code>+7 999 123-45-67</code> or <code>name@example.com</code>, or /cancel.
order-cancelled = OK, cancelled.
cancel-nothing = There is nothing to cancel right now. Send a { -setup.orders ->
        [yes] tracking number or an order number
       *[no] tracking number
    }, or see /help.
order-following = ✅ Order <b>{ $order }</b> confirmed: I am following it.
order-no-match = Order <b>{ $order }</b> was not found, or the contact does not match the one in the order. Please check both. Attempts left: { $left }.
order-too-many = Too many attempts. Please try again in { $minutes } { $minutes ->
    [one] minute
   *[other] minutes
}.
order-shop-down = The shop is not answering right now. Please try again a bit later; nothing is lost.

## Operator
admin-title = 🛠 <b>Bot status</b>
admin-last-error = ⚠️ Last error { $at }: <code>{ $error }</code>
admin-no-sources = No status sources are connected.
admin-queues =
    Users: { $users }, items followed: { $items }
    Numbers polled: { $polled }, due now: { $due }
    Messages queued: { $outbox }
    Last poll tick: { PRESENT($tick) ->
        [yes] { $tick } s ago
       *[no] not yet
    }

## Carrier choice
add-needs-carrier = Added: <code>{ $code }</code>. The tracking service could not tell the carrier from the number: choose it and I will start checking:
# The carriers offered, by their names in providers.track17.CARRIER_CHOICES
carrier-china-post = China Post
carrier-cainiao = Cainiao
carrier-yanwen = Yanwen
carrier-china-ems = China EMS
carrier-russian-post = Russian Post
carrier-cdek = CDEK
carrier-boxberry = Boxberry
carrier-dpd = DPD
carrier-5post = 5Post
carrier-kazpost = Kazpost
carrier-belpost = Belpost
carrier-dhl-express = DHL Express
carrier-ups = UPS
carrier-fedex = FedEx
carrier-usps = USPS
