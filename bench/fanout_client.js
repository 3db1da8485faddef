// Load generator for bench/fanout.py: connects Socket.IO clients to /messaging, then sends
// messages over HTTP and measures, at every receiving socket, the time from the start of the
// send to the arrival of `newMessage`. One process, one clock (performance.now()).
//
//   node fanout_client.js config.json      (prints "READY {...}", waits for a stdin line,
//                                           then runs the send phase and prints "RESULT {...}")
//
// config: {base, mode: "lnk"|"bare", sockets: [{token}|{room}], senders: [{token?, conversationId,
//          expect}], rate, duration, saturate: {concurrency}?, connectConcurrency, drainMs}
// Every loop is bounded in count and time; only loopback addresses are accepted.
"use strict";

const fs = require("fs");
const http = require("http");
const readline = require("readline");
const { io } = require("socket.io-client");

const cfg = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const base = new URL(cfg.base);
if (!["127.0.0.1", "localhost", "[::1]"].includes(base.hostname)) {
  throw new Error("loopback only");
}
const MAX_MESSAGES = 100000;
const agent = new http.Agent({ keepAlive: true, maxSockets: cfg.httpConnections || 32 });

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, i)] * 100) / 100;
}

function stats(values) {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? Math.round(sorted[sorted.length - 1] * 100) / 100 : null,
  };
}

// ---- connecting --------------------------------------------------------------------------

const sockets = [];
let connectErrors = 0;

function connectOne(spec, index) {
  return new Promise((resolve) => {
    const auth = cfg.mode === "lnk" ? { token: spec.token } : { room: spec.room };
    const socket = io(cfg.base + "/messaging", {
      auth, transports: ["websocket"], reconnection: false, forceNew: true, timeout: 20000,
    });
    socket.lnkIndex = index;
    const timer = setTimeout(() => { connectErrors++; resolve(); }, 30000);
    socket.once("connect", () => { clearTimeout(timer); sockets.push(socket); resolve(); });
    socket.once("connect_error", () => { clearTimeout(timer); connectErrors++; resolve(); });
  });
}

async function connectAll() {
  const started = performance.now();
  let next = 0;
  const workers = [];
  for (let w = 0; w < (cfg.connectConcurrency || 50); w++) {
    workers.push((async () => {
      while (next < cfg.sockets.length) {
        const i = next++;
        await connectOne(cfg.sockets[i], i);
      }
    })());
  }
  await Promise.all(workers);
  return (performance.now() - started) / 1000;
}

// ---- measuring -----------------------------------------------------------------------------

const sendStart = new Float64Array(MAX_MESSAGES);
const latencies = [];
const restLatencies = [];
let received = 0;
let duplicates = 0;
let sendErrors = 0;
let expected = 0;
let seen = null; // per socket: Uint8Array over message numbers
let phaseStart = 0;
let lastReceive = 0;

function listen() {
  seen = sockets.map(() => new Uint8Array(MAX_MESSAGES));
  sockets.forEach((socket, s) => {
    socket.on("newMessage", (data) => {
      const content = data && data.message && data.message.content;
      if (typeof content !== "string" || content[0] !== "b") return;
      const n = parseInt(content.slice(1), 10);
      if (!(n >= 0 && n < MAX_MESSAGES)) return;
      if (seen[s][n]) { duplicates++; return; }
      seen[s][n] = 1;
      received++;
      lastReceive = performance.now();
      latencies.push(lastReceive - sendStart[n]);
    });
  });
}

function post(n, sender) {
  const body = cfg.mode === "lnk"
    ? JSON.stringify({ content: "b" + n })
    : JSON.stringify({ room: sender.conversationId, content: "b" + n });
  const path = cfg.mode === "lnk"
    ? `/api/conversations/${sender.conversationId}/messages` : "/send";
  const headers = { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) };
  if (sender.token) headers.Authorization = "Bearer " + sender.token;
  return new Promise((resolve) => {
    sendStart[n] = performance.now();
    const req = http.request({
      host: base.hostname, port: base.port, path, method: "POST", headers, agent, timeout: 30000,
    }, (res) => {
      res.resume();
      res.on("end", () => {
        if (res.statusCode >= 300) sendErrors++;
        restLatencies.push(performance.now() - sendStart[n]);
        resolve();
      });
    });
    req.on("error", () => { sendErrors++; resolve(); });
    req.on("timeout", () => req.destroy());
    req.end(body);
  });
}

async function openLoop() {
  const total = Math.min(MAX_MESSAGES, Math.round(cfg.rate * cfg.duration));
  const started = performance.now();
  const pending = [];
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / cfg.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sender = cfg.senders[n % cfg.senders.length];
    expected += sender.expect;
    pending.push(post(n, sender));
  }
  await Promise.all(pending);
  return { sent: total, seconds: (performance.now() - started) / 1000 };
}

async function closedLoop() {
  const stopAt = performance.now() + cfg.duration * 1000;
  const started = performance.now();
  let n = 0;
  const workers = [];
  for (let w = 0; w < cfg.saturate.concurrency; w++) {
    workers.push((async () => {
      while (performance.now() < stopAt && n < MAX_MESSAGES) {
        const mine = n++;
        const sender = cfg.senders[mine % cfg.senders.length];
        expected += sender.expect;
        await post(mine, sender);
      }
    })());
  }
  await Promise.all(workers);
  return { sent: n, seconds: (performance.now() - started) / 1000 };
}

async function drain(maxMs) {
  const until = performance.now() + maxMs;
  while (received < expected && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main() {
  const connectSeconds = await connectAll();
  process.stdout.write("READY " + JSON.stringify({
    connected: sockets.length, connectErrors, connectSeconds,
    connectsPerSecond: Math.round(sockets.length / connectSeconds),
  }) + "\n");
  const rl = readline.createInterface({ input: process.stdin });
  const line = await new Promise((resolve) => rl.once("line", resolve));
  rl.close();
  const result = { connected: sockets.length };
  if (line.trim() === "send" && cfg.senders && cfg.senders.length) {
    listen();
    phaseStart = performance.now();
    const phase = cfg.saturate ? await closedLoop() : await openLoop();
    await drain(cfg.drainMs || 10000);
    const busySeconds = Math.max(phase.seconds, (lastReceive - phaseStart) / 1000);
    Object.assign(result, {
      sent: phase.sent, sendSeconds: phase.seconds, sendErrors, expected, received, duplicates,
      loss: expected - received,
      deliveriesPerSecond: Math.round(received / busySeconds),
      latencyMs: stats(latencies), restMs: stats(restLatencies),
    });
  }
  for (const socket of sockets) socket.disconnect();
  agent.destroy();
  process.stdout.write("RESULT " + JSON.stringify(result) + "\n");
  setTimeout(() => process.exit(0), 200);
}

main().catch((err) => { console.error(err); process.exit(1); });
