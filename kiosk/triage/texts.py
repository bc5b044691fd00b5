"""What routing tells the taxpayer, in both languages."""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.text import Text

REASON_SIMPLE = Text(
    zh="简单事项，可走绿色通道，办理更快。", en="A simple matter: the green channel is quicker."
)
REASON_GENERAL = Text(
    zh="综合窗口一窗通办，一个号办完所有事项。",
    en="The comprehensive windows handle everything with one number.",
)
REASON_SEVERAL = Text(
    zh="您选择了多个事项，一个号在同一窗口一并办理。",
    en="You chose several matters: one number covers them all at one window.",
)
REASON_SELF_SERVICE = Text(
    zh="此事项可在自助办税区办理，无需取号排队。",
    en="This can be done at the self-service terminals, with no queue.",
)
REASON_NO_QUEUE = Text(
    zh="暂时没有窗口可以办理，请向大厅工作人员咨询。",
    en="No window can take this just now: please ask the hall staff.",
)

WEEKDAYS_ZH = "一二三四五六日"


def come_back_text(at: datetime, now: datetime) -> Text:
    clock = at.strftime("%H:%M")
    if at.date() == now.date():
        return Text(zh=f"今天{clock}", en=f"today at {clock}")
    if at.date() == now.date() + timedelta(days=1):
        return Text(zh=f"明天{clock}", en=f"tomorrow at {clock}")
    return Text(
        zh=f"{at.month}月{at.day}日（周{WEEKDAYS_ZH[at.weekday()]}）{clock}",
        en=f"on {at.strftime('%a')} {at.day} {at.strftime('%b')} at {clock}",
    )
