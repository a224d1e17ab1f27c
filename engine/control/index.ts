/** Operator control: pause / resume, kill switch, reload-now — one state per instance, kept in step over the bus. */
export {
  ControlState,
  type ControlAction,
  type ControlFact,
  type ControlMessage,
  type ControlSnapshot,
  type ControlStateOptions,
  type RefusalReason,
  type ReloadResult,
} from './state.ts';
export { controlAdmin } from './admin.ts';
