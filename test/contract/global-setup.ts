import { startRun } from './run-log';

/** Jest's globalSetup: this run records into a folder of its own, so concurrent runs never mix. */
export default function globalSetup(): void {
  startRun();
}
