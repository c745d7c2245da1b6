'use strict';
// CPU time and resident memory of a process and all its descendants (the server's primary and its
// cluster workers), from /proc. Linux only; elsewhere every figure is null.
const fs = require('node:fs');

const TICK_MS = 10; // USER_HZ is 100 on Linux, whatever the kernel's HZ

function read(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null; // the process is gone (or this is not Linux)
  }
}

/** Direct children of `pid`: from /proc/<pid>/task/<tid>/children, else by scanning ppids. */
function childrenOf(pid) {
  let tasks;
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const first = read(`/proc/${pid}/task/${tasks[0]}/children`);
  if (first === null) return scanChildren(pid);
  const kids = [];
  for (const tid of tasks) {
    const text = tid === tasks[0] ? first : read(`/proc/${pid}/task/${tid}/children`);
    if (text) for (const c of text.trim().split(/\s+/)) if (c) kids.push(Number(c));
  }
  return kids;
}

function scanChildren(pid) {
  const kids = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = parseStat(Number(name));
    if (stat && stat.ppid === pid) kids.push(Number(name));
  }
  return kids;
}

/** The fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function parseStat(pid) {
  const text = read(`/proc/${pid}/stat`);
  if (!text) return null;
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): ppid = field 4, utime..cstime = fields 14..17.
  return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
}

/** `root` and every live descendant. */
function treePids(root) {
  const pids = [];
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop();
    if (read(`/proc/${pid}/stat`) === null) continue;
    pids.push(pid);
    todo.push(...childrenOf(pid));
  }
  return pids;
}

/**
 * CPU time (user + system, ms) of the tree. Each process counts its own time plus that of its
 * children it has reaped, so the total does not drop when a worker exits and is waited for.
 */
function treeCpuMs(root) {
  const pids = treePids(root);
  if (!pids.length) return null;
  let ticks = 0;
  for (const pid of pids) ticks += parseStat(pid)?.ticks ?? 0;
  return ticks * TICK_MS;
}

/** Sum of the tree's resident set sizes (VmRSS), in bytes. */
function treeRssBytes(root) {
  let kb = 0;
  let seen = false;
  for (const pid of treePids(root)) {
    const m = /VmRSS:\s+(\d+)/.exec(read(`/proc/${pid}/status`) ?? '');
    if (m) {
      kb += Number(m[1]);
      seen = true;
    }
  }
  return seen ? kb * 1024 : null;
}

/** Samples the tree's summed RSS every `everyMs` until stop(), which returns the peak (bytes). */
function sampleRss(root, everyMs = 150) {
  let peak = treeRssBytes(root);
  const timer = setInterval(() => {
    const now = treeRssBytes(root);
    if (now !== null && (peak === null || now > peak)) peak = now;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const now = treeRssBytes(root);
      return now !== null && (peak === null || now > peak) ? now : peak;
    },
  };
}

module.exports = { treePids, treeCpuMs, treeRssBytes, sampleRss };
