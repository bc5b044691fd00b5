"""Every string of the technician menu, in Chinese and English."""

from __future__ import annotations

from kiosk.text import Text
from ui.texts import fill

__all__ = ["fill"]

PIN_TITLE = Text(zh="技术人员菜单：请输入 PIN", en="Technician menu: enter the PIN")
PIN_AGAIN = Text(zh="退出全屏模式：请再次输入 PIN", en="Leave kiosk mode: enter the PIN again")
CLEAR = Text(zh="清除", en="Clear")
OK = Text(zh="确定", en="OK")
CANCEL = Text(zh="取消", en="Cancel")
WRONG_PIN = Text(zh="PIN 错误，还可尝试 {left} 次", en="Wrong PIN; {left} tries left")
LOCKED = Text(
    zh="错误次数过多，菜单已锁定，请 {minutes} 分钟后再试。",
    en="Too many wrong PINs: the menu is locked for {minutes} min.",
)
NO_PIN = Text(
    zh="尚未设置 PIN：请在终端运行 kiosk config set-pin",
    en="No PIN is set: run kiosk config set-pin on the machine",
)

MENU_TITLE = Text(zh="技术人员菜单", en="Menu")
CLOSE_MENU = Text(zh="关闭菜单", en="Close menu")
LANGUAGE = "中文 / English"
NOT_CONFIGURED = Text(zh="未配置", en="not configured")

PAGE_SETTINGS = Text(zh="设置", en="Settings")
PAGE_DEVICES = Text(zh="设备", en="Devices")
PAGE_HALL = Text(zh="大厅连接", en="Hall link")
PAGE_CATALOG = Text(zh="事项与规则", en="Catalog")
PAGE_TODAY = Text(zh="今日统计", en="Today")
PAGE_TICKETS = Text(zh="票号", en="Tickets")
PAGE_LOGS = Text(zh="日志", en="Logs")
PAGE_AUDIT = Text(zh="审计记录", en="Audit trail")
PAGE_SYSTEM = Text(zh="系统", en="System")

# Settings
SECTION = Text(zh="分区：{name}", en="Section: {name}")
# The settings sections' buttons (the schema's section keys, in words).
SECTION_NAMES = {
    "kiosk": Text(zh="本机", en="Kiosk"),
    "hall": Text(zh="大厅与服务器", en="Hall"),
    "printer": Text(zh="打印机", en="Printer"),
    "ui": Text(zh="屏幕", en="Screen"),
    "ticket": Text(zh="排队小票", en="Ticket"),
    "routing": Text(zh="导税规则", en="Routing"),
    "evaluation": Text(zh="评价", en="Ratings"),
    "keypads": Text(zh="评价器与呼叫", en="Keypads"),
    "technician": Text(zh="维护菜单", en="Menu"),
    "identification": Text(zh="身份识别", en="ID"),
}
SAVE = Text(zh="保存", en="Save")
SAVED = Text(
    zh="已保存 {count} 项，重启应用后生效。",
    en="Saved {count} change(s); they apply after a restart.",
)
NOTHING_CHANGED = Text(zh="没有修改。", en="Nothing changed.")
REFUSED = Text(zh="未保存：{reason}", en="Not saved: {reason}")
CURRENT = Text(zh="当前值：{value}", en="Now: {value}")
LIMITS = Text(zh="范围：{limits}", en="Limits: {limits}")
READ_ONLY = Text(zh="请在机器配置文件中修改", en="Edit it in the machine file")
SECRET_NOTE = Text(zh="用 kiosk config set-pin 设置", en="Set with kiosk config set-pin")
ON = Text(zh="开", en="On")
OFF = Text(zh="关", en="Off")
EDIT = Text(zh="编辑", en="Edit")
OTHER = Text(zh="其他…", en="Other…")
DEFAULT = Text(zh="默认", en="Default")

# Keyboard
KEYBOARD_DONE = Text(zh="完成", en="Done")
SPACE = Text(zh="空格", en="Space")
BACKSPACE = Text(zh="退格", en="Delete")
SHIFT = Text(zh="大写", en="Shift")

