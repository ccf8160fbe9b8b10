"""Every sentence the assistant says, in English and simplified Chinese.

Kept in one table so a reply never exists in one language only, and so wording can
be changed without reading skill code. Values are `str.format` templates; a list
means "one of these", picked by the caller (jokes rotate, the rest take the first).
Chinese is spoken by espeak-ng's pinyin voice: plain simplified characters only.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str | list[str]]] = {
    # dialog
    "fallback": {"en": "Sorry, I didn't catch that.", "zh": "抱歉，我没听清。"},
    "error": {"en": "Sorry, something went wrong with that.", "zh": "抱歉，出了点问题。"},
    "unsupported": {"en": "Sorry, I can't do that yet.", "zh": "抱歉，我还不会这个。"},
    "followup_gave_up": {
        "en": "Never mind. Ask me again when you're ready.",
        "zh": "好吧，需要的时候再叫我。",
    },
    "state.full": {
        "en": "Sorry, the disk is full, so I couldn't do that.",
        "zh": "抱歉，磁盘满了，这件事没办成。",
    },
    "skill.broken": {
        "en": "Sorry, the {domain} skill didn't start. The log says why.",
        "zh": "抱歉，{domain}功能没能启动，原因在日志里。",
    },
    "state.failed": {
        "en": "Sorry, I can't use my memory file right now.",
        "zh": "抱歉，我的存储文件现在用不了。",
    },
    # a maker's intent (an intent file's action, a plugin, a listener on the broker)
    "action.failed": {"en": "Sorry, that didn't work.", "zh": "抱歉，没有办成。"},
    "action.done": {"en": "Okay.", "zh": "好的。"},
    # clock
    "clock.time": {"en": "It's {time}.", "zh": "现在是{time}。"},
    "clock.time_in": {"en": "It's {time} in {city}.", "zh": "{city}现在是{time}。"},
    "clock.no_zone": {
        "en": "Sorry, I don't know the time zone of {city}.",
        "zh": "抱歉，我不知道{city}的时区。",
    },
    "clock.date": {"en": "Today is {date}.", "zh": "今天是{date}。"},
    "clock.date_other": {"en": "{day} is {date}.", "zh": "{day}是{date}。"},
    # chat
    "chat.greeting": {"en": "Hello! How can I help?", "zh": "你好！有什么可以帮你的？"},
    "chat.thanks": {"en": "You're welcome.", "zh": "不客气。"},
    "chat.identity": {
        "en": "I'm your voice assistant. I speak English and Chinese, and I work offline.",
        "zh": "我是你的语音助手，会说中文和英文，不联网也能用。",
    },
    "chat.joke": {
        "en": [
            "Why did the scarecrow win an award? Because he was outstanding in his field.",
            "I told my computer I needed a break, and it said no problem, it would go to sleep.",
            "Why don't skeletons fight each other? They don't have the guts.",
            "What do you call a fish with no eyes? A fsh.",
            "Why was the math book sad? It had too many problems.",
        ],
        "zh": [
            "为什么数学书总是很忧郁？因为它有太多的问题。",
            "老师问小明为什么迟到。小明说：路上有个牌子写着，前方学校，慢行。",
            "有一天，零对八说：胖就胖呗，系什么腰带啊。",
            "老师说：今天我们学习蚊子。小明问：老师，蚊子是益虫还是害虫？老师说：看它咬谁。",
            "一只北极熊很无聊，就开始拔自己的毛，一根，两根，最后拔光了。它说：好冷啊。",
        ],
    },
    # system
    "system.help": {
        "en": "I can tell the time and date, set timers and alarms, check the weather, "
        "turn lights and devices on and off, play music, change the volume, "
        "keep a shopping list, and tell jokes. Try: set a timer for five minutes.",
        "zh": "我可以报时间和日期，设计时器和闹钟，查天气，开关灯和电器，放音乐，调音量，"
        "记购物清单，还会讲笑话。试试说：设一个五分钟的计时器。",
    },
    "system.stop": {"en": "Okay.", "zh": "好的。"},
    "system.repeat_nothing": {"en": "I haven't said anything yet.", "zh": "我还没说过话呢。"},
    "system.language": {
        "en": "Okay, I'll speak English from now on.",
        "zh": "好的，我以后说中文。",
    },
    # timers
    "timer.ask_duration": {"en": "For how long?", "zh": "要设多长时间？"},
    "timer.started": {
        "en": "Okay, {duration} timer, starting now.",
        "zh": "好的，{duration}计时器，现在开始。",
    },
    "timer.none": {"en": "You don't have any timers.", "zh": "你现在没有计时器。"},
    "timer.left": {"en": "{left} left.", "zh": "还剩{left}。"},
    "timer.left_named": {"en": "{left} left on the {name} timer", "zh": "{name}计时器还剩{left}"},
    "timer.cancelled": {
        "en": "Okay, I cancelled the {name} timer.",
        "zh": "好的，{name}计时器取消了。",
    },
    "timer.cancelled_all": {
        "en": "Okay, I cancelled all {count} timers.",
        "zh": "好的，{count}个计时器都取消了。",
    },
    "timer.cancelled_both": {
        "en": "Okay, I cancelled both timers.",
        "zh": "好的，两个计时器都取消了。",
    },
    "timer.confirm_all": {
        "en": "You have {count} timers. Should I cancel all of them?",
        "zh": "你有{count}个计时器，确定全部取消吗？",
    },
    "timer.kept": {
        "en": "Okay, I kept your {count} timers.",
        "zh": "好的，{count}个计时器都留着。",
    },
    "timer.fired": {"en": "Your {name} timer is done.", "zh": "{name}计时器时间到了。"},
    "timer.missed": {
        "en": "While I was off, your {name} timer finished.",
        "zh": "我关机的时候，你的{name}计时器已经到时间了。",
    },
    "timer.too_long": {
        "en": "Sorry, timers can be at most 24 hours.",
        "zh": "抱歉，计时器最长二十四小时。",
    },
    # alarms
    "alarm.ask_time": {"en": "For what time?", "zh": "要定在几点？"},
    "alarm.set": {"en": "Okay, alarm set for {time} {day}.", "zh": "好的，闹钟定在{day}{time}。"},
    "alarm.none": {"en": "You don't have any alarms.", "zh": "你现在没有闹钟。"},
    "alarm.cancelled": {
        "en": "Okay, I cancelled your alarm for {time} {day}.",
        "zh": "好的，{day}{time}的闹钟取消了。",
    },
    "alarm.cancelled_all": {
        "en": "Okay, I cancelled all {count} alarms.",
        "zh": "好的，{count}个闹钟都取消了。",
    },
    "alarm.cancelled_both": {
        "en": "Okay, I cancelled both alarms.",
        "zh": "好的，两个闹钟都取消了。",
    },
    "alarm.confirm_all": {
        "en": "You have {count} alarms. Should I cancel all of them?",
        "zh": "你有{count}个闹钟，确定全部取消吗？",
    },
    "alarm.kept": {"en": "Okay, I kept your {count} alarms.", "zh": "好的，{count}个闹钟都留着。"},
    "alarm.fired": {"en": "It's {time}. This is your alarm.", "zh": "{time}了，闹钟响了。"},
    "alarm.missed": {
        "en": "While I was off, your alarm for {time} went off.",
        "zh": "我关机的时候，{time}的闹钟已经响过了。",
    },
    "alarm.past": {"en": "That time has already passed.", "zh": "那个时间已经过去了。"},
    # volume
    "volume.set": {"en": "Volume {level}.", "zh": "音量{level}。"},
    "volume.muted": {"en": "Muted.", "zh": "已静音。"},
    "volume.unmuted": {
        "en": "Sound is back on, volume {level}.",
        "zh": "取消静音了，音量{level}。",
    },
    "volume.max": {"en": "The volume is already at the maximum.", "zh": "音量已经最大了。"},
    "volume.min": {"en": "The volume is already at the minimum.", "zh": "音量已经最小了。"},
    "volume.ask_level": {"en": "To what level?", "zh": "调到多少？"},
    # lists
    "list.ask_item": {"en": "What should I add?", "zh": "要加什么？"},
    "list.ask_remove": {"en": "What should I take off the list?", "zh": "要删掉什么？"},
    "list.added": {"en": "Added {item} to your {list}.", "zh": "好的，{item}已经加到{list}了。"},
    "list.already": {"en": "{item} is already on your {list}.", "zh": "{item}已经在{list}上了。"},
    "list.show": {
        "en": "Your {list} has {count} items: {items}.",
        "zh": "{list}上有{count}样：{items}。",
    },
    "list.show_one": {"en": "Your {list} has one item: {items}.", "zh": "{list}上只有{items}。"},
    "list.empty": {"en": "Your {list} is empty.", "zh": "{list}是空的。"},
    "list.removed": {
        "en": "Removed {item} from your {list}.",
        "zh": "好的，{item}从{list}上删掉了。",
    },
    "list.not_found": {"en": "{item} isn't on your {list}.", "zh": "{list}上没有{item}。"},
    "list.cleared": {"en": "Okay, I cleared your {list}.", "zh": "好的，{list}清空了。"},
    # home
    "home.on": {"en": "Okay, the {device} is on.", "zh": "好的，{device}打开了。"},
    "home.off": {"en": "Okay, the {device} is off.", "zh": "好的，{device}关上了。"},
    "home.brightness": {
        "en": "Okay, the {device} is at {level}.",
        "zh": "好的，{device}调到{level}了。",
    },
    "home.is_on": {"en": "Yes, the {device} is on.", "zh": "{device}开着。"},
    "home.is_on_level": {
        "en": "Yes, the {device} is on at {level}.",
        "zh": "{device}开着，亮度{level}。",
    },
    "home.is_off": {"en": "No, the {device} is off.", "zh": "{device}关着。"},
    "home.ask_room": {"en": "Which room: {rooms}?", "zh": "哪个房间的{device}？{rooms}？"},
    "home.ask_device": {"en": "Which device?", "zh": "哪个设备？"},
    "home.ask_level": {"en": "How bright?", "zh": "调到多亮？"},
    "home.unknown_device": {
        "en": "Sorry, I don't know a device called {device}.",
        "zh": "抱歉，我不知道叫{device}的设备。",
    },
    "home.unknown_room": {
        "en": "Sorry, I don't know a room called {room}.",
        "zh": "抱歉，我不知道{room}这个房间。",
    },
    "home.not_in_room": {
        "en": "Sorry, there's no {device} in the {room}.",
        "zh": "抱歉，{room}没有{device}。",
    },
    "home.temperature": {
        "en": "Okay, the {room} is set to {degrees} degrees.",
        "zh": "好的，{room}的温度设为{degrees}度了。",
    },
    "home.ask_degrees": {"en": "To how many degrees?", "zh": "调到多少度？"},
    "home.bad_degrees": {
        "en": "Sorry, I can only set between {low} and {high} degrees.",
        "zh": "抱歉，温度只能设在{low}到{high}度之间。",
    },
    "home.no_brightness": {
        "en": "Sorry, the {device} can't be dimmed.",
        "zh": "抱歉，{device}不能调亮度。",
    },
    "home.unreachable": {
        "en": "Sorry, I can't reach Home Assistant right now.",
        "zh": "抱歉，现在连不上家庭助理。",
    },
    "home.failed": {
        "en": "Sorry, Home Assistant didn't accept that.",
        "zh": "抱歉，家庭助理没有执行。",
    },
    # weather
    "weather.report": {
        "en": "{day} in {city}: {sky}, from {low} to {high}.",
        "zh": "{city}{day}{sky}，{low}到{high}。",
    },
    "weather.rain": {"en": " Chance of rain {chance}.", "zh": "降水概率{chance}。"},
    # weather: yes/no questions about one condition or one piece of gear, answered from the forecast
    "weather.condition.rain.yes": {
        "en": "Yes, rain is likely {day} in {city}.",
        "zh": "{city}{day}可能会下雨。",
    },
    "weather.condition.rain.no": {
        "en": "It doesn't look like rain {day} in {city}.",
        "zh": "{city}{day}应该不会下雨。",
    },
    "weather.condition.snow.yes": {
        "en": "Yes, snow is expected {day} in {city}.",
        "zh": "{city}{day}会下雪。",
    },
    "weather.condition.snow.no": {
        "en": "No snow is expected {day} in {city}.",
        "zh": "{city}{day}不会下雪。",
    },
    "weather.condition.sun.yes": {
        "en": "Yes, it'll be sunny {day} in {city}.",
        "zh": "{city}{day}是晴天。",
    },
    "weather.condition.sun.no": {
        "en": "No, it won't be sunny {day} in {city}.",
        "zh": "{city}{day}不是晴天。",
    },
    "weather.condition.cloud.yes": {
        "en": "Yes, it'll be cloudy {day} in {city}.",
        "zh": "{city}{day}是阴天。",
    },
    "weather.condition.cloud.no": {
        "en": "No, it won't be cloudy {day} in {city}.",
        "zh": "{city}{day}不是阴天。",
    },
    "weather.condition.wind.yes": {
        "en": "Yes, it'll be windy {day} in {city}.",
        "zh": "{city}{day}风比较大。",
    },
    "weather.condition.wind.no": {
        "en": "No, it won't be very windy {day} in {city}.",
        "zh": "{city}{day}风不大。",
    },
    "weather.condition.hot.yes": {
        "en": "Yes, it'll be hot {day} in {city}.",
        "zh": "{city}{day}会很热。",
    },
    "weather.condition.hot.no": {
        "en": "No, it won't be hot {day} in {city}.",
        "zh": "{city}{day}不算热。",
    },
    "weather.condition.cold.yes": {
        "en": "Yes, it'll be cold {day} in {city}.",
        "zh": "{city}{day}会很冷。",
    },
    "weather.condition.cold.no": {
        "en": "No, it won't be cold {day} in {city}.",
        "zh": "{city}{day}不算冷。",
    },
    "weather.gear.umbrella.yes": {
        "en": "Yes, take an umbrella {day} in {city}.",
        "zh": "{city}{day}要带伞。",
    },
    "weather.gear.umbrella.no": {
        "en": "No, you won't need an umbrella {day} in {city}.",
        "zh": "{city}{day}不用带伞。",
    },
    "weather.gear.coat.yes": {
        "en": "Yes, wear a coat {day} in {city}.",
        "zh": "{city}{day}要穿外套。",
    },
    "weather.gear.coat.no": {
        "en": "No, you won't need a coat {day} in {city}.",
        "zh": "{city}{day}不用穿外套。",
    },
    "weather.gear.sun_protection.yes": {
        "en": "Yes, the sun will be strong {day} in {city}: take sunscreen.",
        "zh": "{city}{day}太阳很强，要做好防晒。",
    },
    "weather.gear.sun_protection.no": {
        "en": "No, you won't need sunscreen {day} in {city}.",
        "zh": "{city}{day}不用特别防晒。",
    },
    "weather.unavailable": {
        "en": "Sorry, I can't get the weather right now.",
        "zh": "抱歉，现在查不到天气。",
    },
    "weather.unknown_city": {
        "en": "Sorry, I couldn't find a place called {city}.",
        "zh": "抱歉，我找不到{city}这个地方。",
    },
    "weather.too_far": {
        "en": "Sorry, I only have the forecast for the next few days.",
        "zh": "抱歉，我只能查最近几天的天气。",
    },
    # media
    "media.playing": {"en": "Playing {title}.", "zh": "正在播放{title}。"},
    "media.not_found": {
        "en": "Sorry, I couldn't find {query} in your music.",
        "zh": "抱歉，音乐里找不到{query}。",
    },
    "media.no_music": {
        "en": "Sorry, I don't have any music to play.",
        "zh": "抱歉，没有可以播放的音乐。",
    },
    "media.paused": {"en": "Paused.", "zh": "暂停了。"},
    "media.resumed": {"en": "Resuming {title}.", "zh": "继续播放{title}。"},
    "media.nothing": {"en": "Nothing is playing.", "zh": "现在没有在播放。"},
    "media.stopped": {"en": "Okay, music stopped.", "zh": "好的，音乐停了。"},
    "media.cannot_play": {"en": "Sorry, I can't play {title}.", "zh": "抱歉，{title}放不了。"},
}


# A skill's domain as a Chinese sentence names it ("the weather skill" -> 天气功能).
DOMAIN_NAMES_ZH = {
    "clock": "时钟",
    "timer": "计时器",
    "alarm": "闹钟",
    "list": "清单",
    "volume": "音量",
    "home": "家居",
    "weather": "天气",
    "media": "音乐",
    "system": "系统",
    "chat": "聊天",
}


def text(key: str, lang: str, index: int = 0, **values) -> str:
    """The sentence `key` in `lang` (en when zh is missing), filled with `values`."""
    entry = TEXTS[key]
    value = entry.get(lang) or entry["en"]
    if isinstance(value, list):
        value = value[index % len(value)]
    return value.format(**values)


def variants(key: str, lang: str) -> int:
    value = TEXTS[key].get(lang) or TEXTS[key]["en"]
    return len(value) if isinstance(value, list) else 1
