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
    mix
      .run((progress) => send({ type: 'progress', progress }))
      .then((summary) => send({ type: 'done', summary }))
      .catch((err: unknown) => send({ type: 'failed', message: err instanceof Error ? err.stack ?? err.message : String(err) }))
      .finally(() => setTimeout(() => process.exit(0), 200));
  }
});
process.on('disconnect', () => mix?.stop());
// Sockets to a dying server fail in many ways; none of that may end the attack early.
process.on('uncaughtException', (err) => console.error(`attack process: ${err instanceof Error ? err.message : String(err)}`));