# Devices
PRINTER = Text(zh="打印机", en="Printer")
PRINTER_STATE = Text(zh="状态：{state}（自 {since}）", en="State: {state} (since {since})")
LAST_ERROR = Text(zh="最近错误：{error}", en="Last error: {error}")
NONE = Text(zh="无", en="none")
TEST_PRINT = Text(zh="打印测试页", en="Test print")
TEST_PRINTING = Text(zh="正在打印测试页…", en="Printing a test page…")
TEST_PRINTED = Text(zh="测试页已打印。", en="Test page printed.")
TEST_FAILED = Text(zh="测试页未打印：{reason}", en="Test page not printed: {reason}")
CARD_READER = Text(zh="身份证读卡器", en="ID card reader")
SCANNER = Text(zh="扫码器", en="QR scanner")
KEYPADS = Text(zh="评价器与叫号器", en="Keypads and caller keys")
REFRESH = Text(zh="刷新", en="Refresh")
SERIAL_PORTS = Text(zh="本机串口", en="Serial ports on this machine")
NO_PORTS = Text(zh="未发现串口", en="No serial ports found")
TEST_PAGE_TITLE = Text(zh="打印测试", en="Test print")

# Hall link
EMBEDDED_HALL = Text(
    zh="嵌入式大厅（本机即排队系统）", en="Embedded hall (this kiosk is the queue)"
)
OUTBOX = Text(zh="待上传记录：{count}", en="Outbox: {count} to deliver")

# Catalog
CATALOG_VERSION = Text(
    zh="事项目录版本：{version}，共 {count} 项", en="Catalog {version}: {count} matters"
)
VALIDATE = Text(zh="校验配置", en="Validate")
VALID = Text(
    zh="配置有效（目录 {version}）。", en="The configuration is valid (catalog {version})."
)
INVALID = Text(zh="配置有误：{problems}", en="Problems: {problems}")
RELOAD = Text(zh="重新加载", en="Reload")
RELOADED = Text(
    zh="已重新加载：新版本在两位办税人之间生效，无需重启。",
    en="Reloaded: a new version applies between visits, no restart.",
)
PREVIEW = Text(zh="票样预览", en="Ticket preview")

# Today
TICKETS_BY_QUEUE = Text(zh="各队列取号：{lines}", en="Tickets by queue: {lines}")
AVERAGE_WAIT = Text(zh="平均预计等候：{minutes} 分钟", en="Average expected wait: {minutes} min")
EVALUATIONS = Text(zh="评价：{lines}", en="Evaluations: {lines}")
FOLLOW_UPS = Text(zh="待回访：{lines}", en="Open follow-ups: {lines}")
EXPORT = Text(zh="导出 CSV", en="Export CSV")
EXPORT_TO = Text(zh="导出到 U 盘", en="Export to USB")
EXPORTED = Text(zh="已导出：{path}", en="Exported: {path}")
EXPORT_FAILED = Text(zh="导出失败：{reason}", en="Export failed: {reason}")

# Tickets
NO_TICKETS = Text(zh="今日尚无票号。", en="No tickets today.")
TICKET_LINE = Text(zh="{number}  {queue}  {status}", en="{number}  {queue}  {status}")
REPRINT = Text(zh="补打 {number}", en="Reprint {number}")
VOID = Text(zh="作废 {number}", en="Void {number}")
REPRINTED = Text(zh="{number} 已补打。", en="{number} reprinted.")
REPRINT_FAILED = Text(zh="未补打：{reason}", en="Not reprinted: {reason}")
VOID_REASON = Text(zh="作废 {number} 的原因：", en="Why void {number}:")
VOIDED = Text(zh="{number} 已作废。", en="{number} voided.")
VOID_FAILED = Text(zh="未作废：{reason}", en="Not voided: {reason}")
VOID_REASONS = (
    Text(zh="重复取号", en="Duplicate"),
    Text(zh="打印故障", en="Printer fault"),
    Text(zh="纳税人已离开", en="Taxpayer left"),
)

# Logs, audit
NO_LINES = Text(zh="暂无记录。", en="Nothing yet.")

# System
RESTART = Text(zh="重启应用", en="Restart the app")
LEAVE_KIOSK = Text(zh="退出全屏模式", en="Leave kiosk mode")
SYSTEM_NOTE = Text(
    zh="重启应用会回到首页；退出全屏模式需再次输入 PIN。",
    en="Restarting returns to the start; leaving kiosk mode asks for the PIN again.",
)

# Crash
PLEASE_WAIT = Text(zh="请稍候", en="Please wait")
RESTARTING = Text(zh="系统正在恢复，马上就好。", en="The kiosk is restarting; one moment.")

# ---- the Devices page, in full ---------------------------------------------------------------

