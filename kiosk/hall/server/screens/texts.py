"""The words of the display and window screens, zh and en (the phone page's are in
config/texts.toml [status_page] and next to it in routes/status_page.py)."""

from __future__ import annotations

from kiosk.text import Text

TEXTS: dict[str, Text] = {
    "title": Text(zh="叫号", en="Now calling"),
    "go_to_window": Text(
        zh="请 {number} 号到 {window} 号窗口", en="Number {number}, window {window}"
    ),
    "now_calling": Text(zh="正在叫号", en="Now calling"),
    "recent": Text(zh="最近叫号", en="Recent calls"),
    "queues": Text(zh="等候情况", en="Waiting"),
    "waiting": Text(zh="等候 {waiting} 人", en="{waiting} waiting"),
    "minutes": Text(zh="约 {minutes} 分钟", en="about {minutes} min"),
    "number": Text(zh="号码", en="Number"),
    "window": Text(zh="窗口", en="Window"),
    "window_n": Text(zh="{window} 号窗口", en="Window {window}"),
    "none": Text(zh="暂无叫号", en="No call yet"),
    "serving": Text(zh="正在办理", en="Now serving"),
    "paused": Text(zh="暂停服务", en="Paused"),
    "idle": Text(zh="请稍候", en="Please wait"),
    "staff": Text(zh="工作人员", en="Staff"),
    "staff_on_duty": Text(zh="服务人员工号 {staff}", en="Served by staff No. {staff}"),
    "sound_off": Text(zh="点击此处开启叫号声音", en="Click here to turn the calling voice on"),
    "offline": Text(zh="连接中断，正在重连…", en="Connection lost, reconnecting..."),
    "recall": Text(zh="重呼", en="Recall"),
    "help_requested": Text(zh="自助机 {kiosk} 请求导税帮助", en="Kiosk {kiosk} asks for a guide"),
}


def table() -> dict[str, list[str]]:
    """The texts as the pages' script reads them: {key: [zh, en]}."""
    return {key: [text.zh, text.en] for key, text in TEXTS.items()}
