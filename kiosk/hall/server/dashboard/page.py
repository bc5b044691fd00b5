"""The dashboard's two pages, login and dashboard, in Chinese or English (`?lang=en`).

The pages hold no script of their own: static/dashboard.js draws the charts with the
vendored ECharts and reads its texts from a JSON block, so the Content-Security-Policy
allows scripts from the server only.
"""

from __future__ import annotations

import json
from html import escape
from typing import Literal

Language = Literal["zh", "en"]

# The dashboard's words (web pages keep their own zh/en tables, beside them).
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("办税服务厅 管理看板", "Hall dashboard"),
    "login": ("管理员登录", "Administrator login"),
    "name": ("用户名", "Name"),
    "password": ("密码", "Password"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "wrong": ("用户名或密码错误", "Wrong name or password"),
    "locked": ("尝试次数过多，请 {seconds} 秒后再试", "Too many tries: wait {seconds} s"),
    "expired": ("页面已过期，请重新登录", "The page expired: sign in again"),
    "other_language": ("English", "中文"),
    "live": ("实时", "Live"),
    "queues": ("队列与实际等候", "Queues and measured waits"),
    "queue": ("队列", "Queue"),
    "waiting": ("等候人数", "Waiting"),
    "issued": ("今日取号", "Issued today"),
    "called": ("已叫号", "Called"),
    "mean_wait": ("平均等候(分)", "Mean wait (min)"),
    "longest_wait": ("最长等候(分)", "Longest wait (min)"),
    "estimated_wait": ("预计等候(分)", "Estimated wait (min)"),
    "windows": ("窗口", "Windows"),
    "window": ("窗口", "Window"),
    "state": ("状态", "State"),
    "open": ("空闲", "Open"),
    "paused": ("暂停", "Paused"),
    "serving": ("办理中", "Serving"),
    "finished_today": ("今日办结", "Finished today"),
    "mean_service": ("平均办理(分)", "Mean service (min)"),
    "staff": ("工作人员", "Staff"),
    "devices": ("设备", "Devices"),
    "all_well": ("全部正常", "All well"),
    "evaluations": ("今日评价", "Today's evaluations"),
    "satisfied": ("满意率", "Satisfied"),
    "follow_ups": ("逾期整改", "Overdue follow-ups"),
    "help_requests": ("求助", "Help requests"),
    "help_at": ("请求导税帮助", "asks for a guide"),
    "none": ("无", "None"),
    "history": ("历史统计", "History"),
    "day": ("日", "Day"),
    "week": ("周", "Week"),
    "month": ("月", "Month"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export XLSX"),
    "waits_by_hour": ("各时段等候", "Waits by hour"),
    "tickets": ("取号量", "Tickets"),
    "by_day": ("每日取号与等候", "Tickets and waits by day"),
    "by_queue": ("各队列取号", "Tickets by queue"),
    "by_matter": ("各事项取号", "Tickets by matter"),
    "by_window": ("各窗口满意度", "Satisfaction by window"),
    "by_staff": ("各工作人员满意度", "Satisfaction by staff"),
    "level_1": ("非常满意", "Very satisfied"),
    "level_2": ("满意", "Satisfied"),
    "level_3": ("基本满意", "Basically satisfied"),
    "level_4": ("不满意", "Dissatisfied"),
    "level_5": ("非常不满意", "Very dissatisfied"),
    "updated": ("更新于", "Updated"),
    # 好差评 actions (dashboard/actions.py): staff at windows, follow-ups.
    "staff_at_windows": ("窗口工作人员签到", "Staff at the windows"),
    "staff_id": ("工号", "Staff No."),
    "staff_in": ("签到", "Sign in"),
    "staff_out": ("签退", "Sign out"),
    "follow_up_work": ("差评回访整改", "Following up bad reviews"),
    "follow_up": ("回访", "Follow-up"),
    "number": ("号码", "Number"),
    "level": ("评价", "Rating"),
    "deadline": ("整改期限", "Deadline"),
    "overdue": ("已逾期", "overdue"),
    "assignee": ("责任人", "Assigned to"),
    "contact_result": ("回访结果", "Contact result"),
    "rectification": ("整改情况", "Rectification"),
    "contact_phone": ("联系电话", "Contact phone"),
    "consent": ("纳税人同意保留电话", "The taxpayer agreed that the phone is kept"),
    "close": ("整改办结", "Close the follow-up"),
    "closing_note": ("办结说明", "Closing note"),
    "save": ("保存", "Save"),
    "saved": ("已保存", "Saved"),
    "not_saved": ("未保存：", "Not saved: "),
    # Device problems, "device:state" (views._device_problems), word by word.
    "printer": ("打印机", "Printer"),
    "paper_near_end": ("纸将用尽", "paper near end"),
    "paper_end": ("缺纸", "out of paper"),
    "cover_open": ("盖板打开", "cover open"),
    "cutter_error": ("切刀故障", "cutter error"),
    "error": ("故障", "error"),
    "unknown": ("状态未知", "state unknown"),
    "card_reader": ("身份证阅读器", "ID card reader"),
    "scanner": ("扫码器", "Scanner"),
    "no_answer": ("无应答", "not answering"),
    "sam_failed": ("安全模块故障", "SAM failed"),
    "keypad": ("评价器离线 窗口", "Keypad offline at window"),
    "keypad_bus": ("评价器总线", "Keypad bus"),
    "lost": ("断开", "lost"),
    "offline": ("离线", "offline"),
}

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        " frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no-referrer would make Origin "null"
}


def language(value: str | None) -> Language:
    return "en" if value == "en" else "zh"