PORT = Text(zh="端口：{port}", en="Port: {port}")
ONLINE = Text(zh="在线", en="online")
OFFLINE = Text(zh="离线", en="offline")
DEVICE_STATE = Text(zh="状态：{state}", en="State: {state}")
SAM_ID = Text(zh="SAM 编号：{sam}", en="SAM id: {sam}")
NOT_READ = Text(zh="未读到", en="not read")
READER_STATES = {
    "starting": Text(zh="正在启动", en="starting"),
    "ready": Text(zh="就绪", en="ready"),
    "offline": Text(zh="离线（正在重连）", en="offline (reconnecting)"),
    "no_answer": Text(zh="端口已打开，设备无应答", en="port open, the device does not answer"),
    "sam_failed": Text(zh="安全模块（SAM）故障", en="the SAM module reports a failure"),
    "closed": Text(zh="已关闭", en="closed"),
}
PRINTER_STATES = {
    "ready": Text(zh="正常", en="ready"),
    "paper_near_end": Text(zh="纸将用尽", en="paper low"),
    "paper_end": Text(zh="缺纸", en="out of paper"),
    "cover_open": Text(zh="纸仓盖打开", en="cover open"),
    "offline": Text(zh="离线", en="offline"),
    "cutter_error": Text(zh="切刀故障", en="cutter fault"),
    "error": Text(zh="故障", en="fault"),
    "unknown": Text(zh="未知", en="unknown"),
}
KEYPAD_HEADER = Text(
    zh="地址/窗口 · 在线 · 最后应答 · 型号/固件 · 按键故障",
    en="Address/window · online · last seen · model/firmware · key fault",
)
KEYPAD_ROW = Text(
    zh="{address}/{window}号窗口 · {online} · {seen} · {info} · {fault}",
    en="{address}/window {window} · {online} · {seen} · {info} · {fault}",
)
KEY_FAULT = Text(zh="按键故障", en="key fault")
NO_FAULT = Text(zh="正常", en="ok")
NEVER = Text(zh="从未应答", en="never")
READ_CARD = Text(zh="读卡测试", en="Read a card")
READ_CARD_WAIT = Text(
    zh="请在 {seconds} 秒内将证件放到读卡器上…", en="Place a card on the reader within {seconds} s…"
)
READ_CARD_NONE = Text(zh="{seconds} 秒内没有读到证件。", en="No card was read within {seconds} s.")
READ_CARD_OK = Text(
    zh="读卡成功：{kind}，号码 {number}，校验位{check}，有效期至 {valid}（{dates}）",
    en="Card read: {kind}, number {number}, check digit {check}, valid to {valid} ({dates})",
)
READ_CARD_REFUSED = Text(zh="读到证件，但不能使用：{reason}", en="Card read but refused: {reason}")
CHECK_OK = Text(zh="正确", en="correct")
CHECK_BAD = Text(zh="错误", en="wrong")
DATES_OK = Text(zh="在有效期内", en="in date")
DATES_EXPIRED = Text(zh="已过期", en="expired")
LONG_TERM = Text(zh="长期", en="long-term")
CARD_KINDS = {
    "resident": Text(zh="居民身份证", en="resident ID card"),
    "foreign_permanent_2017": Text(
        zh="外国人永久居留身份证（2017版）", en="foreigner's permanent residence card (2017)"
    ),
    "residence_permit": Text(zh="港澳台居民居住证", en="HK/Macao/Taiwan residence permit"),
    "foreign_permanent_2023": Text(
        zh="外国人永久居留身份证（2023版）", en="foreigner's permanent residence card (2023)"
    ),
}
SCAN_BUS = Text(zh="扫描键盘总线", en="Scan the keypad bus")
SCANNING_BUS = Text(zh="正在扫描键盘总线…", en="Scanning the keypad bus…")
BUS_FOUND = Text(
    zh="总线扫描：{answered}/{total} 台应答{silent}",
    en="Bus scan: {answered} of {total} answered{silent}",
)
BUS_SILENT_LIST = Text(zh="；无应答：{addresses}", en="; silent: {addresses}")
BUS_SILENT = Text(zh="无应答", en="no answer")
BUS_FAILED = Text(zh="总线扫描失败：{reason}", en="Bus scan failed: {reason}")
SCAN_TEST = Text(zh="扫码测试", en="Scan test")
SCAN_WAIT = Text(zh="请在 {seconds} 秒内扫描一个码…", en="Scan a code within {seconds} s…")
SCAN_NONE = Text(zh="{seconds} 秒内没有扫到码。", en="Nothing was scanned within {seconds} s.")
SCAN_OK = Text(zh="扫到：{kind}，{code}", en="Scanned: {kind}, {code}")
SCAN_PROBLEM = Text(zh="扫到的码不能使用：{reason}", en="The code cannot be used: {reason}")
CODE_KINDS = {
    "id_card": Text(zh="身份证", en="ID card"),
    "credit_code": Text(zh="统一社会信用代码", en="unified social credit code"),
    "appointment_code": Text(zh="预约码", en="appointment code"),
    "taxpayer_qr": Text(zh="纳税人二维码", en="taxpayer QR code"),
}
CHOOSE_PORT = Text(zh="{device}设置", en="{device} settings")
DEVICE_NAMES = {
    "printer": Text(zh="打印机", en="Printer"),
    "reader": Text(zh="读卡器", en="Reader"),
    "scanner": Text(zh="扫码器", en="Scanner"),
    "keypads": Text(zh="评价器", en="Keypad"),
}
KEYPAD_COLUMNS = (
    Text(zh="地址/窗口", en="Addr/window"),
    Text(zh="状态", en="State"),
    Text(zh="最后应答", en="Last seen"),
    Text(zh="型号/固件", en="Model"),
    Text(zh="按键", en="Keys"),
)
BUS_ENTRY = Text(zh="{address}号：{info}", en="#{address}: {info}")
CODES_READ = Text(zh="已扫码 {count} 次", en="{count} code(s) scanned")

