"""Every string the UI shows that does not come from the catalog or the settings."""

from __future__ import annotations

from kiosk.text import LANGUAGES, Language, Text


def fill(template: Text, **values: Text | str | int) -> Text:
    """`template` with `values` put in, each bilingual value in the matching language."""

    def text_in(language: Language) -> str:
        return template.get(language).format(
            **{
                key: value.get(language) if isinstance(value, Text) else value
                for key, value in values.items()
            }
        )

    zh, en = (text_in(language) for language in LANGUAGES)
    return Text(zh=zh, en=en)


LANGUAGE_NAMES = {"zh": "中文", "en": "English"}

HOME = Text(zh="首页", en="Home")
BACK = Text(zh="返回", en="Back")

# Home
WELCOME = Text(
    zh="欢迎光临！请取号，我们将为您引导到正确的窗口。",
    en="Welcome! Take a number and we will send you to the right window.",
)
QUEUES_TITLE = Text(zh="当前排队情况", en="Queues now")
QUEUE_STATE = Text(
    zh="等候 {count} 人，约 {minutes} 分钟", en="{count} waiting, about {minutes} min"
)
QUEUE_EMPTY = Text(zh="无人等候", en="No one waiting")
QUEUES_LOADING = Text(zh="正在查询排队情况…", en="Checking the queues…")
PRINTER_PAUSED = Text(
    zh="打印机暂停出票：取号后号码将显示在屏幕上，请拍照或记下。",
    en="The printer is paused: your number will be shown on screen; please photograph or note it.",
)
TAKE_NUMBER = Text(zh="取号", en="Take a number")

# Category and matter
CHOOSE_CATEGORY = Text(zh="请选择业务类别", en="What did you come for?")
CHOOSE_MATTER = Text(zh="请选择具体事项", en="Choose your matter")
BADGE_SIMPLE = Text(zh="绿色通道", en="Green channel")
BADGE_SELF_SERVICE = Text(zh="可自助", en="Self-service")
TIME_LIMIT = Text(zh="办理时限：{limit}", en="Time limit: {limit}")

# Route
GO_TO = Text(zh="请到", en="Please go to")
WHY = Text(zh="为什么到这里", en="Why here")
BULLET = Text(zh="• {text}", en="• {text}")
DOCUMENTS_TITLE = Text(zh="请备齐以下材料（一次性告知）", en="Please bring these documents")
NO_DOCUMENTS = Text(zh="无需准备材料。", en="No documents needed.")
DOCUMENT_LINE = Text(zh="□ {name}（{describe}）", en="□ {name} ({describe})")
PEOPLE_AHEAD = Text(zh="前面等候 {count} 人", en="{count} people ahead")
PERSON_AHEAD = Text(zh="前面等候 1 人", en="1 person ahead")
NONE_AHEAD = Text(zh="前面无人等候", en="Nobody ahead of you")
ESTIMATED_WAIT = Text(zh="预计等待约 {minutes} 分钟", en="Estimated wait: about {minutes} min")
NO_WAIT = Text(zh="无需等待", en="No wait")
CONFIRM = Text(zh="确认取号", en="Confirm and print")
SELF_SERVICE_OFFER = Text(zh="自助办税区办理，无需取号", en="Self-service area, no number needed")
SELF_SERVICE_HINT = Text(
    zh="此事项可在自助办税终端办理，不用排队。打印指引单，按指引操作即可。",
    en="The self-service terminals can do this with no queue. Print a guide slip and follow it.",
)
PRINT_GUIDE = Text(zh="打印指引单", en="Print a guide slip")
WANT_WINDOW = Text(zh="仍要到窗口办理", en="I still want a window")
GUIDE_PRINTING = Text(zh="正在打印指引单…", en="Printing the guide slip…")
GUIDE_PRINTED = Text(
    zh="指引单已打印，请取走并到自助办税区办理。",
    en="Your guide slip is printed: please take it to the self-service area.",
)
GUIDE_FAILED = Text(
    zh="指引单暂时无法打印，请到自助办税区，工作人员会帮助您。",
    en="The guide slip cannot be printed now: staff in the self-service area will help you.",
)

