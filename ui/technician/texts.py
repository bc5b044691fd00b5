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

MENU_TITLE = Text(zh="技术人员菜单", en="Technician menu")
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