# ---- the Hall link page, in full -------------------------------------------------------------

BACKEND = Text(zh="后台：{backend}", en="Backend: {backend}")
HALL_URL = Text(zh="服务器地址：{url}", en="Server URL: {url}")
HALL_TOKEN = Text(zh="令牌：{token}", en="Token: {token}")
NO_TOKEN = Text(zh="未设置", en="not set")
LINK_ONLINE = Text(zh="在线（最近联系 {at}）", en="Online (last contact {at})")
LINK_OFFLINE = Text(zh="离线，自 {since} 起：{reason}", en="Offline since {since}: {reason}")
REFUSED_RECORDS = Text(zh="被拒记录：{count}", en="Refused records: {count}")
LAST_SYNC = Text(zh="最近成功同步：{at}", en="Last successful sync: {at}")
CLOCK_OFFSET = Text(zh="服务器时钟偏差：{seconds} 秒", en="Server clock offset: {seconds} s")
TEST_CONNECTION = Text(zh="连接测试", en="Test connection")
TESTING_CONNECTION = Text(zh="正在测试连接…", en="Testing the connection…")
CONNECTION_OK = Text(
    zh="连接正常：往返 {ms} 毫秒，服务器时间 {time}，本机编号 {client}",
    en="Connected: round trip {ms} ms, server time {time}, client {client}",
)
CONNECTION_FAILED = Text(zh="连接失败：{reason}", en="Connection failed: {reason}")
NEVER_SYNCED = Text(zh="尚未同步", en="never")

# ---- the Today page, in full -----------------------------------------------------------------

FOLLOW_UP_TITLE = Text(zh="待回访（差评）", en="Open follow-ups (poor ratings)")
NO_FOLLOW_UPS = Text(zh="没有待回访的评价。", en="No open follow-ups.")
FOLLOW_UP_ROW = Text(
    zh="{number} · {window}号窗口 · {level} · 截止 {deadline}{overdue}",
    en="{number} · window {window} · {level} · due {deadline}{overdue}",
)
OVERDUE = Text(zh="（已逾期）", en=" (overdue)")
CLOSE_FOLLOW_UP_OF = Text(zh="已处理 {number}", en="Close {number}")
CLOSE_NOTE = Text(zh="{number} 的处理结果：", en="How {number} was handled:")
CLOSE_NOTES = (
    Text(zh="已电话回访", en="Called back"),
    Text(zh="已当面解决", en="Resolved in person"),
    Text(zh="纳税人无需回访", en="No follow-up wanted"),
    Text(zh="联系不上", en="Could not be reached"),
)
FOLLOW_UP_CLOSED = Text(zh="{number} 已处理。", en="{number} closed.")
FOLLOW_UP_FAILED = Text(zh="未处理：{reason}", en="Not closed: {reason}")
EVALUATION_TITLE = Text(zh="评价（按等级）", en="Evaluations by level")
LEVEL_NAMES = {
    "1": Text(zh="非常满意", en="very satisfied"),
    "2": Text(zh="满意", en="satisfied"),
    "3": Text(zh="基本满意", en="fairly satisfied"),
    "4": Text(zh="不满意", en="dissatisfied"),
    "5": Text(zh="非常不满意", en="very dissatisfied"),
    "none": Text(zh="未评价", en="not evaluated"),
}
LEVEL_ROW = Text(zh="{level}：{count}", en="{level}: {count}")