def texts(lang: Language) -> dict[str, str]:
    side = 0 if lang == "zh" else 1
    return {key: pair[side] for key, pair in TEXTS.items()}


def _head(lang: Language, title: str) -> str:
    return f"""<!doctype html>
<html lang="{"zh-CN" if lang == "zh" else "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="/dashboard/static/dashboard.css">
</head>
"""


def login_page(lang: Language, hall_name: str, csrf: str, message: str = "") -> str:
    t = texts(lang)
    other = "zh" if lang == "en" else "en"
    shown = f'<p class="message" id="message">{escape(message)}</p>' if message else ""
    return f"""{_head(lang, t["login"])}<body class="login">
<form method="post" action="/dashboard/login?lang={lang}" class="card" id="login">
<h1>{escape(hall_name)}<br><small>{escape(t["login"])}</small></h1>
{shown}
<input type="hidden" name="csrf" value="{escape(csrf)}">
<label>{escape(t["name"])}<input name="name" autocomplete="username" required
  maxlength="32"></label>
<label>{escape(t["password"])}<input name="password" type="password"
  autocomplete="current-password" required maxlength="256"></label>
<button type="submit">{escape(t["sign_in"])}</button>
<a href="/dashboard/login?lang={other}">{escape(t["other_language"])}</a>
</form>
</body>
</html>
"""


def dashboard_page(
    lang: Language, hall_name: str, admin: str, csrf: str, today: str, zone: str
) -> str:
    t = texts(lang)
    other = "zh" if lang == "en" else "en"
    setup = json.dumps({"lang": lang, "texts": t, "today": today, "zone": zone}, ensure_ascii=False)
    setup = setup.replace("</", "<\\/")  # never ends the script block
    periods = "".join(
        f'<option value="{kind}">{escape(t[kind])}</option>' for kind in ("day", "week", "month")
    )
    charts = "".join(
        f'<section class="card chart"><h3>{escape(t[name])}</h3>'
        f'<div class="plot" id="chart-{name}"></div></section>'
        for name in ("waits_by_hour", "by_day", "by_queue", "by_matter", "by_window", "by_staff")
    )
    return f"""{_head(lang, t["title"])}<body data-live="no" data-charts="no">
<header>
<h1>{escape(hall_name)} · {escape(t["title"])}</h1>
<span class="who">{escape(admin)}</span>
<a href="/dashboard?lang={other}">{escape(t["other_language"])}</a>
<form method="post" action="/dashboard/logout" id="logout">
<input type="hidden" name="csrf" value="{escape(csrf)}">
<button type="submit">{escape(t["sign_out"])}</button>
</form>
</header>
<main>
<h2>{escape(t["live"])} <small id="updated"></small></h2>
<div class="grid">
<section class="card wide"><h3>{escape(t["queues"])}</h3><table id="queues"></table></section>
<section class="card double"><h3>{escape(t["windows"])}</h3><table id="windows"></table></section>
<section class="card"><h3>{escape(t["help_requests"])}</h3><ul id="help-requests"></ul></section>
<section class="card"><h3>{escape(t["devices"])}</h3><ul id="devices"></ul></section>
<section class="card"><h3>{escape(t["evaluations"])}</h3><div id="evaluations"></div></section>
<section class="card"><h3>{escape(t["follow_ups"])}</h3><ul id="follow-ups"></ul></section>
<section class="card"><h3>{escape(t["staff_at_windows"])}</h3>
<form id="staff-form" class="action">
<label>{escape(t["window"])}<input name="window" type="number" min="1" max="999" required></label>
<label>{escape(t["staff_id"])}<input name="staff_id" inputmode="numeric" pattern="[0-9]{{1,16}}"
  maxlength="16"></label>
<button type="submit" value="in">{escape(t["staff_in"])}</button>
<button type="submit" value="out">{escape(t["staff_out"])}</button>
<output id="staff-message"></output>
</form></section>
<section class="card wide"><h3>{escape(t["follow_up_work"])}</h3>
<table id="follow-up-table"></table>
<form id="follow-up-form" class="action">
<label>{escape(t["follow_up"])}<select name="evaluation_id" required></select></label>
<label>{escape(t["assignee"])}<input name="assignee" maxlength="100"></label>
<label>{escape(t["contact_result"])}<input name="contact_result" maxlength="500"></label>
<label>{escape(t["rectification"])}<input name="rectification" maxlength="500"></label>
<label>{escape(t["contact_phone"])}<input name="contact_phone" inputmode="tel"
  pattern="1[3-9][0-9]{{9}}" maxlength="11" autocomplete="off"></label>
<label class="check"><input name="consent" type="checkbox">{escape(t["consent"])}</label>
<label class="check"><input name="close" type="checkbox">{escape(t["close"])}</label>
<label>{escape(t["closing_note"])}<input name="closing_note" maxlength="500"></label>
<button type="submit">{escape(t["save"])}</button>
<output id="follow-up-message"></output>
</form></section>
</div>
<h2>{escape(t["history"])}</h2>
<form class="period" id="period">
<select name="period" id="period-kind">{periods}</select>
<input type="date" name="day" id="period-day" value="{escape(today)}" required>
<a id="export-csv" href="#">{escape(t["export_csv"])}</a>
<a id="export-xlsx" href="#">{escape(t["export_xlsx"])}</a>
</form>
<div class="grid charts">{charts}</div>
</main>
<script type="application/json" id="setup">{setup}</script>
<script src="/dashboard/static/echarts.min.js"></script>
<script src="/dashboard/static/dashboard.js"></script>
</body>
</html>
"""
