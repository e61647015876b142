// `npm run train -- dcgan`.
import { trainGan } from './train-loop.js';

export const main = (argv: string[]): Promise<void> => trainGan('dcgan', argv);
