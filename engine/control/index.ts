/** Operator control: pause / resume, kill switch, reload-now — one state per instance, kept in step over the bus. */
export {
  ControlState,
  type ControlStateOptions,
  type RefusalReason,
  type ReloadResult,
} from './state.ts';
export { controlAdmin } from './admin.ts';
export type { ControlAction, ControlFact, ControlMessage, ControlSnapshot } from '../messages/index.ts';
