// The calling display and the window screen: state and calls over server-sent events.
// Calls are announced one after the other, in the order the hall made them: an
// announcement is never cut off by the next call, never skipped, and the number shown
// large is always the one being spoken. Muted (or refused sound), it is shown as text.
"use strict";
const boot = JSON.parse(document.getElementById("boot").textContent);
const T = boot.texts;
const params = new URLSearchParams(location.search);
const isWindow = document.body.classList.contains("window-screen");
const offset = Date.parse(boot.server_time) - Date.now();
// A window screen shows its calls; the display speaks them (one voice in the hall).
let muted = !boot.voice || params.get("muted") === "1" || (isWindow && params.get("voice") !== "1");
let state = boot.state;
const pending = [];
const LOG_KEPT = 50;
let speaking = null;

function fill(key, values) {
  return T[key].map((side) => side.replace(/\{(\w+)\}/g, (_, name) => String(values[name])));
}
function el(id) { return document.getElementById(id); }
function both(target, pair) {
  target.textContent = "";
  target.append(pair[0]);
  const en = document.createElement("span");
  en.className = "en";
  en.textContent = pair[1];
  target.append(en);
}
function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    if (Array.isArray(cell)) both(td, cell); else td.textContent = cell;
    tr.append(td);
  }
  return tr;
}

function showCall(call) {
  if (!call) {
    el("latest-number").textContent = "—";
    both(el("latest-window"), T.none);
    el("latest-text").textContent = "";
    return;
  }
  el("latest-number").textContent = call.number;
  both(el("latest-window"), fill("window_n", call));
  both(el("latest-text"), [call.zh, call.en]);
  document.body.dataset.latest = call.number + "@" + call.window;
  document.body.dataset.shownAt = String(Date.now());
}

function renderHelp() {
  // 一键求助: the kiosks whose visitors asked for a guide, until answered.
  const help = state.help || [];
  const banner = el("help");
  banner.replaceChildren(...help.map((request) => {
    const line = document.createElement("div");
    line.className = "help-line";
    line.dataset.kiosk = request.kiosk;
    both(line, [request.zh, request.en]);
    return line;
  }));
  banner.hidden = help.length === 0;
}

function render() {
  renderHelp();
  if (isWindow) { renderWindow(); return; }
  if (!speaking) showCall(state.latest);
  const recent = el("recent").tBodies[0];
  recent.replaceChildren(...state.recent.map((call) => row([call.number, fill("window_n", call)])));
  el("queues").replaceChildren(...state.queues.map((queue) => {
    const tile = document.createElement("div");
    tile.className = "queue";
    tile.dataset.queue = queue.code;
    tile.dataset.waiting = String(queue.waiting);
    const name = document.createElement("div");
    name.className = "name";
    both(name, [queue.name_zh, queue.name_en]);
    const count = document.createElement("div");
    count.className = "count";
    count.textContent = String(queue.waiting);
    count.title = fill("waiting", queue).join(" / ");
    const minutes = document.createElement("div");
    minutes.className = "minutes";
    minutes.textContent = fill("minutes", {minutes: queue.estimated_wait_minutes}).join(" · ");
    tile.append(name, count, minutes);
    return tile;
  }));
}

function renderWindow() {
  const mine = state.windows.find((w) => w.window === boot.window);
  el("serving-number").textContent = mine && mine.number ? mine.number : "—";
  const note = mine && mine.paused ? T.paused : (mine && mine.number ? ["", ""] : T.idle);
  both(el("serving-state"), note);
  document.body.dataset.serving = mine && mine.number ? mine.number : "";
  const staff = mine && mine.staff ? mine.staff : "";
  const line = el("staff");
  if (staff) both(line, fill("staff_on_duty", {staff: staff})); else line.textContent = "";
  line.hidden = !staff;
  document.body.dataset.staff = staff;
  document.body.dataset.shownAt = String(Date.now());
}