# Printing and the outcome
PRINTING = Text(zh="正在出票…", en="Printing your ticket…")
PRINTING_HINT = Text(
    zh="请稍候，排队票将从下方出票口送出。",
    en="One moment: your ticket will come out of the slot below.",
)
YOUR_NUMBER = Text(zh="您的排队号", en="Your number")
QUEUE_AND_WINDOWS = Text(zh="{queue}  {windows}", en="{queue}, {windows}")
AHEAD_AND_WAIT = Text(zh="{ahead}，预计约 {minutes} 分钟", en="{ahead}, about {minutes} min")
NOBODY_AHEAD = Text(
    zh="前面无人等候，请直接前往", en="Nobody ahead of you: please go straight there"
)
QR_CAPTION = Text(zh="扫码查看排队进度与办事指南", en="Scan for your ticket status and guide")
TAKE_TICKET = Text(zh="请取走您的排队票", en="Please take your ticket")
DONE = Text(zh="完成", en="Done")
E_TICKET_SENTENCE = Text(
    zh="打印机暂时无法出票，请拍下或记住您的号码。",
    en="The printer cannot print right now: please photograph or note your number.",
)
QR_NAME = Text(zh="电子排队票二维码", en="QR code of your e-ticket")
FAILED_TITLE = Text(zh="暂时无法取号", en="No number could be issued")
FAILED_SENTENCE = Text(
    zh="很抱歉，现在无法为您取号。请向大厅工作人员求助，他们会为您安排。",
    en="We are sorry: no number could be issued just now. Please ask the "
    "hall staff, who will help you.",
)
BACK_HOME = Text(zh="返回首页", en="Back to the start")

# Inactivity
STILL_THERE = Text(zh="还在吗？", en="Are you still there?")
DESCRIPTION_SEPARATOR = Text(zh="；", en="; ")
COUNTDOWN = Text(zh="{seconds} 秒后将返回首页", en="Returning to the start in {seconds} s")
CONTINUE = Text(zh="继续", en="Continue")

# Identification (实名办税) and appointment check-in (预约签到)
IDENTIFY = Text(zh="刷证/扫码 · 预约签到", en="Identify / appointment check-in")
IDENTIFY_TITLE = Text(zh="请刷身份证或扫码", en="Place your ID card or scan a code")
IDENTIFY_HINT = Text(
    zh="请将身份证放在读卡区，或将预约码、纳税人二维码对准扫码窗口。",
    en="Put your ID card on the reader, or hold your appointment code or taxpayer QR "
    "code to the scanner.",
)
IDENTIFY_NO_READER = Text(
    zh="请扫码，或在下方输入代码。", en="Scan a code, or type one with the buttons below."
)
REAL_NAME_NEEDED = Text(
    zh="“{matter}”需要实名办税，请先验证身份。",
    en="“{matter}” needs real-name identification: please identify first.",
)
TYPE_CREDIT_CODE = Text(zh="输入信用代码", en="Type credit code")
TYPE_APPOINTMENT_CODE = Text(zh="输入预约码", en="Type appointment code")
SKIP = Text(zh="跳过", en="Skip")
IDENTIFYING = Text(zh="正在查询，请稍候…", en="Looking you up, one moment…")
CREDIT_CODE_TITLE = Text(zh="输入统一社会信用代码", en="Type the unified social credit code")
CREDIT_CODE_HINT = Text(
    zh="共18位，由数字和大写字母组成", en="18 characters: digits and capital letters"
)
APPOINTMENT_CODE_TITLE = Text(zh="输入预约码", en="Type your appointment code")
APPOINTMENT_CODE_HINT = Text(
    zh="预约短信中的预约码：{prefix} 加 {digits} 位数字",
    en="The code in your booking message: {prefix} and {digits} digits",
)
APPOINTMENT_CODE_PREFIX_PROBLEM = Text(
    zh="预约码以 {prefix} 开头", en="An appointment code starts with {prefix}"
)
APPOINTMENT_CODE_DIGIT_PROBLEM = Text(zh="{prefix} 之后只有数字", en="Only digits follow {prefix}")
FREQUENT_DETAIL = Text(zh="您常办理的事项", en="You often come for this")
APPOINTMENT_UNKNOWN = Text(
    zh="没有找到此预约码的预约，请核对预约码，或直接取号",
    en="No appointment has this code: check the code, or take an ordinary ticket",
)
OK = Text(zh="确定", en="OK")
GREETING = Text(zh="您好，{name}（{masked}）", en="Hello, {name} ({masked})")
GREETING_NO_NAME = Text(zh="您好！已验证：{masked}", en="Hello! Identified: {masked}")
CREDIT_A = Text(zh="A级纳税人，可享优先服务", en="A-credit taxpayer: priority service")
CHECK_IN_TITLE = Text(zh="预约签到", en="Appointment check-in")
APPOINTMENT_AT = Text(zh="预约时间：{time}", en="Booked for {time}")
APPOINTMENT_MATTERS = Text(zh="预约事项：{matters}", en="Matters: {matters}")
LIST_SEPARATOR = Text(zh="、", en=", ")
TAKE_APPOINTMENT_TICKET = Text(zh="签到并取号", en="Check in and take a number")
OTHER_MATTER = Text(zh="办理其他事项", en="Another matter")
NORMAL_TICKET = Text(zh="继续取号", en="Take a number")
FOR_YOU = Text(zh="为您推荐", en="For you")
BADGE_REMINDER = Text(zh="应办事项", en="To do")
BADGE_FREQUENT = Text(zh="常办事项", en="Frequent")


