import { runCli } from './run-cli';

runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
}).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`sogs: ${String(err)}\n`);
    process.exit(1);
  },
);
