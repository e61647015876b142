// Child-process entry of the hostile mix (see attack-process.ts): runs it with the options sent
// over IPC, reports progress, sends the summary and exits.
import { HostileMix } from './hostile-mix.js';
import type { AttackReply, AttackRequest } from './attack-process.js';

const send = (m: AttackReply) => process.send?.(m);
let mix: HostileMix | undefined;

process.on('message', (m: AttackRequest) => {
  if (m.type === 'stop') mix?.stop();
  else if (m.type === 'run' && !mix) {
    // IPC carries JSON: an unbounded budget arrives as null.
    const options = { ...m.options, framesPerEndpoint: m.options.framesPerEndpoint ?? Infinity };
    mix = new HostileMix(options);
    // Failures become a 'failed' reply; the process exits after the last then.
    void mix
      .run((progress) => send({ type: 'progress', progress }))
      .then((summary) => ({ type: 'done', summary }) as const)
      .catch((err: unknown) => ({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }) as const)
      // Exit only once the reply is written to the IPC channel (a summary can be megabytes).
      .then((reply) => (process.send ? process.send(reply, () => process.exit(0)) : process.exit(0)));
  }
});
process.on('disconnect', () => mix?.stop());
// Sockets to a dying server fail in many ways; none of that may end the attack early.
process.on('uncaughtException', (err) => console.error(`attack process: ${err instanceof Error ? err.message : String(err)}`));
