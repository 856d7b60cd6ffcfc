import { finishRun } from './run-log';

/** Jest's globalTeardown: the run is complete, so the contract suite may check it. */
export default function globalTeardown(): void {
  finishRun();
}
