"""What a slip says, in both languages. A hall may reword any label (`ticket.texts`
in the settings); these are the defaults."""

from __future__ import annotations

from kiosk.settings import QueueSection
from kiosk.text import Text

LABELS = {
    "number": Text(zh="您的排队号", en="Your number"),
    "ahead": Text(zh="前面等候：{count} 人", en="People ahead: {count}"),
    "wait": Text(zh="预计等待：约 {minutes} 分钟", en="Estimated wait: about {minutes} min"),
    "no_wait": Text(zh="预计等待：无需等待", en="Estimated wait: none"),
    "matters": Text(zh="办理事项：", en="Matters:"),
    "documents": Text(zh="请准备以下材料（一次性告知）：", en="Please have these documents ready:"),
    "no_documents": Text(zh="无需准备材料。", en="No documents needed."),
    "issued": Text(zh="取号时间：{time}", en="Issued: {time}"),
    "qr": Text(zh="扫码查看办理进度与指南", en="Scan for your ticket status and guide"),
    "guide_title": Text(zh="自助办税指引", en="Self-service guide"),
    "guide_where": Text(
        zh="请到{area}自助办税区办理，无需排队。",
        en="Please go to the self-service area ({area}); no queue.",
    ),
    "guide_qr": Text(zh="扫码查看办事指南", en="Scan for the step-by-step guide"),
}

REPRINT_MARK = Text(zh="补打", en="REPRINT")

SELF_SERVICE_AREA = Text(zh="自助", en="self-service")  # a queue without its own area name


def windows_text(queue: QueueSection) -> Text:
    windows = queue.windows
    if len(windows) > 1 and list(windows) == list(range(windows[0], windows[-1] + 1)):
        span = f"{windows[0]}-{windows[-1]}"
    else:
        span = "、".join(str(window) for window in windows)
    english = f"Window{'s' if len(windows) > 1 else ''} {span.replace('、', ', ')}"
    return Text(zh=f"{span}号窗口", en=english)
