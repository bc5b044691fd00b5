"""What identification tells the taxpayer, in both languages."""

from __future__ import annotations

from kiosk.text import Text

# ---- what each position of a credit code holds (GB 32100) ----------------------------------

AUTHORITY_POSITION = Text(
    zh="第1位是登记管理部门代码（1-9、A、N 或 Y）",
    en="character 1 is the registering authority (1-9, A, N or Y)",
)
ENTITY_POSITION = Text(
    zh="第2位是机构类别代码（数字1-9）",
    en="character 2 is the kind of entity (a digit 1-9)",
)
REGION_POSITIONS = Text(
    zh="第3-8位是行政区划码（数字）",
    en="characters 3-8 are the region code (digits)",
)
ORGANISATION_POSITIONS = Text(
    zh="第9-17位是组织机构代码（数字或字母，不含 I、O、Z、S、V）",
    en="characters 9-17 are the organisation code (digits or letters except I, O, Z, S, V)",
)
CHECK_POSITION = Text(
    zh="第18位是校验码（数字或字母，不含 I、O、Z、S、V）",
    en="character 18 is the check character (digits or letters except I, O, Z, S, V)",
)
CHECK_MISMATCH = Text(
    zh="最后一位校验码不符，请逐位核对信用代码",
    en="The last character (check character) does not match: "
    "please check the code character by character",
)

# ---- scanned or typed codes ---------------------------------------------------------------

UNKNOWN_CODE_MESSAGE = Text(
    zh="无法识别此码。请扫描预约码（YY开头）或办税服务厅的纳税人二维码，"
    "或输入18位统一社会信用代码。",
    en="This code is not recognised. Scan an appointment code (starting with YY) or the "
    "hall's taxpayer QR code, or type an 18-character unified social credit code.",
)
EMPTY_CODE_MESSAGE = Text(
    zh="没有读到内容，请重新扫描或输入", en="Nothing was read: scan or type again"
)
UNREADABLE_SCAN_MESSAGE = Text(
    zh="扫码未成功，请重新扫描", en="The scan did not succeed: please scan again"
)

# ---- ID cards -----------------------------------------------------------------------------

CARD_EXPIRED = Text(
    zh="证件已过有效期，请使用有效证件，或到人工窗口办理",
    en="This card has expired. Please use a valid card, or go to a staffed window",
)
CARD_NUMBER_INVALID = Text(
    zh="证件号码无法核验，请到人工窗口办理",
    en="The number on this card cannot be verified. Please go to a staffed window",
)
CARD_TYPE_UNKNOWN = Text(
    zh="不支持此类证件，请使用居民身份证、居住证或永久居留身份证",
    en="This kind of card is not supported. Please use a resident ID card, "
    "a residence permit or a permanent residence card",
)
CARD_UNREADABLE = Text(
    zh="读卡未成功，请将证件平放在读卡区，稍候再试",
    en="The card could not be read. Lay it flat on the reader and try again",
)

# ---- appointments and the hall ------------------------------------------------------------

NO_APPOINTMENT_TODAY = Text(zh="今天没有您的预约", en="You have no appointment today")
CHECKED_IN = Text(
    zh="已签到：您预约了 {at}，将优先为您叫号",
    en="Checked in for your {at} appointment: you will be called first",
)
CHECK_IN_EARLY = Text(
    zh="您预约的时间是 {at}，请于 {opens} 后签到；现在也可以普通取号",
    en="Your appointment is at {at}: check in from {opens}, or take an ordinary ticket now",
)
CHECK_IN_LATE = Text(
    zh="您预约的 {at} 已过签到时间，请普通取号",
    en="The check-in time for your {at} appointment has passed: please take an ordinary ticket",
)
HALL_UNREACHABLE = Text(
    zh="暂时查询不到您的办税信息，您仍可以取号",
    en="Your taxpayer record cannot be looked up right now; you can still take a ticket",
)
