// Thaw's dashboard: polls GET /thaw/v1/dashboard every two seconds and the chosen function's log tail.
"use strict";

const charts = {};
let logFunction = "";

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function badge(text, kind) {
  return el("span", {class: "badge " + kind}, text);
}

function bytes(n) {
  if (n === undefined) return "";
  return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : (n / 1024).toFixed(0) + " KB";
}

function age(seconds) {
  if (seconds === undefined) return "";
  if (seconds < 120) return seconds + " s";
  if (seconds < 7200) return Math.round(seconds / 60) + " min";
  return Math.round(seconds / 3600) + " h";
}

function fill(tableId, rows) {
  const body = document.querySelector("#" + tableId + " tbody");
  body.replaceChildren(...rows);
}

function healthOf(v) {
  if (v.State === "Failed") return badge("failed", "bad");
  if (v.State === "Pending") return badge("pending", "pending");
  if (v.RecentErrors > 0) return badge(v.RecentErrors + " errors", "bad");
  return badge("healthy", "ok");
}

function render(d) {
  const unhealthy = d.Versions.filter(v => v.State === "Failed" || v.RecentErrors > 0).length;
  const recent = d.RecentInvocations;
  const colds = recent.filter(r => r.Start === "cold").length;
  const restored = recent.filter(r => r.Start === "restored").length;
  document.getElementById("summary").replaceChildren(
    el("span", {}, d.Versions.length + " versions"),
    el("span", {}, unhealthy === 0 ? badge("all healthy", "ok") : badge(unhealthy + " unhealthy", "bad")),
    el("span", {}, d.Environments.length + " environments"),
    el("span", {}, "last " + recent.length + " invocations: ", badge(restored + " restored", "restored"), " ",
      badge(colds + " cold", "cold"), " ", badge((recent.length - colds - restored) + " warm", "warm")));

  fill("functions", d.Versions.map(v => el("tr", {"data-function": v.FunctionName, "data-version": v.Version},
    el("td", {}, healthOf(v)), el("td", {}, v.FunctionName), el("td", {}, v.Version), el("td", {}, v.Runtime),
    el("td", {}, v.State), el("td", {}, v.SnapStart ? "on" : ""),
    el("td", {}, v.SnapshotBytes === undefined ? "" : bytes(v.SnapshotBytes) + ", " + age(v.SnapshotAgeSeconds) + " old"),
    el("td", {}, v.SnapStart ? v.Restores : ""),
    el("td", {}, v.RecentInvocations + " invokes, " + v.RecentRestores + " restored, " + v.RecentColdStarts + " cold"))));

  fill("environments", d.Environments.map(e => el("tr", {"data-environment": e.Id},
    el("td", {}, e.Id), el("td", {}, e.FunctionName), el("td", {}, e.Version),
    el("td", {}, e.State.toLowerCase() + (e.Restored ? " (restored)" : "")), el("td", {}, bytes(e.MemoryBytes)),
    el("td", {}, age(e.AgeSeconds)))));

  fill("invocations", recent.map(r => el("tr", {},
    el("td", {}, new Date(r.EndedAt).toLocaleTimeString()), el("td", {}, r.FunctionName + ":" + r.Version),
    el("td", {}, badge(r.Start, r.Start)), el("td", {}, r.DurationMillis.toFixed(1) + " ms"),
    el("td", {}, r.ErrorType ? badge(r.ErrorType, "error") : "ok"))));

  const t = d.Intervals.map(i => i.Start / 1000);
  chart("latency", [t, d.Intervals.map(i => i.P50Millis), d.Intervals.map(i => i.P99Millis)],
    [{label: "p50 ms", stroke: "#2a6fdb", width: 2}, {label: "p99 ms", stroke: "#d9480f", width: 2}]);
  chart("coldstarts", [t, d.Intervals.map(i => i.Restores), d.Intervals.map(i => i.ColdStarts)],
    [{label: "restored", stroke: "#154c9c", fill: "rgba(42,111,219,.15)", width: 2},
     {label: "cold (INIT)", stroke: "#8a4b00", fill: "rgba(240,140,0,.15)", width: 2}]);

  const select = document.getElementById("log-function");
  const names = [...new Set(d.Versions.map(v => v.FunctionName))];
  if (select.options.length !== names.length) {
    select.replaceChildren(...names.map(n => el("option", {value: n}, n)));
    if (!logFunction && names.length) logFunction = names[0];
    select.value = logFunction;
  }
}

function chart(id, data, series) {
  const box = document.getElementById(id);
  if (!charts[id]) {
    charts[id] = new uPlot({width: Math.max(300, box.clientWidth - 8), height: 200,
      series: [{}, ...series], axes: [{}, {size: 50}]}, data, box);
  } else {
    charts[id].setData(data);
  }
}

async function refresh() {
  try {
    const r = await fetch("/thaw/v1/dashboard");
    render(await r.json());
    if (logFunction) {
      const logs = await (await fetch("/thaw/v1/logs/" + encodeURIComponent(logFunction) + "?Limit=40")).json();
      document.getElementById("log").textContent = (logs.Events || [])
        .map(e => new Date(e.Timestamp).toLocaleTimeString() + "  " + e.Message).join("\n");
    }
  } catch (e) {
    document.getElementById("summary").textContent = "cannot reach the platform: " + e;
  }
}

document.getElementById("log-function").addEventListener("change", e => { logFunction = e.target.value; refresh(); });
refresh();
setInterval(refresh, 2000);
