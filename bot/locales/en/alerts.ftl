## Push alerts and notices
alert-title = 🔔 <b>{ $title }</b>: { $status }
alert-events = New events: { $count }
alert-final = This is the final status: I will stop checking. In two weeks the card moves to the archive (/archive) by itself, or press 🗄 to move it now.
stall-title = ⏳ <b>{ $title }</b>: no news for { $days } { $days ->
        [one] day
       *[other] days
    }
stall-not-found-title = 🔍 <b>{ $title }</b>: still no data for this number after { $days } { $days ->
        [one] day
       *[other] days
    }
stall-not-found-todo = That long without data is a reason to check the number with the seller or the shop's support: it may be mistyped, or the parcel may not have been handed to the carrier yet. I will keep checking it myself.
stall-todo =
    Gaps happen, especially on the international leg: not every step there gets a scan. What you can do:
    1. Wait another 1–2 working days.
    2. Contact the seller or the shop's support with the order number: they sometimes know more than the tracking shows.
    3. Contact the carrier with the tracking number; Russian Post accepts a search request on its website or at the office.
pickup-reminder-title = ⏰ <b>Reminder:</b> “{ $title }” is still waiting for you at the pickup point{ PRESENT($since) ->
        [yes] {" "}(since { $since })
       *[no] {""}
    }. Don't forget to collect it.
expired-title = 💤 <b>{ $title }</b>: no new data for too long, so I have stopped checking this number.
expired-todo = If the parcel has not arrived, contact the seller or the shop's support with your order number; on AliExpress, open a dispute before the buyer protection period ends. To have me check the number again, press “Refresh”.
linked-title = 📦 Order <b>{ $order }</b> has been handed to the carrier. I now follow the parcel <code>{ $code }</code> as well: no need to copy the number anywhere.
