## Commands menu
cmd-add = Добавить трек-номер или заказ
cmd-list = Мои посылки и заказы
cmd-status = Статус: всё или по номеру
cmd-archive = Архив полученных
cmd-remove = Удалить из списка
cmd-faq = Вопросы и ответы
cmd-settings = Язык, уведомления, тихие часы
cmd-help = Как пользоваться ботом

## Start and help
start-welcome =
    Здравствуйте, { $name }! 👋
    Я слежу за заказами и посылками и сам пишу, когда меняется статус.

    Просто пришлите трек-номер, например <code>RA123456785CN</code>, можно с подписью: <code>RA123456785CN наушники</code>.

    /list — ваш список, /status — где что сейчас, /faq — что значат статусы и что делать, если посылка «застряла».
start-bad-link = Эта ссылка не подходит или устарела. Пришлите трек-номер сообщением — я добавлю его.
help =
    <b>Как пользоваться</b>
    • Пришлите трек-номер или номер заказа — я начну следить и напишу, когда что-то изменится. Подпись можно добавить после номера.
    • /add <code>номер подпись</code> — то же самое командой.
    • /list — все отслеживания, /status <code>номер или подпись</code> — подробная карточка.
    • Под карточкой: обновить, история, что значит статус, выключить уведомления, переименовать, удалить, а у полученных — убрать в архив.
    • /remove <code>номер или подпись</code> — удалить.
    • /archive — полученные и завершённые: убираются из /list кнопкой 🗄 под карточкой или сами через две недели; номер, присланный снова, вернётся в список.
    • /settings — язык, уведомления, тихие часы и часовой пояс.
    • /forget — удалить всё, что я о вас храню.
    • В любом чате: <code>{ $bot } номер</code> — показать статус собеседнику.
    • /faq — ответы на частые вопросы.
help-inline-handle = @имя_бота
group-private-only = Список посылок у каждого свой, и я веду его в личном чате, чтобы его не видела вся группа. Напишите мне: { $bot }. А показать статус здесь можно так: <code>{ $bot } номер</code>.
btn-open-bot = 💬 Открыть чат с ботом

## Adding
add-usage = Пришлите номер после команды: <code>/add RA123456785CN подарок маме</code>
add-nothing-found = Не вижу здесь трек-номера. Проверьте, что номер скопирован полностью, например <code>RA123456785CN</code>, 14-значный номер Почты России или номер СДЭК из 10–13 цифр.
bare-number-ask = { $count ->
    [one] Это трек-номер? Номера только из цифр бывают у СДЭК и других служб доставки, но так же выглядят номера заказов и счетов, поэтому сначала спрошу. Нажмите, чтобы отслеживать:
   *[other] Это трек-номера? Номера только из цифр бывают у СДЭК и других служб доставки, но так же выглядят номера заказов и счетов, поэтому сначала спрошу. Нажмите на те, что нужно отслеживать:
}
add-added = ✅ Добавлено: <code>{ $code }</code>. Напишу, когда статус изменится.
add-already = Этот номер уже в вашем списке: <code>{ $code }</code>.
add-relabelled = Этот номер уже в вашем списке: <code>{ $code }</code>. Подпись обновлена.
add-restored = 📤 Вернул из архива в список: <code>{ $code }</code>.
add-no-source = Пока не могу отслеживать <code>{ $code }</code>: для номеров такого вида у этого бота нет службы отслеживания. Номер я не сохранил.
add-rejected = ⚠️ Служба отслеживания не принимает номер <code>{ $code }</code>: такого номера у перевозчика нет или он записан неверно. Проверьте номер у продавца — я его не сохранил.
add-source-down = Добавлено: <code>{ $code }</code>. Служба отслеживания сейчас не отвечает — я проверю ещё раз сам и напишу.
add-too-many = Список заполнен. Уберите полученные в архив (кнопка 🗄 под карточкой) или удалите лишние (/remove), чтобы добавить новые.
add-more-added = И ещё { $count } в списке: { $codes }. Все — в /list.
add-daily-limit = За сутки вы добавили { $limit } { $limit ->
    [one] новый номер
    [few] новых номера
   *[many] новых номеров
} — это предел, поэтому <code>{ $code }</code> я не добавил. Новые номера снова можно будет добавить с { $time }. Номера, которые уже в вашем списке, отслеживаются как обычно.
add-not-added = Не добавлены ({ $count }): { $codes }. { $reason }
add-reason-no-source = Для номеров такого вида у этого бота нет службы отслеживания.
add-reason-rejected = Служба отслеживания их не принимает: таких номеров у перевозчика нет или они записаны неверно. Проверьте их у продавца.
add-reason-too-many = Список заполнен: уберите полученные в архив (кнопка 🗄 под карточкой) или удалите лишние (/remove).
add-reason-daily-limit = За сутки вы добавили { $limit } { $limit ->
    [one] новый номер
    [few] новых номера
   *[many] новых номеров
} — это предел. Новые номера снова можно будет добавить с { $time }.
code-bad-check-digit = ⚠️ В номере <code>{ $code }</code>, похоже, опечатка: контрольная цифра не сходится (должна быть { $expected }). Проверьте номер — я его не добавил.
code-bad-format = ⚠️ <code>{ $code }</code> не похож на трек-номер. Проверьте, что он скопирован полностью.
code-bad-more = …и ещё с ошибками ({ $count }): { $codes }. Проверьте эти номера.