# Smart routing (智能导税): search, the route's details, refusals, priority, 一窗通办
SEARCH = Text(zh="搜索", en="Search")
SEARCH_TITLE = Text(zh="搜索事项", en="Find a matter")
SEARCH_HINT = Text(
    zh="按拼音首字母搜索，如“FP”找发票事项；也可按英文名。",
    en="Type the first letters of the pinyin (FP finds fapiao, invoices) or of the English name.",
)
SEARCH_EMPTY = Text(zh="没有找到，请换几个字母试试。", en="Nothing found: try other letters.")
SEARCH_PROMPT = Text(zh="请输入字母", en="Type some letters")
SEARCH_QUERY = Text(zh="已输入：{query}", en="Typed: {query}")
DELETE = Text(zh="删除", en="Delete")
CLEAR = Text(zh="清空", en="Clear")
TIME_LIMIT_LINE = Text(zh="办理时限：{limit}", en="Time limit: {limit}")
DEFERRABLE_MARK = Text(zh="【容缺】", en="[later OK]")
DEFERRABLE_LEGEND = Text(
    zh="标有【容缺】的材料可先受理、承诺后补。",
    en="Documents marked [later OK] may be brought after the matter is accepted.",
)
# "I am elderly / have a disability / am pregnant": short enough for a 720 px window.
PRIORITY_BUTTON = Text(zh="老年人/残疾人/孕妇优先服务", en="I need priority service")
ADD_MATTER = Text(zh="再加一项", en="Add another matter")
ADDING_MATTER = Text(
    zh="再选一项事项，与已选事项一起办理", en="Choose one more matter to do in the same visit"
)
CHOSEN_MATTERS = Text(zh="已选事项：{matters}", en="Chosen: {matters}")
NO_TICKET_TITLE = Text(zh="暂不能取号", en="No number now")
REFUSAL_ACTIONS = {
    "self_service": Text(zh="请到自助办税区办理", en="Please use the self-service area"),
    "e_tax": Text(zh="请通过电子税务局在线办理", en="Please use the e-tax bureau online"),
    "appointment": Text(zh="可预约办税", en="You can book an appointment"),
    "come_back": Text(zh="请按上述时间再来", en="Please come back at the time above"),
}


def people_ahead(count: int) -> Text:
    """How many are ahead, in words that read right for none, one and many."""
    if count == 0:
        return NONE_AHEAD
    if count == 1:
        return PERSON_AHEAD
    return fill(PEOPLE_AHEAD, count=count)
