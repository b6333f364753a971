## Push alerts and notices
alert-title = 🔔 <b>{ $title }</b>: { $status }
alert-events = New events: { $count }
alert-final = This is the final status: I will stop checking. In two weeks the card moves to the archive (/archive) by itself, or press 🗄 to move it now.
stall-title = ⏳ <b>{ $title }</b>: no news for { $days } { $days ->
        [one] day
       *[other] days
    }
stall-todo = This happens in international transit and at customs. What you can do: check the code; wait another 1–2 working days; then write to the seller or the shop's support (with the order number); if the parcel is already in the country, ask the carrier or the post office.
pickup-reminder-title = ⏰ <b>Reminder:</b> “{ $title }” is waiting at the pickup point. Storage is usually { $days } days: don't forget to collect it.
expired-title = 💤 <b>{ $title }</b>: no data for too long, so I stopped checking this number.
expired-todo = Check the code with the seller or the shop. Press “Refresh” and I will start checking again.
linked-title = 📦 Order <b>{ $order }</b> has been handed to the carrier. I now follow the parcel <code>{ $code }</code> as well: no need to copy the number anywhere.