## Cards
card-linked-code = 📦 Трек-номер посылки: <code>{ $code }</code>
card-no-events = Событий пока нет: служба ещё не передала данные.
card-checked = Проверено { $ago }
card-not-checked = Ещё не проверено — проверю в ближайшее время.
card-muted = 🔕 Уведомления по этому отслеживанию выключены.
ago-just-now = только что
ago-minutes = { $n } { $n ->
        [one] минуту
        [few] минуты
       *[other] минут
    } назад
ago-hours = { $n } { $n ->
        [one] час
        [few] часа
       *[other] часов
    } назад
ago-days = { $n } { $n ->
        [one] день
        [few] дня
       *[other] дней
    } назад
history-title = 📜 <b>История: { $title }</b>
history-empty = Событий пока нет.

## Buttons
btn-refresh = 🔄 Обновить
btn-history = 📜 История
btn-explain = ❓ Что это значит
btn-mute = 🔕 Без уведомлений
btn-unmute = 🔔 Уведомлять
btn-rename = ✏️ Переименовать
btn-delete = 🗑 Удалить
btn-archive = 🗄 В архив
btn-unarchive = 📤 Вернуть в список
btn-delete-yes = 🗑 Да, удалить
btn-forget-yes = 🗑 Да, удалить всё
btn-cancel = Отмена
btn-back = ← К карточке
btn-track-number = 📦 Отслеживать { $number }
btn-settings-back = ← К настройкам
btn-prev = ← Назад
btn-next = Дальше →
btn-faq-menu = ← Все вопросы
btn-settings-language = 🌐 Язык
btn-settings-notify = 🔔 Уведомления
btn-settings-quiet = 🌙 Тихие часы
btn-settings-timezone = 🕓 Часовой пояс
btn-notify-on = 🔔 Включить
btn-notify-off = 🔕 Выключить
btn-language-auto = Как в Telegram

## Items
list-empty = Список пуст. Пришлите трек-номер или номер заказа — и я начну следить.
list-title = 📋 <b>Ваши отслеживания: { $count }</b>{ $pages ->
    [1] {""}
   *[other] {" "}(стр. { $page } из { $pages })
}
list-archived = 🗄 В архиве: { $count } — /archive
archive-title = 🗄 <b>Архив: { $count }</b>{ $pages ->
    [1] {""}
   *[other] {" "}(стр. { $page } из { $pages })
}
archive-empty = Архив пуст. Сюда попадают полученные и завершённые посылки и заказы: кнопкой 🗄 под карточкой или сами через две недели.
archive-done = Убрал в архив: /archive
archive-not-finished = В архив можно убрать только полученные и завершённые посылки и заказы.
unarchive-done = Вернул в список
item-gone = Этого номера уже нет в вашем списке.
refresh-done = Обновлено
refresh-too-soon = Только что проверял. Можно снова через { $seconds } с.
refresh-source-down = Служба отслеживания сейчас не отвечает. Показываю последний известный статус; проверю ещё раз сам.
muted-on = Уведомления выключены
muted-off = Уведомления включены
rename-prompt = Как назвать «{ $title }»? Пришлите новое название одним сообщением (или /cancel).
rename-cancelled = Хорошо, название не меняю.
rename-done = ✏️ Название сохранено.
delete-confirm = Удалить «{ $title }» из списка? Уведомлений об этом номере больше не будет.
delete-done = 🗑 Удалено из списка: «{ $title }».
forget-confirm = Удалить всё, что я о вас храню? Это отслеживания (всего: { $items }, из них в архиве: { $archived }), ваши настройки и неотправленные уведомления. Восстановить их будет нельзя. Останутся лишь отметки о том, когда вы добавляли новые номера и проверяли заказы, — по ним считаются ограничения; через сутки они удаляются сами.
forget-done = 🗑 Готово: я удалил ваши отслеживания, настройки и уведомления. Пришлёте номер — начнём заново.
forget-kept = Хорошо, ничего не удаляю.
remove-usage = Укажите номер или подпись: <code>/remove RA123456785CN</code>. Или нажмите 🗑 под карточкой в /list.
status-not-found = В вашем списке нет «{ $query }». Пришлите номер сообщением, чтобы добавить, или посмотрите /list.

