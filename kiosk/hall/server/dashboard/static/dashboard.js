// The manager's dashboard: the live hall every 10 s, the history of a period as
// ECharts charts (vendored: static/echarts.min.js). No data is kept in the page.
"use strict";
const setup = JSON.parse(document.getElementById("setup").textContent);
const t = setup.texts;
const zh = setup.lang === "zh";
const LIVE_SECONDS = 10;
const charts = {};
const LEVEL_COLOURS = ["#0b6e4f", "#4caf50", "#c0ca33", "#f57c00", "#b3261e"];

function name(pair) { return zh ? pair[0] : pair[1]; }
function shown(value) { return value === null || value === undefined ? "–" : String(value); }
function cell(row, value, numeric) {
  const td = document.createElement("td");
  td.textContent = shown(value);
  if (numeric) td.className = "n";
  row.appendChild(td);
  return td;
}
function table(id, heads, rows) {
  const node = document.getElementById(id);
  node.replaceChildren();
  const head = node.insertRow();
  heads.forEach(([key, numeric]) => {
    const th = document.createElement("th");
    th.textContent = t[key];
    if (numeric) th.className = "n";
    head.appendChild(th);
  });
  rows.forEach((values) => {
    const row = node.insertRow();
    values.forEach((value, index) => cell(row, value, heads[index][1]));
  });
  return node;
}
function list(id, items) {
  const node = document.getElementById(id);
  node.replaceChildren();
  (items.length ? items : [[t.none, "good"]]).forEach(([text, kind]) => {
    const li = document.createElement("li");
    li.textContent = text;
    if (kind) li.className = kind;
    node.appendChild(li);
  });
}

function showLive(state) {
  table("queues", [["queue"], ["waiting", 1], ["estimated_wait", 1], ["issued", 1],
    ["called", 1], ["mean_wait", 1], ["longest_wait", 1]],
    state.queues.map((q) => [name(q.name), q.waiting, q.estimated_wait, q.issued ?? 0,
      q.called ?? 0, q.mean_wait, q.longest_wait]));
  const windows = table("windows", [["window"], ["state"], ["finished_today", 1],
    ["mean_service", 1], ["mean_wait", 1], ["staff"]],
    state.windows.map((w) => [w.window, t[w.state] + (w.number ? " " + w.number : ""),
      w.finished_today, w.mean_service, w.mean_wait, w.staff]));
  state.windows.forEach((w, index) => {
    windows.rows[index + 1].cells[1].className = "state-" + w.state;
  });
  const troubles = [];
  const worded = (problem) => problem.split(":").map((word) => t[word] || word).join(" ");
  state.devices.forEach((d) => d.problems.forEach((p) => troubles.push([d.client_id + ": " + worded(p), "bad"])));
  list("devices", troubles.length || !state.devices.length ? troubles
    : [[t.all_well + " (" + state.devices.length + ")", "good"]]);
  const helpClock = new Intl.DateTimeFormat(zh ? "zh-CN" : "en-GB", { timeZone: setup.zone,
    hour: "2-digit", minute: "2-digit" });
  list("help-requests", (state.help_requests || []).map((h) => [h.kiosk + " " + t.help_at
    + " · " + helpClock.format(new Date(h.at)), "bad"]));
  const e = state.evaluations;
  const box = document.getElementById("evaluations");
  box.replaceChildren();
  const big = document.createElement("div");
  big.className = "big";
  big.textContent = e.satisfied_percent === null ? "–" : e.satisfied_percent + " %";
  box.appendChild(big);
  const small = document.createElement("div");
  small.textContent = t.satisfied + " · " + [1, 2, 3, 4, 5].map((l) => t["level_" + l] + " "
    + e.levels[String(l)]).join(" · ");
  box.appendChild(small);
  list("follow-ups", state.overdue_follow_ups.map((f) => [t.window + " " + shown(f.window) + " · "
    + shown(f.ticket_number) + " · " + t["level_" + f.level] + " · " + f.deadline, "bad"]));
  const clock = new Intl.DateTimeFormat(zh ? "zh-CN" : "en-GB", { timeZone: setup.zone,
    hour: "2-digit", minute: "2-digit", second: "2-digit" });
  document.getElementById("updated").textContent = t.updated + " " + state.business_day + " "
    + clock.format(new Date(state.now));
  showFollowUps(state.follow_ups);
  document.body.dataset.live = "yes";
}