# ---- the settings' titles in Chinese (dotted key -> title; help where it helps) --------------


def _t(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


FIELD_TITLES: dict[str, Text] = {
    "kiosk.id": _t("终端编号", "Kiosk id"),
    "kiosk.data_dir": _t("数据目录", "Data directory"),
    "kiosk.language": _t("默认语言", "Default language"),
    "kiosk.timezone": _t("大厅时区", "Hall time zone"),
    "hall.name_zh": _t("大厅名称（中文）", "Hall name (Chinese)"),
    "hall.name_en": _t("大厅名称（英文）", "Hall name (English)"),
    "hall.backend": _t("大厅后台", "Hall backend"),
    "hall.ticket_status_url": _t("票号状态页地址", "Ticket status URL"),
    "hall.catalog": _t("事项目录文件", "Matter catalog file"),
    "hall.url": _t("大厅服务器地址", "Hall server URL"),
    "hall.token": _t("大厅服务器令牌", "Hall server token"),
    "hall.offline_range": _t("离线号段", "Offline number range"),
    "hall.tls_verify": _t("校验服务器 TLS 证书", "Check the server's TLS certificate"),
    "hall.ca_file": _t("CA 证书文件", "CA certificate file"),
    "hall.connect_timeout_seconds": _t("连接超时（秒）", "Connect timeout (s)"),
    "hall.request_timeout_seconds": _t("请求超时（秒）", "Request timeout (s)"),
    "hall.sync_interval_seconds": _t("同步间隔（秒）", "Sync interval (s)"),
    "hall.heartbeat_seconds": _t("设备状态心跳（秒）", "Device health heartbeat (s)"),
    "hall.catalog_check_seconds": _t("事项目录检查间隔（秒）", "Catalog check interval (s)"),
    "hall.lease_size": _t("每次预领号码数", "Offline numbers leased"),
    "printer.port": _t("打印机端口", "Printer port"),
    "printer.baudrate": _t("打印机波特率", "Printer baud rate"),
    "printer.profile": _t("打印机型号配置", "Printer profile"),
    "printer.on_failure": _t("无法打印时", "When a ticket cannot be printed"),
    "printer.write_timeout_seconds": _t("写入超时（秒）", "Write timeout (s)"),
    "printer.status_timeout_seconds": _t("状态查询超时（秒）", "Status timeout (s)"),
    "printer.status_interval_seconds": _t(
        "空闲时状态检查间隔（秒）", "Status check while idle (s)"
    ),
    "ui.inactivity_seconds": _t("无操作多久开始倒计时（秒）", "Idle time before the countdown (s)"),
    "ui.countdown_seconds": _t("返回首页倒计时（秒）", "Countdown before going home (s)"),
    "ui.done_seconds": _t("取号完成页显示（秒）", "Confirmation screen shown for (s)"),
    "ui.fullscreen": _t("全屏", "Fullscreen"),
    "ui.hide_cursor": _t("隐藏鼠标指针", "Hide the mouse cursor"),
    "ui.width": _t("窗口宽度", "Width"),
    "ui.height": _t("窗口高度", "Height"),
    "ticket.layout": _t("票面版式", "Ticket layout"),
    "ticket.texts": _t("票面文字改写", "Reworded labels"),
    "ticket.logo": _t("大厅标志", "Hall logo"),
    "ticket.footer_zh": _t("票尾文字（中文）", "Footer (Chinese)"),
    "ticket.footer_en": _t("票尾文字（英文）", "Footer (English)"),
    "ticket.show_wait_estimate": _t("显示预计等候时间", "Show the wait estimate"),
    "routing.green_queue": _t("绿色通道队列", "Green queue"),
    "routing.default_queue": _t("默认队列（一窗通办）", "Default queue"),
    "routing.rules": _t("分流规则文件", "Routing rules file"),
    "routing.open_days": _t("办公日", "Opening days"),
    "routing.closed_dates": _t("休息日期（节假日）", "Closed dates"),
    "routing.open_dates": _t("调休上班日期", "Extra working days"),
    "routing.opens": _t("开始取号时间", "First number at"),
    "routing.cutoff": _t("每日取号截止", "Daily cut-off"),
    "routing.extended_until": _t("延时服务至", "Extended service until"),
    "routing.quotas": _t("每日号源限额", "Quotas"),
    "routing.overflow_queue": _t("溢出监测队列", "Overflow queue"),
    "routing.overflow_waiting": _t("溢出等候人数", "Overflow waiting"),
    "routing.priority_credit_levels": _t("优先服务的纳税信用级别", "Priority credit levels"),
    "routing.elderly_age": _t("老年人优先年龄", "Elderly age"),
    "evaluation.prompt_seconds": _t("评价等待时间（秒）", "Time to evaluate (s)"),
    "evaluation.follow_up_working_days": _t("差评回访期限（工作日）", "Follow-up deadline (days)"),
    "keypads.port": _t("评价器总线端口", "Keypad bus port"),
    "keypads.baudrate": _t("评价器总线波特率", "Keypad bus baud rate"),
    "keypads.addresses": _t("评价器地址", "Keypad addresses"),
    "keypads.windows": _t("地址与窗口对应", "Address to window"),
    "keypads.reply_timeout_seconds": _t("评价器应答超时（秒）", "Reply timeout (s)"),
    "keypads.poll_interval_seconds": _t("总线轮询间隔（秒）", "Poll interval (s)"),
    "keypads.speech": _t("语音叫号", "Speak the calls"),
    "technician.pin_hash": _t("技术人员 PIN（散列）", "Technician PIN (hash)"),
    "technician.idle_minutes": _t("菜单无操作自动关闭（分钟）", "Menu closes after (min)"),
    "technician.max_attempts": _t("PIN 错误次数上限", "Wrong PINs before lock-out"),
    "technician.lockout_minutes": _t("锁定时长（分钟）", "Lock-out (min)"),
    "technician.retention_days": _t("日志保留天数", "Keep journal records for (days)"),
    "identification.reader_port": _t("身份证读卡器端口", "ID card reader port"),
    "identification.reader_baudrate": _t("读卡器波特率", "Reader baud rate"),
    "identification.card_poll_seconds": _t("读卡轮询间隔（秒）", "Card poll interval (s)"),
    "identification.scanner_port": _t("扫码器端口", "QR scanner port"),
    "identification.scanner_baudrate": _t("扫码器波特率", "Scanner baud rate"),
    "identification.scanner_suffix": _t("扫码器结束符", "Scanner line end"),
    "identification.early_minutes": _t("预约签到提前（分钟）", "Check-in opens (min before)"),
    "identification.late_minutes": _t("预约签到截止（分钟）", "Check-in closes (min after)"),
    "identification.anonymous_tickets": _t("允许不验证身份取号", "Tickets without identification"),
    "identification.new_taxpayer_days": _t("新办纳税人天数", "New taxpayer for (days)"),
    "identification.taxpayers": _t("纳税人信息文件", "Taxpayer profiles file"),
}

FIELD_HELP: dict[str, Text] = {
    "kiosk.id": _t("大厅内唯一，打印在票上。", "Unique in the hall; printed on tickets."),
    "hall.backend": _t(
        "embedded：本机即排队系统；http：连接大厅服务器。",
        "embedded: this kiosk is the queue; http: a hall server.",
    ),
    "hall.token": _t("本机的访问令牌，从不显示。", "This kiosk's bearer token; never shown."),
    "printer.port": _t(
        "串口（/dev/ttyUSB0）、USB 打印机（/dev/usb/lp0）或网络地址。",
        "A serial port, a USB printer-class device or a network address.",
    ),
    "printer.on_failure": _t(
        "e_ticket：屏幕显示号码与二维码；void：作废。",
        "e_ticket: number and QR code on screen; void: cancel it.",
    ),
    "keypads.port": _t("评价器与叫号器的 RS-485 转换器。", "The RS-485 adapter of the keypads."),
    "identification.reader_port": _t("留空：无读卡器。", "Empty: no reader."),
    "identification.scanner_port": _t("留空：无扫码器。", "Empty: no scanner."),
    "evaluation.follow_up_working_days": _t(
        "不满意、非常不满意须在此工作日数内回访。",
        "Working days to follow up a dissatisfied vote.",
    ),
}
