## Statuses: the label on cards and buttons, what the status means, and what to do now.
## Keys follow providers/statuses.py `Status`: status-<value with dashes>-label|meaning|todo.
## $shop is the shop's name and may be empty: PRESENT($shop) tells the two cases apart.

status-awaiting-payment-label = Awaiting payment
status-awaiting-payment-meaning =
    { PRESENT($shop) ->
        [yes] Your order at { $shop } has been placed but not paid yet.
       *[no] Your order has been placed but not paid yet.
    } Until it is paid, nobody packs it and the goods are not reserved for you.
status-awaiting-payment-todo =
    Pay as soon as you can: unpaid orders are cancelled automatically, sometimes within a few hours; the payment deadline is usually shown in the order. If you have paid and the status has not changed for more than a day, contact { PRESENT($shop) ->
        [yes] { $shop } support
       *[no] the shop's support
    }.

status-processing-label = Processing
status-processing-meaning =
    { PRESENT($shop) ->
        [yes] { $shop } has received your payment
       *[no] The shop has received your payment
    } and is preparing the order: checking the goods and packing them for shipping.
status-processing-todo =
    Nothing to do yet. Preparing an order usually takes 1–3 working days; the exact time is in the order or on the product page. If that time has passed, contact { PRESENT($shop) ->
        [yes] { $shop } support
       *[no] the shop's support
    } with your order number.

status-info-received-label = Info received
status-info-received-meaning =
    The sender has registered the parcel and sent its details to the carrier, but the carrier has not received the parcel itself yet.
status-info-received-todo =
    Give it some time: sellers usually hand the parcel to the carrier within 1–3 days, and then the first scans appear. If nothing moves for more than 5 days, ask the seller whether it has really been sent.

status-in-transit-label = In transit
status-in-transit-meaning =
    The parcel is on its way to you, moving between sorting centres and, if it comes from abroad, between countries.
status-in-transit-todo =
    There is nothing you need to do: I will message you when the status changes. Carriers update their data every 24–48 hours, and a gap of several days on the international leg is normal.

status-customs-label = At customs
status-customs-meaning =
    Your international parcel is going through customs clearance. This usually takes from a few hours to a few days. The latest event has the details.
status-customs-todo =
    Usually there is nothing to do. But if the latest event or a text message says your details or a payment are needed: parcels above the duty-free limit are subject to duty, and courier services often ask for passport details for the declaration. Give details and pay only through Gosuslugi or the carrier's official app or website, never through links in unexpected messages. Don't wait: without an answer the parcel may be sent back.

status-out-for-delivery-label = Out for delivery
status-out-for-delivery-meaning =
    A courier has the parcel and is bringing it to your address, usually the same day.
status-out-for-delivery-todo =
    Keep your phone at hand: the courier may call to agree on a time. Have your passport or the pickup code ready. If the courier has not come by the end of the day, contact the carrier: the delivery may have been rescheduled.

status-ready-for-pickup-label = Ready for pickup
status-ready-for-pickup-meaning =
    The parcel has arrived at a pickup point, parcel locker or post office and is waiting for you.
status-ready-for-pickup-todo =
    Collect it soon: <b>storage time is limited</b>. Pickup points usually keep parcels for 5–7 days, parcel lockers often for only 2–3 days, Russian Post usually for 15 days (online-shop parcels sometimes just 5–7). The exact date is in the text message, the notice or the carrier's app, where you can often extend the storage. Bring your passport or the pickup code. If you miss it, the parcel goes back to the sender: a marketplace usually cancels the order and refunds you, but for a parcel that came by post the money may not come back.

status-delivery-failed-label = Delivery failed
status-delivery-failed-meaning =
    The courier or the post could not hand over the parcel: for example, nobody was home, the address was incomplete or the delivery was postponed.
status-delivery-failed-todo =
    Contact the carrier to arrange a new delivery or collect the parcel yourself. Check the address and phone number in the order, and do not wait too long: if the parcel has been taken to a pickup point or post office, its storage period has already started.

status-delivered-label = Delivered
status-delivered-meaning =
    The parcel has been handed over to the recipient; its journey is complete.
status-delivered-todo =
    Check the contents. If the item is damaged, wrong or incomplete, tell the seller right away or start a return in the shop's app. If you did not receive the parcel, contact the carrier right away with the tracking number (at Russian Post, file a claim on its website or at the office) and tell the seller. On AliExpress, open a dispute before the buyer protection period ends.

status-returning-label = Returning to sender
status-returning-meaning =
    The parcel is on its way back to the sender: for example, the storage period ended, it was refused or the address was wrong.
status-returning-todo =
    If you still want the parcel, contact the seller or the shop right away: sometimes the return can be stopped or the order sent again.

status-returned-label = Returned to sender
status-returned-meaning =
    { PRESENT($shop) ->
        [yes] The parcel has gone back to { $shop }.
       *[no] The parcel has gone back to the sender.
    } It will not reach you any more.
status-returned-todo =
    Contact { PRESENT($shop) ->
        [yes] { $shop }
       *[no] the shop or the seller
    } to ask whether and when you will get your money back, or to have the order sent again. Keep your order number at hand.

status-cancelled-label = Cancelled
status-cancelled-meaning =
    The order has been cancelled: by you, by { PRESENT($shop) ->
        [yes] { $shop }
       *[no] the shop
    } or automatically, for example because it was not paid in time or not collected from the pickup point.
status-cancelled-todo =
    If you have paid, the money should be refunded; how long it takes depends on the payment method, so ask { PRESENT($shop) ->
        [yes] { $shop } support
       *[no] the shop's support
    } about it. If you did not cancel the order, ask them what happened.

status-exception-label = Delivery problem
status-exception-meaning =
    The carrier reported a problem: a delay, damage, or an issue with the address or documents. The latest event has the details.
status-exception-todo =
    Contact the carrier, give the tracking number and ask what they need from you. If you bought the item on a marketplace, tell the seller as well.

status-not-found-label = No data yet
status-not-found-meaning =
    The carrier does not know this number yet. That is normal for the first 1–2 working days after the parcel is handed over; for AliExpress orders the data sometimes takes several days to appear.
status-not-found-todo =
    If you typed the number yourself, check it for typos. I will keep checking on my own; if there is still no data after a week, ask the seller to confirm the number.

status-expired-label = Tracking stopped
status-expired-meaning =
    There has been no news about this number for a long time, so I have stopped checking it. This happens when the last step never reached the tracking system, but also when a parcel is lost.
status-expired-todo =
    If the parcel has not arrived, contact the seller or the shop's support with your order number. On AliExpress, open a dispute before the buyer protection period ends.

## Stages of the progress line on a card.

stage-ordered = Ordered
stage-shipped = Shipped
stage-in-transit = In transit
stage-at-pickup = Arrived
stage-received = Received