// 好差评: the open follow-ups and the form that records their progress.
let followUps = {};
function showFollowUps(rows) {
  const table = document.getElementById("follow-up-table");
  table.replaceChildren();
  const heads = ["window", "number", "staff_id", "level", "deadline", "assignee",
    "contact_result", "rectification", "contact_phone"];
  const head = table.insertRow();
  heads.forEach((key) => {
    const th = document.createElement("th");
    th.textContent = t[key];
    head.appendChild(th);
  });
  followUps = {};
  rows.forEach((f) => {
    if (f.evaluation_id) followUps[f.evaluation_id] = f;
    const row = table.insertRow();
    const late = f.deadline && f.deadline < setup.today;
    [f.window, f.ticket_number, f.staff_id, t["level_" + f.level],
      f.deadline + (late ? " (" + t.overdue + ")" : ""), f.assignee, f.contact_result,
      f.rectification, f.contact_phone].forEach((value) => cell(row, value, false));
    if (late) row.className = "bad";
    row.dataset.evaluation = f.evaluation_id || "";
  });
  const select = document.querySelector("#follow-up-form [name=evaluation_id]");
  const chosen = select.value;
  select.replaceChildren(...Object.values(followUps).map((f) => {
    const option = document.createElement("option");
    option.value = f.evaluation_id;
    option.textContent = t.window + " " + shown(f.window) + " · " + shown(f.ticket_number)
      + " · " + f.deadline;
    return option;
  }));
  if (chosen in followUps) select.value = chosen; else fillFollowUp();
  document.body.dataset.followUps = String(rows.length);
}
function fillFollowUp() {
  const form = document.getElementById("follow-up-form");
  const f = followUps[form.elements.evaluation_id.value] || {};
  for (const key of ["assignee", "contact_result", "rectification"]) {
    form.elements[key].value = f[key] || "";
  }
}
const csrf = document.querySelector("#logout [name=csrf]").value;
async function act(path, body, message) {
  const out = document.getElementById(message);
  out.className = "";
  let answer = null;
  try {
    answer = await fetch(path, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body) });
  } catch (error) { /* said below */ }
  if (answer && answer.ok) {
    out.textContent = t.saved;
    out.className = "good";
    document.body.dataset.acted = path;
    refreshLive();
    return true;
  }
  let why = answer ? String(answer.status) : "—";
  try {
    const found = await answer.json();
    why = found.message || (Array.isArray(found.detail) ? found.detail.map((d) => d.msg).join("; ") : found.detail) || why;
  } catch (error) { /* no JSON: the status says it */ }
  out.textContent = t.not_saved + why;
  out.className = "bad";
  return false;
}
document.getElementById("staff-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const out = event.submitter && event.submitter.value === "out";
  act("/dashboard/api/staff", { window: Number(form.elements.window.value),
    staff_id: out ? null : (form.elements.staff_id.value || null) }, "staff-message");
});
document.getElementById("follow-up-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const id = form.elements.evaluation_id.value;
  if (!id) return;
  const body = { assignee: form.elements.assignee.value,
    contact_result: form.elements.contact_result.value,
    rectification: form.elements.rectification.value,
    consent: form.elements.consent.checked, close: form.elements.close.checked,
    closing_note: form.elements.closing_note.value };
  if (form.elements.contact_phone.value) body.contact_phone = form.elements.contact_phone.value;
  if (await act("/dashboard/api/follow-ups/" + encodeURIComponent(id), body, "follow-up-message")) {
    for (const key of ["contact_phone", "closing_note"]) form.elements[key].value = "";
    form.elements.consent.checked = form.elements.close.checked = false;
  }
});
document.querySelector("#follow-up-form [name=evaluation_id]").addEventListener("change", fillFollowUp);

async function refreshLive() {
  try {
    const answer = await fetch("/dashboard/api/live", { credentials: "same-origin" });
    if (answer.status === 401) { location.href = "/dashboard/login?lang=" + setup.lang; return; }
    if (answer.ok) showLive(await answer.json());
  } catch (error) {
    document.body.dataset.live = "no";
  }
}

