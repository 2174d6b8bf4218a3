// The batched log output: a line reaches standard output within its flush window while the process
// runs, and every line waiting is written when the log closes and when the process exits.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import t from 'tap'

const MODULE = new URL('../../src/http/log-stream.js', import.meta.url).href

/** Runs `body` in a child process with `log` = batchedStdout(); resolves with its whole stdout once it exits. */
function child (body: string, onOutput?: (soFar: string, stdin: NodeJS.WritableStream) => void) {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
    `import { batchedStdout } from ${JSON.stringify(MODULE)}\nconst log = batchedStdout()\n${body}`], { stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  proc.stdout.setEncoding('utf8')
  proc.stdout.on('data', (chunk: string) => {
    out += chunk
    onOutput?.(out, proc.stdin)
  })
  return once(proc, 'exit').then(([code]) => ({ code: code as number | null, out }))
}

t.test('a line is written while the process runs, without waiting for a full batch', async (t) => {
  // The child logs one line, then waits for its stdin to end: it ends only once the line has arrived.
  const { code, out } = await child("log.stream.write('one line\\n')\nprocess.stdin.resume()\nprocess.stdin.on('end', () => log.close())",
    (soFar, stdin) => { if (soFar.includes('one line\n')) stdin.end() })
  t.equal(code, 0)
  t.equal(out, 'one line\n')
})

t.test('lines waiting are written by close(), and by process.exit(), in order', async (t) => {
  const closed = await child("for (let i = 0; i < 1000; i++) log.stream.write('line ' + i + '\\n')\nlog.close()")
  t.equal(closed.out, Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(''), 'more than one batch, none lost, in order')
  const exited = await child("log.stream.write('before exit\\n')\nprocess.exit(3)")
  t.same([exited.code, exited.out], [3, 'before exit\n'])
})