## Inline mode
inline-nothing = Ничего не найдено — открыть бота

## Settings
settings-title = ⚙️ <b>Настройки</b>
settings-summary =
    ⚙️ <b>Настройки</b>
    🌐 Язык: { $language }
    🔔 Уведомления: { $notifications }
    🌙 Тихие часы: { $quiet }
    🕓 Часовой пояс: { $timezone }
settings-on = включены
settings-off = выключены
settings-saved = Сохранено
settings-bad-value = Эта кнопка устарела. Откройте /settings заново.
settings-choose-lang = Выберите язык:
settings-choose-notify = Присылать уведомления о смене статуса?
settings-choose-quiet = В тихие часы я придержу уведомления до утра (кроме «Ждёт в пункте выдачи»: срок хранения ограничен):
settings-choose-tz = Выберите часовой пояс:
language-auto = как в Telegram
language-ru = Русский
language-en = English

## Time zones offered in /settings (the city of the IANA name; offsets from Moscow time)
tz-kaliningrad = Калининград (МСК−1)
tz-moscow = Москва (МСК)
tz-samara = Самара (МСК+1)
tz-yekaterinburg = Екатеринбург (МСК+2)
tz-omsk = Омск (МСК+3)
tz-novosibirsk = Новосибирск (МСК+4)
tz-krasnoyarsk = Красноярск (МСК+4)
tz-irkutsk = Иркутск (МСК+5)
tz-yakutsk = Якутск (МСК+6)
tz-vladivostok = Владивосток (МСК+7)
tz-magadan = Магадан (МСК+8)
tz-kamchatka = Камчатка (МСК+9)

## Fallback
unknown-command = Такой команды нет. Список команд — /help.
fallback-hint = Не нашёл здесь трек-номера. Пришлите номер посылки или заказа, например <code>RA123456785CN</code>, или загляните в /faq.
fallback-not-text = Я понимаю только текст: пришлите трек-номер сообщением.
button-outdated = Эта кнопка устарела. Откройте /list заново.

## Orders
order-ask-contact = Чтобы показать заказ <b>{ $order }</b>, магазину нужно убедиться, что он ваш. Пришлите телефон или e-mail, указанный в заказе (или /cancel).
order-contact-invalid = Это не похоже на телефон или e-mail. Пришлите, например, <code>+7 999 123-45-67</code> или <code>name@example.ru</code> — или /cancel.
order-cancelled = Хорошо, отменил.
cancel-nothing = Сейчас нечего отменять. Пришлите трек-номер или номер заказа — или загляните в /help.
order-following = ✅ Заказ <b>{ $order }</b> подтверждён — слежу за ним.
order-no-match = Заказ <b>{ $order }</b> не найден, или контакт не совпадает с указанным в заказе. Проверьте номер и контакт. Осталось попыток: { $left }.
order-too-many = Слишком много попыток. Попробуйте снова через { $minutes } мин.
order-shop-down = Магазин сейчас не отвечает. Попробуйте чуть позже — ничего не потеряется.

## Operator
admin-title = 🛠 <b>Состояние бота</b>
admin-last-error = ⚠️ Последняя ошибка { $at }: <code>{ $error }</code>
admin-no-sources = Источники статусов не подключены.
admin-queues =
    Пользователей: { $users }, отслеживаний: { $items }
    Номеров в опросе: { $polled }, ждут проверки сейчас: { $due }
    Сообщений в очереди: { $outbox }
    Последний цикл опроса: { PRESENT($tick) ->
        [yes] { $tick } с назад
       *[no] ещё не было
    }

## Carrier choice
add-needs-carrier = Добавлено: <code>{ $code }</code>. Служба отслеживания не смогла определить перевозчика по номеру — выберите его, и я начну проверять:
# The carriers offered, by their names in providers.track17.CARRIER_CHOICES
carrier-china-post = Почта Китая
carrier-cainiao = Cainiao
carrier-yanwen = Yanwen
carrier-china-ems = EMS Китая
carrier-russian-post = Почта России
carrier-cdek = СДЭК
carrier-boxberry = Boxberry
carrier-dpd = DPD
carrier-5post = 5Post
carrier-kazpost = Казпочта
carrier-belpost = Белпочта
carrier-dhl-express = DHL Express
carrier-ups = UPS
carrier-fedex = FedEx
carrier-usps = USPS