function chart(id, option) {
  const node = document.getElementById("chart-" + id);
  if (!charts[id]) charts[id] = echarts.init(node);
  charts[id].setOption({ animation: false, tooltip: { trigger: "axis" },
    grid: { left: 16, right: 16, top: 64, bottom: 16, containLabel: true }, ...option }, true);
  node.dataset.rendered = "yes";
}
function satisfactionOption(rows) {
  return {
    legend: { top: 0 },
    xAxis: { type: "category", data: rows.map((r) => r.who) },
    yAxis: { type: "value" },
    series: [1, 2, 3, 4, 5].map((level) => ({
      name: t["level_" + level], type: "bar", stack: "levels",
      itemStyle: { color: LEVEL_COLOURS[level - 1] },
      data: rows.map((r) => r.levels[String(level)]),
    })),
  };
}
function showHistory(h) {
  const hours = h.waits_by_hour;
  chart("waits_by_hour", {
    legend: { top: 0 },
    xAxis: { type: "category", data: hours.map((r) => r.hour + ":00") },
    yAxis: [{ type: "value", name: t.tickets }, { type: "value", name: t.mean_wait }],
    series: [
      { name: t.tickets, type: "bar", data: hours.map((r) => r.tickets), itemStyle: { color: "#8fb3d9" } },
      { name: t.mean_wait, type: "line", yAxisIndex: 1, data: hours.map((r) => r.mean_wait) },
    ],
  });
  chart("by_day", {
    legend: { top: 0 },
    xAxis: { type: "category", data: h.by_day.map((r) => r.day.slice(5)) },
    yAxis: [{ type: "value", name: t.tickets }, { type: "value", name: t.mean_wait }],
    series: [
      { name: t.tickets, type: "bar", data: h.by_day.map((r) => r.tickets), itemStyle: { color: "#8fb3d9" } },
      { name: t.mean_wait, type: "line", yAxisIndex: 1, data: h.by_day.map((r) => r.mean_wait) },
    ],
  });
  chart("by_queue", {
    xAxis: { type: "category", data: h.by_queue.map((r) => name(r.name)),
      axisLabel: { interval: 0, rotate: 30, width: 110, overflow: "truncate" } },
    yAxis: { type: "value" },
    series: [{ name: t.tickets, type: "bar", data: h.by_queue.map((r) => r.tickets), itemStyle: { color: "#0b4f8a" } }],
  });
  const matters = h.by_matter.slice().reverse();
  chart("by_matter", {
    xAxis: { type: "value" },
    yAxis: { type: "category", data: matters.map((r) => name(r.name)), axisLabel: { width: 140, overflow: "truncate" } },
    series: [{ name: t.tickets, type: "bar", data: matters.map((r) => r.tickets), itemStyle: { color: "#3a7ca5" } }],
  });
  chart("by_window", satisfactionOption(h.satisfaction_by_window));
  chart("by_staff", satisfactionOption(h.satisfaction_by_staff));
  document.body.dataset.charts = "yes";
}

function periodQuery() {
  const kind = document.getElementById("period-kind").value;
  const day = document.getElementById("period-day").value || setup.today;
  return "period=" + encodeURIComponent(kind) + "&day=" + encodeURIComponent(day);
}
async function refreshHistory() {
  const query = periodQuery();
  document.getElementById("export-csv").href = "/dashboard/export.csv?" + query;
  document.getElementById("export-xlsx").href = "/dashboard/export.xlsx?" + query;
  document.body.dataset.charts = "loading";
  const answer = await fetch("/dashboard/api/history?" + query, { credentials: "same-origin" });
  if (answer.status === 401) { location.href = "/dashboard/login?lang=" + setup.lang; return; }
  if (answer.ok) showHistory(await answer.json());
}

const asked = new URLSearchParams(location.search).get("period");
if (["day", "week", "month"].includes(asked)) document.getElementById("period-kind").value = asked;
document.getElementById("period-kind").addEventListener("change", refreshHistory);
document.getElementById("period-day").addEventListener("change", refreshHistory);
document.getElementById("period").addEventListener("submit", (event) => { event.preventDefault(); refreshHistory(); });
window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
refreshLive();
refreshHistory();
setInterval(refreshLive, LIVE_SECONDS * 1000);
