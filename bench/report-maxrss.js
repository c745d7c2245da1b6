// Preloaded into a measured process: prints its peak resident set (KiB, getrusage) when it exits.
'use strict';
process.on('exit', () => process.stderr.write(`maxrss ${process.resourceUsage().maxRSS}\n`));