function log(call, stage, mode) {
  let item = document.querySelector(`#announcements li[data-call="${call.call_id}"]`);
  if (!item) {
    item = document.createElement("li");
    item.dataset.call = String(call.call_id);
    item.dataset.number = call.number;
    item.dataset.window = String(call.window);
    item.textContent = call.number + " -> " + call.window;
    el("announcements").append(item);
    const log = el("announcements");
    while (log.children.length > LOG_KEPT && log.firstElementChild.dataset.stage === "done") {
      log.firstElementChild.remove();  // a TV runs all day: the log keeps the last ones
    }
  }
  item.dataset.stage = stage;
  if (mode) item.dataset.mode = mode;
  item.dataset[stage + "At"] = String(Date.now());
}

function wait(seconds) { return new Promise((resolve) => setTimeout(resolve, seconds * 1000)); }

function play(url) {
  return new Promise((resolve, reject) => {
    const audio = new Audio(url);
    let guard = setTimeout(() => reject(new Error("no audio")), 30000);
    audio.addEventListener("loadedmetadata", () => {
      clearTimeout(guard);  // a stalled player never holds the queue for ever
      guard = setTimeout(resolve, (audio.duration + 3) * 1000);
    });
    audio.addEventListener("ended", () => { clearTimeout(guard); resolve(); });
    audio.addEventListener("error", () => { clearTimeout(guard); reject(new Error("audio")); });
    audio.play().catch((error) => { clearTimeout(guard); reject(error); });
  });
}

async function announceNext() {
  if (speaking || pending.length === 0) return;
  speaking = pending.shift();
  document.body.dataset.announcing = "yes";
  if (!isWindow) showCall(speaking);
  let mode = muted ? "text" : "audio";
  log(speaking, "speaking", mode);
  if (!muted) {
    try {
      await play(speaking.audio);
    } catch (error) {
      if (error && error.name === "NotAllowedError") offerSound();
      mode = "text";
      log(speaking, "speaking", mode);
      await wait(boot.text_call_seconds);
    }
  } else {
    await wait(boot.text_call_seconds);
  }
  log(speaking, "done", mode);
  speaking = null;
  document.body.dataset.announcing = pending.length ? "yes" : "no";
  if (pending.length) announceNext(); else render();
}

function offerSound() {
  const button = el("sound");
  both(button, T.sound_off);
  button.hidden = false;
  muted = true;
  button.onclick = () => { muted = false; button.hidden = true; new Audio().play().catch(() => {}); };
}

function follow() {
  const query = boot.state.hall ? "?hall=" + encodeURIComponent(boot.state.hall) : "";
  const source = new EventSource(boot.events + query);
  source.addEventListener("state", (event) => { state = JSON.parse(event.data); render(); });
  source.addEventListener("call", (event) => {
    const call = JSON.parse(event.data);
    if (isWindow && call.window !== boot.window) return;
    if (document.querySelector(`#announcements li[data-call="${call.call_id}"]`)) return;
    log(call, "queued");
    pending.push(call);
    announceNext();
  });
  source.onopen = () => { document.body.dataset.live = "yes"; el("offline").hidden = true; };
  source.onerror = () => {
    document.body.dataset.live = "no";
    both(el("offline"), T.offline);
    el("offline").hidden = false;
  };
}

function tick() {
  const now = new Date(Date.now() + offset);
  const zone = {timeZone: boot.timezone};
  el("clock-time").textContent = now.toLocaleTimeString("zh-CN", {...zone, hour12: false});
  const day = {...zone, year: "numeric", month: "long", day: "numeric", weekday: "long"};
  both(el("clock-date"), [now.toLocaleDateString("zh-CN", day),
    now.toLocaleDateString("en-GB", {...day, month: "short", weekday: "short"})]);
}

let notice = 0;
function nextNotice() {
  const footer = el("announcement");
  if (!footer || boot.announcements.length === 0) return;
  both(footer, boot.announcements[notice % boot.announcements.length]);
  footer.dataset.index = String(notice % boot.announcements.length);
  notice += 1;
}

render();
tick();
setInterval(tick, 1000);
nextNotice();
setInterval(nextNotice, boot.announcement_seconds * 1000);
if (!muted) {
  // A TV browser may refuse sound until someone clicks once: ask at once, not at a call.
  new Audio().play().catch((error) => { if (error.name === "NotAllowedError") offerSound(); });
}
follow();
